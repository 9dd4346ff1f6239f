"""The text read on a page, as the signature detector uses it: glyph boxes in work pixels
(upright, reduced), and the mask of those that are print.

A recogniser reads handwriting too — initials and Latin scrawl often with full confidence
(measured on generated scans: signatures read as text are 1.0–3.3 times as tall as the body
text, most 1.7–2.5, and in most of their lines some character is read below 0.9) — so a
confident OCR glyph is not print by itself: :func:`service.detect.marks.signatures.print_glyphs`
keeps OCR glyphs as print only when they are not much taller than the print around them (less
so in lines in doubt, and, in a signature field, not in blue ink). Text-layer glyphs (text
objects of a PDF) are print.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.detect.marks.signatures_ink import Work
from service.types import BBox, Char, PageText

#: characters read with less confidence are junk read from scrawl (or noise), never print
PRINT_CONF = 0.8
#: a line with a character read below SURE_CONF is in doubt; so is, on a page whose inked
#: characters are at least CJK_PAGE Chinese, a line of at most LATIN_RUN Latin letters and dots
SURE_CONF = 0.9
CJK_PAGE = 0.5
LATIN_RUN = 10
#: an OCR glyph box wider than this many times its height is cut to that width (Chinese
#: glyphs are square, Latin ones narrower; wider boxes reach over ink that is no glyph)
WIDE_GLYPH = 1.5
#: glyph boxes are padded by this share of their size (OCR boxes are loose, glyphs overhang)
TEXT_PAD = 0.12
#: gaps between OCR glyphs of one line up to this many glyph heights are print too
BRIDGE_GAP = 1.0


@dataclass(frozen=True, slots=True)
class Glyphs:
    """The confidently read glyphs of a page: boxes (N×4, upright work pixels) and whether
    each was read by OCR (else it is a text object of the PDF)."""

    boxes: np.ndarray
    ocr: np.ndarray
    line: np.ndarray  # line number of each glyph in the reading text
    doubt: np.ndarray  # the glyph's line reads like scrawl (see read_glyphs)
    sure: np.ndarray  # read with at least PRINT_CONF (else an unsure glyph of a sure line)

    @property
    def heights(self) -> np.ndarray:
        return self.boxes[:, 3] - self.boxes[:, 1]

    def body_height(self) -> float:
        """The height of the page's body text: the median height of the surely read glyphs."""
        h = self.heights[self.sure]
        return float(np.median(h)) if len(h) else 0.0

    def subset(self, keep: np.ndarray) -> Glyphs:
        return Glyphs(self.boxes[keep], self.ocr[keep], self.line[keep], self.doubt[keep],
                      self.sure[keep])


def read_glyphs(text: PageText, work: Work) -> Glyphs:
    """The glyphs read with at least :data:`PRINT_CONF`, and the others of lines read mostly
    surely (median at least :data:`SURE_CONF`: digits of a printed date the recogniser was
    unsure of; :attr:`Glyphs.sure` tells them apart). A line is in doubt when the recogniser was
    unsure of one of its characters, or, on a page read mostly in Chinese, when it is a short
    run of Latin letters and dots: what OCR makes of scrawl and initials (``luuh``, ``Q.D.``)."""
    lines: list[list[Char]] = [[]]
    for ch in text.chars:
        if ch.text in ("\n", "\t"):
            lines.append([])
        elif ch.bbox is not None and not ch.text.isspace():
            lines[-1].append(ch)
    inked = [c for ln in lines for c in ln]
    chinese = sum(1 for c in inked if _is_cjk(c.text)) >= CJK_PAGE * max(len(inked), 1)
    raw: list[tuple[float, ...]] = []
    for k, ln in enumerate(lines):
        if not ln:
            continue
        latin = len(ln) <= LATIN_RUN and all(
            c.text.isascii() and (c.text.isalpha() or c.text == ".") for c in ln
        )
        doubt = any(c.conf < SURE_CONF for c in ln) or (chinese and latin)
        mostly_sure = float(np.median([c.conf for c in ln])) >= SURE_CONF
        raw += [
            (b.x0, b.y0, b.x1, b.y1, c.source == "ocr", k, doubt, c.conf >= PRINT_CONF)
            for c in ln
            if (b := c.bbox) is not None and (c.conf >= PRINT_CONF or mostly_sure)
        ]
    if not raw:
        none = np.zeros(0, bool)
        return Glyphs(np.zeros((0, 4)), none, np.zeros(0, np.int64), none, none)
    arr = np.asarray(raw, np.float64)
    boxes = upright(arr[:, :4], work) * work.scale
    ocr = arr[:, 4] > 0
    # a recogniser may stretch a line's last glyph over the scrawl after it (a colon's box
    # across the whole signature): an OCR glyph is at most WIDE_GLYPH times as wide as high
    h = boxes[:, 3] - boxes[:, 1]
    wide = ocr & (boxes[:, 2] - boxes[:, 0] > WIDE_GLYPH * h)
    boxes[wide, 2] = boxes[wide, 0] + WIDE_GLYPH * h[wide]
    return Glyphs(boxes, ocr, arr[:, 5].astype(np.int64), arr[:, 6] > 0, arr[:, 7] > 0)


