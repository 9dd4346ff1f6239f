"""Seals among print of their own colour: outlines searched for where grouping failed.

The colour path (:mod:`.seals`) finds a seal as a group of ink of a seal's size. On invoices,
receipts and certificates the seal often touches print of its own colour — the red form of a
receipt (its heading, labels, serial number NO.…, rules cut short by perspective), a
signature in the seal's blue — and joins it into a group no seal's size, or into one whose
outline is not the seal's. Such ink is searched for outlines directly:

1. Round rings: circles of a seal's size found by a Hough transform of the ink left outside
   the seals found so far (``HOUGH_PERFECTNESS``, lower than for overlapping seals: print
   touching the ring spoils the circle's edge), refined as circle and as ellipse.
2. Ovals (发票专用章, 财务专用章, the printed 监制章 of a receipt, 45×30 mm ≈ 1.5:1, which no
   circle fits): per group of ink of a seal's size, ellipses through five points spread along
   a stretch of its outer contour as long as half to all of a seal's perimeter (RANSAC with
   systematic draws: a seal's outline is a run of the contour of the group it shares with
   print), scored by the share of their directions with contour points within
   ``INLIER_TOLERANCE`` — print attached to a ring adds contour that no ellipse explains but
   does not move the best one. The best ellipses are refined on the ink.

Every candidate is judged as a grouped seal is (:func:`.seals_fit.judge`): the same size,
coverage, outline, fill and surroundings. A red heading, a rule or a serial number on its own
has no ring and offers no candidate that passes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

import cv2
import numpy as np

from service.detect.marks.seals_fit import MIN_SEEN, RING, Canvas, Found, hough_rings, judge
from service.detect.marks.seals_ink import kernel
from service.detect.marks.seals_shape import Ring, as_shape, ellipse_through, refine

#: circles tried on the ink outside the seals found so far, and their Hough "perfectness"
MAX_CIRCLES = 8
HOUGH_PERFECTNESS = 0.7
#: ellipses through five points of a group's contour: from this many evenly spaced starts,
#: spread along arcs of these lengths (× π: half to all of a small or a large seal's
#: perimeter); the best few are refined and judged
MAX_STARTS = 160
#: ... one start per this many contour points at most
START_EVERY = 8
ARC_MM = (8.0, 16.0, 28.0)
MAX_ELLIPSES = 5
#: draws among nearby points of a contour made of several (see :func:`_samples`)
LOCAL_TRIALS = 200
LOCAL_MM = (10.0, 20.0, 30.0)
#: a contour point lies on an ellipse within this share of its radius ...
INLIER_TOLERANCE = 0.05
#: ... and an ellipse has contour points on it in at least this share of its SECTORS (a ring
#: touched by print, or faint, along a third of it still does)
MIN_INLIERS = 0.4
SECTORS = 72
#: ... and runs along it: the cosine between its direction and the ring's normal is at most
MAX_CROSSING = 0.5
#: pieces with more contour points than this are thinned to it (speed)
MAX_CONTOUR = 4000
#: ink this close is one piece (the colour path's grouping reach), and so is ink this close
#: across coloured print (a ring's arcs either side of a ticket's coloured band)
GROUP_MM = 2.5
BRIDGE_MM = 15.0


def among_print(ink: np.ndarray, canvas: Canvas, found: list[Found]) -> list[Found]:
    """Round and oval seals in ``ink`` (``uint8`` 0/255, the colour's canvas ink) outside the
    seals ``found`` so far; see the module docstring."""
    ppm = canvas.px_per_mm
    rest = ink.copy()
    for f in found:
        b = f.box(ppm)
        x0, y0, x1, y1 = (max(0, round(v)) for v in (b.x0, b.y0, b.x1, b.y1))
        rest[y0:y1, x0:x1] = 0
    out: list[Found] = []
    for first in hough_rings(rest, ink, ppm, MAX_CIRCLES, perfectness=HOUGH_PERFECTNESS):
        _judged(out, (first, refine(as_shape(first, "ellipse"), ink)), canvas)
    for contour in _pieces(rest, ppm, canvas.hidden):
        if any(_inside(contour.mean(axis=0), f.ring) for f in out):
            continue
        for ring in _ransac_ellipses(contour, ppm, canvas.hidden):
            # the contour of the grouped ink runs GROUP_MM / 2 outside the ring's outer edge
            inset = GROUP_MM / 2 * ppm
            edge = replace(ring, a=ring.a - inset, b=ring.b - inset)
            _judged(out, (edge, refine(ring, ink), refine(edge, ink)), canvas)
    return out


def _judged(out: list[Found], rings: tuple[Ring, ...] | list[Ring], canvas: Canvas) -> None:
    """The best of ``rings`` that :func:`judge` passes, added to ``out``; of two finds one of
    which holds the other's centre (a circle and the oval it was refined from) the better
    supported stays."""
    fits = [f for ring in rings if (f := judge(ring, canvas, among_print=True)) is not None]
    if not fits:
        return
    best = max(fits, key=lambda f: f.quality)
    rivals = [f for f in out if _inside(np.array([best.ring.cx, best.ring.cy]), f.ring)
              or _inside(np.array([f.ring.cx, f.ring.cy]), best.ring)]
    if all(best.quality > f.quality for f in rivals):
        out[:] = [f for f in out if f not in rivals] + [best]


def _inside(point: np.ndarray, ring: Ring) -> bool:
    return bool(ring.polar(point.reshape(1, 2).astype(np.float32))[0][0] <= 1.0)


def _pieces(ink: np.ndarray, ppm: float, hidden: np.ndarray | None) -> list[np.ndarray]:
    """Outer contours (``N×2`` float32, one after another) of the groups of ``ink`` (within
    ``GROUP_MM``: a faint ring broken in places is one piece) that reach a seal's size; groups
    that coloured print (``hidden``) lies between within ``BRIDGE_MM`` are one piece — the
    arcs of a ring left visible either side of a coloured band."""
    grouped = cv2.dilate(ink, kernel(GROUP_MM, ppm))
    contours, _ = cv2.findContours(grouped, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if hidden is not None:
        bridged = cv2.bitwise_or(grouped, cv2.bitwise_and(
            cv2.dilate(grouped, kernel(BRIDGE_MM, ppm)), hidden))
        _, labels = cv2.connectedComponents(bridged, connectivity=8)
        pieces: dict[int, list[np.ndarray]] = {}
        for c in contours:
            x, y = c[0, 0]
            pieces.setdefault(int(labels[y, x]), []).append(c)
        merged = [np.concatenate(cs) for cs in pieces.values()]
    else:
        merged = list(contours)
    lo = RING.min_mm * ppm
    out = []
    for c in merged:
        _, _, w, h = cv2.boundingRect(c)
        if max(w, h) >= lo and len(c) >= 20:
            pts = c.reshape(-1, 2).astype(np.float32)
            if len(pts) > MAX_CONTOUR:
                pts = pts[:: math.ceil(len(pts) / MAX_CONTOUR)]
            out.append(pts)
    return out


def _support(ring: Ring, pts: np.ndarray, tangents: np.ndarray, hidden: np.ndarray | None
             ) -> tuple[float, np.ndarray]:
    """Share of the ring's seen ``SECTORS`` (on the raster, not ``hidden``) with contour points
    on it, and which points are: within ``INLIER_TOLERANCE`` of it and running along it
    (``MAX_CROSSING``: a stroke that crosses the ring is not its outline)."""
    r, theta = ring.polar(pts)
    ca, sa = math.cos(math.radians(ring.angle)), math.sin(math.radians(ring.angle))
    dx, dy = pts[:, 0] - ring.cx, pts[:, 1] - ring.cy
    u, v = (dx * ca + dy * sa) / ring.a, (-dx * sa + dy * ca) / ring.b
    nx, ny = u * ca / ring.a - v * sa / ring.b, u * sa / ring.a + v * ca / ring.b  # normal
    along = np.abs(nx * tangents[:, 0] + ny * tangents[:, 1]) <= MAX_CROSSING * np.hypot(nx, ny)
    on = (np.abs(r - 1.0) <= max(INLIER_TOLERANCE, 1.5 / ring.b)) & along
    covered = np.zeros(SECTORS, bool)
    covered[np.minimum((theta[on] * (SECTORS / (2 * math.pi))).astype(int), SECTORS - 1)] = True
    if hidden is None:
        return float(covered.mean()), on
    h, w = hidden.shape
    xs, ys = np.rint(ring.points(1.0, SECTORS)).astype(int).T
    seen = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    seen[seen] = hidden[ys[seen], xs[seen]] == 0
    if seen.mean() < MIN_SEEN:
        return 0.0, on
    return float((covered & seen).sum() / seen.sum()), on


def _fit(pts: np.ndarray, ppm: float) -> Ring | None:
    """The ellipse through ``pts`` (OpenCV's direct fit), if it is of a seal's size."""
    ring = ellipse_through(pts) if len(pts) >= 5 else None
    if ring is None or ring.b < RING.min_mm / 2 * ppm or ring.a > RING.max_mm / 2 * ppm \
            or ring.a > RING.max_ratio * ring.b:
        return None
    return ring


def _samples(pts: np.ndarray, ppm: float, step: float) -> Iterator[np.ndarray]:
    """Five-point samples of a contour (``N×2``): spread along arcs of ``ARC_MM`` × π from
    evenly spaced starts; and, where the contour is several contours one after another (arcs
    either side of coloured print), ``LOCAL_TRIALS`` drawn among the points within
    ``LOCAL_MM`` of a drawn point (fixed seed: the same page gives the same finds)."""
    n = len(pts)
    spans = np.minimum(np.array(ARC_MM) * math.pi * ppm / step, n - 1)  # in contour points
    for start in np.linspace(0, n, min(MAX_STARTS, max(1, n // START_EVERY)), endpoint=False
                             ).astype(int):
        for span in spans:
            yield pts[(start + np.linspace(0.0, span, 5).astype(int)) % n]
    jumps = np.hypot(*np.diff(pts, axis=0).T) > 2 * step + 2
    if not jumps.any():
        return
    rng = np.random.default_rng(len(pts))
    for _ in range(LOCAL_TRIALS):
        centre = pts[rng.integers(n)]
        reach = rng.choice(LOCAL_MM) * ppm
        near = np.flatnonzero(np.abs(pts - centre).max(axis=1) <= reach)
        if len(near) >= 5:
            yield pts[rng.choice(near, 5, replace=False)]


def _ransac_ellipses(pts: np.ndarray, ppm: float, hidden: np.ndarray | None) -> list[Ring]:
    """The ``MAX_ELLIPSES`` best-supported ellipses of a seal's size through five contour
    points each (:func:`_samples`; distinct ones: a later one's centre lies outside the earlier
    ones)."""
    step = float(np.median(np.hypot(*np.diff(pts, axis=0).T))) or 1.0  # px between points
    chord = np.roll(pts, -2, axis=0) - np.roll(pts, 2, axis=0)  # the contour's direction
    tangents = chord / np.maximum(np.hypot(chord[:, 0], chord[:, 1]), 1e-6)[:, None]
    scored: list[tuple[float, Ring]] = []
    for sample in _samples(pts, ppm, step):
        ring = _fit(sample, ppm)
        if ring is None:
            continue
        share, on = _support(ring, pts, tangents, hidden)
        if share < MIN_INLIERS:
            continue
        # the least-squares ellipse through all the points on it (RANSAC's last step)
        better = _fit(pts[on], ppm)
        if better is not None:
            better_share, _ = _support(better, pts, tangents, hidden)
            if better_share >= share:
                ring, share = better, better_share
        scored.append((share, ring))
    best: list[Ring] = []
    for _, ring in sorted(scored, key=lambda s: -s[0]):
        if not any(_inside(np.array([ring.cx, ring.cy]), b) for b in best):
            best.append(ring)
            if len(best) == MAX_ELLIPSES:
                break
    return best
