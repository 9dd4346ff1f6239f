"""Raster side of the signature detector: the page reduced and turned upright, its ink, its
rules, and the ink that may be pen strokes.

All work is on an upright copy reduced by a whole factor to about :data:`WORK_DPI` (a 200-dpi
A4 scan becomes 827×1169 px; pen strokes of 0.3–1 mm stay 1–4 px wide):

1. **Ink**: darker than the local paper (a max filter over :data:`PAPER_MM` estimates the paper
   under tint, shading and yellowing) by :data:`INK_DARKNESS`. Seal ink is not ink: red or
   purple in excess of a share of its darkness (pale stamp ink is nearly all colour), with a
   pixel of its greyed rim.
2. **Rules**: thin horizontal and vertical runs of at least :data:`LINE_MM` are table lines and
   underlines; shorter ones spanning between rules are cell borders, box sides and arrows.
   They are taken out (a one-pixel dilation across the run lets a skewed line stay one run;
   a run that is deep across is the body of a dense scrawl and stays).
3. **Pen components**: connected ink that is not print — most of it inside the glyph boxes of
   the printed text (:mod:`.signatures_text`) and no taller than those boxes (a stroke across
   printed lines is taller) — nor a speck, nor a solid blob (photos, QR codes, chart bars:
   mean stroke wider than :data:`MAX_STROKE_MM`).

:mod:`.signatures_features` groups them into clusters and describes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from service.detect.marks.base import MarkPage
from service.ocr.geometry import box_to_original, point_to_upright, to_upright
from service.types import BBox

#: resolution of the working copy: pen strokes (0.3–1 mm) stay 1–4 px wide
WORK_DPI = 100.0
#: size of the max filter that estimates the paper's brightness around every pixel
PAPER_MM = 4.0
#: how much darker than the paper a pixel must be to count as ink (0–255)
INK_DARKNESS = 45
#: seal ink, not pen ink: red (R − max(G, B)) or purple (min(R, B) − G) in excess of RED_EXCESS
#: and of RED_SHARE of the pixel's darkness (pale stamp ink is mostly colour; pens are black,
#: blue-black or blue, with neither excess)
RED_EXCESS = 25
RED_SHARE = 0.35
#: straight runs at least this long are rules (table lines, underlines, frames); shorter
#: straight runs spanning between rules (cell borders of low rows, box sides, arrows) too
LINE_MM = 15.0
STUB_MM = 4.0
#: runs this deep across (a line with glyphs touching it is shallower) are a dense scrawl
RULE_DEPTH_MM = 1.5
#: a lone line (at most PEN_LINE_MM across: not a frame) mostly in blue (B − R ≥ PEN_BLUE) is
#: a pen stroke, not a rule
PEN_LINE_MM = 3.0
PEN_BLUE = 25
#: a component with this share of its ink inside glyph boxes, and no taller than
#: :data:`PRINT_HEIGHT` times those boxes, is print (a pen stroke across printed lines is taller)
PRINT_SHARE = 0.5
PRINT_HEIGHT = 1.05
#: components smaller than this are specks (scanner dust, JPEG noise, dots)
MIN_COMPONENT_MM2 = 0.12
#: mean stroke width above this is a filled shape, not a pen line
MAX_STROKE_MM = 1.6
@dataclass(frozen=True, slots=True)
class Work:
    """The reduced upright copy and how to map boxes between it and the page raster."""

    bgr: np.ndarray
    gray: np.ndarray
    scale: float  # work px per page px
    px_per_mm: float
    orientation: int
    page_w: float
    page_h: float

    def from_page(self, box: BBox) -> BBox:
        ax, ay = point_to_upright(box.x0, box.y0, self.orientation, self.page_w, self.page_h)
        bx, by = point_to_upright(box.x1, box.y1, self.orientation, self.page_w, self.page_h)
        s = self.scale
        return BBox(min(ax, bx) * s, min(ay, by) * s, max(ax, bx) * s, max(ay, by) * s)

    def to_page(self, box: BBox) -> BBox:
        return box_to_original(
            box.scale(1.0 / self.scale), self.orientation, self.page_w, self.page_h
        )

    def mm(self, v: float) -> int:
        return max(1, round(v * self.px_per_mm))


def prepare(page: MarkPage) -> Work:
    """The page reduced by a whole factor to about :data:`WORK_DPI` (area averaging over whole
    pixel blocks is the fast path; the last row or column of an odd size is dropped), upright."""
    k = max(1, int(page.dpi / WORK_DPI + 0.25))
    img = page.image
    if k > 1:
        h, w = (page.height // k) * k, (page.width // k) * k
        img = cv2.resize(img[:h, :w], (w // k, h // k), interpolation=cv2.INTER_AREA)
    up = to_upright(img, page.orientation)
    gray = cv2.cvtColor(up, cv2.COLOR_BGR2GRAY)
    return Work(up, gray, 1.0 / k, page.dpi / k / 25.4, page.orientation, float(page.width),
                float(page.height))


def ink_mask(work: Work) -> tuple[np.ndarray, np.ndarray]:
    """Pen-or-print ink (uint8 0/1) and the paper level around every pixel."""
    k = work.mm(PAPER_MM) | 1
    paper = cv2.dilate(work.gray, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    dark = cv2.subtract(paper, work.gray)
    ink = (dark > INK_DARKNESS).astype(np.uint8)
    b, g, r = cv2.split(work.bgr)
    excess = cv2.max(cv2.subtract(r, cv2.max(g, b)), cv2.subtract(cv2.min(r, b), g))
    red = ((excess > RED_EXCESS) & (excess > RED_SHARE * dark)).astype(np.uint8)
    ink[cv2.dilate(red, np.ones((3, 3), np.uint8)) > 0] = 0  # and the greyed rims of stamp ink
    return ink, paper


def rules(ink: np.ndarray, work: Work) -> np.ndarray:
    """Table frames, underlines and boxes (uint8 0/1), thickened to cover their edges.

    Runs of at least :data:`LINE_MM` are rules. Shorter straight runs (from :data:`STUB_MM`) are
    rules only when they span between rules: the cell borders of low rows, the sides of a
    box, an arrow between two boxes. A straight pen stroke touches a rule at one end at most.
    """
    long_n, thick = work.mm(LINE_MM), work.mm(RULE_DEPTH_MM)
    frame = cv2.max(_runs(ink, long_n, True, thick), _runs(ink, long_n, False, thick))
    stub_n = work.mm(STUB_MM)
    for horizontal in (False, True):  # cell borders first, then arrows between box sides
        stubs = _runs(ink, stub_n, horizontal, thick)
        stubs[frame > 0] = 0
        frame = cv2.max(frame, _spanning(stubs, frame, horizontal))
    frame[_pen_lines(frame, work) > 0] = 0
    return cv2.dilate(frame, np.ones((3, 3), np.uint8))


def _pen_lines(frame: np.ndarray, work: Work) -> np.ndarray:
    """Lone straight lines in blue ink: the flourish under a signature, not a printed rule."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(frame, connectivity=8)
    if n <= 1:
        return np.zeros_like(frame)
    b, g, r = (c.astype(np.int16) for c in cv2.split(work.bgr))
    blue = (frame > 0) & (b - r >= PEN_BLUE) & (b >= g)
    share = np.bincount(labels[blue], minlength=n) / np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    lone = np.minimum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) <= work.mm(
        PEN_LINE_MM
    )
    pen = lone & (share >= 0.5)
    pen[0] = False
    return pen[labels].astype(np.uint8)


