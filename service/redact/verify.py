"""Verify a blind copy before it is released (fail closed).

Four checks, each independent of how the masks were made:

* text leaks — the blind file's text layer (visible and invisible) contains none of the
  masked strings;
* rescan — the detectors find nothing in what remains readable: the first reading (text layer
  and OCR) with every character under a mask hidden (the residual the pipeline closed its
  masks over), and the blind file's own text layer for context-free findings (patterns,
  profile); ``verify_ocr`` also re-OCRs the blind rasters;
* pixels — renders of original and blind copy are identical outside the masks (PDF, PNG,
  TIFF), or outside the blocks a mask reaches (JPEG masked in the DCT domain), or within
  JPEG re-encoding tolerance (JPEG re-encoded from pixels); a raster original whose ICC profile
  was converted is compared after the same conversion to sRGB;
* metadata — no Info/XMP, annotations, attachments, scripts; images pass the allow-list of
  ``service.redact.image_meta`` (no comment, EXIF but a bare orientation, XMP, IPTC, ICC
  profile, text chunk, private segment, metadata tag or trailing bytes).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image

from service.config import Limits
from service.detect.engine import DetectionEngine
from service.ingest import colour
from service.ingest.document import frame_to_bgr, open_image, open_pdf
from service.ingest.sniff import Kind
from service.ocr.textlayer import image_boxes, text_layer_lines, to_unrotated
from service.redact import image_meta
from service.redact.apply import pixel_rect
from service.types import MASK_CHAR, BBox, Char, PageText

#: JPEG: a pixel counts as changed when a channel moved by more than this
JPEG_TOLERANCE = 40
#: JPEG: masks grow by this many pixels (re-encoding disturbs whole 8×8/16×16 blocks)
JPEG_BLOCK = 16
#: PDF renders: masks grow by this many render pixels (anti-aliasing of the mask edge, and
#: resampling of a scaled image whose pixels were blanked right up to the edge)
PDF_GROW = 2
#: PDF renders: when MuPDF rewrites a line after removing glyphs, the glyphs it keeps can move
#: by a fraction of a pixel, which changes anti-aliased edge pixels by up to ~70 levels
#: (measured). Removing or adding ink changes core pixels by far more; changes up to this
#: bound are counted separately and reported as a warning, not as a failure.
PDF_TOLERANCE = 96
#: a painted mask renders at most this bright (PDF renders; JPEG after re-encoding)
PDF_BLACK = 24
JPEG_BLACK = 72
#: ... and masks on a raster image by this many: the renderer's resampling filter spreads the
#: blanked source pixels; those images are compared exactly at their own resolution instead
#: (``image_pixels_changed``)
PDF_IMAGE_GROW = 8


@dataclass(frozen=True, slots=True)
class PageCheck:
    changed_pixels: int
    original_preview: bytes
    blind_preview: bytes
    #: PDF: pixels outside masks that changed by at most ``PDF_TOLERANCE`` levels
    faint_pixels: int = 0
    #: pixels inside the masks (one pixel in from the edge) that are not black
    unpainted_pixels: int = 0


# -- text -----------------------------------------------------------------------------------
def _squash(s: str) -> str:
    return "".join(s.split())


def blind_text_pages(blind: Path) -> list[PageText]:
    doc = open_pdf(blind)
    try:
        out = []
        for page in doc:
            chars: list[Char] = []
            for line in text_layer_lines(page):
                chars.extend(line)
                chars.append(Char("\n", None))
            out.append(PageText(tuple(chars)))
        return out
    finally:
        doc.close()


def count_text_leaks(blind_pages: list[PageText], snippets: set[str]) -> int:
    body = _squash("".join(p.text for p in blind_pages))
    return sum(1 for s in snippets if len(_squash(s)) >= 2 and _squash(s) in body)


MASKED = MASK_CHAR


#: rule prefixes whose findings do not depend on context: what the blind text layer is
#: rescanned with (MuPDF re-segments lines after a redaction, which moves every neighbour a
#: context detector reads; the full engine rescans the residual of the first reading instead)
STABLE_RULES = ("pattern.", "profile.")
STABLE_DETECTORS = frozenset({"pattern", "profile"})


def rescan(engine: DetectionEngine, text: str, stable_only: bool = False) -> int:
    """Findings that lie wholly in readable text.

    A finding that touches a masked character (``MASKED``) is the mask's own context (a CRF
    that sees ``患者■`` may extend a name over the mask) and shows nothing: not counted.
    """
    if not text.strip():
        return 0
    return sum(
        1
        for s in engine.detect(text)
        if MASKED not in text[s.start : s.end] and (not stable_only or s.rule.startswith(STABLE_RULES))
    )


def mark_masked_gaps(text: PageText, masks: list[BBox]) -> PageText:
    """The blind text layer with ``MASKED`` wherever a mask lies between two characters of a
    line (MuPDF removes the masked glyphs, so ``联系人王强电话`` would read ``联系人电话``)."""
    chars: list[Char] = []
    prev: Char | None = None
    for c in text.chars:
        if c.bbox is None:
            if prev is not None and c.text == "\n" and _mask_beside(prev.bbox, masks, +1):
                chars.append(Char(MASKED, None))
            chars.append(c)
            if c.text == "\n":
                prev = None
            continue
        if prev is None and _mask_beside(c.bbox, masks, -1):
            chars.append(Char(MASKED, None))  # MuPDF may start a new line after a removed run
        elif prev is not None and _mask_between(prev.bbox, c.bbox, masks):
            chars.append(Char(MASKED, None))
        chars.append(c)
        prev = c
    return PageText(tuple(chars))


def _same_line(a: BBox, b: BBox) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.y1 - a.y0, b.y1 - b.y0)


def _mask_between(a: BBox | None, b: BBox | None, masks: list[BBox]) -> bool:
    if a is None or b is None or not _same_line(a, b) or b.x0 <= a.x1:
        return False
    return any(m.x1 > a.x1 and m.x0 < b.x0 and _same_line(m, a) for m in masks)


def _mask_beside(a: BBox | None, masks: list[BBox], side: int) -> bool:
    """A mask on the same line within two line heights right (``side`` +1) or left (-1)."""
    if a is None:
        return False
    reach = 2.0 * (a.y1 - a.y0)
    if side > 0:
        return any(m.x1 > a.x1 and m.x0 < a.x1 + reach and _same_line(m, a) for m in masks)
    return any(m.x0 < a.x0 and m.x1 > a.x0 - reach and _same_line(m, a) for m in masks)


# -- pixels ---------------------------------------------------------------------------------
def _mask_array(shape: tuple[int, int], masks: list[BBox], scale: float, grow: int) -> np.ndarray:
    h, w = shape
    m = np.zeros((h, w), dtype=bool)
    for b in masks:
        x0, y0, x1, y1 = pixel_rect(b.scale(scale))
        m[max(0, y0 - grow) : min(h, y1 + 1 + grow), max(0, x0 - grow) : min(w, x1 + 1 + grow)] = True
    return m


def _preview(arr_rgb: np.ndarray, max_side: int = 1100) -> bytes:
    im = Image.fromarray(arr_rgb)
    if max(im.size) > max_side:
        f = max_side / max(im.size)
        im = im.resize((max(1, round(im.width * f)), max(1, round(im.height * f))), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _render(page: pymupdf.Page, dpi: int) -> np.ndarray:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False, annots=True)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3).copy()


def check_pdf_page(original: Path, blind: Path, index: int, masks: list[BBox], dpi: int) -> PageCheck:
    """Render page ``index`` of both files; count changed pixels outside the masks."""
    src, out = open_pdf(original), open_pdf(blind)
    try:
        page, blind_page = src.load_page(index), out.load_page(index)
        images = image_boxes(page, min_side_pt=0.0)
        a = _render(page, dpi)
        b = _render(blind_page, dpi)
        image_changes = image_pixels_changed(page, blind_page, masks)
    finally:
        src.close()
        out.close()
    if a.shape != b.shape:
        return PageCheck(int(a.shape[0] * a.shape[1]), _preview(a), _preview(b))
    on_image = [m for m in masks if any(m.intersects(i) for i in images)]
    on_text = [m for m in masks if not any(m.intersects(i) for i in images)]
    scale = dpi / 72.0
    outside = ~(
        _mask_array(a.shape[:2], on_text, scale, grow=PDF_GROW)
        | _mask_array(a.shape[:2], on_image, scale, grow=PDF_IMAGE_GROW)
    )
    delta = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2)
    changed = int(np.count_nonzero((delta > PDF_TOLERANCE) & outside)) + image_changes
    faint = int(np.count_nonzero((delta > 0) & (delta <= PDF_TOLERANCE) & outside))
    unpainted = _unpainted(b, masks, scale, PDF_BLACK)
    return PageCheck(changed, _preview(a), _preview(b), faint, unpainted)


def image_pixels_changed(page: pymupdf.Page, blind_page: pymupdf.Page, masks: list[BBox]) -> int:
    """Compare every masked raster image at its own resolution: pixels on the page and
    outside the masks (mapped into image space, grown by one image pixel for partly covered
    pixels) must be identical. The page render then only needs a wide tolerance band around these masks."""
    unrotated = [to_unrotated(page, m) for m in masks]
    visible = page.rect * page.derotation_matrix  # the page's area, unrotated
    visible.normalize()
    pairs, unmatched = _pair_images(
        page.get_image_info(xrefs=True), blind_page.get_image_info(xrefs=True), unrotated
    )
    changed = unmatched
    for ia, ib in pairs:
        hit = [m for m in unrotated if m.intersects(pymupdf.Rect(ia["bbox"]))]
        if not hit or not ia["xref"] or not ib["xref"]:
            continue
        pa = pymupdf.Pixmap(page.parent, ia["xref"])
        pb = pymupdf.Pixmap(blind_page.parent, ib["xref"])
        if (pa.width, pa.height, pa.n) != (pb.width, pb.height, pb.n):
            changed += pa.width * pa.height
            continue
        arr_a = np.frombuffer(pa.samples, np.uint8).reshape(pa.height, pa.width, pa.n)
        arr_b = np.frombuffer(pb.samples, np.uint8).reshape(pb.height, pb.width, pb.n)
        inv = ~pymupdf.Matrix(ia["transform"])
        # pixels of an image that reaches off the page are never shown (MuPDF may blank them
        # with a mask at the page edge): only what lies on the page is compared
        inside = ~_on_page(visible * inv, pa.width, pa.height)
        for m in hit:
            r = m * inv  # unit square of the image
            r.normalize()
            x0, x1 = int(np.floor(r.x0 * pa.width)) - 1, int(np.ceil(r.x1 * pa.width)) + 1
            y0, y1 = int(np.floor(r.y0 * pa.height)) - 1, int(np.ceil(r.y1 * pa.height)) + 1
            inside[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = True
        changed += int(np.count_nonzero(np.any(arr_a != arr_b, axis=2) & ~inside))
    return changed


def _on_page(r: pymupdf.Rect, width: int, height: int) -> np.ndarray:
    """Which pixels of a ``width``×``height`` image lie in ``r`` (the page in the image's unit
    square), any part of them."""
    r.normalize()
    out = np.zeros((height, width), dtype=bool)
    x0, x1 = max(0, int(np.floor(r.x0 * width))), min(width, int(np.ceil(r.x1 * width)))
    y0, y1 = max(0, int(np.floor(r.y0 * height))), min(height, int(np.ceil(r.y1 * height)))
    out[y0:y1, x0:x1] = True
    return out


def _pair_images(
    infos_a: list[dict], infos_b: list[dict], masks: list[pymupdf.Rect]
) -> tuple[list[tuple[dict, dict]], int]:
    """Pair each original image with the blind image drawn at the same place. An original
    image with no partner must lie wholly under one mask (MuPDF drops an image it blanks
    completely); anything else unpaired counts as changed, with all its pixels."""
    pairs: list[tuple[dict, dict]] = []
    left = list(infos_b)
    unmatched = 0
    for ia in infos_a:
        ra = pymupdf.Rect(ia["bbox"])
        k = next((i for i, ib in enumerate(left) if _same_place(ra, pymupdf.Rect(ib["bbox"]))), None)
        if k is not None:
            pairs.append((ia, left.pop(k)))
        elif not any(_covered(ra, m) for m in masks):
            unmatched += max(1, int(ia.get("width", 1)) * int(ia.get("height", 1)))
    unmatched += sum(max(1, int(ib.get("width", 1)) * int(ib.get("height", 1))) for ib in left)
    return pairs, unmatched


def _same_place(a: pymupdf.Rect, b: pymupdf.Rect, tol: float = 0.5) -> bool:
    return all(abs(u - v) <= tol for u, v in zip(a, b, strict=True))


def _covered(image: pymupdf.Rect, mask: pymupdf.Rect, tol: float = 1.0) -> bool:
    return (mask.x0 - tol <= image.x0 and mask.y0 - tol <= image.y0
            and mask.x1 + tol >= image.x1 and mask.y1 + tol >= image.y1)


def check_image_page(
    original: Path,
    blind: Path,
    kind: Kind,
    index: int,
    masks: list[BBox],
    limits: Limits,
    jpeg_exact: bool = False,
) -> PageCheck:
    """Count pixels changed outside the masks. PNG/TIFF: exactly. JPEG re-encoded from
    pixels: by more than ``JPEG_TOLERANCE`` outside masks grown by ``JPEG_BLOCK``. JPEG
    written in the DCT domain (``jpeg_exact``): by anything at all outside the blocks a mask
    can reach (``dct_reach``) — stricter than the tolerance, since nothing else was touched."""
    a, mode_a, size_a = _frame(original, index, limits)
    b, mode_b, size_b = _frame(blind, index, limits)
    if mode_a != mode_b or size_a != size_b or a.shape != b.shape:
        return PageCheck(int(a.shape[0] * a.shape[1]), _preview(a), _preview(b))
    if kind is Kind.jpeg and jpeg_exact:
        outside = ~_mask_array(a.shape[:2], masks, 1.0, grow=dct_reach(blind))
        diff = np.any(a != b, axis=2)
    elif kind is Kind.jpeg:
        outside = ~_mask_array(a.shape[:2], masks, 1.0, grow=JPEG_BLOCK)
        diff = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > JPEG_TOLERANCE
    else:
        outside = ~_mask_array(a.shape[:2], masks, 1.0, grow=0)
        diff = np.any(a != b, axis=2)
    changed = int(np.count_nonzero(diff & outside))
    black = JPEG_BLACK if kind is Kind.jpeg else 0
    return PageCheck(changed, _preview(a), _preview(b), 0, _unpainted(b, masks, 1.0, black))


def dct_reach(jpeg: Path) -> int:
    """How far (pixels) from a mask a DCT-domain edit can change decoded pixels: one block of
    the most subsampled component (8 × the largest sampling factor; the chroma upsampling
    of the next block reaches one pixel, which the block's own far edge never needs)."""
    with Image.open(jpeg) as im:
        layers = getattr(im, "layer", None) or [("", 1, 1, 0)]
        return 8 * max(max(int(h), int(v)) for _, h, v, _ in layers)


def _unpainted(blind: np.ndarray, masks: list[BBox], scale: float, black: int) -> int:
    """Pixels inside the masks (one pixel in from their edges) brighter than ``black``."""
    inside = _mask_array(blind.shape[:2], masks, scale, grow=-1)
    return int(np.count_nonzero((blind.max(axis=2) > black) & inside))


def _frame(path: Path, index: int, limits: Limits) -> tuple[np.ndarray, str, tuple[int, int]]:
    """A page as it is shown: converted to sRGB exactly as the writer converted it
    (``service.ingest.colour``; a blind copy has no profile, so it is read as stored)."""
    with open_image(path, limits) as im:
        im.seek(index)
        shown = colour.to_srgb(im, colour.plan(im))
        return frame_to_bgr(shown)[:, :, ::-1].copy(), shown.mode, shown.size


# -- metadata -------------------------------------------------------------------------------
def pdf_metadata_problems(blind: Path) -> list[str]:
    problems: list[str] = []
    doc = open_pdf(blind)
    try:
        meta = {k: v for k, v in (doc.metadata or {}).items() if v and k not in ("format", "encryption")}
        if meta:
            problems.append(f"Info metadata left: {sorted(meta)}")
        if doc.get_xml_metadata():
            problems.append("XMP metadata left")
        if doc.embfile_count():
            problems.append("embedded files left")
        if any(page.first_annot or page.first_widget or page.get_links() for page in doc):
            problems.append("annotations, links or form fields left")
        for xref in range(1, doc.xref_length()):
            try:
                keys = doc.xref_get_keys(xref)
            except Exception:
                continue
            if any(k in keys for k in ("JS", "Metadata", "EmbeddedFile", "Thumb")):
                problems.append(f"object {xref} carries scripts, metadata, files or thumbnails")
                break
        if any(_offpage_chars(page) for page in doc):
            problems.append("text outside the visible page left")
    finally:
        doc.close()
    return problems


def _offpage_chars(page: pymupdf.Page) -> int:
    """Characters wholly outside the visible page (never shown, but extractable)."""
    visible = pymupdf.Rect(page.rect) * page.derotation_matrix
    visible.normalize()
    raw = page.get_text("rawdict", flags=0, clip=pymupdf.INFINITE_RECT())
    return sum(
        1
        for block in raw.get("blocks", [])
        for line in block.get("lines", [])
        for span in line.get("spans", [])
        for ch in span.get("chars", [])
        if not pymupdf.Rect(ch["bbox"]).is_empty and not pymupdf.Rect(ch["bbox"]).intersects(visible)
    )


def image_metadata_problems(blind: Path, kind: Kind) -> list[str]:
    """Everything in a raster blind copy that is not on the allow-list of
    ``service.redact.image_meta`` (JPEG segments, PNG chunks, TIFF tags, bytes after the
    end), plus what Pillow itself reads as metadata (belt and braces)."""
    data = blind.read_bytes()
    problems: set[str] = set()
    if kind is Kind.jpeg:
        problems.update(image_meta.jpeg_problems(data))
    elif kind is Kind.png:
        problems.update(image_meta.png_problems(data))
    with Image.open(blind) as im:
        if kind is Kind.tiff:
            extra = image_meta.tiff_metadata_tags(im)
            if extra:
                problems.add(f"TIFF metadata tags left: {sorted(extra)}")
        else:
            if _exif_beyond_orientation(im):
                problems.add("EXIF left")
        for key in ("xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "photoshop"):
            if im.info.get(key):
                problems.add(f"{key} left")
        if kind is Kind.png and getattr(im, "text", None):
            problems.add("PNG text chunks left")
    return sorted(problems)


def _exif_beyond_orientation(im: Image.Image) -> bool:
    """Whether Pillow reads any EXIF tag but the orientation (or an Exif/GPS directory)."""
    try:
        exif = im.getexif()
        return bool(set(exif) - {image_meta.ORIENTATION}) or any(
            exif.get_ifd(t) for t in (0x8769, 0x8825)
        )
    except Exception:  # unreadable EXIF is EXIF too
        return True
