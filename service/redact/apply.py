"""Apply masks for real: PDF content under a mask is removed; image pixels are overwritten and
the image is written into a fresh file with no metadata but its EXIF orientation.

JPEGs are masked in the DCT domain where they can be (``jpeg_dct``: blocks no mask reaches
stay bit-exact); otherwise — and when an ICC profile asks for a colour conversion
(``service.ingest.colour``) — they are re-encoded from pixels at quality 95 without chroma
subsampling. PNG and TIFF are lossless.

Masks are solid black rectangles; page count, page sizes and pixel dimensions never change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw

from service.config import Limits
from service.ingest import colour
from service.ingest.document import open_image, open_pdf
from service.ingest.sniff import Kind
from service.ocr.textlayer import to_unrotated
from service.redact import image_meta
from service.redact.jpeg_dct import mask_jpeg
from service.redact.sanitize import bake_overlays, sanitize, save_full_rewrite
from service.types import BBox, ImageSanitizing

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


@dataclass(frozen=True, slots=True)
class ImageWrite:
    """What writing a raster blind copy did besides painting masks, and the manifest
    warnings that say so (colour conversion, kept orientation)."""

    record: ImageSanitizing
    warnings: tuple[str, ...] = ()


def apply_image(
    src: Path, kind: Kind, masks: dict[int, list[BBox]], out: Path, limits: Limits
) -> ImageWrite:
    """Paint the masks and write a fresh file: pixels (converted to sRGB when an ICC profile
    said they were not), the structure a decoder needs, and the EXIF orientation when it is
    not 1 — nothing else of the input (``service.redact.image_meta`` lists what is allowed)."""
    with open_image(src, limits) as im:
        removed = image_meta.channels(src.read_bytes(), im, kind)
        if kind is Kind.tiff:
            plans, turns = _apply_tiff(im, masks, out)
            mode = None
        elif kind is Kind.jpeg:
            plans, turns, mode = _apply_jpeg(im, src, masks.get(0, []), out)
        else:
            plans, turns = _apply_png(im, masks.get(0, []), out)
            mode = None
    notes = {w for p in plans if (w := colour.describe(p))}
    kept = ("exif_orientation",) if any(t != 1 for t in turns) else ()
    if kept:
        notes.add("the EXIF orientation tag was kept (its only tag): viewers turn the blind copy "
                  "as they turned the original; masks are in stored-pixel coordinates")
    record = ImageSanitizing(removed, kept, tuple(p.action.value for p in plans), mode)
    return ImageWrite(record, tuple(sorted(notes)))


def _clean(im: Image.Image) -> Image.Image:
    """``im`` with no header data left for Pillow to copy into the output (Pillow falls
    back to ``im.info`` for comments and ICC profiles)."""
    im.info = {}
    return im


def _apply_jpeg(
    im: Image.Image, src: Path, boxes: list[BBox], out: Path
) -> tuple[list[colour.ColourPlan], list[int], str]:
    plan = colour.plan(im)
    turn = image_meta.orientation(im)
    if not plan.changes_pixels and mask_jpeg(src, boxes, out):
        if turn != 1:
            _insert_app1(out, image_meta.orientation_exif(turn))
        return [plan], [turn], "dct"
    dpi = im.info.get("dpi")
    im.load()
    frame = _clean(colour.to_srgb(im, plan).copy())
    _paint(frame, boxes)
    # a second generation at the input's own tables moves edge pixels by 40+ levels (chroma
    # re-subsampled); 95 without subsampling keeps them within a few levels
    params: dict[str, object] = {"quality": 95, "subsampling": 0}
    if dpi:
        params["dpi"] = dpi
    if turn != 1:
        params["exif"] = image_meta.orientation_exif(turn)
    frame.save(out, "JPEG", **params)
    return [plan], [turn], "pixels"


def _insert_app1(path: Path, payload: bytes) -> None:
    """Put an APP1 segment right after the JFIF/Adobe header of a JPEG we wrote."""
    data = path.read_bytes()
    i = 2
    while data[i] == 0xFF and data[i + 1] in (0xE0, 0xEE):
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    path.write_bytes(data[:i] + segment + data[i:])


def _apply_png(im: Image.Image, boxes: list[BBox], out: Path) -> tuple[list[colour.ColourPlan], list[int]]:
    plan = colour.plan(im)
    turn = image_meta.orientation(im)
    transparency, dpi = im.info.get("transparency"), im.info.get("dpi")
    im.load()
    frame = _clean(colour.to_srgb(im, plan).copy())
    _paint(frame, boxes)
    params: dict[str, object] = {}
    if transparency is not None:
        params["transparency"] = transparency
    if dpi:
        params["dpi"] = dpi
    if turn != 1:
        params["exif"] = image_meta.orientation_exif(turn)
    frame.save(out, "PNG", **params)
    return [plan], [turn]


def _apply_tiff(
    im: Image.Image, masks: dict[int, list[BBox]], out: Path
) -> tuple[list[colour.ColourPlan], list[int]]:
    frames: list[Image.Image] = []
    plans: list[colour.ColourPlan] = []
    turns: list[int] = []
    n = getattr(im, "n_frames", 1)
    compression = None
    dpi = None
    for i in range(n):
        im.seek(i)
        im.load()
        if i == 0:
            compression = im.info.get("compression")
            dpi = im.info.get("dpi")
        plans.append(colour.plan(im))
        turns.append(image_meta.orientation(im))
        frame = _clean(colour.to_srgb(im, plans[-1]).copy())
        _paint(frame, masks.get(i, []))
        # every frame names its own orientation (appended frames inherit the first's otherwise)
        frame.encoderinfo = {"tiffinfo": {274: turns[-1]}}
        frames.append(frame)
    if compression not in _TIFF_KEEP:
        compression = "tiff_deflate"
    if compression in ("group3", "group4") and any(f.mode != "1" for f in frames):
        compression = "tiff_deflate"
    params: dict[str, object] = {"compression": compression, "tiffinfo": {274: turns[0]}}
    if dpi:
        params["dpi"] = dpi
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], **params)
    return plans, turns
