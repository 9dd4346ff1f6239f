"""Outline evidence for the seal detector: fit a ring (ellipse, circle or square) to a group of
ink, and measure how much the group looks like a stamped seal.

A seal's outline is its outermost ink, so the ring is first fitted to the group's convex hull,
densified along its edges. Hull edges that join two points on the raster's border are a cut,
not outline (a seal stamped across the page edge is fitted on the arc that is left), and edges
longer than a gap are chords across the faint side of an unevenly inked ring.
:func:`refine` then re-reads the outline from the ink near the ring, sector by sector, and
:func:`evidence` samples the ring's perimeter:

* ``coverage`` — share of the perimeter (on the raster) with ink within a thin band;
* ``inside``   — share of the perimeter on the raster (``< 1`` for cut seals);
* ``fill``     — ink share of the interior (ring seals ~0.1–0.4; filled blobs near 1);
* ``outside``  — ink share of a perimeter 12 % further out (a seal stands on its own);
* ``seen``     — share of the perimeter on the raster and not hidden (under print);
* ``outline``  — share of sectors whose outermost ink lies on the ring (within
  ``_OUTLINE_TOLERANCE``): a seal's outline is its ring all round, while a boxed character
  such as 国 meets a fitted ellipse only where the ellipse crosses its sides.

Rectangles use the same machinery with the L∞ norm: in the ring's own frame a point's
"radius" is ``max(|u|, |v|)``, which is 1 on the rectangle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import cv2
import numpy as np

Shape = Literal["ellipse", "circle", "rect"]

#: perimeter samples per ring (two per sector)
_SECTORS = 72
_SAMPLES = 2 * _SECTORS
#: the outer ring is tested this far out; a seal's neighbourhood in its own colour is empty
_OUTSIDE_SCALE = 1.12
#: the interior used for ``fill`` (the ring itself and arc text stay out of it)
_INTERIOR_SCALE = 0.7
#: a hull vertex this close to the raster's border (px) is where the page cut the seal
_BORDER_PX = 4.0
#: refits read the outline from points within this band (share of the radius inside,
#: outside) of the previous fit ...
_REFINE_BAND = (0.2, 0.1)
#: ... and then drop outline points further than this from the refit
_TRIM = 0.05
#: a sector's outermost ink (looked for up to _OUTLINE_REACH × the radius) is "on the ring"
#: within _OUTLINE_TOLERANCE of the radius ...
_OUTLINE_REACH = 1.3
_OUTLINE_TOLERANCE = 0.07
#: ... or of this many pixels (small stamps on the work copy)
_OUTLINE_TOLERANCE_PX = 2.0


@dataclass(frozen=True, slots=True)
class Ring:
    """Centre, semi-axes (``a ≥ b``; half sides for a rectangle) and the turn of the ``a`` axis
    in degrees (clockwise on screen, as OpenCV's)."""

    cx: float
    cy: float
    a: float
    b: float
    angle: float
    shape: Shape = "ellipse"

    def points(self, scale: float = 1.0, n: int = _SAMPLES) -> np.ndarray:
        """``n`` points on the perimeter at evenly spaced angles of the ring's own frame."""
        t = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
        u, v = np.cos(t), np.sin(t)
        if self.shape == "rect":
            norm = np.maximum(np.abs(u), np.abs(v))
            u, v = u / norm, v / norm
        ca, sa = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        ex, ey = self.a * scale * u, self.b * scale * v
        return np.stack([self.cx + ex * ca - ey * sa, self.cy + ex * sa + ey * ca], axis=1)

    def half_extent(self) -> tuple[float, float]:
        """Half width and half height of the axis-aligned box around the ring."""
        ca, sa = abs(math.cos(math.radians(self.angle))), abs(math.sin(math.radians(self.angle)))
        if self.shape == "rect":
            return self.a * ca + self.b * sa, self.a * sa + self.b * ca
        return math.hypot(self.a * ca, self.b * sa), math.hypot(self.a * sa, self.b * ca)

    def polar(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normalised radius (1 on the ring) and angle in the ring's own frame."""
        ca, sa = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        dx, dy = pts[:, 0] - self.cx, pts[:, 1] - self.cy
        u, v = (dx * ca + dy * sa) / self.a, (-dx * sa + dy * ca) / self.b
        r = np.maximum(np.abs(u), np.abs(v)) if self.shape == "rect" else np.hypot(u, v)
        return r, np.arctan2(v, u) % (2 * math.pi)


@dataclass(frozen=True, slots=True)
class Evidence:
    coverage: float
    inside: float
    fill: float
    outside: float
    outline: float
    seen: float = 1.0  # share of the perimeter on the raster and not hidden


def fit_outline(
    points: np.ndarray, width: int, height: int, max_edge: float, shape: Shape
) -> Ring | None:
    """The ring through the outline (convex hull) of ``points`` (``N×2`` int32, x/y in a raster
    of ``width×height``); see the module docstring for the edges that are left out."""
    if len(points) < 5:
        return None
    hull = cv2.convexHull(points.reshape(-1, 1, 2)).reshape(-1, 2).astype(np.float32)
    everything = _densify(hull, width, height, math.inf)
    outline = _densify(hull, width, height, max_edge)
    return _fit(outline if len(outline) >= 0.5 * len(everything) else everything, shape)


def refine(ring: Ring, ink: np.ndarray) -> Ring:
    """Refit on the outermost ink of each angular sector that lies near the ring.

    Ink outside the ring (text fringes, a neighbour's stroke) would pull the outline outwards:
    only points within ``_REFINE_BAND`` of the ring count, and only sectors whose stretch of the
    ring lies on the raster (off the page, the outermost ink left in a sector is the seal's
    text). Where the ring is too faint the outermost ink is the text inside it: those points
    are trimmed after the refit.
    """
    h, w = ink.shape
    lo, hi = _REFINE_BAND
    for _ in range(2):
        pts = _ink_points(ink, ring, 1.0 + hi)
        r, theta = ring.polar(pts)
        sector = np.minimum((theta / (2 * math.pi) * _SECTORS).astype(int), _SECTORS - 1)
        keep = (r >= 1.0 - lo) & (r <= 1.0 + hi) & _sectors_on_page(ring, w, h)[sector]
        if not keep.any():  # no ink near the ring
            return ring
        order = np.lexsort((r[keep], sector[keep]))
        ranked = sector[keep][order]
        last = np.r_[ranked[1:] != ranked[:-1], True]
        outline = pts[keep][order][last]
        better = _fit(outline, ring.shape)
        if better is None:
            return ring
        fits = np.abs(better.polar(outline)[0] - 1.0) <= _TRIM
        if fits.mean() >= 0.5:
            better = _fit(outline[fits], ring.shape) or better
        ring = better
    return ring


def as_shape(ring: Ring, shape: Shape) -> Ring:
    return replace(ring, shape=shape)


def coverage(near: np.ndarray, ring: Ring) -> float:
    """The ``coverage`` part of :func:`evidence` alone (cheap)."""
    h, w = near.shape
    xs, ys = _pixels(ring.points(0.97))
    valid = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    return float(near[ys[valid], xs[valid]].mean() / 255.0) if valid.any() else 0.0


def evidence(
    ink: np.ndarray, near: np.ndarray, ring: Ring, hidden: np.ndarray | None = None
) -> Evidence:
    """Measure ``ring`` against the ``ink`` mask (``near`` is ``ink`` dilated by the band).

    ``hidden`` (optional, non-zero where ink cannot be seen, e.g. under black print) takes the
    perimeter samples there out of ``coverage`` and ``outline``, as the page edge does."""
    h, w = ink.shape
    xs, ys = _pixels(ring.points(0.97))
    valid = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    seen = valid.copy()
    if hidden is not None:
        seen[valid] = hidden[ys[valid], xs[valid]] == 0
    coverage = float(near[ys[seen], xs[seen]].mean() / 255.0) if seen.any() else 0.0
    ox, oy = _pixels(ring.points(_OUTSIDE_SCALE))
    ovalid = (ox >= 0) & (ox < w) & (oy >= 0) & (oy < h)
    outside = float(ink[oy[ovalid], ox[ovalid]].mean() / 255.0) if ovalid.any() else 0.0
    outline = _outline_agreement(ink, ring, seen)
    return Evidence(coverage, float(valid.mean()), _fill(ink, ring), outside, outline,
                    float(seen.mean()))


def _pixels(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.rint(pts[:, 0]).astype(int), np.rint(pts[:, 1]).astype(int)


def _ink_points(ink: np.ndarray, ring: Ring, scale: float) -> np.ndarray:
    """Ink pixels (x/y, float32) in the box around ``ring`` grown by ``scale``, off the
    raster's outermost pixels."""
    h, w = ink.shape
    x0, y0, x1, y1 = _box(ring, scale, ink.shape)
    ys, xs = np.nonzero(ink[y0:y1, x0:x1])
    xs, ys = xs + x0, ys + y0
    inner = (xs > 1) & (ys > 1) & (xs < w - 2) & (ys < h - 2)
    return np.stack([xs[inner], ys[inner]], axis=1).astype(np.float32)


def _sectors_on_page(ring: Ring, width: int, height: int) -> np.ndarray:
    """Per sector: whether the ring's perimeter there lies on the raster."""
    pts = ring.points(1.0, _SECTORS)
    return (pts[:, 0] >= 0) & (pts[:, 0] < width) & (pts[:, 1] >= 0) & (pts[:, 1] < height)


def _fit(outline: np.ndarray, shape: Shape) -> Ring | None:
    """Least-squares ellipse (OpenCV's direct fit), algebraic circle, or minimum-area rectangle
    through ``outline``."""
    if len(outline) < 12:
        return None
    if shape == "circle":
        x, y = outline[:, 0].astype(np.float64), outline[:, 1].astype(np.float64)
        m = np.stack([x, y, np.ones_like(x)], axis=1)
        sol, *_ = np.linalg.lstsq(m, -(x * x + y * y), rcond=None)
        cx, cy = -sol[0] / 2, -sol[1] / 2
        r2 = cx * cx + cy * cy - sol[2]
        if not math.isfinite(r2) or r2 <= 4:
            return None
        return Ring(float(cx), float(cy), math.sqrt(r2), math.sqrt(r2), 0.0, "circle")
    if shape == "rect":
        try:
            return _ring_of(_robust_rect(outline), "rect")
        except cv2.error:
            return None
    return ellipse_through(outline)


def ellipse_through(pts: np.ndarray) -> Ring | None:
    """The least-squares ellipse through ``pts`` (``N×2`` float32, at least 5; OpenCV's direct
    fit), if it is a proper one."""
    try:
        return _ring_of(cv2.fitEllipseDirect(pts), "ellipse")
    except cv2.error:
        return None


def _ring_of(box: tuple[Sequence[float], Sequence[float], float], shape: Shape) -> Ring | None:
    """OpenCV's rotated box (centre, full axes, angle) as a ring, the longer axis first."""
    (cx, cy), (d1, d2), angle = box
    if not (math.isfinite(d1) and math.isfinite(d2)) or min(d1, d2) <= 2:
        return None
    if d1 < d2:
        d1, d2, angle = d2, d1, angle + 90.0
    return Ring(float(cx), float(cy), float(d1) / 2, float(d2) / 2, float(angle) % 180.0, shape)


def _robust_rect(outline: np.ndarray) -> tuple[tuple[float, float], tuple[float, float], float]:
    """A rectangle through outline points: the turn of their minimum-area rectangle, each side
    at the median of the points along it (a few stray pixels do not push a side out)."""
    (cx, cy), (d1, d2), angle = cv2.minAreaRect(outline)
    ca, sa = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    dx, dy = outline[:, 0] - cx, outline[:, 1] - cy
    u, v = dx * ca + dy * sa, -dx * sa + dy * ca
    sides = []
    for along, across, half in ((u, v, d2 / 2), (v, u, d1 / 2)):
        middle = np.abs(across) < 0.7 * half
        lo, hi = along[middle & (along < 0)], along[middle & (along > 0)]
        if len(lo) < 3 or len(hi) < 3:
            return (cx, cy), (d1, d2), angle
        sides.append((float(np.median(lo)), float(np.median(hi))))
    (u0, u1), (v0, v1) = sides
    mu, mv = (u0 + u1) / 2, (v0 + v1) / 2
    centre = (cx + mu * ca - mv * sa, cy + mu * sa + mv * ca)
    return centre, (u1 - u0, v1 - v0), angle


def _densify(hull: np.ndarray, width: int, height: int, max_edge: float) -> np.ndarray:
    """Points every pixel along the hull's edges, leaving out edges that join two points on
    the raster border and edges longer than ``max_edge``."""
    nxt = np.roll(hull, -1, axis=0)
    length = np.hypot(*(nxt - hull).T)
    lim = _BORDER_PX
    at_border = ((hull < lim) | (hull > np.array([width, height]) - 1 - lim)).any(axis=1)
    keep = (length <= max_edge) & ~(at_border & np.roll(at_border, -1))
    if not keep.any():
        return np.zeros((0, 2), np.float32)
    p, q, n = hull[keep], nxt[keep], np.maximum(1, length[keep].astype(int))
    edge = np.repeat(np.arange(len(n)), n)
    t = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) / n[edge]
    return (p[edge] + (q - p)[edge] * t[:, None]).astype(np.float32)


def _outline_agreement(ink: np.ndarray, ring: Ring, on_page: np.ndarray) -> float:
    """Share of on-page sectors whose outermost ink (up to ``_OUTLINE_REACH``) is on the ring."""
    pts = _ink_points(ink, ring, _OUTLINE_REACH)
    if len(pts) == 0:
        return 0.0
    r, theta = ring.polar(pts)
    near = r <= _OUTLINE_REACH
    sector = np.minimum((theta[near] / (2 * math.pi) * _SECTORS).astype(int), _SECTORS - 1)
    outer = np.zeros(_SECTORS, np.float32)
    np.maximum.at(outer, sector, r[near])
    page = on_page.reshape(_SECTORS, -1).all(axis=1)
    if not page.any():
        return 0.0
    tolerance = max(_OUTLINE_TOLERANCE, _OUTLINE_TOLERANCE_PX / ring.b)
    return float((np.abs(outer[page] - 1.0) <= tolerance).mean())


def _box(ring: Ring, scale: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The raster box around ``ring`` grown by ``scale``, clipped to the raster."""
    hw, hh = ring.half_extent()
    h, w = shape[:2]
    x0, y0 = max(int(ring.cx - scale * hw), 0), max(int(ring.cy - scale * hh), 0)
    x1, y1 = min(int(ring.cx + scale * hw) + 2, w), min(int(ring.cy + scale * hh) + 2, h)
    return x0, y0, max(x0, x1), max(y0, y1)


def _fill(ink: np.ndarray, ring: Ring) -> float:
    x0, y0, x1, y1 = _box(ring, 1.0, ink.shape)
    if x1 <= x0 or y1 <= y0:
        return 1.0
    area = np.zeros((y1 - y0, x1 - x0), np.uint8)
    inner = ring.points(_INTERIOR_SCALE) - np.array([x0, y0], np.float64)
    cv2.fillPoly(area, [np.rint(inner).astype(np.int32)], 255)
    n = cv2.countNonZero(area)
    if n == 0:
        return 1.0
    return cv2.countNonZero(cv2.bitwise_and(ink[y0:y1, x0:x1], area)) / n
