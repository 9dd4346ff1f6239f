"""Seals on an invoice, end to end: the blind copy of a scanned receipt with an oval
发票专用章 (its tax number inside) and a small square stamp has both seals painted over, while
no seal is found on the red heading and the red serial number NO.… beside them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from service.config import Options
from service.pipeline.run import redact_document
from tests.detect.marks.test_seals_invoice import Shot, Stamp, invoice_page

Box = tuple[int, int, int, int]


def _painted(blind: np.ndarray, box: Box) -> float:
    """Share of ``box`` painted black (the mask's fill)."""
    x0, y0, x1, y1 = box
    return float((blind[y0:y1, x0:x1].max(axis=2) < 30).mean())


def test_invoice_seals_are_painted_and_red_heading_stays(tmp_path: Path) -> None:
    sample = invoice_page(21, [Stamp("invoice", "seller", "red", angle=-6.0),
                               Stamp("small", "cashier", "red")], Shot(jpeg=80))
    src = tmp_path / "receipt.png"
    cv2.imwrite(str(src), sample.image)
    result = redact_document(src, tmp_path / "out", Options(jobs=1))
    assert result.exit_code == 0, result.error
    blind = cv2.imread(str(tmp_path / "out" / "receipt.blind.png"))
    assert blind is not None and blind.shape == sample.image.shape
    for truth in sample.truths:  # the oval seal and the 1 cm stamp: painted over whole
        assert _painted(blind, truth) >= 0.97, truth
    # no seal is found on the red heading (江南省增值税普通发票) and the red serial number: their
    # pixels stay as they were, but for what the text detectors mask in them (the serial NO.…
    # is a record number; 江南省 is read as a place name, a fictional province)
    x0, y0, x1, y1 = sample.heading
    page = result.pages[0]
    assert not any(r.category == "seal" and r.bbox.x1 > x0 and r.bbox.x0 < x1 and r.bbox.y1 > y0
                   and r.bbox.y0 < y1 for r in page.regions)
    text_masks = np.zeros(blind.shape[:2], bool)
    for r in page.regions:
        if r.source in ("text", "ocr"):
            text_masks[int(r.bbox.y0) : int(r.bbox.y1) + 1, int(r.bbox.x0) : int(r.bbox.x1) + 1] = True
    diff = np.abs(blind.astype(int) - sample.image.astype(int)).max(axis=2) > 12
    outside = ~text_masks[y0:y1, x0:x1]
    assert diff[y0:y1, x0:x1][outside].mean() <= 0.01
