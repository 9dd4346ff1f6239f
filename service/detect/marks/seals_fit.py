"""Which outline a group of ink has, and whether it is a seal's (see :mod:`.seals`).

A group is tried as an ellipse, a circle (short arcs — cut by the page edge, a faint side — pin
a circle down better than an ellipse) and a rectangle (personal name stamps), each as fitted to
the group's hull and refined on the ink near it (:mod:`.seals_shape`). :func:`judge` holds a
fit against the sizes of its :class:`Family` and the ring evidence. A group that fits nothing
but is large enough may be overlapping seals of one colour: :func:`overlapping` looks for
round rings in it with a Hough transform and peels off the ink each explains.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from service.detect.marks.seals_ink import kernel
from service.detect.marks.seals_shape import (
    Evidence,
    Ring,
    Shape,
    as_shape,
    coverage,
    evidence,
    fit_outline,
    refine,
)
from service.types import BBox

#: a straight stretch of a group's hull longer than this bridges a gap in a faint ring
GAP_MM = 4.0
#: share of the on-page perimeter that must carry ink (whole seals, cut-off seals)
MIN_COVERAGE = 0.8
MIN_COVERAGE_PARTIAL = 0.85
#: share of the perimeter that must be seen: on the page and not under coloured print
MIN_SEEN = 0.3
#: share of sectors whose outermost ink lies on the ring
MIN_OUTLINE = 0.75
#: ... or, for a ring touched by print of its colour and inked this much all round, this share
TOUCHED_COVERAGE = 0.85
TOUCHED_OUTLINE = 0.6
#: ink share of the perimeter 12 % further out
MAX_OUTSIDE = 0.45
#: share of the perimeter that must lie on the page (a seal cut by the page edge)
MIN_INSIDE = 0.25
#: ink share of its hull above which a group is a filled shape (ring seals: ~0.2–0.5)
DENSE = 0.8
#: a hull fit with less coverage is no seal's outline, not even a faint one's: not refined
MIN_COVERAGE_TO_REFINE = 0.4
#: a whole seal found with this support (coverage × outline) ends the search for its outline
GOOD_ENOUGH = 0.97
#: overlapping seals: a Hough transform's circles (OpenCV's HOUGH_GRADIENT_ALT "perfectness"),
#: at most this many per group; the ink within PEEL_SCALE of a found ring is its own
HOUGH_PERFECTNESS = 0.8
MAX_OVERLAPPING = 4
PEEL_SCALE = 1.08
#: what is left of such a group is a stamp's remnant if it holds this much ink (mm²)
MIN_REMNANT_MM2 = 8.0
#: band around the fitted ring that counts as "on the ring"
BAND_MM = 0.9
#: the region grows by this much beyond the fitted ring (ink blur, fit error)
MARGIN_MM = 0.8


@dataclass(frozen=True, slots=True)
class Family:
    """Sizes (mm, both axes) and interiors (ink share) of one kind of seal."""

    min_mm: float
    max_mm: float
    max_ratio: float
    min_fill: float
    max_fill: float


#: round and oval seals: ~15 mm personal ovals to 50 mm official seals, ovals ≤ ~1.7:1; the
#: interior carries text and a star (an empty ring drawn round a word does not) but is not
#: filled (a red block)
RING = Family(12.0, 60.0, 2.0, 0.03, 0.6)
#: square name stamps (8–30 mm, near square); 阴文 stamps are filled but for their characters,
#: whose white strokes the work copy's resolution and the closing fill in
SQUARE = Family(8.0, 30.0, 1.3, 0.03, 1.0)
#: the part of a square stamp left on the page when the page edge cuts it
CUT_SQUARE = Family(3.0, 30.0, 5.0, 0.03, 1.0)


@dataclass(frozen=True, slots=True)
class Found:
    ring: Ring  # in work-copy pixels
    ink: str
    evidence: Evidence
    partial: bool  # cut by the page edge (or, ``overlapped``, by another seal)
    overlapped: bool = False

    @property
    def quality(self) -> float:
        return self.evidence.coverage * self.evidence.outline

    def box(self, px_per_mm: float) -> BBox:
        """The ring's box grown by ``MARGIN_MM`` (work-copy pixels)."""
        hw, hh = self.ring.half_extent()
        m = MARGIN_MM * px_per_mm
        return BBox(self.ring.cx - hw - m, self.ring.cy - hh - m, self.ring.cx + hw + m,
                    self.ring.cy + hh + m)


