"""Seals on greyscale scans: rings of mid-grey ink (see :mod:`.seals` for the colour path).

A grey scan turns a red, blue or purple seal into grey ink of luminance ~85–200 (a faint one
~170–240) on paper ~230–255, under and beside black print. Without colour the seal is told from
print by its lightness and its shape:

1. Grey test (:func:`is_grey`): on a copy reduced by area to ``GREY_TEST_DPI`` (which averages a
   colour scanner's channel noise away) at most ``GREY_MAX_COLOUR_MM2`` has channels further
   apart than ``GREY_SPREAD``. Greyscale scans and colour scans of black-and-white copies pass;
   stamp-pad colour, even faint, does not, and the colour path reads the page.
2. Print (full resolution): black print — darker than ``DARK_SHARE`` of the paper — and thin
   lines that blur and skew left lighter than that (rules, hairline strokes: a closing across
   ``LINE_MM`` lifts them by ``LINE_LIFT``, while a ring ≥ 0.8 mm wide hardly moves). Print and
   a ``HALO_MM`` halo (anti-aliasing, JPEG ringing) *hide* what lies under them.
3. Density (work copy, ~72 dpi as the colour path): each work pixel's mean lightness over its
   clear share, below the local background — the closing of that lightness across
   ``BACKGROUND_MM``, wider than a ring or a stroke of seal text, so that paper and grey fills
   (shaded cells, chart sectors, photos) are background and only strokes darker than their
   surroundings are ink; the edges of fills (``EDGE_STEP``) are not read.
4. Groups: ink above ``WEAK_DENSITY`` without rules and specks, grouped within ``GROUP_MM``
   (bridges a ring where a text line hides it), clusters of overlapping groups (a ring cut in
   two by a wide band of print) and groups within ``NEAR_GROUP_MM`` (a seal touching a
   signature). Each is fitted with the colour path's outline machinery
   (:func:`.seals_fit.best_fit`) or, failing that, with circles from a Hough transform.
5. Judge (:func:`_judge`): a round or oval ring of a seal's size; ≥ ``MIN_COVERAGE`` of its
   *visible* perimeter inked (hidden samples are left out as off-page ones are; ≥
   ``MIN_VISIBLE`` must be seen); its outermost ink on the ring all round and on one ellipse
   (``MAX_DEVIATION_MM``: the outline of two overlapping Venn circles is none); not filled;
   free outside; seal text inside — faint ink in the arc-text band in ``MIN_ARC_TEXT`` of the
   seen directions — and no spokes (``MAX_SPOKES``: a pie chart's radii).

Measured with ``python -m tests.detect.marks.test_seals_grey`` (A4 at 200 dpi, CJK text and a
shaded table; red/blue/purple round, double and oval seals 16–50 mm stamped over the text, then
scanned grey: paper 232–255, noise σ 3–9, 40 % blurred, skew ±2°, JPEG q60/70/85 or none, quarter
turns; 25 % faint, 20 % cut at the page edge): recall 99/100 — round 47/48, double 23/23, oval
29/29, faint 26/26, cut 19/20; the miss is a cut seal whose box falls 1.5 mm short. A second
sample of 200 seals: 199/200 (an oval along vertical text lines, two thirds of its ring hidden).
False positives: none on 90 grey pages of tables, circled numbers and rings round characters,
round photos, QR codes, looped signatures in black and grey, pie and donut charts and Venn
diagrams; none on 240 generated application documents (:mod:`scripts.corpus`) scanned grey,
whose 152 seals were all found. CPU time per 200-dpi grey page: median 0.05 s, 90th percentile
0.07 s, at most ~0.13 s (the colour path, which no longer runs on grey pages, took ~0.02 s
there); the grey test adds 0.006 s to a colour page; a 300-dpi grey page ~0.09 s.

Not handled: square name stamps on grey pages (a grey frame round four characters is too like a
boxed character or a table cell); seal ink as dark as print (it is taken for print); a ring
that runs inside a grey fill darker than its ink.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from service.detect.marks.base import MarkPage
from service.detect.marks.seals_fit import (
    MAX_OUTSIDE,
    MIN_COVERAGE,
    MIN_COVERAGE_PARTIAL,
    MIN_INSIDE,
    MIN_OUTLINE,
    RING,
    Canvas,
    Found,
    best_fit,
    hough_rings,
)
from service.detect.marks.seals_ink import WORK_DPI, kernel
from service.detect.marks.seals_shape import Ring, as_shape, evidence, refine

#: the grey test reads a copy reduced (by area) to about this resolution
GREY_TEST_DPI = 25.0
#: a pixel of that copy whose channels differ by more than this is coloured ...
GREY_SPREAD = 8
#: ... and a page with more coloured area than this (mm²) is read by the colour path
GREY_MAX_COLOUR_MM2 = 4.0
#: the paper is this percentile of the page's lightness (most of a page is paper)
PAPER_PERCENTILE = 75
#: print darker than this share of the paper is black print, never seal ink (a strong red seal
#: in grey is ~0.33 of the paper at its darkest, less noise)
DARK_SHARE = 0.22
#: thin lines: a closing LINE_MM across lifts them by more than LINE_LIFT grey levels; they are
#: print if darker than LINE_SHARE of the paper
LINE_MM = 0.35
LINE_LIFT = 40
LINE_SHARE = 0.45
#: print and this halo around it hide what lies under them
HALO_MM = 0.25
#: a work pixel with less than this share of its area clear of print has no density ...
MIN_CLEAR = 0.3
#: ... and with less than this share it is hidden (ink there cannot be seen)
HIDDEN_CLEAR = 0.5
#: the background (paper or grey fill) is the closing of the lightness across this width
BACKGROUND_MM = 3.0
#: where the background changes by this share of the paper within 2 px (the edge of a grey
#: fill) ink is not read
EDGE_STEP = 0.12
#: density (0–255 of the paper) of clear ink, of faint ink still read into a ring, and of the
#: faintest ink read inside a ring (its text). Noise: σ ≈ 3 at scanner noise σ 9
INK_DENSITY = 24.0
WEAK_DENSITY = 9.0
FAINT_DENSITY = 6.0
#: a page (or group) with less clear ink than this (mm²) has no seal
MIN_STRONG_MM2 = 4.0
#: ink closer than this is one group: bridges a ring across a text line that hides it; groups
#: at the colour path's closer reach are tried too
GROUP_MM = 5.0
NEAR_GROUP_MM = 2.5
#: pieces of ink smaller than this (mm²), or without a 2×2 px core, are noise or residue of
#: print; straight runs this long are rules (as the colour path)
MIN_PIECE_MM2 = 1.0
RULE_MM = 45.0
#: share of the on-page perimeter that must be visible (not hidden under print)
MIN_VISIBLE = 0.3
#: a whole ring's outermost ink lies this close to the fitted ellipse (75th percentile, mm):
#: seals ≤ 0.2 mm, two overlapping circles ~0.7–1 mm
MAX_DEVIATION_MM = 0.45
#: the arc text lies in this band of the radius; it carries ink in this share of the directions
#: where it is seen (seals ≥ 0.4, empty rings and charts ~0.1–0.3)
ARC_BAND = (0.5, 0.88)
ARC_SECTORS = 36
MIN_ARC_TEXT = 0.35
#: ink running along a radius across SPOKE_REACH of it (in SPOKE_STEPS steps) is a spoke: a
#: pie chart's radius; a ring may have MAX_SPOKES (seals have none, pie charts ≥ 3)
SPOKE_STEPS = 18
SPOKE_REACH = 0.7
MAX_SPOKES = 1
#: circles tried per group whose outline fits no seal (Hough transform)
MAX_CIRCLES = 2
#: the ink seals are reported in (explanations)
INK = "grey ink"


Accept = Callable[[Ring, Canvas], Found | None]


@dataclass(frozen=True, slots=True)
class GreyInk:
    """Mid-grey ink on the work copy (``scale`` × the page): ``density`` (float32) and
    ``hidden`` (``uint8`` 0/255, under print)."""

    density: np.ndarray
    hidden: np.ndarray
    scale: float
    px_per_mm: float


def is_grey(page: MarkPage) -> bool:
    """Whether the page has (next to) no colour: a greyscale scan, or a colour scan of black
    and grey print only."""
    factor = max(1, round(page.dpi / GREY_TEST_DPI))
    h, w = page.height // factor, page.width // factor
    if min(h, w) < 1:
        return False
    small = cv2.resize(page.image[: h * factor, : w * factor], (w, h),
                       interpolation=cv2.INTER_AREA)
    spread = cv2.subtract(small.max(axis=2), small.min(axis=2))
    coloured = cv2.countNonZero(cv2.threshold(spread, GREY_SPREAD, 255, cv2.THRESH_BINARY)[1])
    return coloured * (25.4 * factor / page.dpi) ** 2 <= GREY_MAX_COLOUR_MM2


def grey_ink(page: MarkPage) -> GreyInk:
    """Density of mid-grey ink and what print hides (module docstring, steps 2–3)."""
    factor = max(1, round(page.dpi / WORK_DPI))
    h, w = page.height // factor, page.width // factor
    gray = cv2.extractChannel(page.image[: h * factor, : w * factor], 1)
    paper = max(float(np.percentile(gray[::8, ::8], PAPER_PERCENTILE)), 1.0)
    zone = _print_zone(gray, paper, page)
    lit = cv2.resize(cv2.max(gray, zone), (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    covered = cv2.resize(zone, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    clear = 1.0 - covered
    seen = clear >= MIN_CLEAR
    # mean lightness of the clear part: ``lit`` counts the hidden part as white (255)
    mean = np.where(seen, (lit - 255.0 * covered) / np.maximum(clear, MIN_CLEAR), 0.0).astype(
        np.float32)
    weight = seen.astype(np.float32)
    ppm = page.px(1.0) / factor
    background = _background(mean, weight, ppm)
    density = (255.0 / paper) * (background - mean)
    # along the edge of a grey fill (a photo, a chart sector) the background steps: no reading
    step = cv2.morphologyEx(background, cv2.MORPH_GRADIENT, np.ones((5, 5), np.uint8))
    density = np.where(seen & (step < EDGE_STEP * paper), np.maximum(density, 0.0), 0.0)
    density = density.astype(np.float32)
    hidden = (clear < HIDDEN_CLEAR).astype(np.uint8) * 255
    return GreyInk(density, hidden, 1.0 / factor, ppm)


def _print_zone(gray: np.ndarray, paper: float, page: MarkPage) -> np.ndarray:
    """Black print, thin lines lighter than that, and a halo (``uint8`` 0/255, full size)."""
    dark = cv2.threshold(gray, DARK_SHARE * paper, 255, cv2.THRESH_BINARY_INV)[1]
    k = max(3, round(page.px(LINE_MM)) | 1)
    lift = cv2.subtract(cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)), gray)
    thin = cv2.threshold(lift, LINE_LIFT, 255, cv2.THRESH_BINARY)[1]
    greyish = cv2.threshold(gray, LINE_SHARE * paper, 255, cv2.THRESH_BINARY_INV)[1]
    dark = cv2.bitwise_or(dark, cv2.bitwise_and(thin, greyish))
    halo = 2 * max(1, round(page.px(HALO_MM))) + 1
    return cv2.dilate(dark, np.ones((halo, halo), np.uint8))


def _background(mean: np.ndarray, weight: np.ndarray, ppm: float) -> np.ndarray:
    """The closing of the clear lightness (hidden pixels take no part), smoothed first: the
    maximum filter of a closing would pick the peaks of the noise."""
    smooth = cv2.blur(mean * weight, (3, 3)) / np.maximum(cv2.blur(weight, (3, 3)), 1e-3)
    k = kernel(BACKGROUND_MM, ppm)
    return cv2.erode(cv2.dilate(smooth * weight, k), k)


def grey_seals(page: MarkPage) -> tuple[list[Found], float, float]:
    """Round and oval seals on a grey page: the finds (work-copy pixels), the work copy's scale
    and its pixels per mm."""
    ink = grey_ink(page)
    ppm = ink.px_per_mm
    strong = cv2.threshold(ink.density, INK_DENSITY, 255, cv2.THRESH_BINARY)[1].astype(np.uint8)
    if cv2.countNonZero(strong) < MIN_STRONG_MM2 * ppm**2:
        return [], ink.scale, ppm
    weak = cv2.threshold(ink.density, WEAK_DENSITY, 255, cv2.THRESH_BINARY)[1].astype(np.uint8)
    mask = _drop_specks(_without_rules(weak, ppm), ppm)
    canvas = Canvas.of(mask, INK, ppm)
    accept = partial(_judge, ink=ink)
    found: list[Found] = []
    tried: set[tuple[int, ...]] = set()
    # a seal beside other grey ink (handwriting, a chart) is its own group at a closer reach
    for reach in (GROUP_MM, NEAR_GROUP_MM):
        for pts in _groups(mask, strong, ppm, reach, clusters=reach == GROUP_MM):
            key = (len(pts), *pts.min(axis=0), *pts.max(axis=0))
            if key in tried or any(_holds(f.ring, pts) for f in found):
                continue
            tried.add(key)
            f = best_fit(pts, canvas, accept) or _circles(pts, canvas, accept)
            if f is not None:
                found.append(f)
    return found, ink.scale, ppm


def _holds(ring: Ring, pts: np.ndarray) -> bool:
    """Whether the centre of the box around ``pts`` lies inside ``ring`` (part of a found
    seal)."""
    centre = (pts.min(axis=0) + pts.max(axis=0)).astype(np.float32)[None, :] / 2
    return bool(ring.polar(centre)[0][0] <= 1.0)


def _circles(pts: np.ndarray, canvas: Canvas, accept: Accept) -> Found | None:
    """A round seal in a group whose outline is not the seal's (handwriting or print touching
    the ring): circles found by a Hough transform of the group, refined and judged."""
    ppm = canvas.px_per_mm
    x0, y0 = (int(v) for v in pts.min(axis=0))
    x1, y1 = (int(v) + 1 for v in pts.max(axis=0))
    if min(x1 - x0, y1 - y0) < RING.min_mm * ppm:
        return None
    roi = np.zeros((y1 - y0, x1 - x0), np.uint8)
    roi[pts[:, 1] - y0, pts[:, 0] - x0] = 255
    for first in hough_rings(roi, canvas.ink, ppm, MAX_CIRCLES, (x0, y0)):
        for ring in (first, refine(as_shape(first, "ellipse"), canvas.ink)):
            found = accept(ring, canvas)
            if found is not None:
                return found
    return None


def _judge(ring: Ring, canvas: Canvas, ink: GreyInk) -> Found | None:
    """``ring`` as a seal, if its size, the ink along it and inside it say it is one (module
    docstring, step 4)."""
    ppm = canvas.px_per_mm
    d_min, d_max = 2 * ring.b / ppm, 2 * ring.a / ppm
    if ring.shape == "rect" or d_min < RING.min_mm or d_max > RING.max_mm \
            or d_max > RING.max_ratio * d_min:
        return None
    ev = evidence(canvas.ink, canvas.near, ring, ink.hidden)
    partial_ = _at_edge(ring, ink.hidden.shape) or ev.inside < 0.98
    need = MIN_COVERAGE_PARTIAL if partial_ else MIN_COVERAGE
    if ev.inside < MIN_INSIDE or ev.coverage < need or ev.outline < MIN_OUTLINE:
        return None
    if ev.fill > RING.max_fill or ev.outside > MAX_OUTSIDE or _visible(ring, ink) < MIN_VISIBLE:
        return None
    if not partial_ and _deviation(canvas.ink, ring, ppm) > MAX_DEVIATION_MM:
        return None
    arc, spokes = _interior(ring, canvas.ink, ink)
    if arc < MIN_ARC_TEXT or spokes > MAX_SPOKES:
        return None
    return Found(ring, INK, ev, partial_)


def _at_edge(ring: Ring, shape: tuple[int, ...]) -> bool:
    """Whether the ring reaches the raster's edge (within 2 px): the page cut the seal."""
    hw, hh = ring.half_extent()
    h, w = shape[:2]
    return (ring.cx - hw <= 2 or ring.cy - hh <= 2 or ring.cx + hw >= w - 3
            or ring.cy + hh >= h - 3)


