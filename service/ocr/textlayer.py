"""The PDF text layer as characters with boxes, in the displayed page space (points, top-left
origin, ``/Rotate`` applied), including invisible text (an OCR layer under a scan is text too)."""

from __future__ import annotations

from collections.abc import Callable

import pymupdf

from service.types import BBox, Char

#: text outside the crop box is not read: sanitizing removes everything outside it
_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES


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
    to_box = _converter(page)
    lines: list[list[Char]] = []
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            chars: list[Char] = []
            for span in line.get("spans", []):
                for ch in span.get("chars", []):
                    c = ch.get("c", "")
                    if not c:
                        continue
                    if c.isspace():
                        chars.append(Char(" ", None, 1.0, "text"))
                    else:
                        chars.append(Char(c[0], to_box(ch["bbox"]), 1.0, "text"))
            if any(ch.bbox is not None for ch in chars):
                lines.append(chars)
    return lines


def _converter(page: pymupdf.Page) -> Callable[[tuple[float, float, float, float]], BBox]:
    """Unrotated → displayed boxes, with the page's matrix computed once."""
    if page.rotation == 0:
        return lambda b: BBox(b[0], b[1], b[2], b[3])
    m = page.rotation_matrix
    a, b_, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f

    def conv(r: tuple[float, float, float, float]) -> BBox:
        xs = (r[0] * a + r[1] * c + e, r[2] * a + r[1] * c + e, r[0] * a + r[3] * c + e, r[2] * a + r[3] * c + e)
        ys = (r[0] * b_ + r[1] * d + f, r[2] * b_ + r[1] * d + f, r[0] * b_ + r[3] * d + f, r[2] * b_ + r[3] * d + f)
        return BBox(min(xs), min(ys), max(xs), max(ys))

    return conv


def image_boxes(page: pymupdf.Page, min_side_pt: float = 16.0) -> list[BBox]:
    """Displayed boxes of the raster images drawn on the page (tiny decorations skipped)."""
    out: list[BBox] = []
    for info in page.get_image_info():
        box = to_displayed(page, info["bbox"]).clip(page.rect.width, page.rect.height)
        if box.width >= min_side_pt and box.height >= min_side_pt:
            out.append(box)
    return out


def unreadable_images(page: pymupdf.Page) -> list[BBox]:
    """Displayed boxes of images on the page whose data cannot be decoded. MuPDF pads or
    blanks them (so nothing can be read there) while another viewer might show them.

    Must run before anything else decodes the page's images: MuPDF warns on the first decode
    only and caches the result.
    """
    out: list[BBox] = []
    for img in page.get_images(full=True):
        xref = img[0]
        pymupdf.TOOLS.reset_mupdf_warnings()
        try:
            pymupdf.Pixmap(page.parent, xref)
            broken = any(w in pymupdf.TOOLS.mupdf_warnings().lower() for w in _DECODE_ERRORS)
        except Exception:
            broken = True
        if not broken:
            continue
        for rect in page.get_image_rects(xref):
            box = to_displayed(page, rect).clip(page.rect.width, page.rect.height)
            if not box.is_empty:
                out.append(box)
    return out


#: MuPDF warnings that mean an image was padded or replaced because its data is damaged
_DECODE_ERRORS = ("truncated image", "jpeg error", "premature end", "read error",
                  "corrupt", "invalid", "cannot decode")