@dataclass(frozen=True, slots=True)
class Canvas:
    """The ink of one colour on the work copy: the mask, the same dilated by the ring band, and
    where ink cannot be seen (``hidden``, non-zero: coloured print of another hue), if known."""

    ink: np.ndarray
    near: np.ndarray
    colour: str
    px_per_mm: float
    hidden: np.ndarray | None = None

    @staticmethod
    def of(ink: np.ndarray, colour: str, px_per_mm: float,
           hidden: np.ndarray | None = None) -> Canvas:
        """The canvas of ``ink`` (uint8 0/255 mask): ``near`` is it grown by the ring band."""
        return Canvas(ink, cv2.dilate(ink, kernel(2 * BAND_MM, px_per_mm)), colour, px_per_mm,
                      hidden if hidden is not None and hidden.any() else None)


def best_fit(
    pts: np.ndarray, canvas: Canvas, accept: Callable[[Ring, Canvas], Found | None] | None = None
) -> Found | None:
    """The best-supported seal outline through a group's pixels (``N×2`` x/y), if any; a whole
    seal found with ``GOOD_ENOUGH`` support ends the search. ``accept`` judges a ring in place
    of :func:`judge` (the greyscale path, :mod:`.seals_grey`)."""
    best: Found | None = None
    for ring in _outlines(pts, canvas):
        found = (accept or judge)(ring, canvas)
        if found is not None and (best is None or found.quality > best.quality):
            best = found
            if found.quality >= GOOD_ENOUGH and not found.partial:
                break
    return best


def _outlines(pts: np.ndarray, canvas: Canvas) -> Iterator[Ring]:
    """Ellipse, circle and rectangle, each as fitted to the group's hull and refined, and an
    ellipse grown from the refined circle (a slightly oval seal with a faint side). A group
    that fills its hull (``DENSE``) can only be a 阴文 square stamp, not a ring."""
    h, w = canvas.ink.shape
    hull = cv2.convexHull(pts.reshape(-1, 1, 2))
    dense = len(pts) > DENSE * cv2.contourArea(hull)
    shapes: tuple[Shape, ...] = ("rect",) if dense else ("ellipse", "circle", "rect")
    for shape in shapes:
        first = fit_outline(pts, w, h, GAP_MM * canvas.px_per_mm, shape)
        if first is None:
            continue
        yield first
        if coverage(canvas.near, first) < MIN_COVERAGE_TO_REFINE:
            continue
        refined = refine(first, canvas.ink)
        yield refined
        if shape == "circle":
            yield refine(as_shape(refined, "ellipse"), canvas.ink)


def judge(ring: Ring, canvas: Canvas, among_print: bool = False) -> Found | None:
    """``ring`` as a seal, if its size and the ink along it say it is one. A ring searched for
    ``among_print`` of its colour (:mod:`.seals_search`) has that print beyond it in places: a
    ring inked nearly all round (``TOUCHED_COVERAGE``) needs its outermost ink on it in only
    ``TOUCHED_OUTLINE`` of the directions."""
    cut = _at_edge(ring, canvas.ink.shape)
    family = RING if ring.shape != "rect" else CUT_SQUARE if cut else SQUARE
    d_min, d_max = 2 * ring.b / canvas.px_per_mm, 2 * ring.a / canvas.px_per_mm
    if d_min < family.min_mm or d_max > family.max_mm or d_max > family.max_ratio * d_min:
        return None
    ev = evidence(canvas.ink, canvas.near, ring, canvas.hidden)
    partial = cut or ev.inside < 0.98 or ev.seen < 0.98
    need = MIN_COVERAGE_PARTIAL if partial else MIN_COVERAGE
    outline = TOUCHED_OUTLINE if among_print and ev.coverage >= TOUCHED_COVERAGE else MIN_OUTLINE
    if ev.inside < MIN_INSIDE or ev.seen < MIN_SEEN or ev.coverage < need or ev.outline < outline:
        return None
    # the interior of a cut seal may lie off the page: only a whole seal must carry text
    min_fill = 0.0 if partial else family.min_fill
    if not min_fill <= ev.fill <= family.max_fill or ev.outside > MAX_OUTSIDE:
        return None
    return Found(ring, canvas.colour, ev, partial)


