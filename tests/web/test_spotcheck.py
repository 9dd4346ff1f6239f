"""The auditors' spot-check page in headless Chromium against the real server.

The test starts ``python -m service.api`` on a loopback port (tests/api/helpers.py), uploads a
two-page born-digital PDF with its applicant's profile and waits until it is done. Then, in
Debian's Chromium driven by Playwright, it signs in with the token, opens the file, looks at
the machine's region, turns to page 2, draws a box over a blank band, adds it as ``other``
and applies it. It checks that the page shows the re-rendered revision, and through the API
that the manifest has the manual region and that the blind copy (downloaded with the page's
own button, and as the page picture) is black there. The browser must not write document
text to its console.

Chromium is Debian's package (``apt-get install -y chromium``); Playwright only drives it
(``playwright install`` is never run). Without Chromium the test is skipped, after trying to
install it when running as root in CI (or with ``MANGSHEN_INSTALL_CHROMIUM=1``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pymupdf
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.api.helpers import ALICE, NAME, PROFILE, auth, born_pdf, running, upload, wait_done

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: a blank band on page 2 (pt, A4): the born-digital test page has text only near y = 400
BAND = (100.0, 600.0, 300.0, 640.0)
INNER = (106.0, 606.0, 294.0, 634.0)  # well inside the band, clear of the mask's edges


def _chromium() -> str | None:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found or not (os.environ.get("CI") or os.environ.get("MANGSHEN_INSTALL_CHROMIUM") == "1"):
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "chromium"]
        if subprocess.run(install, env=env, capture_output=True, timeout=900).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
            subprocess.run(install, env=env, capture_output=True, timeout=900)
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _chromium()
    if path is None:
        pytest.skip("Debian's chromium is not installed and could not be installed (apt-get install -y chromium)")
    return path


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[BrowserContext]:
    profile = tmp_path / "chromium-profile"  # a fresh user data dir for every run
    profile.mkdir()
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=chromium, headless=True, args=ARGS,
            viewport={"width": 1400, "height": 1000}, accept_downloads=True,
        )
        try:
            yield context
        finally:
            context.close()


def _screen(page: Page, box: tuple[float, float, float, float], width: float, height: float) -> tuple[float, ...]:
    """``box`` (page units) in screen pixels of the original's overlay."""
    bb = page.locator("#pane-original .overlay").bounding_box()
    assert bb is not None
    return (bb["x"] + box[0] / width * bb["width"], bb["y"] + box[1] / height * bb["height"],
            bb["x"] + box[2] / width * bb["width"], bb["y"] + box[3] / height * bb["height"])


def _draw(page: Page, box: tuple[float, ...]) -> None:
    x0, y0, x1, y1 = box
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def _dark(png: bytes, box: tuple[float, ...], page_width: float) -> float:
    """The brightest grey value inside ``box`` (page units) of a page picture."""
    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    s = img.shape[1] / page_width
    return float(img[int(box[1] * s) : int(box[3] * s), int(box[0] * s) : int(box[2] * s)].max())


def test_draw_apply_and_see_the_region_masked(browser: BrowserContext, tmp_path: Path) -> None:
    with running(tmp_path / "data") as server:
        r = upload(server.url, ALICE, [("申报材料.pdf", born_pdf(tmp_path, pages=2))], profile=json.dumps(PROFILE))
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        assert wait_done(server.url, ALICE, job_id)["status"] == "done"
        files = f"{server.url}/v1/jobs/{job_id}/files/0"
        before: dict[str, Any] = httpx.get(f"{files}/manifest", headers=auth(ALICE)).json()
        info = before["pages"][1]
        assert info["regions"] and all(r["bbox"][1] > BAND[3] or r["bbox"][3] < BAND[1] for r in info["regions"])

        page = browser.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(_text(m)))
        page.on("pageerror", lambda e: console.append(f"pageerror {e}"))
        page.goto(f"{server.url}/ui/")
        page.fill("#token", ALICE)
        page.click("#signin-button")
        page.click(f"#jobs tr[data-job='{job_id}'] .open-file")
        page.wait_for_selector("#viewer[data-state='ready'][data-revision='0'][data-page='0']")

        # the machine's region: numbered, coloured by category, details on click
        page.click("#pane-original .box[data-category='person']")
        details = page.inner_text("#region-details")
        assert before["pages"][0]["regions"][0]["rule"] in details and "person" in details

        page.click("#next-page")
        page.wait_for_selector("#viewer[data-state='ready'][data-page='1']")
        _draw(page, _screen(page, BAND, info["width"], info["height"]))
        page.select_option("#add-category", "other")
        page.fill("#add-note", "spot check")
        page.click("#add-confirm")
        assert page.locator("#pending li.add").count() == 1
        assert page.locator("#pane-original .box.pending").count() == 1
        page.click("#apply")
        page.wait_for_selector("#viewer[data-state='ready'][data-revision='1']", timeout=60_000)
        page.wait_for_selector("#pane-blind .box[data-source='manual']")
        assert page.locator("#pending li.add").count() == 0

        _check_revision(files, info)
        with page.expect_download() as wait:
            page.click("#download-blind")
        _check_download(Path(wait.value.path()), files)
        page.close()
    assert console == [], console
    assert not any(NAME in line for line in console)


def _text(message: ConsoleMessage) -> str:
    return f"{message.type} {message.text}"


def _check_revision(files: str, info: dict[str, Any]) -> None:
    manifest = httpx.get(f"{files}/manifest", headers=auth(ALICE)).json()
    assert manifest["revision"] == 1 and manifest["verification"]["pixels_changed_outside_masks"] == 0
    manual = [r for r in manifest["pages"][1]["regions"] if r["source"] == "manual"]
    assert len(manual) == 1 and manual[0]["category"] == "other" and manual[0]["author"].startswith("alice/")
    assert all(abs(a - b) < 3.0 for a, b in zip(manual[0]["bbox"], BAND, strict=True)), manual[0]["bbox"]
    png = httpx.get(f"{files}/pages/1/blind.png?revision=1", headers=auth(ALICE)).content
    assert _dark(png, INNER, info["width"]) < 40
    old = httpx.get(f"{files}/pages/1/blind.png?revision=0", headers=auth(ALICE)).content
    assert _dark(old, INNER, info["width"]) > 200  # blank before the auditor's revision


def _check_download(path: Path, files: str) -> None:
    """The page's download button gives the current blind copy; black over the band."""
    data = path.read_bytes()
    manifest = httpx.get(f"{files}/manifest", headers=auth(ALICE)).json()
    assert hashlib.sha256(data).hexdigest() == manifest["output"]["sha256"]
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        pix = doc[1].get_pixmap(dpi=72, clip=pymupdf.Rect(*INNER), colorspace=pymupdf.csGRAY)
        assert max(pix.samples) < 40
