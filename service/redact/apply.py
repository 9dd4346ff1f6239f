"""Apply masks for real: PDF content under a mask is removed; image pixels are overwritten and
the image is re-encoded into a fresh file with no metadata.

Masks are solid black rectangles; page count, page sizes and pixel dimensions never change.
"""

from __future__ import annotations

import math
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw

from service.config import Limits
from service.ingest.document import open_image, open_pdf
from service.ingest.sniff import Kind
from service.ocr.textlayer import to_unrotated
from service.redact.sanitize import bake_overlays, sanitize, save_full_rewrite
from service.types import BBox

BLACK = (0, 0, 0)
#: lossless TIFF compressions we keep; anything else is re-encoded with deflate
_TIFF_KEEP = {"raw", "tiff_lzw", "tiff_deflate", "tiff_adobe_deflate", "packbits", "group3", "group4"}


#: redacted images stay decoded in memory until the document is written; writing (and
#: reopening) every few pages keeps a 50-page scan under ~200 MB instead of ~700 MB
FLUSH_EVERY = 4


def apply_pdf(src: Path, masks: dict[int, list[BBox]], out: Path) -> None:
    doc = open_pdf(src)
    scratch = out.with_name(out.name + ".flush")
    try:
        bake_overlays(doc)
        sanitize(doc)
        pending = 0
        for index in sorted(masks):
            if not masks[index]:
                continue
            _redact_page(doc.load_page(index), masks[index])
            pending += 1
            if pending >= FLUSH_EVERY:
                save_full_rewrite(doc, str(scratch))
                doc.close()
                scratch.replace(out)
                doc = open_pdf(out)
                pending = 0
        sanitize(doc)  # apply_redactions leaves nothing, but be sure
        save_full_rewrite(doc, str(scratch))
    finally:
        doc.close()
    scratch.replace(out)


def _redact_page(page: pymupdf.Page, boxes: list[BBox]) -> None:
    for box in boxes:
        page.add_redact_annot(to_unrotated(page, box), fill=BLACK, cross_out=False)
    page.apply_redactions(
        images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
        graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
        text=pymupdf.PDF_REDACT_TEXT_REMOVE,
    )


def pixel_rect(box: BBox) -> tuple[int, int, int, int]:
    """The pixels a mask covers: rounded outwards, inclusive end for ImageDraw."""
    return (
        math.floor(box.x0),
        math.floor(box.y0),
        math.ceil(box.x1) - 1,
        math.ceil(box.y1) - 1,
    )


def _paint(im: Image.Image, boxes: list[BBox]) -> None:
    if not boxes:
        return
    draw = ImageDraw.Draw(im)
    fill: int | tuple[int, ...]
    if im.mode in ("1", "L", "I", "I;16", "F"):
        fill = 0
    elif im.mode == "P":
        fill = _palette_black(im)
    elif im.mode == "CMYK":
        fill = (0, 0, 0, 255)
    elif im.mode in ("RGBA", "LA"):
        fill = (0, 0, 0, 255) if im.mode == "RGBA" else (0, 255)
    else:
        fill = BLACK
    for b in boxes:
        draw.rectangle(pixel_rect(b), fill=fill)


def _palette_black(im: Image.Image) -> int:
    pal = im.getpalette() or []
    best, best_d = 0, 10**9
    for i in range(len(pal) // 3):
        d = pal[3 * i] + pal[3 * i + 1] + pal[3 * i + 2]
        if d < best_d:
            best, best_d = i, d
    if best_d > 0 and len(pal) // 3 < 256:
        # add a true black entry
        idx = len(pal) // 3
        im.putpalette([*pal, 0, 0, 0])
        return idx
    return best


def apply_image(src: Path, kind: Kind, masks: dict[int, list[BBox]], out: Path, limits: Limits) -> None:
    with open_image(src, limits) as im:
        if kind is Kind.tiff:
            _apply_tiff(im, masks, out)
            return
        im.load()
        _paint(im, masks.get(0, []))
        if kind is Kind.jpeg:
            params: dict[str, object] = {"quality": "keep", "subsampling": "keep"}
            if im.info.get("progressive") or im.info.get("progression"):
                params["progressive"] = True
            if "dpi" in im.info:
                params["dpi"] = im.info["dpi"]
            im.save(out, "JPEG", **params)
        else:
            params = {}
            if "transparency" in im.info:
                params["transparency"] = im.info["transparency"]
            if "dpi" in im.info:
                params["dpi"] = im.info["dpi"]
            im.save(out, "PNG", **params)


def _apply_tiff(im: Image.Image, masks: dict[int, list[BBox]], out: Path) -> None:
    frames: list[Image.Image] = []
    n = getattr(im, "n_frames", 1)
    compression = None
    dpi = None
    for i in range(n):
        im.seek(i)
        im.load()
        if i == 0:
            compression = im.info.get("compression")
            dpi = im.info.get("dpi")
        frame = im.copy()
        _paint(frame, masks.get(i, []))
        frames.append(frame)
    if compression not in _TIFF_KEEP:
        compression = "tiff_deflate"
    if compression in ("group3", "group4") and frames[0].mode != "1":
        compression = "tiff_deflate"
    params: dict[str, object] = {"compression": compression}
    if dpi:
        params["dpi"] = dpi
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], **params)
