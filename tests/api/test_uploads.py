"""Uploads: stored durably before 202, refused at the door (413/415/422/400), bounded queue (429)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from service.settings import Settings
from tests.api.helpers import ALICE, PROFILE, auth, born_pdf


def _post(client: TestClient, files: list[tuple[str, bytes]], **form: str) -> tuple[int, dict[str, object]]:
    r = client.post("/v1/jobs", headers=auth(ALICE), data=form,
                    files=[("files", (n, b, "application/octet-stream")) for n, b in files])
    return r.status_code, r.json()


def _settings(client: TestClient) -> Settings:
    settings: Settings = client.app.state.mangshen.settings  # type: ignore[attr-defined]
    return settings


def test_upload_is_stored_before_202(client: TestClient, tmp_path: Path) -> None:
    pdf = born_pdf(tmp_path)
    png = tmp_path / "p.png"
    Image.new("RGB", (40, 30), "white").save(png)
    r = client.post("/v1/jobs", headers=auth(ALICE), data={"profile": json.dumps(PROFILE), "policy": "eyes"},
                    files=[("files", ("申报书.pdf", pdf, "application/pdf")), ("files", ("x.png", png.read_bytes(), "image/png"))])
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "queued" and r.headers["location"] == f"/v1/jobs/{body['id']}"
    root = _settings(client).jobs_dir / body["id"]
    assert (root / "in" / "0.pdf").read_bytes() == pdf
    assert (root / "in" / "1.png").read_bytes() == png.read_bytes()
    assert json.loads((root / "profile.json").read_text())["person"] == PROFILE["person"]
    status = client.get(r.headers["location"], headers=auth(ALICE)).json()
    assert status["policy"] == "eyes"
    assert (status["pages_total"], status["pages_done"]) == (2, 0)
    assert [(f["index"], f["name"], f["status"], f["exit_code"], f["error"]) for f in status["files"]] == [
        (0, "申报书.pdf", "queued", None, None), (1, "x.png", "queued", None, None)]
    assert not list(root.rglob("*.partial"))


@pytest.mark.parametrize("data", [b"hello, plain text", b"PK\x03\x04%PDF-1.4 zipped", b"GIF89a....", b"\x7fELF\x02\x01"])
def test_unsupported_type_is_415_by_content(client: TestClient, data: bytes) -> None:
    code, body = _post(client, [("looks.pdf", data)])
    assert code == 415 and body["error"] == "input_file"
    assert not list(_settings(client).jobs_dir.glob("*/in/*"))  # nothing kept


def test_one_bad_file_refuses_the_whole_upload(client: TestClient, tmp_path: Path) -> None:
    code, body = _post(client, [("a.pdf", born_pdf(tmp_path)), ("b.txt", b"text")])
    assert code == 415 and "files[1]" in str(body["detail"])
    assert not any(_settings(client).jobs_dir.iterdir())


def test_unreadable_inputs_are_422(client: TestClient, tmp_path: Path) -> None:
    assert _post(client, [("e.pdf", b"")])[0] in (400, 422)
    assert _post(client, [("c.pdf", b"%PDF-1.7\n garbage that is no pdf")])[0] == 422
    doc = pymupdf.open()
    doc.new_page()
    enc = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    code, body = _post(client, [("enc.pdf", enc)])
    assert code == 422 and body["error"] == "encrypted"


def test_request_over_the_upload_limit_is_413(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    client = make_client(max_upload_mb=1)
    big = born_pdf(tmp_path) + b"\n%" + b"x" * (1 << 20)
    code, body = _post(client, [("big.pdf", big)])
    assert code == 413 and "MANGSHEN_MAX_UPLOAD_MB" in str(body["detail"])
    # a chunked body (no Content-Length) is cut off as it arrives
    def chunks() -> object:
        yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n\r\n"
        for _ in range(20):
            yield b"x" * 100_000
    r = client.post("/v1/jobs", headers={**auth(ALICE), "Content-Type": "multipart/form-data; boundary=b"},
                    content=chunks())  # type: ignore[arg-type]
    assert r.status_code == 413


def test_file_page_and_count_limits_are_413(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(max_files=2)
    pdf = born_pdf(tmp_path)
    assert _post(client, [("a.pdf", pdf)] * 3)[0] == 413
    monkeypatch.setenv("MANGSHEN_MAX_PAGES", "2")
    code, body = _post(client, [("long.pdf", born_pdf(tmp_path, "long.pdf", pages=3))])
    assert code == 413 and body["error"] == "input_file"


def test_bad_profile_and_policy_are_400(client: TestClient, tmp_path: Path) -> None:
    pdf = born_pdf(tmp_path)
    assert _post(client, [("a.pdf", pdf)], profile="{not json")[0] == 400
    assert _post(client, [("a.pdf", pdf)], profile='["a list"]')[0] == 400
    for policy in ["nope", "/etc/passwd", "../redaction_rules/policies/default.yaml"]:
        code, body = _post(client, [("a.pdf", pdf)], policy=policy)
        assert code == 400 and body["error"] == "invalid_rules"
    assert _post(client, [])[0] == 400


def test_full_queue_is_429_with_retry_after(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    client = make_client(queue_size=1)
    pdf = born_pdf(tmp_path)
    assert _post(client, [("a.pdf", pdf)])[0] == 202
    r = client.post("/v1/jobs", headers=auth(ALICE), files=[("files", ("b.pdf", pdf, "application/pdf"))])
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert len(list(_settings(client).jobs_dir.iterdir())) == 1  # the refused upload left nothing


def test_delete_removes_originals_and_outputs_at_once(client: TestClient, tmp_path: Path) -> None:
    code, body = _post(client, [("a.pdf", born_pdf(tmp_path))], profile=json.dumps(PROFILE))
    assert code == 202
    job = str(body["id"])
    root = _settings(client).jobs_dir / job
    assert root.exists()
    assert client.delete(f"/v1/jobs/{job}", headers=auth(ALICE)).status_code == 204
    assert not root.exists()
    assert client.get(f"/v1/jobs/{job}", headers=auth(ALICE)).status_code == 404
    assert client.delete(f"/v1/jobs/{job}", headers=auth(ALICE)).status_code == 404
