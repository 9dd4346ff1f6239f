"""QR codes found by their finder patterns, for codes that zxing-cpp cannot decode.

A QR finder pattern is a dark 7×7-module square ring around a light 5×5 ring around a solid
dark 3×3 centre, set off from the data by a light one-module separator. The search:

1. **Where to look.** The 3×3-module centre is solid black: at half resolution it survives a
   dark threshold (ink + 20 % of the ink–paper range) and a 3×3 erosion, while text strokes
   (thinned to grey by the downscale) and rules do not. Only 64-px tiles next to such ink are
   searched (5–15 % of a text page, most of it in headings and pictures).
2. **Finders.** The page is binarised (adaptive mean threshold, so tinted paper and uneven
   scans work), eroded by one pixel (which parts a centre from a ring that blur joined to it)
   and every solid, square blob without holes is a candidate centre. All of them are screened
   at once on integral images: paper where the light ring should be, ink where the dark ring
   should be, judging by the blob's size. For the few left, rays to the four sides must cross
   centre → light ring → dark ring in the ratio 1.5 : 1 : 1 (three of four rays: a scratch
   may spoil one), then the light ring must be paper and the dark ring ink all the way round,
   at the radii the rays found. The ring tests are what reject halftone dots and CJK glyphs
   shaped like a finder (回, 国, 图): their "rings" are rows of dots or thin strokes.
3. **Codes.** Three finders of one size at the corners of a right isosceles triangle, 12–175
   modules apart, with a 28–85 % dark interior, make a QR code; its symbol extends 3.5
   modules beyond the finder centres. Two finders left over (one destroyed) make one too if
   they are side by side (the code lies on the side whose ink share is nearest one half) or
   at opposite corners.

Measured on 60 generated text, form and picture pages (halftone, photo, seal, □■▣ check
boxes, 回/国/图): no QR candidate. Cost on a 200-dpi A4 page: ≈ 15–20 ms CPU (a page of
coarse halftone ≈ 50 ms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import cv2
import numpy as np

from service.types import BBox

#: adaptive-threshold window (px at 200 dpi; scaled with dpi) — wider than the 3-module centre
#: of the largest finder we expect (QR ≈ 600 px → 45 px), so the centre is not hollowed out
THRESHOLD_BLOCK_200DPI = 51
#: how much darker than the window mean a pixel must be to count as ink (grey levels)
THRESHOLD_OFFSET = 12
#: smallest finder side in px (7 modules of ≥ 2 px)
MIN_FINDER_PX = 14
#: ink and paper brightness: these percentiles of the page's grey levels
INK_PAPER_PERCENTILES = (1, 90)
#: "solid black" at half resolution: darker than ink + this share of (paper − ink) …
SOLID_DARK = 0.2
#: … over a square of this many half-resolution px (a finder centre: 3 modules ≥ 2 px)
SOLID_HALF_PX = 3
#: tiles (px) searched only next to solid ink
TILE_PX = 64
#: share of ink in the bounding box of the centre: a finder's is solid; what sits inside
#: 国 (玉) or 图 is strokes
CENTRE_SOLID = 0.8
#: along a ray from the centre: half the centre (÷ 1.5), the light ring and the dark ring, in
#: modules (1 each ideally; blur thickens ink and thins paper)
RUNS = ((0.6, 1.6), (0.3, 1.6), (0.5, 2.2))
#: rays (of 4) that must show centre → light ring → dark ring → separator (a scratch or a
#: touching module may spoil one)
MIN_GOOD_RAYS = 3
#: the light and the dark ring, as far from the centre as the rays found them (trimmed by this
#: share of their width at both edges), may hold this much ink / must hold this much all the
#: way round. Halftone dots pass the rays but not these: their "rings" are rows of dots
FRAME_TRIM = 0.25
LIGHT_FRAME_INK, DARK_FRAME_INK = 0.3, 0.75
#: screening all blobs at once: frames around a blob (inner and outer half-side, in the
#: blob's own side s, which is 3 modules) and the ink share allowed in each — light ring at
#: 0.5 s + 0.25–0.75 module, dark ring at 0.5 s + 1.25–1.75 modules (loose: blur moves them)
SCREEN_FRAMES = (((0.58, 0.75), (0.0, 0.3)), ((0.92, 1.08), (0.75, 1.0)))
#: the centre's side in px after a 1-px erosion: 3 modules of 2–15 px, give or take blur
CENTRE_PX = (3, 48)
#: the centre's longer side / shorter side
CENTRE_SQUARE = 1.4
#: the modules the good rays show: largest / smallest
RAY_SPREAD = 1.5
#: finders of one code: largest / smallest side
SIZE_SPREAD = 1.4
#: the two legs of the triangle: longer / shorter
LEG_SPREAD = 1.2
#: |cos| of the angle at the corner finder (90° ± ~12°)
MAX_CORNER_COS = 0.21
#: finder centres of a QR code are (17 + 4·version − 7) modules apart: 14 (version 1) … 170
LEG_MODULES = (12.0, 175.0)
#: two finders beside each other: minor / major offset at most this (quarter-turned pages);
#: at opposite corners: minor / major at least 1 − this
PAIR_TILT = 0.1
#: share of ink inside the code (modules are about half dark; a damaged code more or less);
#: text is lighter
INTERIOR_DARK = (0.28, 0.85)
#: finders beyond this count (a page full of 回) are not paired up, to bound the work
MAX_FINDERS = 60


@dataclass(frozen=True, slots=True)
class Finder:
    x: float
    y: float
    module: float


@dataclass(frozen=True, slots=True)
class QRCandidate:
    corners: np.ndarray  # 4×2 symbol corners in px (without quiet zone)
    module: float
    finders: int = 3  # finder patterns seen (2: one was destroyed)

    @property
    def bbox(self) -> BBox:
        return BBox(
            float(self.corners[:, 0].min()),
            float(self.corners[:, 1].min()),
            float(self.corners[:, 0].max()),
            float(self.corners[:, 1].max()),
        )


def binarise(grey: np.ndarray, dpi: float) -> np.ndarray:
    """Ink = 255 (adaptive mean threshold)."""
    block = max(int(THRESHOLD_BLOCK_200DPI * dpi / 200.0) | 1, 3)
    return cv2.adaptiveThreshold(
        grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, THRESHOLD_OFFSET
    )


def find_qr_candidates(grey: np.ndarray, dpi: float) -> list[QRCandidate]:
    """QR codes (decodable or not) located by their finder patterns, in ``grey``'s pixels."""
    mask = solid_tiles(grey)
    if mask is None:
        return []
    ink = cv2.bitwise_and(binarise(grey, dpi), mask)
    finders = find_finders(ink)
    if not 2 <= len(finders) <= MAX_FINDERS:
        return []
    scored: list[tuple[float, tuple[int, int, int], QRCandidate]] = []
    for trio in combinations(range(len(finders)), 3):
        got = _triangle([finders[i] for i in trio])
        if got is not None and _interior_ok(grey, got[1], dpi):
            scored.append((got[0], trio, got[1]))
    used: set[int] = set()
    out = []
    for _, trio, cand in sorted(scored, key=lambda s: s[0]):
        if used.isdisjoint(trio):
            used.update(trio)
            out.append(cand)
    return out + _pairs([f for i, f in enumerate(finders) if i not in used], grey, dpi)


