"""A page that cannot be analysed is never released (fault injection: a crashing OCR engine)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from service.config import Options
from service.ocr.base import OcrPage
from service.pipeline import page as page_mod
from service.pipeline.run import redact_document


class CrashingEngine:
    name = "crash"

    def read(self, image: np.ndarray) -> OcrPage:
        raise RuntimeError("simulated OCR crash")


def test_ocr_crash_releases_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page_mod, "get_ocr", lambda: CrashingEngine())
    src = tmp_path / "scan.png"
    buf = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buf, "PNG")
    src.write_bytes(buf.getvalue())
    result = redact_document(src, tmp_path / "out", Options(jobs=1))
    assert result.exit_code == 5
    assert result.error is not None and "could not be analysed" in result.error
    assert not (tmp_path / "out" / "scan.blind.png").exists()
    assert not list((tmp_path / "out").glob("*.partial")) if (tmp_path / "out").exists() else True


def test_failed_verification_keeps_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_pdf, profile_file: Path  # type: ignore[no-untyped-def]
) -> None:
    """A redaction step that silently does nothing is caught by verification (exit 5)."""
    import shutil

    from service.pipeline import run as run_mod
    from service.profile import load_profile

    monkeypatch.setattr(run_mod, "apply_pdf", lambda src, masks, out: shutil.copyfile(src, out))
    src = make_pdf("doc.pdf", ["申报人：张三丰", "科室：心内科"])
    out = tmp_path / "out"
    result = redact_document(src, out, Options(profile=load_profile(profile_file), jobs=1))
    assert result.exit_code == 5
    assert not (out / "doc.blind.pdf").exists()
    assert not list(out.glob(".*partial*"))
    report = (out / "doc.report.html").read_text(encoding="utf-8")
    assert "Verification failed" in report
    assert (out / "doc.manifest.json").exists()