def _at_edge(ring: Ring, shape: tuple[int, ...]) -> bool:
    """Whether the ring reaches the raster's edge (within 2 px): the page cut the seal."""
    hw, hh = ring.half_extent()
    h, w = shape[:2]
    return (ring.cx - hw <= 2 or ring.cy - hh <= 2 or ring.cx + hw >= w - 3
            or ring.cy + hh >= h - 3)


def may_hold_several(width: int, height: int, px_per_mm: float) -> bool:
    """Whether a group (box in px) that fits no outline may be overlapping seals."""
    w, h = width / px_per_mm, height / px_per_mm
    return min(w, h) >= RING.min_mm and max(w, h) <= 2 * RING.max_mm


def overlapping(pts: np.ndarray, box: tuple[int, int, int, int], canvas: Canvas) -> list[Found]:
    """Seals in a group of overlapping seals: round rings found by a Hough transform, each
    refined and judged; the ink they explain is peeled off and what is left (an oval or a name
    stamp pressed over a seal) is fitted again or, failing that, kept as a remnant."""
    x, y, w, h = box
    out: list[Found] = []
    for first in hough_rings(canvas.ink[y : y + h, x : x + w], canvas.ink, canvas.px_per_mm,
                             MAX_OVERLAPPING, (x, y)):
        for ring in (first, refine(as_shape(first, "ellipse"), canvas.ink)):
            found = judge(ring, canvas)
            if found is not None:
                out.append(found)
                pts = pts[ring.polar(pts.astype(np.float32))[0] > PEEL_SCALE]
                break
    if out and len(pts) > 0:
        rest = best_fit(pts, canvas) or _remnant(pts, canvas)
        if rest is not None:
            out.append(rest)
    return out


def hough_rings(roi: np.ndarray, ink: np.ndarray, px_per_mm: float, limit: int,
                offset: tuple[int, int] = (0, 0), perfectness: float = HOUGH_PERFECTNESS
                ) -> list[Ring]:
    """Round rings of a seal's size in ``roi`` (a 0/255 mask; ``offset`` its place in ``ink``),
    found by a Hough transform (at most ``limit``, best first, at least ``perfectness``) and
    refined on ``ink``."""
    if min(roi.shape[:2]) < RING.min_mm * px_per_mm:
        return []
    circles = cv2.HoughCircles(
        cv2.GaussianBlur(roi, (5, 5), 0), cv2.HOUGH_GRADIENT_ALT, dp=1.5,
        minDist=RING.min_mm / 2 * px_per_mm, param1=300, param2=perfectness,
        minRadius=round(RING.min_mm / 2 * px_per_mm), maxRadius=round(RING.max_mm / 2 * px_per_mm))
    x, y = offset
    return [refine(Ring(float(cx) + x, float(cy) + y, float(r), float(r), 0.0, "circle"), ink)
            for cx, cy, r in ([] if circles is None else circles[0][:limit])]


def _remnant(pts: np.ndarray, canvas: Canvas) -> Found | None:
    """What is left of a group once its seals are peeled off, if it is a seal's size: a stamp
    pressed over a seal keeps no outline of its own. Reported by its box, as cut."""
    ppm = canvas.px_per_mm
    x0, y0 = (float(v) for v in pts.min(axis=0))
    x1, y1 = (float(v) + 1 for v in pts.max(axis=0))
    w, h = (x1 - x0) / ppm, (y1 - y0) / ppm
    if min(w, h) < CUT_SQUARE.min_mm or max(w, h) > RING.max_mm:
        return None
    if len(pts) < MIN_REMNANT_MM2 * ppm**2:
        return None
    ring = Ring((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2, 0.0, "rect")
    ev = evidence(canvas.ink, canvas.near, ring)
    return Found(ring, canvas.colour, ev, partial=True, overlapped=True)
