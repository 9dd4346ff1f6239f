"""Scanned pages end to end: all four orientations, JPEG/PNG/TIFF, skew and noise, and a
born-digital page with a pasted scan. Geometry never changes; pixels outside masks never
change (JPEG: within re-encoding tolerance)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from tests.pipeline.helpers import manifest, misses, run_generated

pytestmark = pytest.mark.ocr


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
def test_scanned_pdf_every_orientation(tmp_path: Path, orientation: int) -> None:
    run = run_generated(tmp_path, "qualification_cert", "scan_pdf", orientation=orientation)
    assert run.result.exit_code == 0, run.result.error
    assert misses(run) == []
    page = manifest(run)["pages"][0]
    assert page["orientation"] == orientation
    if orientation:
        assert any("not upright" in w for w in manifest(run)["warnings"])
    with pymupdf.open(run.src) as a, pymupdf.open(run.out / f"{run.src.stem}.blind.pdf") as b:
        assert a.page_count == b.page_count and a[0].rect == b[0].rect


@pytest.mark.parametrize(
    ("variant", "ext"), [("scan_jpg", "jpg"), ("scan_png", "png"), ("scan_tif", "tif")]
)
def test_scanned_images_keep_format_size_and_mode(tmp_path: Path, variant: str, ext: str) -> None:
    run = run_generated(tmp_path, "practice_cert", variant, skew=1.5, noise=True)
    assert run.result.exit_code == 0, run.result.error
    assert misses(run) == []
    blind = run.out / f"{run.src.stem}.blind.{ext}"
    with Image.open(run.src) as a, Image.open(blind) as b:
        assert (a.format, a.size, a.mode) == (b.format, b.size, b.mode)
        assert getattr(a, "n_frames", 1) == getattr(b, "n_frames", 1)
        assert ext == "tif" or not b.getexif()  # TIFF tags are checked by verification
    assert manifest(run)["verification"]["metadata_clean"]
    assert manifest(run)["verification"]["pixels_changed_outside_masks"] == 0


def test_born_digital_page_with_embedded_scan(tmp_path: Path) -> None:
    run = run_generated(tmp_path, "award_cert", "embedded_scan")
    assert run.result.exit_code == 0, run.result.error
    assert misses(run) == []
    assert manifest(run)["pages"][0]["regions"]
    assert any(r["source"] == "ocr" for r in manifest(run)["pages"][0]["regions"])


def test_verify_ocr_rereads_the_blind_copy(tmp_path: Path) -> None:
    """--verify-ocr: the blind scan is OCR'd afresh and nothing identifying is found unmasked."""
    import random

    from scripts.corpus import make_document
    from service.config import Options
    from service.pipeline.run import redact_document
    from service.profile import Profile

    gen = make_document("award_cert", "scan_png", random.Random(5), noise=False, skew=0.0)
    src = tmp_path / "award.png"
    src.write_bytes(gen.data)
    options = Options(profile=Profile.model_validate(gen.profile), jobs=1, verify_ocr=True)
    result = redact_document(src, tmp_path / "out", options)
    assert result.exit_code == 0, result.error
    assert result.verification.rescan_findings == 0


def test_verification_catches_an_unpainted_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A redaction step that does nothing: masks are checked to be painted black."""
    import random
    import shutil

    from scripts.corpus import make_document
    from service.config import Options
    from service.pipeline import run as run_mod
    from service.profile import Profile
    from service.redact.apply import ImageWrite
    from service.types import ImageSanitizing

    def copy_only(src: Path, kind: object, masks: object, out: Path, limits: object) -> ImageWrite:
        shutil.copyfile(src, out)
        return ImageWrite(ImageSanitizing())

    monkeypatch.setattr(run_mod, "apply_image", copy_only)
    gen = make_document("award_cert", "scan_png", random.Random(5), noise=False, skew=0.0)
    src = tmp_path / "award.png"
    src.write_bytes(gen.data)
    options = Options(profile=Profile.model_validate(gen.profile), jobs=1, verify_ocr=True)
    result = run_mod.redact_document(src, tmp_path / "out", options)
    assert result.exit_code == 5
    assert any("not black" in p for p in result.verification.problems)
    assert not (tmp_path / "out" / "award.blind.png").exists()
