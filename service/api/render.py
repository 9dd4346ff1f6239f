"""Page pictures for the spot-check page: one page of an original or a blind copy as PNG.

PDF pages are rendered at ``MANGSHEN_PREVIEW_DPI`` (default 100); image pages are scaled so
their long side is at most ``dpi / 100 * MAX_IMAGE_SIDE`` pixels. Boxes are placed on them as
percentages of the manifest's page size, so the scale does not matter. Pictures are cached
next to the outputs (deleted with the job) because an auditor flips through pages often.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pymupdf

from service.config import Limits
from service.errors import InputFileError
from service.ingest.document import open_pdf, read_frame
from service.jobs.layout import write_durably

#: long side of an image page's picture at 100 dpi (an A4 scan at 200 dpi is 2339 px)
MAX_IMAGE_SIDE = 1170


def page_png(source: Path, page: int, dpi: int, cache: Path) -> bytes:
    """The PNG of ``page`` of ``source``, from ``cache`` when it was rendered before."""
    if cache.exists():
        return cache.read_bytes()
    if source.suffix.lower() == ".pdf":
        data = _pdf_page(source, page, dpi)
    else:
        data = _image_page(source, page, dpi)
    write_durably(cache, data)
    return data


def _pdf_page(source: Path, page: int, dpi: int) -> bytes:
    doc = open_pdf(source)
    try:
        if not 0 <= page < doc.page_count:
            raise InputFileError(f"page {page} does not exist")
        pix = doc.load_page(page).get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
        data: bytes = pix.tobytes("png")
        return data
    finally:
        doc.close()


def _image_page(source: Path, page: int, dpi: int) -> bytes:
    bgr: np.ndarray = read_frame(source, page, Limits())
    side = max(bgr.shape[:2])
    limit = int(MAX_IMAGE_SIDE * dpi / 100)
    if side > limit:
        scale = limit / side
        size = (max(1, round(bgr.shape[1] * scale)), max(1, round(bgr.shape[0] * scale)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", bgr)
    if not ok:  # pragma: no cover - encoding a BGR array does not fail
        raise InputFileError("page picture could not be encoded")
    return bytes(buf.tobytes())
