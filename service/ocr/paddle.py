"""PaddleOCR adapter, for machines where PaddleOCR and its model folders are installed.

PaddleOCR downloads its models at first use, which fails offline, so this adapter only starts
with local model folders: ``MANGSHEN_PADDLE_DET_DIR`` and ``MANGSHEN_PADDLE_REC_DIR`` (and
optionally ``MANGSHEN_PADDLE_CLS_DIR`` for the text-line orientation model). Select it with
``MANGSHEN_OCR_ENGINE=paddleocr``. PaddleOCR gives line boxes only; characters get boxes by
interpolation within the line (``interpolate_chars``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from service.errors import MissingModelError
from service.ocr.base import OcrLine, OcrPage, interpolate_chars
from service.ocr.geometry import box_to_original, quad_to_bbox, to_upright
from service.types import BBox


def _model_dirs() -> dict[str, str]:
    dirs = {
        "text_detection_model_dir": os.environ.get("MANGSHEN_PADDLE_DET_DIR", ""),
        "text_recognition_model_dir": os.environ.get("MANGSHEN_PADDLE_REC_DIR", ""),
    }
    missing = [k for k, v in dirs.items() if not v or not Path(v).is_dir()]
    if missing:
        raise MissingModelError(
            "PaddleOCR needs local model folders: set MANGSHEN_PADDLE_DET_DIR and "
            "MANGSHEN_PADDLE_REC_DIR (it cannot download models here)"
        )
    cls_dir = os.environ.get("MANGSHEN_PADDLE_CLS_DIR", "")
    if cls_dir and Path(cls_dir).is_dir():
        dirs["textline_orientation_model_dir"] = cls_dir
    return dirs


class PaddleOcrEngine:
    name = "paddleocr"

    def __init__(self) -> None:
        try:
            from paddleocr import PaddleOCR
        except ImportError:
            raise MissingModelError("paddleocr is not installed (pip install paddleocr)") from None
        dirs = _model_dirs()
        self._ocr = PaddleOCR(
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation="textline_orientation_model_dir" in dirs,
            **dirs,
        )

    def _lines(self, image: np.ndarray) -> list[OcrLine]:
        out: list[OcrLine] = []
        for res in self._ocr.predict(image):
            data: Any = res.json.get("res", res) if hasattr(res, "json") else res
            texts = data.get("rec_texts", [])
            scores = data.get("rec_scores", [])
            polys = data.get("rec_polys", [])
            for text, score, poly in zip(texts, scores, polys, strict=False):
                if not str(text).strip():
                    continue
                box = quad_to_bbox(poly)
                chars = interpolate_chars(str(text), box, float(score))
                out.append(OcrLine(chars, float(score), box, row=len(out)))
        return out

    def read(self, image: np.ndarray) -> OcrPage:
        h, w = image.shape[:2]
        lines = self._lines(image)
        tall = sum(line.bbox.height for line in lines if line.bbox.height > 1.5 * line.bbox.width)
        wide = sum(line.bbox.width for line in lines if line.bbox.width > 1.5 * line.bbox.height)
        candidates = [90, 270] if tall > wide else [0, 180]
        best: tuple[float, int, list[OcrLine]] | None = None
        for orientation in candidates:
            got = lines if orientation == 0 else self._lines(to_upright(image, orientation))
            conf = float(np.mean([line.conf for line in got])) if got else 0.0
            if best is None or conf > best[0]:
                best = (conf, orientation, got)
            if orientation == candidates[0] and conf >= 0.85:
                break
        assert best is not None
        conf, orientation, got = best
        mapped = tuple(_map(line, orientation, w, h) for line in got)
        return OcrPage(mapped, orientation, conf)


def _map(line: OcrLine, orientation: int, w: int, h: int) -> OcrLine:
    if orientation == 0:
        return line
    from service.ocr.base import OcrChar

    def m(b: BBox | None) -> BBox | None:
        return None if b is None else box_to_original(b, orientation, w, h)

    chars = tuple(OcrChar(c.text, m(c.bbox), c.conf) for c in line.chars)
    return OcrLine(chars, line.conf, box_to_original(line.bbox, orientation, w, h), line.row)
