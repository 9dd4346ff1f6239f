"""The pixel check of masked raster images in born-digital PDFs (service.redact.verify)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from service.redact.apply import apply_pdf
from service.redact.verify import check_pdf_page
from service.types import BBox


def _stamp_png() -> bytes:
    img = np.full((180, 250, 3), 255, np.uint8)
    cv2.ellipse(img, (125, 90), (115, 80), 0, 0, 360, (172, 64, 34), 6)
    cv2.putText(img, "SEAL 123", (40, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (172, 64, 34), 3)
    return cv2.imencode(".png", img)[1].tobytes()


@pytest.mark.parametrize("rotation", [0, 90])
def test_image_reaching_off_the_page_masked_at_the_edge(tmp_path: Path, rotation: int) -> None:
    # a seal cut by the page edge, pasted as an image that runs off the page: the mask stops at
    # the edge; what MuPDF does to the pixels off the page is never shown and not counted
    src, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    with pymupdf.open() as doc:
        page = doc.new_page(width=595, height=842)
        page.insert_text((72, 300), "Some text that stays.", fontsize=12)
        page.insert_image(pymupdf.Rect(200, -40, 330, 50), stream=_stamp_png())
        page.set_rotation(rotation)
        doc.save(src)
    with pymupdf.open(src) as doc:
        page = doc[0]
        visible = pymupdf.Rect(198, 0, 332, 52) * page.rotation_matrix  # page (rotated) units
        visible.normalize()
    mask = BBox(visible.x0, visible.y0, visible.x1, visible.y1)
    apply_pdf(src, {0: [mask]}, out)
    check = check_pdf_page(src, out, 0, [mask], 100)
    assert check.changed_pixels == 0
    with pymupdf.open(out) as doc:  # and nothing of the seal is left off the page either
        infos = doc[0].get_image_info(xrefs=True)
        for info in infos:
            pix = pymupdf.Pixmap(doc, info["xref"])
            arr = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)
            assert int((arr[:, :, :3].min(axis=2) < 200).sum()) < 0.01 * pix.width * pix.height
