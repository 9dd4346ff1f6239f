"""Clusters of pen ink and what the signature detector judges them by.

Pen components (:func:`.signatures_ink.pen_components`) closer than :data:`GAP_MM` form a
cluster (pen lifts between characters). Each is described by size, pen travel (ink area over
mean stroke width) and its ratio to the box diagonal (``twist``), the paper around it, its ink
(depth, blue share, spread of colour), the straight share of its outline, the share of its
outline's gradient along the axes, and how much of the ellipse around it is inked (a seal's
ring). :mod:`service.detect.marks.signatures` holds the thresholds and their measurements.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from service.detect.marks.signatures_ink import Work
from service.types import BBox

#: components closer than this (x, y) belong to one cluster; smaller clusters are not looked at
GAP_MM = (3.5, 2.5)
MIN_CLUSTER_MM = 2.5
#: non-ink pixels of a cluster's box within this of the paper level count as paper, where that
#: level is at least PAPER_BRIGHT × the page's (inside a photo the local "paper" level is the
#: picture's brightest part: 0.46 × the page's in a fundus photograph; tinted, unevenly lit
#: scans keep 0.85 and more)
PAPER_TOLERANCE = 28
PAPER_BRIGHT = 0.7
#: outline pieces at least this long (after simplifying to within STRAIGHT_EPS px) are straight
STRAIGHT_MM = 2.5
STRAIGHT_EPS = 0.8
#: outline gradients within this many degrees of the axes run along them
AXIS_DEG = 10.0
#: clusters at least this big both ways are tried for a seal's ring; ink within the tolerance
#: of the fitted ellipse is on it
RING_MIN_MM = 18.0
RING_TOLERANCE_MM = 0.8
#: the cluster's depth is read at this percentile of its darkness, off the printed text when
#: at least MIN_OFF_TEXT of its ink is there
DEPTH_PERCENTILE = 90
MIN_OFF_TEXT = 0.05
#: ink at least this much darker than the paper has a reliable colour; it is coloured when its
#: channels differ by MIN_CHROMA, blue when B exceeds R by BLUE_EXCESS (blue, blue-black ink)
SOLID_INK = 80
MIN_CHROMA = 30
BLUE_EXCESS = 25


@dataclass(frozen=True)
class Layers:
    """Page-wide rasters the cluster features are read from (work pixels)."""

    ink: np.ndarray  # all ink, print included (uint8 0/1)
    paper: np.ndarray  # paper level around every pixel
    printed: np.ndarray  # glyph-box heights (0 off the text): see text_mask
    ruled: np.ndarray  # rules taken out of the ink (uint8 0/1)

    @cached_property
    def page_paper(self) -> float:
        """The page's paper level (median of the local levels)."""
        return float(np.median(self.paper[::4, ::4]))