def solid_tiles(grey: np.ndarray) -> np.ndarray | None:
    """A mask (255) of the tiles that hold solid black ink and their neighbours; ``None`` if
    there are none."""
    h, w = grey.shape
    even = grey[: h - h % 2, : w - w % 2]
    small = cv2.resize(even, (w // 2, h // 2), interpolation=cv2.INTER_AREA)  # 2×2 means
    ink, paper = (float(v) for v in np.percentile(small[::4, ::4], INK_PAPER_PERCENTILES))
    dark = (small < ink + SOLID_DARK * (paper - ink)).astype(np.uint8)
    solid = cv2.erode(dark, np.ones((SOLID_HALF_PX, SOLID_HALF_PX), np.uint8))
    half = TILE_PX // 2
    th, tw = -(-solid.shape[0] // half), -(-solid.shape[1] // half)
    padded = np.zeros((th * half, tw * half), np.uint8)
    padded[: solid.shape[0], : solid.shape[1]] = solid
    tiles = padded.reshape(th, half, tw, half).max(axis=(1, 3))
    if not tiles.any():
        return None
    tiles = cv2.dilate(tiles, np.ones((3, 3), np.uint8)) * np.uint8(255)
    mask = cv2.resize(tiles, (tw * TILE_PX, th * TILE_PX), interpolation=cv2.INTER_NEAREST)
    return np.ascontiguousarray(mask[:h, :w])


def find_finders(ink: np.ndarray) -> list[Finder]:
    """Finder patterns in a binarised image (ink = 255).

    The anchor is the solid 3×3-module centre: a blob without holes, square and filled (after
    a one-pixel erosion, which parts a centre from a ring that blur joined to it). Blobs are
    screened all at once on integral images (size, fill, and the rings where the centre's
    size puts them), which keeps a page of halftone dots cheap; the few left are checked with
    rays to the four sides and the rings where the rays found them (:func:`_finder`).
    """
    thin = cv2.erode(ink, cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3)))
    contours, hier = cv2.findContours(thin, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None:
        return []
    h = hier[0]  # rows: next, previous, first child, parent; outer contours have no parent
    leaves = [contours[int(i)] for i in np.flatnonzero((h[:, 3] < 0) & (h[:, 2] < 0))]
    if not leaves:
        return []
    x0, y0, x1, y1 = _bounds(leaves)
    w, hgt = x1 - x0, y1 - y0
    keep = (np.minimum(w, hgt) >= CENTRE_PX[0]) & (np.maximum(w, hgt) <= CENTRE_PX[1])
    keep &= np.maximum(w, hgt) <= CENTRE_SQUARE * np.minimum(w, hgt)
    x0, y0, x1, y1, w, hgt = (v[keep] for v in (x0, y0, x1, y1, w, hgt))
    thin_sum = cv2.integral(thin, sdepth=cv2.CV_32S)
    ok = _rect_sum(thin_sum, x0, y0, x1, y1) >= CENTRE_SOLID * 255 * w * hgt
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    side = (w + hgt) / 2 + 2  # undo the erosion
    ink_sum = cv2.integral(ink, sdepth=cv2.CV_32S)
    for (a, b), (lo, hi) in SCREEN_FRAMES:
        inner = np.round(side * a).astype(np.int32)
        outer = np.maximum(np.round(side * b).astype(np.int32), inner + 1)
        share = _frame_share(ink_sum, cx, cy, inner, outer)
        ok &= (share >= lo) & (share <= hi)
    found = []
    for i in np.flatnonzero(ok):
        finder = _finder(ink, int(cx[i]), int(cy[i]), int(3 * side[i]))
        if finder is not None:
            found.append(finder)
    return found


def _bounds(contours: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Bounding boxes (x0, y0, x1, y1; exclusive ends) of many contours at once."""
    lengths = np.fromiter((len(c) for c in contours), dtype=np.int64, count=len(contours))
    pts = np.concatenate(contours).reshape(-1, 2)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    x0 = np.minimum.reduceat(pts[:, 0], starts)
    y0 = np.minimum.reduceat(pts[:, 1], starts)
    x1 = np.maximum.reduceat(pts[:, 0], starts) + 1
    y1 = np.maximum.reduceat(pts[:, 1], starts) + 1
    return x0, y0, x1, y1


def _rect_sum(
    integral: np.ndarray, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray
) -> np.ndarray:
    """Sums over rectangles [x0, x1) × [y0, y1) (clipped to the image) from an integral image."""
    hh, ww = integral.shape[0] - 1, integral.shape[1] - 1
    x0, x1 = np.clip(x0, 0, ww), np.clip(x1, 0, ww)
    y0, y1 = np.clip(y0, 0, hh), np.clip(y1, 0, hh)
    return (
        integral[y1, x1].astype(np.int64) - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    )


def _frame_share(
    integral: np.ndarray, cx: np.ndarray, cy: np.ndarray, inner: np.ndarray, outer: np.ndarray
) -> np.ndarray:
    """Ink share (ink = 255) of the square frames ``inner`` to ``outer`` px (chessboard
    distance) around pixels (``cx``, ``cy``)."""
    big = _rect_sum(integral, cx - outer + 1, cy - outer + 1, cx + outer, cy + outer)
    small = _rect_sum(integral, cx - inner + 1, cy - inner + 1, cx + inner, cy + inner)
    area = (2 * outer - 1) ** 2 - (2 * inner - 1) ** 2
    return (big - small) / (255.0 * np.maximum(area, 1))


def _finder(ink: np.ndarray, cx: int, cy: int, reach: int) -> Finder | None:
    """The finder centred on pixel (``cx``, ``cy``), checked with rays (see the module)."""
    rays = [r for r in (_ray(ink, cx, cy, dx, dy, reach) for dx, dy in _DIRECTIONS) if r]
    if len(rays) < MIN_GOOD_RAYS:
        return None
    modules = [r[2] / 3.5 for r in rays]
    if max(modules) > RAY_SPREAD * min(modules):
        return None
    e0, e1, e2 = (float(np.mean([r[k] for r in rays])) for k in range(3))
    module = e2 / 3.5
    if 7.0 * module < MIN_FINDER_PX:
        return None
    q1, q2 = FRAME_TRIM * (e1 - e0), FRAME_TRIM * (e2 - e1)
    light = _frame_ink(ink, cx, cy, e0 + q1, e1 - q1)
    dark = _frame_ink(ink, cx, cy, e1 + q2, e2 - q2)
    if light > LIGHT_FRAME_INK or dark < DARK_FRAME_INK:
        return None
    return Finder(cx + 0.5, cy + 0.5, module)


def _frame_ink(ink: np.ndarray, cx: int, cy: int, r_in: float, r_out: float) -> float:
    """Share of ink in the square frame of pixels ``r_in`` to ``r_out`` (chessboard distance)
    from pixel (``cx``, ``cy``)."""
    a = round(r_in)
    b = max(round(r_out), a + 1)
    outer = _box_ink(ink, cx, cy, b)
    inner = _box_ink(ink, cx, cy, a)
    area = outer[1] - inner[1]
    return (outer[0] - inner[0]) / area if area > 0 else 0.0


def _box_ink(ink: np.ndarray, cx: int, cy: int, r: int) -> tuple[int, int]:
    """Ink pixels and pixels less than ``r`` (chessboard distance) from (``cx``, ``cy``)."""
    h, w = ink.shape
    patch = ink[max(cy - r + 1, 0) : min(cy + r, h), max(cx - r + 1, 0) : min(cx + r, w)]
    return int(np.count_nonzero(patch)), int(patch.size)


_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def _ray(ink: np.ndarray, x: int, y: int, dx: int, dy: int, n: int) -> tuple[int, int, int] | None:
    """Walk from the finder centre outwards: ink (centre), paper (light ring), ink (dark
    ring), paper (separator). Returns where the light ring, the dark ring and the separator
    begin (px from the centre), or ``None`` if the runs are not a finder's."""
    h, w = ink.shape
    if dx:
        line = ink[y, x : min(x + n, w)] if dx > 0 else ink[y, max(x - n, 0) : x + 1][::-1]
    else:
        line = ink[y : min(y + n, h), x] if dy > 0 else ink[max(y - n, 0) : y + 1, x][::-1]
    edges = np.flatnonzero(np.diff((line > 0).astype(np.int8))) + 1
    if len(edges) < 3 or line[0] == 0:
        return None
    e0, e1, e2 = int(edges[0]), int(edges[1]), int(edges[2])
    module = e2 / 3.5
    runs = (e0 / 1.5, e1 - e0, e2 - e1)  # in modules ideally 1, 1, 1
    if any(not (lo * module <= r <= hi * module) for r, (lo, hi) in zip(runs, RUNS, strict=True)):
        return None
    return e0, e1, e2


def _pairs(finders: list[Finder], grey: np.ndarray, dpi: float) -> list[QRCandidate]:
    """QR codes with one finder destroyed, from two finders of one size: beside each other
    (the code lies on the side whose ink share is nearer one half) or at opposite corners."""
    out = []
    for a, b in combinations(finders, 2):
        if max(a.module, b.module) > SIZE_SPREAD * min(a.module, b.module):
            continue
        module = (a.module + b.module) / 2
        scored = []
        for corner, ab, ac in _pair_squares(a, b, module):
            cand = QRCandidate(_corners(corner, ab, ac, module), module, finders=2)
            dark = _interior_dark(grey, cand, dpi)
            if INTERIOR_DARK[0] <= dark <= INTERIOR_DARK[1]:
                scored.append((abs(dark - 0.5), cand))
        if scored:
            out.append(min(scored, key=lambda s: s[0])[1])
    return out


def _pair_squares(
    a: Finder, b: Finder, module: float
) -> list[tuple[Finder, np.ndarray, np.ndarray]]:
    """The finder-centre squares (corner, edge, edge) that finders ``a`` and ``b`` can be two
    corners of."""
    pa, v = np.array([a.x, a.y]), np.array([b.x - a.x, b.y - a.y])
    dist = float(np.hypot(*v))
    lo, hi = sorted(float(c) for c in np.abs(v))
    if hi <= 0:
        return []
    if lo <= PAIR_TILT * hi and LEG_MODULES[0] <= dist / module <= LEG_MODULES[1]:
        perp = np.array([-v[1], v[0]])
        return [(a, v, perp), (a, v, -perp)]
    legs = dist / math.sqrt(2) / module
    if lo >= (1 - PAIR_TILT) * hi and LEG_MODULES[0] <= legs <= LEG_MODULES[1]:
        c = pa + v / 2 + np.array([-v[1], v[0]]) / 2
        return [(Finder(float(c[0]), float(c[1]), module), pa - c, pa + v - c)]
    return []


def _triangle(trio: list[Finder]) -> tuple[float, QRCandidate] | None:
    """The QR code whose corner finders are ``trio`` (any order), with a badness score."""
    mods = [f.module for f in trio]
    if max(mods) > SIZE_SPREAD * min(mods):
        return None
    module = float(np.mean(mods))
    best: tuple[float, QRCandidate] | None = None
    for k in range(3):
        a, b, c = trio[k], trio[(k + 1) % 3], trio[(k + 2) % 3]
        ab = np.array([b.x - a.x, b.y - a.y])
        ac = np.array([c.x - a.x, c.y - a.y])
        lab, lac = float(np.hypot(*ab)), float(np.hypot(*ac))
        if min(lab, lac) <= 0 or max(lab, lac) > LEG_SPREAD * min(lab, lac):
            continue
        cos = abs(float(ab @ ac)) / (lab * lac)
        legs = (lab + lac) / 2 / module
        if cos > MAX_CORNER_COS or not (LEG_MODULES[0] <= legs <= LEG_MODULES[1]):
            continue
        badness = cos + abs(lab - lac) / max(lab, lac)
        if best is None or badness < best[0]:
            best = (badness, QRCandidate(_corners(a, ab, ac, module), module))
    return best


def _corners(a: Finder, ab: np.ndarray, ac: np.ndarray, module: float) -> np.ndarray:
    """Symbol corners: the finder-centre square pushed out by 3.5 modules on every side."""
    origin = np.array([a.x, a.y])
    pts = np.array([origin, origin + ab, origin + ab + ac, origin + ac])
    centre = pts.mean(axis=0)
    out = []
    for p in pts:
        d = p - centre
        out.append(p + d / max(float(np.hypot(*d)), 1e-6) * 3.5 * module * math.sqrt(2))
    return np.array(out)


def _interior_ok(grey: np.ndarray, cand: QRCandidate, dpi: float) -> bool:
    return INTERIOR_DARK[0] <= _interior_dark(grey, cand, dpi) <= INTERIOR_DARK[1]


def _interior_dark(grey: np.ndarray, cand: QRCandidate, dpi: float) -> float:
    """Share of ink in the candidate's box."""
    box = cand.bbox.clip(float(grey.shape[1]), float(grey.shape[0]))
    x0, y0 = int(box.x0), int(box.y0)
    patch = grey[y0 : math.ceil(box.y1), x0 : math.ceil(box.x1)]
    if patch.size == 0:
        return 0.0
    return float(np.count_nonzero(binarise(patch, dpi))) / patch.size
