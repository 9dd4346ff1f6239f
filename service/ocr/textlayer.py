"""The PDF text layer as characters with boxes, in the displayed page space (points, top-left
origin, ``/Rotate`` applied), including invisible text (an OCR layer under a scan is text too)."""

from __future__ import annotations

import pymupdf

from service.types import BBox, Char

_FLAGS = (
    pymupdf.TEXT_PRESERVE_WHITESPACE
    | pymupdf.TEXT_PRESERVE_LIGATURES
    | pymupdf.TEXT_MEDIABOX_CLIP * 0  # keep text outside the crop box too: it is in the file
)


def to_displayed(page: pymupdf.Page, rect: pymupdf.Rect | tuple[float, ...]) -> BBox:
    r = pymupdf.Rect(rect) * page.rotation_matrix
    r.normalize()
    return BBox(r.x0, r.y0, r.x1, r.y1)


def to_unrotated(page: pymupdf.Page, box: BBox) -> pymupdf.Rect:
    r = pymupdf.Rect(box.x0, box.y0, box.x1, box.y1) * page.derotation_matrix
    r.normalize()
    return r


def text_layer_lines(page: pymupdf.Page) -> list[list[Char]]:
    """One list of characters per text line, in MuPDF's reading order."""
    raw = page.get_text("rawdict", flags=_FLAGS)
    lines: list[list[Char]] = []
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            chars: list[Char] = []
            for span in line.get("spans", []):
                for ch in span.get("chars", []):
                    c = ch.get("c", "")
                    if not c:
                        continue
                    box = to_displayed(page, ch["bbox"])
                    if c.isspace():
                        chars.append(Char(" ", None, 1.0, "text"))
                    else:
                        chars.append(Char(c[0], box, 1.0, "text"))
            if any(ch.bbox is not None for ch in chars):
                lines.append(chars)
    return lines


def image_boxes(page: pymupdf.Page, min_side_pt: float = 16.0) -> list[BBox]:
    """Displayed boxes of the raster images drawn on the page (tiny decorations skipped)."""
    out: list[BBox] = []
    for info in page.get_image_info():
        box = to_displayed(page, info["bbox"]).clip(page.rect.width, page.rect.height)
        if box.width >= min_side_pt and box.height >= min_side_pt:
            out.append(box)
    return out
