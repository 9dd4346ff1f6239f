"""The PaddleOCR adapter runs only where PaddleOCR and local model folders are installed."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from service.errors import MissingModelError

HAVE_PADDLE = importlib.util.find_spec("paddleocr") is not None
HAVE_MODELS = all(os.path.isdir(os.environ.get(k, "")) for k in ("MANGSHEN_PADDLE_DET_DIR", "MANGSHEN_PADDLE_REC_DIR"))


@pytest.mark.skipif(HAVE_PADDLE and HAVE_MODELS, reason="PaddleOCR is installed here")
def test_missing_paddle_is_a_clear_model_error() -> None:
    from service.ocr.paddle import PaddleOcrEngine

    with pytest.raises(MissingModelError):
        PaddleOcrEngine()


@pytest.mark.skipif(not (HAVE_PADDLE and HAVE_MODELS), reason="needs paddleocr and local models")
def test_paddle_reads_a_line() -> None:  # pragma: no cover - only where PaddleOCR is installed
    import cv2

    from service.ocr.paddle import PaddleOcrEngine

    img = np.full((120, 600, 3), 255, np.uint8)
    cv2.putText(img, "Department 2023", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)
    page = PaddleOcrEngine().read(img)
    assert "2023" in "".join(line.text for line in page.lines)
    assert all(c.bbox is not None for line in page.lines for c in line.chars if not c.text.isspace())