class Cluster:
    """Pen ink that may be one signature (work pixels; sizes in mm). Size and pen travel are
    measured at once; the dearer features when first asked for (most clusters of a page are
    ruled out by size and travel alone)."""

    def __init__(self, box: BBox, mask: np.ndarray, layers: Layers, work: Work) -> None:
        self.box = box
        self.mask = mask  # the cluster's ink inside ``box`` (uint8 0/1)
        self._layers, self._work = layers, work
        self.px_per_mm = work.px_per_mm
        area = float(mask.sum())
        edge = mask - cv2.erode(mask, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT,
                                borderValue=0)
        stroke = 2.0 * area / max(float(edge.sum()), 1.0)
        self.ink_mm2 = area / self.px_per_mm**2
        self.stroke_mm = stroke / self.px_per_mm  # mean stroke width
        self.length_mm = area / max(stroke, 1.0) / self.px_per_mm  # pen travel

    @property
    def w_mm(self) -> float:
        return self.box.width / self.px_per_mm

    @property
    def h_mm(self) -> float:
        return self.box.height / self.px_per_mm

    @property
    def twist(self) -> float:
        """Pen travel over the box diagonal: a line is 1, a scrawl many times that."""
        return self.length_mm / max(float(np.hypot(self.w_mm, self.h_mm)), 1e-6)

    @property
    def fill(self) -> float:
        return float(self.mask.mean())

    @cached_property
    def components(self) -> int:
        return cv2.connectedComponents(self.mask, connectivity=8)[0] - 1

    def _crop(self, raster: np.ndarray) -> np.ndarray:
        b = self.box
        return raster[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)]

    @cached_property
    def _levels(self) -> tuple[np.ndarray, np.ndarray]:
        """Grey and paper level over the box (int16)."""
        return (self._crop(self._work.gray).astype(np.int16),
                self._crop(self._layers.paper).astype(np.int16))

    @cached_property
    def paper(self) -> float:
        """Share of the box's non-ink pixels that look like paper (photos fail)."""
        gray, level = self._levels
        bg = cv2.dilate(self._crop(self._layers.ink), np.ones((3, 3), np.uint8)) == 0
        if not bg.any():
            return 1.0
        bright = level[bg] >= PAPER_BRIGHT * self._layers.page_paper
        return float(((level[bg] - gray[bg] < PAPER_TOLERANCE) & bright).mean())

    def dark_part(self, darkness: float) -> np.ndarray:
        """The cluster's ink at least ``darkness`` darker than the paper, grown by a pixel into
        the cluster's ink (a stroke's anti-aliased rim), as a page-sized uint8 0/1 mask: the pen
        strokes written over a pale seal's ring."""
        gray, level = self._levels
        core = ((level - gray) >= darkness).astype(np.uint8) & self.mask
        part = cv2.dilate(core, np.ones((3, 3), np.uint8)) & self.mask
        out = np.zeros(self._work.gray.shape, np.uint8)
        b = self.box
        out[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)] = part
        return out

    @cached_property
    def _colours(self) -> tuple[float, float]:
        gray, level = self._levels
        return _colour(self.mask, gray, level, self._crop(self._work.bgr))

    @property
    def blue(self) -> float:
        """Share of the solid ink that is blue (blue and blue-black pens)."""
        return self._colours[0]

    @property
    def hues(self) -> float:
        """Spread of colour among the coloured ink (one pen; charts have several)."""
        return self._colours[1]

    @cached_property
    def depth(self) -> float:
        """How much darker than the paper the darkest tenth of the ink is (0–255), read off the
        printed text where enough of the cluster is (a stroke across print is mixed with it)."""
        gray, level = self._levels
        pen = self.mask > 0
        off_text = pen & (self._crop(self._layers.printed) == 0)
        if off_text.sum() >= MIN_OFF_TEXT * pen.sum():
            pen = off_text
        return float(np.percentile(level[pen] - gray[pen], DEPTH_PERCENTILE))

    @cached_property
    def straight(self) -> float:
        """Share of the outline on straight pieces of at least :data:`STRAIGHT_MM`."""
        return _straight_share(self.mask, self._work.mm(STRAIGHT_MM))

    @cached_property
    def axis(self) -> float:
        """Share of the outline's gradient along the axes (bars, boxes, QR modules, print)."""
        return _axis_edges(self.mask)

    @cached_property
    def ring(self) -> float:
        """Share of the ellipse around the cluster that has ink on it (a seal's ring)."""
        return _ring(self.mask, self._crop(self._layers.ruled), self._crop(self._layers.printed),
                     self._work)


def clusters(pen: np.ndarray, layers: Layers, work: Work) -> list[Cluster]:
    """Pen components joined across :data:`GAP_MM`, at least :data:`MIN_CLUSTER_MM` across."""
    gx, gy = work.mm(GAP_MM[0]), work.mm(GAP_MM[1])
    joined = cv2.dilate(pen, cv2.getStructuringElement(cv2.MORPH_RECT, (gx | 1, gy | 1)))
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    least = MIN_CLUSTER_MM * work.px_per_mm + min(gx, gy)
    out = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if max(w, h) < least:
            continue
        sel = np.zeros((h, w), np.uint8)
        cv2.drawContours(sel, [c], -1, 1, thickness=cv2.FILLED, offset=(-x, -y))
        sel &= pen[y : y + h, x : x + w]
        ys, xs = np.nonzero(sel)
        if len(xs) == 0:
            continue
        x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
        box = BBox(x + x0, y + y0, x + x1, y + y1)
        out.append(Cluster(box, sel[y0:y1, x0:x1], layers, work))
    return out