def _runs(ink: np.ndarray, n: int, horizontal: bool, thick: int) -> np.ndarray:
    """Thin ink on horizontal (vertical) runs of at least ``n`` px. A one-pixel dilation across
    the run first lets the line of a slightly skewed scan stay one run; runs near a place where
    they are ``thick`` px deep across are the body of a dense scrawl, not a rule."""
    across, along = ((3, 1), (1, n)) if horizontal else ((1, 3), (n, 1))
    run = cv2.dilate(ink, np.ones(across, np.uint8))
    run = cv2.morphologyEx(run, cv2.MORPH_OPEN, np.ones(along, np.uint8)) & ink
    depth = cv2.erode(run, np.ones((thick, 1) if horizontal else (1, thick), np.uint8))
    if depth.any():
        near = (2 * thick + 1, n) if horizontal else (n, 2 * thick + 1)
        run[cv2.dilate(depth, np.ones(near, np.uint8)) > 0] = 0
    return run


def _spanning(stubs: np.ndarray, frame: np.ndarray, horizontal: bool) -> np.ndarray:
    """The stubs whose two ends both touch ``frame``."""
    contours, _ = cv2.findContours(stubs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return stubs
    near = cv2.dilate(frame, np.ones((5, 5), np.uint8)) > 0
    keep = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if horizontal:
            ends = near[y : y + h, x : x + 2].any() and near[y : y + h, x + w - 2 : x + w].any()
        else:
            ends = near[y : y + 2, x : x + w].any() and near[y + h - 2 : y + h, x : x + w].any()
        if ends:
            keep.append(c)
    out = np.zeros_like(stubs)
    cv2.drawContours(out, keep, -1, 1, thickness=cv2.FILLED)
    return out & stubs


def pen_components(ink: np.ndarray, printed: np.ndarray, work: Work) -> np.ndarray:
    """Ink that is neither print, a speck nor a solid blob (uint8 0/1)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return np.zeros_like(ink)
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    on_text = printed > 0
    inside = np.bincount(labels[on_text], minlength=n).astype(np.float64)
    glyph_h = np.bincount(labels[on_text], weights=printed[on_text], minlength=n) / np.maximum(
        inside, 1.0
    )
    is_print = (inside >= PRINT_SHARE * area) & (
        stats[:, cv2.CC_STAT_HEIGHT] <= PRINT_HEIGHT * glyph_h + 1
    )
    edge = ink - cv2.erode(ink, np.ones((3, 3), np.uint8))
    boundary = np.bincount(labels[edge > 0], minlength=n).astype(np.float64)
    stroke = 2.0 * area / np.maximum(boundary, 1.0)
    ppmm = work.px_per_mm
    keep = ~is_print & (area >= MIN_COMPONENT_MM2 * ppmm * ppmm) & (stroke <= MAX_STROKE_MM * ppmm)
    keep[0] = False
    return keep[labels].astype(np.uint8)