def _visible(ring: Ring, ink: GreyInk) -> float:
    """Share of the ring's on-page perimeter not hidden under print."""
    h, w = ink.hidden.shape
    xs, ys = np.rint(ring.points(0.97)).astype(int).T
    on = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    return float((ink.hidden[ys[on], xs[on]] == 0).mean()) if on.any() else 0.0


def _crop(ring: Ring, scale: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The raster box around ``ring`` grown by ``scale``, clipped to the raster."""
    hw, hh = ring.half_extent()
    h, w = shape[:2]
    x0, y0 = max(int(ring.cx - scale * hw), 0), max(int(ring.cy - scale * hh), 0)
    x1, y1 = min(int(ring.cx + scale * hw) + 2, w), min(int(ring.cy + scale * hh) + 2, h)
    return x0, y0, max(x0, x1), max(y0, y1)


def _polar(mask: np.ndarray, box: tuple[int, int, int, int], ring: Ring
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pixels of ``mask`` in ``box`` (x, y in the box) with their radius and angle."""
    x0, y0, x1, y1 = box
    ys, xs = np.nonzero(mask[y0:y1, x0:x1])
    r, theta = ring.polar(np.stack([xs + x0, ys + y0], axis=1).astype(np.float32))
    return xs, ys, r, theta


def _deviation(ink: np.ndarray, ring: Ring, ppm: float) -> float:
    """How far (mm, 75th percentile over directions) the outermost ink near the ring lies from
    it: a stamped ring is an ellipse, the outline of overlapping circles is not."""
    _, _, r, theta = _polar(ink, _crop(ring, 1.2, ink.shape), ring)
    near = (r > 0.85) & (r < 1.15)
    sectors = 2 * ARC_SECTORS
    sector = np.minimum((theta[near] / (2 * math.pi) * sectors).astype(int), sectors - 1)
    outer = np.zeros(sectors, np.float32)
    np.maximum.at(outer, sector, r[near])
    got = outer > 0
    if got.sum() < sectors // 4:
        return math.inf
    return float(np.percentile(np.abs(outer[got] - 1.0), 75)) * math.sqrt(ring.a * ring.b) / ppm


def _interior(ring: Ring, mask: np.ndarray, ink: GreyInk) -> tuple[float, int]:
    """Seal text inside the ring: the share of seen directions (not hidden under print) with
    faint ink in the arc-text band, and the number of spokes in ``mask`` (:func:`_spokes`)."""
    box = _crop(ring, 1.0, mask.shape)
    x0, y0, x1, y1 = box
    faint = cv2.threshold(ink.density[y0:y1, x0:x1], FAINT_DENSITY, 255,
                          cv2.THRESH_BINARY)[1].astype(np.uint8)
    faint = _drop_specks(faint, ink.px_per_mm)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    r, theta = ring.polar(np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32))
    band = (r >= ARC_BAND[0]) & (r <= ARC_BAND[1])
    sector = np.minimum((theta[band] / (2 * math.pi) * ARC_SECTORS).astype(int),
                        ARC_SECTORS - 1)
    inked = np.bincount(sector, faint.reshape(-1)[band] > 0, ARC_SECTORS)
    hidden = np.bincount(sector, ink.hidden[y0:y1, x0:x1].reshape(-1)[band] > 0, ARC_SECTORS)
    total = np.bincount(sector, None, ARC_SECTORS)
    seen = (inked > 0) | ((total > 0) & (hidden < 0.5 * total))
    arc = float((inked[seen] > 0).mean()) if seen.any() else 0.0
    return arc, _spokes(mask, box, ring)


