"""Auth, tenants, and what never leaves the service (tokens, names as paths, echoed input)."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.auth import Tokens, parse_tokens, token_id
from service.errors import BadArgumentsError
from service.settings import Settings
from tests.api.helpers import ALICE, BOB, auth, born_pdf


def _upload(client: TestClient, token: str, data: bytes, name: str = "a.pdf", **form: str) -> str:
    r = client.post("/v1/jobs", headers=auth(token), files=[("files", (name, data, "application/pdf"))], data=form)
    assert r.status_code == 202, r.text
    job_id: str = r.json()["id"]
    return job_id


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic " + ALICE},
                                     {"Authorization": "Bearer " + ALICE + "x"}])
def test_missing_or_invalid_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    for method, path in [("GET", "/v1/jobs"), ("POST", "/v1/jobs"), ("GET", "/v1/policies"),
                         ("POST", "/v1/detect-text"), ("GET", "/v1/jobs/" + "0" * 32)]:
        r = client.request(method, path, headers=headers)
        assert r.status_code == 401, (method, path)
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json()["error"] == "unauthorized"


def test_other_tenant_gets_404_everywhere(client: TestClient, tmp_path: Path) -> None:
    job = _upload(client, ALICE, born_pdf(tmp_path))
    assert client.get(f"/v1/jobs/{job}", headers=auth(ALICE)).status_code == 200
    base = f"/v1/jobs/{job}"
    for method, path in [("GET", base), ("DELETE", base), ("GET", f"{base}/files/0/blind"),
                         ("GET", f"{base}/files/0/manifest"), ("GET", f"{base}/files/0/report"),
                         ("GET", f"{base}/files/0/pages/0/original.png")]:
        r = client.request(method, path, headers=auth(BOB))
        assert r.status_code == 404, (method, path)
    r = client.post(f"{base}/files/0/regions", headers=auth(BOB), json={"remove": [], "add": []})
    assert r.status_code == 404
    assert client.get("/v1/jobs", headers=auth(BOB)).json() == {"jobs": []}
    assert [j["id"] for j in client.get("/v1/jobs", headers=auth(ALICE)).json()["jobs"]] == [job]
    assert client.get(f"/v1/jobs/{job}", headers=auth(ALICE)).status_code == 200  # bob deleted nothing


def test_unknown_or_malformed_job_ids_are_404(client: TestClient) -> None:
    for job in ["0" * 32, "..%2F..%2Fetc", "x" * 300]:
        assert client.get(f"/v1/jobs/{job}", headers=auth(ALICE)).status_code == 404


def test_client_file_names_never_become_paths(client: TestClient, tmp_path: Path) -> None:
    data = born_pdf(tmp_path)
    job = _upload(client, ALICE, data, name="../../../etc/cron.d/张三丰\u202e\u200b.pdf")
    status = client.get(f"/v1/jobs/{job}", headers=auth(ALICE)).json()
    assert status["files"][0]["name"] == "张三丰.pdf"
    settings: Settings = client.app.state.mangshen.settings  # type: ignore[attr-defined]
    stored = sorted(p.relative_to(settings.jobs_dir / job).as_posix() for p in (settings.jobs_dir / job).rglob("*"))
    assert stored == ["in", "in/0.pdf"]
    assert (settings.jobs_dir / job / "in" / "0.pdf").read_bytes() == data


def test_first_start_creates_one_token_file_and_prints_it_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path / "d", workers=0)
    with TestClient(create_app(settings)) as c:
        out = capsys.readouterr().err
        token = settings.token_file.read_text().split("=")[0]
        assert token in out and len(token) >= 32
        assert stat.S_IMODE(settings.token_file.stat().st_mode) == 0o600
        assert c.get("/v1/jobs", headers=auth(token)).status_code == 200
    with TestClient(create_app(settings)):
        assert token not in capsys.readouterr().err  # printed once only
    assert settings.token_file.read_text() == f"{token}=default\n"


def test_token_table() -> None:
    tokens = Tokens(parse_tokens(f"{ALICE}=alice,\n {BOB} = bob "))
    alice = tokens.lookup(ALICE)
    assert alice is not None and alice.tenant == "alice" and alice.author == f"alice/{token_id(ALICE)}"
    assert ALICE not in alice.author
    assert tokens.lookup(BOB).tenant == "bob"  # type: ignore[union-attr]
    assert tokens.lookup("") is None and tokens.lookup(ALICE[:-1]) is None
    for bad in ["short=alice", f"{ALICE}", f"{ALICE}=bad tenant", ","]:
        with pytest.raises(BadArgumentsError):
            parse_tokens(bad)


def test_one_service_per_data_dir(make_client: Callable[..., TestClient]) -> None:
    first = make_client()
    settings: Settings = first.app.state.mangshen.settings  # type: ignore[attr-defined]
    second = TestClient(create_app(settings))
    with pytest.raises(BadArgumentsError, match="another mangshen service"):
        second.__enter__()


def test_validation_errors_do_not_echo_the_input(client: TestClient) -> None:
    r = client.post("/v1/detect-text", headers=auth(ALICE), json={"text": "x", "profile": {"person": "张三丰"}})
    assert r.status_code == 400
    assert r.json()["error"] == "bad_args"
    assert "张三丰" not in r.text
    r = client.post("/v1/jobs", headers=auth(ALICE), files=[("files", ("a.pdf", b"%PDF-1.4", "application/pdf"))],
                    data={"profile": '{"person": ["张三丰"], "persn": ["李四"]}'})
    assert r.status_code == 400 and "张三丰" not in r.text and "李四" not in r.text


def test_responses_carry_safety_headers(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
