"""End to end: the real server (uvicorn subprocess, one worker) on a loopback port.

Upload a scanned PDF with its applicant's profile, poll to done, download a blind copy that
passes verification (checked again here on the downloaded bytes), keep other tenants and
anonymous callers out, then revise it as an auditor and see the new region masked.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import httpx
import numpy as np
import pymupdf
from PIL import Image

from service.redact import verify as V
from service.types import BBox
from tests.api.helpers import ALICE, BOB, SCAN_PDF, SCAN_PROFILE, auth, running, upload, wait_done


def _get(url: str, token: str | None = ALICE) -> httpx.Response:
    return httpx.get(url, headers=auth(token) if token else {}, timeout=30.0)


def test_upload_poll_download_revise(tmp_path: Path) -> None:
    with running(tmp_path / "data") as server:
        r = upload(server.url, ALICE, [("工作量统计表.pdf", SCAN_PDF.read_bytes())],
                   profile=SCAN_PROFILE.read_text(encoding="utf-8"))
        assert r.status_code == 202, r.text
        job_url = f"{server.url}{r.headers['location']}"
        assert _get(job_url, BOB).status_code == 404
        assert _get(job_url, None).status_code == 401

        job = wait_done(server.url, ALICE, r.json()["id"])
        assert job["status"] == "done", job
        assert (job["pages_done"], job["pages_total"]) == (1, 1)
        assert job["files"][0] | {"name": ""} == {"index": 0, "name": "", "status": "done", "exit_code": 0,
                                                  "error": None, "pages": 1, "pages_done": 1, "revision": 0}
        files = f"{job_url}/files/0"
        manifest = _get(f"{files}/manifest").json()
        assert manifest["verification"] == {"text_leaks": 0, "rescan_findings": 0,
                                            "pixels_changed_outside_masks": 0, "metadata_clean": True}
        blind = _get(f"{files}/blind")
        assert blind.status_code == 200 and blind.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(blind.content).hexdigest() == manifest["output"]["sha256"]
        _verify_again(tmp_path, blind.content, manifest)
        assert _get(f"{files}/blind", BOB).status_code == 404
        assert _get(f"{files}/blind", None).status_code == 401
        assert "<html" in _get(f"{files}/report").text[:200].lower()

        _revise(server.url, job_url, files, manifest)
        metrics = _get(f"{server.url}/metrics", None).text
        assert "mangshen_pages_processed_total 2" in metrics
        assert _get(f"{server.url}/readyz", None).status_code == 200
        assert httpx.delete(job_url, headers=auth(ALICE)).status_code == 204
        assert not (tmp_path / "data" / "jobs" / job["id"]).exists()


def _verify_again(tmp: Path, blind: bytes, manifest: dict[str, object]) -> None:
    """The downloaded copy: same pages and sizes, nothing changed outside the masks, clean."""
    path = tmp / "blind.pdf"
    path.write_bytes(blind)
    pages = manifest["pages"]
    assert isinstance(pages, list)
    with pymupdf.open(SCAN_PDF) as src, pymupdf.open(path) as out:
        assert out.page_count == src.page_count
        assert [p.rect for p in out] == [p.rect for p in src]
    for page in pages:
        masks = [BBox(*r["bbox"]) for r in page["regions"]]
        check = V.check_pdf_page(SCAN_PDF, path, page["index"], masks, 100)
        assert check.changed_pixels == 0
    assert V.pdf_metadata_problems(path) == []


def _revise(url: str, job_url: str, files: str, manifest: dict[str, object]) -> None:
    """Mask a blank band at the foot of the page as an auditor; the re-rendered page is black there."""
    box = [100.0, 780.0, 300.0, 800.0]
    r = httpx.post(f"{files}/regions", headers=auth(ALICE), timeout=30.0,
                   json={"add": [{"page": 0, "bbox": box, "category": "other", "note": "spot check"}]})
    assert r.status_code == 202, r.text
    assert r.json()["revision"] == 1
    job = wait_done(url, ALICE, job_url.rsplit("/", 1)[-1])
    assert job["status"] == "done" and job["files"][0]["revision"] == 1
    revised = _get(f"{files}/manifest").json()
    assert revised["verification"]["pixels_changed_outside_masks"] == 0
    manual = [r for r in revised["pages"][0]["regions"] if r["source"] == "manual"]
    assert len(manual) == 1 and manual[0]["author"].startswith("alice/")
    png = _get(f"{files}/pages/0/blind.png")
    img = np.asarray(Image.open(io.BytesIO(png.content)).convert("L"))
    scale = img.shape[1] / 595.0
    inner = img[int(784 * scale) : int(796 * scale), int(110 * scale) : int(290 * scale)]
    assert inner.max() < 40  # black
    before = np.asarray(Image.open(io.BytesIO(_get(f"{files}/pages/0/blind.png?revision=0").content)).convert("L"))
    assert before[int(784 * scale) : int(796 * scale), int(110 * scale) : int(290 * scale)].min() > 100
    assert json.loads(_get(f"{files}/manifest?revision=0").text)["pages"] == manifest["pages"]