def _spokes(mask: np.ndarray, box: tuple[int, int, int, int], ring: Ring) -> int:
    """Directions in which ink runs from near the centre across ``SPOKE_REACH`` of the radius
    (gaps of one step bridged): a pie chart's radii; a seal's star, text and inner ring leave
    gaps along every radius."""
    _, _, r, theta = _polar(mask, box, ring)
    inner = r < ARC_BAND[1]
    step = ARC_BAND[1] / SPOKE_STEPS
    sector = np.minimum((theta[inner] / (2 * math.pi) * ARC_SECTORS).astype(int),
                        ARC_SECTORS - 1)
    occupied = np.zeros((ARC_SECTORS, SPOKE_STEPS + 1), bool)
    occupied[sector, (r[inner] / step).astype(int)] = True
    occupied[:, 1:-1] |= occupied[:, :-2] & occupied[:, 2:]
    run = best = np.zeros(ARC_SECTORS, int)
    for j in range(SPOKE_STEPS):
        run = np.where(occupied[:, j], run + 1, 0)
        best = np.maximum(best, run)
    return int((best * step >= SPOKE_REACH).sum())


def _without_rules(mask: np.ndarray, ppm: float) -> np.ndarray:
    """``mask`` without horizontal and vertical runs of ``RULE_MM`` or longer."""
    n = max(3, round(RULE_MM * ppm))
    grown = cv2.dilate(mask, np.ones((3, 3), np.uint8))  # bridges breaks and skew steps
    across = cv2.morphologyEx(grown, cv2.MORPH_OPEN, np.ones((1, n), np.uint8))
    down = cv2.morphologyEx(grown, cv2.MORPH_OPEN, np.ones((n, 1), np.uint8))
    return cv2.subtract(mask, cv2.bitwise_or(across, down))