def trim_wide(box: BBox) -> BBox:
    """An upright OCR glyph box cut to at most :data:`WIDE_GLYPH` times its height."""
    most = WIDE_GLYPH * box.height
    return box if box.width <= most else BBox(box.x0, box.y0, box.x0 + most, box.y1)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def text_mask(glyphs: Glyphs, work: Work) -> np.ndarray:
    """The glyph boxes, padded by :data:`TEXT_PAD`: each pixel holds the height of the box over
    it (uint8, 0 where there is no text)."""
    hgt, wid = work.gray.shape
    out = np.zeros((hgt, wid), np.uint8)
    if not len(glyphs.boxes):
        return out
    box = np.vstack([glyphs.boxes, _bridges(glyphs)])
    size = np.minimum(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])
    pad = (TEXT_PAD * size + 0.5)[:, None]
    lo = np.maximum(np.floor(box[:, :2] - pad).astype(np.int64), 0)
    hi = np.minimum(np.floor(box[:, 2:] + pad).astype(np.int64) + 1, [wid, hgt])
    height = np.clip(np.round(box[:, 3] - box[:, 1]), 1, 255).astype(np.uint8)
    for (x0, y0), (x1, y1), h in _merged(lo.tolist(), hi.tolist(), height.tolist()):
        if x1 > x0 and y1 > y0:
            out[y0:y1, x0:x1] = h
    return out


def _bridges(glyphs: Glyphs) -> np.ndarray:
    """The gaps between neighbouring OCR glyphs of one line (a recogniser places glyph boxes
    loosely; the ink between them is print too), where they are at most :data:`BRIDGE_GAP`
    glyph heights apart and overlap vertically by half."""
    a, b = glyphs.boxes[:-1], glyphs.boxes[1:]
    h = np.minimum(a[:, 3] - a[:, 1], b[:, 3] - b[:, 1])
    overlap = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    gap = b[:, 0] - a[:, 2]
    same = (glyphs.line[:-1] == glyphs.line[1:]) & glyphs.ocr[:-1] & glyphs.ocr[1:]
    ok = same & (overlap >= 0.5 * h) & (gap > 0) & (gap <= BRIDGE_GAP * h)
    return np.column_stack([
        a[ok, 2], np.maximum(a[ok, 1], b[ok, 1]), b[ok, 0], np.minimum(a[ok, 3], b[ok, 3])
    ]) if ok.any() else np.zeros((0, 4))


def upright(b: np.ndarray, work: Work) -> np.ndarray:
    """Page-raster boxes (N×4) in upright page pixels (as :func:`point_to_upright` maps)."""
    w, h, o = work.page_w, work.page_h, work.orientation
    x0, y0, x1, y1 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    if o == 90:
        return np.column_stack([y0, w - x1, y1, w - x0])
    if o == 180:
        return np.column_stack([w - x1, h - y1, w - x0, h - y0])
    if o == 270:
        return np.column_stack([h - y1, x0, h - y0, x1])
    return b


def _merged(
    lo: list[list[int]], hi: list[list[int]], height: list[int]
) -> list[tuple[tuple[int, int], tuple[int, int], int]]:
    """Consecutive boxes on one line (same rows, touching) merged: a few rectangles a line."""
    out: list[tuple[tuple[int, int], tuple[int, int], int]] = []
    for (x0, y0), (x1, y1), h in zip(lo, hi, height, strict=True):
        if out:
            (a0, b0), (a1, b1), hh = out[-1]
            if b0 == y0 and b1 == y1 and hh == h and a0 <= x0 <= a1 + 1:
                out[-1] = ((a0, b0), (max(a1, x1), b1), h)
                continue
        out.append(((x0, y0), (x1, y1), h))
    return out
