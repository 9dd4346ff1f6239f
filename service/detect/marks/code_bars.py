"""1-D barcodes (and PDF417) located by their bars, for reading on a crop or masking undecoded.

zxing-cpp scans a whole page only every few lines and thresholds each line as a whole, so it
misses small or sideways barcodes on a busy page that it reads at once on a crop. This module
finds where bars are, cheaply, at half resolution:

1. **Bar texture.** Sobel gradients across (``|gx|``) and along (``|gy|``) vertical bars,
   each averaged over a 9×9 window: in a barcode ``|gx|`` is several times ``|gy|`` (every
   bar edge is vertical: about 170 against 30), in CJK text, halftone and photos both
   directions balance (150 against 110), and a lone ruling makes only a thin streak. The
   same with the axes swapped finds horizontal bars.
2. **Candidates.** Connected pieces of that map that are at least 60 px across the bars,
   24 px along them and fill most of their box (pieces a few px apart are joined first, for
   PDF417 rows and wide gaps between bars; pieces in line with each other afterwards, for a
   code cut in two by an ink smear).
3. **Bars check** (:func:`looks_like_bars`, for candidates no decoder could read): in three
   thin full-resolution strips across the candidate (at 30, 50 and 70 % of the bar length)
   columns are either ink or paper (≥ 80 % of them), the middle one crosses at least 12
   bars, and all three show the same bars. A line of text fails (its strokes differ from
   strip to strip), so does a table (too few bars).

:func:`grow_along_bars` extends a decoded code's box to the ends of its bars: zxing reports
only the scan lines it decoded. Cost on a 200-dpi A4 page: ≈ 6 ms CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import cv2
import numpy as np

from service.types import BBox

#: window (half-resolution px) over which gradient strength is averaged
TEXTURE_WINDOW = 9
#: bar texture: mean |g_across| (Sobel units on 8-bit grey; ≈ 170 in a barcode, 150 in text)
#: at least this …
TEXTURE_MIN = 80
#: … and this many times mean |g_along| (≈ 30 in a barcode, 110 in CJK text)
TEXTURE_RATIO = 2.5
#: smallest candidate, full-resolution px: across the bars (≈ 20 modules of 3 px) …
MIN_ACROSS_PX = 60
#: … and along them (≈ 3 mm at 200 dpi)
MIN_ALONG_PX = 24
#: share of its bounding box a candidate's texture must fill
MIN_FILL = 0.5
#: texture pieces this close (half-resolution px) are joined (PDF417 rows, wide spaces)
JOIN_PX = 5
#: pieces of bar texture in line with each other are one code if the gap between them is at
#: most this share of the bar length (an ink smear across the bars, a torn label) …
MERGE_GAP = 0.6
#: … or this share if their bars start and end together (this share of the longer): the
#: start and stop patterns of a PDF417 code, whose codewords between them are no bar texture
SAME_EXTENT, MERGE_GAP_SAME = 0.85, 4.0
#: growing a decoded code's box along its bars: a scan line still crosses the bars if it has
#: this share of the middle line's edges …
BAR_LINE_EDGES = 0.3
#: … searched up to this many code widths beyond the box; slanted outer bars are looked for
#: this share of the code's width beyond its ends, in columns with ink on this share of lines
BAR_REACH = 1.5
SLANT_PAD, SLANT_INK = 0.03, 0.1
#: bars check: the code must stand out from the paper by this many grey levels …
MIN_CONTRAST = 60
#: … in thin strips across it (this share of the bar length thick) at these heights …
STRIP_SHARE, STRIPS = 0.12, (0.3, 0.5, 0.7)
#: … most columns (this share) are ink or paper over a whole strip (dark share above / below
#: these) …
PURE_COLUMNS = 0.8
COLUMN_INK, COLUMN_PAPER = 0.8, 0.2
#: … the middle strip crosses at least this many bars …
MIN_BARS = 12
#: … and the three strips show the same bars (ink columns in common / in either), allowing
#: this drift of skewed bars per px of their length (tan 3°)
SAME_BARS, MAX_TILT = 0.75, 0.05


@dataclass(frozen=True, slots=True)
class BarCandidate:
    bbox: BBox  # full-resolution px
    vertical_bars: bool


def find_bar_candidates(grey: np.ndarray) -> list[BarCandidate]:
    """Regions of bar texture (vertical or horizontal bars) on a grey page."""
    h, w = grey.shape
    small = cv2.resize(
        grey[: h - h % 2, : w - w % 2], (w // 2, h // 2), interpolation=cv2.INTER_AREA
    )
    win = (TEXTURE_WINDOW, TEXTURE_WINDOW)
    ax = cv2.blur(cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, 1, 0)), win)
    ay = cv2.blur(cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, 0, 1)), win)
    out = []
    for vertical, across, along in ((True, ax, ay), (False, ay, ax)):
        mask = ((across > TEXTURE_MIN) & (across > TEXTURE_RATIO * along)).astype(np.uint8)
        if not mask.any():
            continue
        joined = cv2.dilate(mask, np.ones((JOIN_PX, JOIN_PX), np.uint8))
        contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            x, y, bw, bh = cv2.boundingRect(contour)
            wide, tall = (bw, bh) if vertical else (bh, bw)
            if 2 * wide < MIN_ACROSS_PX or 2 * tall < MIN_ALONG_PX:
                continue
            if np.count_nonzero(joined[y : y + bh, x : x + bw]) < MIN_FILL * bw * bh:
                continue
            box = BBox(float(x), float(y), float(x + bw), float(y + bh)).scale(2.0)
            out.append(BarCandidate(box.clip(float(w), float(h)), vertical))
    return _merge_aligned(out)


def _merge_aligned(cands: list[BarCandidate]) -> list[BarCandidate]:
    """Join pieces of one code: same bar direction, overlapping along the bars, a gap across
    them shorter than :data:`MERGE_GAP` (:data:`MERGE_GAP_SAME`) of the bar length."""
    out = list(cands)
    merged = True
    while merged:
        merged = False
        for i, j in combinations(range(len(out)), 2):
            a, b = out[i], out[j]
            if a.vertical_bars == b.vertical_bars and _aligned(a, b):
                out[i] = BarCandidate(a.bbox.union(b.bbox), a.vertical_bars)
                del out[j]
                merged = True
                break
    return out


def _aligned(a: BarCandidate, b: BarCandidate) -> bool:
    if a.vertical_bars:
        a0, a1, b0, b1 = a.bbox.y0, a.bbox.y1, b.bbox.y0, b.bbox.y1
        gap = max(a.bbox.x0, b.bbox.x0) - min(a.bbox.x1, b.bbox.x1)
    else:
        a0, a1, b0, b1 = a.bbox.x0, a.bbox.x1, b.bbox.x0, b.bbox.x1
        gap = max(a.bbox.y0, b.bbox.y0) - min(a.bbox.y1, b.bbox.y1)
    overlap = min(a1, b1) - max(a0, b0)
    length = min(a1 - a0, b1 - b0)
    if overlap >= SAME_EXTENT * max(a1 - a0, b1 - b0):
        return gap <= MERGE_GAP_SAME * length
    return overlap >= 0.5 * length and gap <= MERGE_GAP * length


def looks_like_bars(grey: np.ndarray, cand: BarCandidate) -> bool:
    """Whether ``cand`` is a row of parallel bars (see the module docstring)."""
    b = cand.bbox
    patch = grey[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)]
    if not cand.vertical_bars:
        patch = patch.T
    rows, cols = patch.shape
    if rows < 8 or cols < MIN_BARS * 2:
        return False
    lo, hi = (float(v) for v in np.percentile(patch, (5, 95)))
    if hi - lo < MIN_CONTRAST:
        return False
    half = max(1, int(rows * STRIP_SHARE / 2))
    profiles = []
    for at in STRIPS:
        mid = int(rows * at)
        dark = (patch[mid - half : mid + half + 1] < (lo + hi) / 2).mean(axis=0)
        if np.mean((dark >= COLUMN_INK) | (dark <= COLUMN_PAPER)) < PURE_COLUMNS:
            return False
        profiles.append(dark >= 0.5)
    middle = profiles[len(profiles) // 2]
    if np.count_nonzero(np.diff(middle.astype(np.int8)) == 1) < MIN_BARS:
        return False
    shift = 1 + math.ceil(rows * MAX_TILT)
    return all(_same_bars(middle, p, shift) for p in profiles)


def _same_bars(a: np.ndarray, b: np.ndarray, shift: int) -> bool:
    """Whether bar profiles ``a`` and ``b`` match (ink columns in common / in either) at some
    offset up to ``shift`` columns (a skewed code's bars drift along their length)."""
    best = 0.0
    for s in range(-shift, shift + 1):
        x, y = (a[s:], b[: len(b) - s]) if s >= 0 else (a[:s], b[-s:])
        either = np.count_nonzero(x | y)
        if either:
            best = max(best, np.count_nonzero(x & y) / either)
    return best >= SAME_BARS


def grow_along_bars(grey: np.ndarray, box: BBox, vertical_bars: bool) -> BBox:
    """A 1-D code's (or PDF417's) box grown along its bars to their ends, and across them to
    the outermost ink of slanted bars.

    zxing reports the scan lines it decoded, which may be a band of the bars only, and a box
    that ignores a small skew. Scan lines further out still belong to the code while they
    cross at least :data:`BAR_LINE_EDGES` of the middle line's bar edges (thresholded at the
    middle line's mid-grey); growth stops at the first that does not (bar ends, the quiet gap
    before text). Across the bars, columns just outside the box that are ink on at least
    :data:`SLANT_INK` of those lines are the ends of slanted outer bars.
    """
    g = grey if vertical_bars else grey.T
    b = box if vertical_bars else BBox(box.y0, box.x0, box.y1, box.x1)
    x0, x1 = max(int(b.x0), 0), min(math.ceil(b.x1), g.shape[1])
    y0, y1 = max(int(b.y0), 0), min(math.ceil(b.y1), g.shape[0])
    if x1 - x0 < 4 or y1 <= y0:
        return box
    reach = int(BAR_REACH * (x1 - x0))
    top, bottom = max(y0 - reach, 0), min(y1 + reach, g.shape[0])
    band = g[top:bottom, x0:x1]
    i = (y0 + y1) // 2 - top
    level = (float(band[i].min()) + float(band[i].max())) / 2
    edges = np.count_nonzero(np.diff(band < level, axis=1), axis=1)
    ok = edges >= BAR_LINE_EDGES * edges[i]
    up = i - int(np.argmin(ok[i::-1])) if not ok[i::-1].all() else 0
    down = i + int(np.argmin(ok[i:])) if not ok[i:].all() else len(ok)
    new0, new1 = min(top + up, y0), max(top + down, y1)
    pad = int(SLANT_PAD * (x1 - x0)) + 2
    wx0, wx1 = max(x0 - pad, 0), min(x1 + pad, g.shape[1])
    ink = np.flatnonzero((g[new0:new1, wx0:wx1] < level).mean(axis=0) >= SLANT_INK)
    left = min(float(wx0 + ink[0]), b.x0) if len(ink) else b.x0
    right = max(float(wx0 + ink[-1] + 1), b.x1) if len(ink) else b.x1
    grown = BBox(left, float(new0), right, float(new1))
    return grown if vertical_bars else BBox(grown.y0, grown.x0, grown.y1, grown.x1)