class BlueInk:
    """Share of blue among the solid ink of any box, from integral images (one pass a page)."""

    def __init__(self, work: Work, paper: np.ndarray) -> None:
        solid = cv2.subtract(paper, work.gray) > SOLID_INK
        b, g, r = (c.astype(np.int16) for c in cv2.split(work.bgr))
        blue = solid & (b - r >= BLUE_EXCESS) & (b >= g)
        self._solid = cv2.integral(solid.astype(np.uint8))
        self._blue = cv2.integral(blue.astype(np.uint8))

    def share(self, box: BBox) -> float:
        h, w = self._solid.shape[0] - 1, self._solid.shape[1] - 1
        x0, y0 = min(max(0, int(box.x0)), w), min(max(0, int(box.y0)), h)
        x1, y1 = min(max(0, int(box.x1) + 1), w), min(max(0, int(box.y1) + 1), h)

        def total(t: np.ndarray) -> int:
            return int(t[y1, x1] - t[y0, x1] - t[y1, x0] + t[y0, x0])

        solid = total(self._solid)
        return total(self._blue) / solid if solid else 0.0


def _colour(mask: np.ndarray, gray: np.ndarray, level: np.ndarray, bgr: np.ndarray
            ) -> tuple[float, float]:
    """The share of the solid ink that is blue, and the spread of colour among the coloured
    ink (a blue pen across black print is one colour; chart series in red, green and blue are
    several)."""
    solid = bgr[(mask > 0) & (level - gray > SOLID_INK)].astype(np.int16)
    if len(solid) < 4:
        return 0.0, 0.0
    b, g, r = solid[:, 0], solid[:, 1], solid[:, 2]
    blue = float(((b - r >= BLUE_EXCESS) & (b >= g)).mean())
    chroma = solid.max(axis=1) - solid.min(axis=1)
    coloured = solid[chroma >= MIN_CHROMA].astype(np.float64)
    if len(coloured) < 10:
        return blue, 0.0
    spread = np.hypot((coloured[:, 0] - coloured[:, 2]).std(),
                      (coloured[:, 1] - coloured[:, 2]).std())
    return blue, float(spread)


def _axis_edges(mask: np.ndarray) -> float:
    """Share of the outline's gradient that points along the axes (within AXIS_DEG): about
    0.2 for a curved scrawl, near 1 for bars, boxes and QR modules."""
    m = mask.astype(np.float32)
    gx = cv2.Sobel(m, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(m, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.hypot(gx, gy)
    on = mag > 0
    if not on.any():
        return 0.0
    angle = np.degrees(np.arctan2(gy[on], gx[on])) % 90.0
    along = (angle <= AXIS_DEG) | (angle >= 90.0 - AXIS_DEG)
    return float(mag[on][along].sum() / mag[on].sum())


def _straight_share(mask: np.ndarray, min_len: int) -> float:
    """Share of the outline made of straight pieces of at least ``min_len`` px."""
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    total = straight = 0.0
    for c in contours:
        if len(c) < 6:
            continue
        pts = cv2.approxPolyDP(c, STRAIGHT_EPS, True)[:, 0, :].astype(np.float64)
        d = np.diff(pts, axis=0, append=pts[:1])
        seg = np.sqrt((d * d).sum(axis=1))
        total += float(seg.sum())
        straight += float(seg[seg >= min_len].sum())
    return straight / total if total else 0.0


def _ring(mask: np.ndarray, ruled: np.ndarray, printed: np.ndarray, work: Work) -> float:
    """Share of the ellipse fitted to the cluster's convex hull that has ink on it (ruled
    pieces included: the flat bottom of an oval is taken for a rule; where the ellipse crosses
    print the ring cannot be told and is not counted). A seal's ring covers most of it; a
    signature touches its hull at a few points."""
    if min(mask.shape) < RING_MIN_MM * work.px_per_mm:
        return 0.0
    hull = cv2.convexHull(cv2.findNonZero(mask))
    if len(hull) < 5:
        return 0.0
    (cx, cy), (a, b), angle = cv2.fitEllipse(hull)
    if not (np.isfinite([cx, cy, a, b, angle]).all() and min(a, b) > 1):
        return 0.0
    outline = np.zeros_like(mask)
    cv2.ellipse(outline, ((cx, cy), (a, b), angle), 1, 1)
    tol = work.mm(RING_TOLERANCE_MM) | 1
    near = cv2.dilate(mask | ruled, np.ones((tol, tol), np.uint8))
    on = (outline > 0) & (printed == 0)
    return float(near[on].mean()) if on.any() and on.sum() >= 0.3 * outline.sum() else 0.0