def _drop_specks(mask: np.ndarray, ppm: float) -> np.ndarray:
    """``mask`` without pieces smaller than ``MIN_PIECE_MM2`` or without a 2×2 px core (noise
    and the 1-px residue that blurred print leaves)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    core = cv2.erode(mask, np.ones((2, 2), np.uint8))
    has_core = np.zeros(n, bool)
    has_core[labels[core > 0]] = True
    drop = (stats[:, cv2.CC_STAT_AREA] < MIN_PIECE_MM2 * ppm**2) | ~has_core
    drop[0] = True
    return np.where(drop[labels], 0, 255).astype(np.uint8)


def _groups(ink: np.ndarray, strong: np.ndarray, ppm: float, reach: float,
            clusters: bool = True) -> list[np.ndarray]:
    """Ink pixels (``N×2`` x/y) of each group of ink of a seal's size with enough clear ink;
    and of each cluster of groups whose boxes overlap (a ring cut in two by a wide band of
    print), if of a seal's size."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        cv2.dilate(ink, kernel(reach, ppm)), connectivity=8)
    lo, hi = 0.8 * RING.min_mm * ppm, (1.2 * RING.max_mm + 2 * reach) * ppm
    groups: list[tuple[np.ndarray, tuple[int, int, int, int]]] = []
    for i in range(1, n):
        x, y, gw, gh = (int(v) for v in stats[i, :4])
        if max(gw, gh) > hi or max(gw, gh) < lo / 2:
            continue
        member = (labels[y : y + gh, x : x + gw] == i).astype(np.uint8)
        if cv2.countNonZero(strong[y : y + gh, x : x + gw] & member) < MIN_STRONG_MM2 * ppm**2:
            continue
        ys, xs = np.nonzero(member & (ink[y : y + gh, x : x + gw] > 0))
        groups.append((np.stack([xs + x, ys + y], axis=1).astype(np.int32), (x, y, gw, gh)))
    h, w = ink.shape

    def fits(x: int, y: int, gw: int, gh: int) -> bool:  # a seal's size, or cut by the edge
        edge = x <= 1 or y <= 1 or x + gw >= w - 1 or y + gh >= h - 1
        return max(gw, gh) <= hi and (min(gw, gh) >= lo or (edge and max(gw, gh) >= lo))

    out = [pts for pts, box in groups if fits(*box)]
    if not clusters or len(groups) < 2:
        return out
    boxes = np.zeros_like(ink)
    for _, (x, y, gw, gh) in groups:
        boxes[y : y + gh, x : x + gw] = 255
    n, labels, stats, _ = cv2.connectedComponentsWithStats(boxes, connectivity=4)
    for i in range(1, n):
        members = [pts for pts, (x, y, _, _) in groups if labels[y, x] == i]
        if len(members) > 1 and fits(*(int(v) for v in stats[i, :4])):
            out.append(np.concatenate(members))
    return out
