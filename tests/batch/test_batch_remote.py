"""``batch --server URL --token T`` against a fake service (tests/batch/fake_service.py)."""

from __future__ import annotations

import csv
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from service.batch.backend import Interrupted
from service.batch.cli import main
from service.batch.models import FileJob
from service.batch.remote import RemoteBackend
from service.batch.remote_http import exit_code_for, retry_after
from service.profile import Profile
from tests.batch.conftest import PROFILE_A, Tree, build_tree
from tests.batch.fake_service import TOKEN, FakeService


@pytest.fixture
def service() -> Iterator[tuple[FakeService, str]]:
    svc = FakeService()
    url = svc.start()
    yield svc, url
    svc.stop()


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {r["file"]: r for r in csv.DictReader(fh)}


def _batch(t: Tree, url: str, *extra: str, token: str = TOKEN) -> int:
    return main([str(t.inp), "-o", str(t.out), "--profiles", str(t.profiles), "--server", url,
                 "--token", token, "--jobs", "2", *extra])


def test_server_mode_mirrors_outputs_and_summarises(tmp_path: Path,
                                                    service: tuple[FakeService, str]) -> None:
    svc, url = service
    t = build_tree(tmp_path, image=False)
    assert _batch(t, url) == 3  # the corrupt file; the malformed profile (2) never uploads
    assert svc.posts == 4  # 3 uploads + one answered 429 and retried after Retry-After
    jobs = {j.name: j for j in svc.jobs.values()}
    assert set(jobs) == {"申报表.pdf", "证书.pdf", "损坏.pdf"}
    assert json.loads(jobs["申报表.pdf"].profile) == json.loads(Profile.model_validate(PROFILE_A).model_dump_json())
    assert json.loads(jobs["损坏.pdf"].profile) == json.loads(Profile().model_dump_json())
    assert jobs["证书.pdf"].policy == "default"

    blind = t.out / "张三" / "证书" / "证书.blind.pdf"
    assert blind.read_bytes() == (t.inp / "张三" / "证书" / "证书.pdf").read_bytes() + b"%blind\n"
    assert sorted(p.name for p in (t.out / "张三").iterdir() if p.is_file()) == [
        "申报表.blind.pdf", "申报表.manifest.json", "申报表.report.html"]
    assert not list(t.out.glob("损坏.*"))

    rows = _rows(t.out)
    a = rows["张三/申报表.pdf"]
    assert (a["exit_code"], a["verification"], a["pages"], a["person"], a["phone"]) == ("0", "passed", "1", "1", "1")
    assert a["profile"] == "张三.json"
    bad = rows["损坏.pdf"]
    assert (bad["exit_code"], bad["verification"]) == ("3", "—")
    assert "unsupported file type" in bad["error"] and bad["error"].startswith("损坏.pdf")
    assert rows["李四/论文.pdf"]["exit_code"] == "2"


def test_resume_in_server_mode_uploads_nothing_twice(tmp_path: Path,
                                                     service: tuple[FakeService, str]) -> None:
    svc, url = service
    t = build_tree(tmp_path, image=False)
    _batch(t, url)
    posts = svc.posts
    assert _batch(t, url, "--resume") == 3
    assert svc.posts == posts + 1  # only the corrupt file is sent again
    assert len(_rows(t.out)) == 4


def test_refused_token_stops_before_any_upload(tmp_path: Path, service: tuple[FakeService, str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    svc, url = service
    t = build_tree(tmp_path, image=False)
    assert _batch(t, url, token="wrong") == 2
    assert svc.posts == 0 and "refused the token" in capsys.readouterr().err


def test_unknown_policy_on_the_server(tmp_path: Path, service: tuple[FakeService, str],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _, url = service
    t = build_tree(tmp_path, image=False)
    assert _batch(t, url, "--policy", "nonesuch") == 6
    assert "unknown policy 'nonesuch' on the server" in capsys.readouterr().err


def test_blind_copy_that_does_not_match_its_manifest_is_not_kept(
        tmp_path: Path, service: tuple[FakeService, str]) -> None:
    svc, url = service
    svc.corrupt_blind = True
    t = build_tree(tmp_path, image=False)
    assert _batch(t, url) == 5
    assert not list(t.out.rglob("*.blind.pdf")) and not list(t.out.rglob("*.partial"))
    assert "does not match its manifest" in _rows(t.out)["张三/证书/证书.pdf"]["error"]


def test_stop_lets_accepted_jobs_finish_abort_deletes_them(
        tmp_path: Path, service: tuple[FakeService, str]) -> None:
    svc, url = service
    t = build_tree(tmp_path, image=False)
    backend = RemoteBackend(url, TOKEN, jobs=2, poll=0.05)
    job = FileJob(rel="a.pdf", path=str(t.inp / "张三" / "申报表.pdf"), out_dir=str(t.out))
    svc.busy, svc.hold = 0, threading.Event()
    svc.hold.set()
    running = backend.submit(job)
    _until(lambda: svc.jobs)
    backend.stop()  # first Ctrl-C: the accepted job goes on
    svc.hold.clear()
    assert running.result(timeout=10).exit_code == 0 and (t.out / "申报表.blind.pdf").is_file()

    backend = RemoteBackend(url, TOKEN, jobs=2, poll=0.05)
    svc.hold.set()
    held = backend.submit(job.model_copy(update={"rel": "b.pdf"}))
    _until(lambda: len(svc.jobs) == 2)
    backend.stop()
    backend.abort()  # second Ctrl-C: abandoned and deleted on the service
    with pytest.raises(Interrupted):
        held.result(timeout=10)
    assert len(svc.deleted) == 1 and len(svc.jobs) == 1
    assert not (t.out / "申报表.blind.pdf").exists()
    backend.close()


def _until(cond: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_unreachable_server(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("service.batch.remote_http._RETRIES", 0)
    t = build_tree(tmp_path, image=False)
    assert _batch(t, "http://127.0.0.1:9") == 2
    assert "cannot reach the server" in capsys.readouterr().err


def test_server_needs_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MANGSHEN_TOKEN", raising=False)
    t = build_tree(tmp_path, image=False)
    assert main([str(t.inp), "-o", str(t.out), "--server", "http://127.0.0.1:9"]) == 2


@pytest.mark.parametrize(("status", "body", "code"), [
    (422, None, 3), (415, None, 3), (413, None, 3), (503, None, 7), (500, None, 5),
    (422, {"detail": {"exit_code": 4}}, 4), (400, {"error": "invalid_rules: bad policy"}, 6),
    (418, None, 5),
])
def test_exit_code_from_the_answer(status: int, body: object, code: int) -> None:
    assert exit_code_for(status, body) == code


def test_retry_after_forms() -> None:
    def r(value: str | None) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value} if value is not None else {})

    assert retry_after(r("3")) == 3.0 and retry_after(r(None)) == 1.0
    assert retry_after(r("999")) == 60.0
    assert retry_after(r("Wed, 21 Oct 2015 07:28:00 GMT")) == 0.0
