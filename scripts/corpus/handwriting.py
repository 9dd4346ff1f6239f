"""Handwritten signatures for test pages and the corpus generator.

A :class:`Signature` is a set of pen strokes in millimetres — points plus the pen width at each
point, so pressure shows — with an ink colour, a pen and a style:

* ``cursive``  — a Chinese name signed as one connected scrawl (连笔): two or three groups of
                 garlands and loops running left to right, a pen lift or two;
* ``cjk``      — two or three separately written Chinese-like characters, each built from short
                 pen strokes (横 竖 撇 捺 点 提 横折) in a single, left-right or top-bottom layout;
                 sometimes semi-cursive (thin ligatures join the strokes of a character);
* ``latin``    — a Latin-script signature: a tall looped capital, cursive lowercase with ascender
                 and descender loops, an i-dot, often a flourish underneath;
* ``initials`` — two or three capitals drawn from letter skeletons, each with a full stop.

The path is built with Catmull-Rom splines through control points (letters from a trochoid:
``x = X + v·s + r·sin θ`` loops back at the top when ``2πr > v``), then perturbed by a smooth
tremor, slanted (shear) and tilted a little. Pens: ballpoint (thin, uneven ink, skips), gel
(even) and fountain (wide, strong pressure variation). Inks: black, blue-black, blue.

:meth:`Signature.rgba` draws the strokes at 4× and reduces with area averaging (anti-aliased,
fractional widths); :meth:`Signature.polylines` gives short pieces with their own widths for
vector drawing in PDFs (:meth:`Signature.draw_pdf`). Everything random comes from the caller's
``random.Random``, so a seed reproduces a signature.

>>> import random
>>> sig = make_signature(random.Random(3), style="cjk", height_mm=10)
>>> sig.rgba(200).shape[2], 10.0 < sig.height_mm < 11.5
(4, True)
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

STYLES: tuple[str, ...] = ("cursive", "cjk", "latin", "initials")
#: RGB inks: black gel/ballpoint, blue-black (fountain pen ink), blue ballpoint
INKS: dict[str, tuple[int, int, int]] = {
    "black": (28, 28, 34),
    "blue-black": (30, 40, 82),
    "blue": (32, 64, 172),
}
#: pen → (nominal width range mm, pressure variation 0..1, uneven ink)
PENS: dict[str, tuple[tuple[float, float], float, bool]] = {
    "ballpoint": ((0.28, 0.5), 0.25, True),
    "gel": ((0.4, 0.7), 0.3, False),
    "fountain": ((0.5, 0.95), 0.6, False),
}
SUPERSAMPLE = 4
#: pen width of a ligature (the hand passing from one stroke to the next) over a stroke's
LIGATURE_WEIGHT = 0.4
MM_PER_PT = 25.4 / 72.0


@dataclass(frozen=True, slots=True)
class Stroke:
    """One pen-down movement: ``points`` (N×2, mm, y down) and the pen width there (N, mm)."""

    points: np.ndarray
    widths: np.ndarray


@dataclass(frozen=True, slots=True)
class Polyline:
    """A piece of a stroke for vector drawing: points in the caller's unit, one width."""

    points: list[tuple[float, float]]
    width: float


@dataclass(frozen=True, slots=True)
class Signature:
    strokes: tuple[Stroke, ...]
    ink: tuple[int, int, int]
    style: str
    pen: str
    #: ink density along each stroke (1 = full), per point; ballpoints are uneven
    density: tuple[np.ndarray, ...]
    width_mm: float
    height_mm: float

    def rgba(self, dpi: float) -> np.ndarray:
        """The signature as an ``H×W×4`` RGBA ``uint8`` array (transparent background)."""
        px = dpi / 25.4
        w = max(1, math.ceil(self.width_mm * px))
        h = max(1, math.ceil(self.height_mm * px))
        ss = SUPERSAMPLE
        cov = np.zeros((h * ss, w * ss), np.uint8)
        for stroke, dens in zip(self.strokes, self.density, strict=True):
            pts = np.round(stroke.points * px * ss).astype(np.int32)
            thick = np.maximum(1, np.round(stroke.widths * px * ss)).astype(int)
            for i in range(len(pts) - 1):
                value = int(255 * min(dens[i], dens[i + 1]))
                cv2.line(cov, tuple(pts[i]), tuple(pts[i + 1]), value, int(thick[i]), cv2.LINE_8)
        alpha = cv2.resize(cov, (w, h), interpolation=cv2.INTER_AREA)
        out = np.empty((h, w, 4), np.uint8)
        out[:, :, :3] = self.ink
        out[:, :, 3] = alpha
        return out

    def png(self, dpi: float) -> bytes:
        buf = io.BytesIO()
        Image.fromarray(self.rgba(dpi), "RGBA").save(buf, format="PNG")
        return buf.getvalue()

    def polylines(
        self, x: float = 0.0, y: float = 0.0, unit_per_mm: float = 1 / MM_PER_PT, piece: int = 6
    ) -> list[Polyline]:
        """Stroke pieces of ``piece`` segments, offset by ``(x, y)`` and scaled to the caller's
        unit (points by default); each piece has the mean pen width of its points."""
        out: list[Polyline] = []
        for s in self.strokes:
            n = len(s.points)
            for i in range(0, max(n - 1, 1), piece):
                seg = s.points[i : min(i + piece + 1, n)]
                wid = float(s.widths[i : min(i + piece + 1, n)].mean()) * unit_per_mm
                pts = [(x + float(p[0]) * unit_per_mm, y + float(p[1]) * unit_per_mm) for p in seg]
                if len(pts) == 1:
                    pts.append((pts[0][0] + 0.01, pts[0][1]))
                out.append(Polyline(pts, wid))
        return out

    def draw_pdf(self, page: object, x_pt: float, y_pt: float, scale: float = 1.0) -> None:
        """Draw as vector lines (round caps and joins) on a PyMuPDF page at ``(x_pt, y_pt)``."""
        shape = page.new_shape()  # type: ignore[attr-defined]
        colour = tuple(c / 255 for c in self.ink)
        for pl in self.polylines(x_pt, y_pt, scale / MM_PER_PT):
            shape.draw_polyline(pl.points)
            shape.finish(color=colour, width=pl.width, lineCap=1, lineJoin=1, closePath=False)
        shape.commit()


# -- building ------------------------------------------------------------------------------


def make_signature(
    rng: random.Random,
    style: str | None = None,
    ink: str | None = None,
    pen: str | None = None,
    height_mm: float | None = None,
    box_mm: tuple[float, float] | None = None,
    slant_deg: float | None = None,
) -> Signature:
    """A random signature. ``box_mm`` (width, height) scales it to fit that box; otherwise it
    is ``height_mm`` tall (random 7–16 mm when not given)."""
    style = style or rng.choice(STYLES)
    pen = pen or rng.choice(tuple(PENS))
    ink_name = ink or rng.choice(tuple(INKS))
    builders = {"cursive": _cursive, "cjk": _cjk, "latin": _latin, "initials": _initials}
    if style not in builders:
        raise ValueError(f"unknown style {style!r}; one of {STYLES}")
    paths = [_weighted(p) for p in builders[style](rng)]
    slant = rng.uniform(5.0, 22.0) if slant_deg is None else slant_deg
    tilt = math.radians(rng.uniform(-5.0, 5.0))
    paths = _fit([_transform(p, slant, tilt) for p in paths], rng, height_mm, box_mm)
    (wmin, wmax), var, uneven = PENS[pen]
    nominal = rng.uniform(wmin, wmax)
    strokes = [_stroke(_tremor(_resample(p, 0.08), rng), nominal, var, rng) for p in paths]
    pad = max(float(s.widths.max()) for s in strokes) / 2 + 0.3
    strokes = [Stroke(s.points + pad, s.widths) for s in strokes]
    density = tuple(_density(len(s.points), uneven, rng) for s in strokes)
    w = max(float(s.points[:, 0].max()) for s in strokes) + pad
    h = max(float(s.points[:, 1].max()) for s in strokes) + pad
    base = INKS[ink_name]
    tint = tuple(int(min(255, max(0, c + rng.randint(-8, 8)))) for c in base)
    return Signature(tuple(strokes), (tint[0], tint[1], tint[2]), style, pen, density, w, h)


def _fit(
    paths: list[np.ndarray],
    rng: random.Random,
    height_mm: float | None,
    box_mm: tuple[float, float] | None,
) -> list[np.ndarray]:
    """Scale the paths to the requested size (mm), the ink's top-left at the origin."""
    allp = np.vstack([p[:, :2] for p in paths])
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    ext = np.maximum(hi - lo, 1e-6)
    if box_mm is not None:
        k = min(box_mm[0] / ext[0], box_mm[1] / ext[1])
    else:
        k = (height_mm or rng.uniform(7.0, 16.0)) / ext[1]
    return [np.column_stack([(p[:, :2] - lo) * k, p[:, 2]]) for p in paths]


def _stroke(path: np.ndarray, nominal: float, var: float, rng: random.Random) -> Stroke:
    """Give the (densely sampled) ``path`` a pressure profile: press, wander, lift; its third
    column lightens the pen where the hand only passes (ligatures)."""
    pts = path[:, :2]
    n = len(pts)
    t = np.linspace(0.0, 1.0, n)
    attack = 1.0 - np.exp(-t * rng.uniform(8, 25))
    lift = 1.0 - np.exp(-(1.0 - t) * rng.uniform(4, 20)) * rng.uniform(0.3, 0.8)
    wander = 1.0 + var * 0.5 * np.sin(2 * np.pi * (t * rng.uniform(0.5, 3.0) + rng.random()))
    pressure = np.clip((0.55 + 0.45 * attack) * lift * wander, 0.25, 1.6)
    return Stroke(pts, nominal * (1.0 - var * 0.5 + var * 0.5 * pressure) * path[:, 2])


def _density(n: int, uneven: bool, rng: random.Random) -> np.ndarray:
    if not uneven:
        return np.full(n, rng.uniform(0.92, 1.0))
    t = np.arange(n) / max(n, 1)
    d = 0.85 + 0.12 * np.sin(2 * np.pi * (t * rng.uniform(2, 9) + rng.random()))
    for _ in range(rng.randint(0, 3)):  # ballpoint skips
        c = rng.random()
        d *= 1.0 - 0.4 * np.exp(-(((t - c) * n / 12.0) ** 2))
    return np.clip(d, 0.5, 1.0)


def _resample(path: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` mm along ``path`` (x, y, weight)."""
    seg = np.linalg.norm(np.diff(path[:, :2], axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if s[-1] <= step:
        return np.vstack([path[0], path[-1] + [0.05, 0.02, 0.0]])
    u = np.linspace(0.0, s[-1], max(2, int(s[-1] / step) + 1))
    return np.column_stack([np.interp(u, s, path[:, j]) for j in range(3)])


def _weighted(path: np.ndarray) -> np.ndarray:
    """``path`` as (x, y, pen weight); weight 1 unless given."""
    return path if path.shape[1] == 3 else np.column_stack([path, np.ones(len(path))])


def _spline(ctrl: list[tuple[float, float]] | np.ndarray, per: int = 12) -> np.ndarray:
    """Catmull-Rom through ``ctrl`` (ends repeated)."""
    p = np.asarray(ctrl, dtype=float)
    if len(p) < 3:
        return p
    p = np.vstack([p[0], p, p[-1]])
    t = np.linspace(0.0, 1.0, per, endpoint=False)[:, None]
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    out.append(p[-2][None, :])
    return np.vstack(out)


def _transform(path: np.ndarray, slant_deg: float, tilt: float) -> np.ndarray:
    """Right-leaning slant (tops move right) and a small tilt of the whole line."""
    x = path[:, 0] - path[:, 1] * math.tan(math.radians(slant_deg))
    y = path[:, 1]
    c, s = math.cos(tilt), math.sin(tilt)
    return np.column_stack([c * x - s * y, s * x + c * y, path[:, 2]])


def _tremor(path: np.ndarray, rng: random.Random) -> np.ndarray:
    """A smooth wobble of a few hundredths of a millimetre (hands are not plotters); ``path``
    is sampled densely, in mm."""
    if len(path) < 4:
        return path
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path[:, :2], axis=0), axis=1))])
    out = path.copy()
    for _ in range(2):
        wave = rng.uniform(2.0, 6.0)
        a = rng.uniform(0.02, 0.07)
        ph = 2 * np.pi * arc / wave
        out[:, 0] += a * np.sin(ph + rng.random() * 6)
        out[:, 1] += a * np.cos(ph + rng.random() * 6)
    return out


# -- styles (units: x-height ≈ 1 before fitting; y grows downwards) -------------------------


def _trochoid(
    rng: random.Random, x0: float, cycles: list[tuple[float, float, float]]
) -> np.ndarray:
    """Letters as one movement: per cycle ``(advance, height, loop radius)``; a negative
    height makes a descender. Returns points (the baseline is y = 0)."""
    pts = []
    x = x0
    for adv, height, r in cycles:
        for k in range(24):
            th = 2 * math.pi * k / 24
            pts.append((x + adv * k / 24 + r * math.sin(th), -height * (1 - math.cos(th)) / 2))
        x += adv
    pts.append((x, 0.0))
    return np.asarray(pts)


def _cursive(rng: random.Random) -> list[np.ndarray]:
    """Two or three scrawled 'characters', each a burst of loops, mostly run together."""
    paths: list[np.ndarray] = []
    current: list[np.ndarray] = []
    x = 0.0
    for _ in range(rng.randint(2, 3)):
        n = rng.randint(2, 5)
        big = rng.uniform(1.2, 2.0)
        cycles = []
        for _ in range(n):
            h = big * rng.uniform(0.5, 1.0) * (-0.7 if rng.random() < 0.15 else 1.0)
            cycles.append((rng.uniform(0.5, 1.1), h, rng.uniform(0.1, 0.35)))
        seg = _trochoid(rng, x, cycles)
        seg[:, 1] += rng.uniform(-0.3, 0.3)
        x = float(seg[-1, 0]) + rng.uniform(0.1, 0.6)
        current.append(seg)
        if rng.random() < 0.35:  # pen lift between characters
            paths.append(np.vstack(current))
            current = []
    if current:
        paths.append(np.vstack(current))
    if rng.random() < 0.5:
        paths.append(_flourish(rng, 0.0, x))
    return paths


def _latin(rng: random.Random) -> list[np.ndarray]:
    """A looped capital, cursive lowercase, an i-dot, maybe a flourish."""
    cap_h = rng.uniform(2.0, 3.0)
    cap = _spline(
        [(0.6, 0.0), (0.2, -cap_h * 0.5), (0.5, -cap_h), (1.1, -cap_h * 0.8), (0.9, -cap_h * 0.3),
         (0.4, -0.2), (0.9, -0.1), (1.3, -0.6)],
        10,
    )
    cycles = []
    for _ in range(rng.randint(4, 8)):
        u = rng.random()
        if u < 0.2:
            cycles.append((rng.uniform(0.4, 0.7), rng.uniform(1.8, 2.4), rng.uniform(0.15, 0.3)))
        elif u < 0.3:
            cycles.append((rng.uniform(0.4, 0.7), -rng.uniform(1.0, 1.4), rng.uniform(0.15, 0.3)))
        else:
            cycles.append((rng.uniform(0.6, 1.0), rng.uniform(0.8, 1.1), rng.uniform(0.05, 0.2)))
    body = _trochoid(rng, 1.3, cycles)
    paths = [np.vstack([cap, body])]
    end = float(body[-1, 0])
    if rng.random() < 0.6:
        dx = rng.uniform(1.5, end - 0.5) if end > 2.0 else end / 2
        paths.append(_spline([(dx, -1.6), (dx + 0.12, -1.7), (dx + 0.2, -1.62)], 4))
    if rng.random() < 0.6:
        paths.append(_flourish(rng, 0.2, end))
    return paths


def _flourish(rng: random.Random, x0: float, x1: float) -> np.ndarray:
    y = rng.uniform(0.4, 0.9)
    return _spline(
        [(x1 + 0.2, -0.3), (x1 + 0.5, y * 0.5), ((x0 + x1) / 2, y + rng.uniform(-0.1, 0.2)),
         (x0 - 0.2, y + rng.uniform(0.0, 0.3))],
        14,
    )


_LETTERS: dict[str, list[list[tuple[float, float]]]] = {
    "L": [[(0.15, 0.0), (0.1, 1.0), (0.9, 0.95)]],
    "Z": [[(0.1, 0.05), (0.9, 0.0), (0.1, 1.0), (0.95, 0.95)]],
    "W": [[(0.0, 0.0), (0.25, 1.0), (0.5, 0.3), (0.75, 1.0), (1.0, 0.0)]],
    "M": [[(0.0, 1.0), (0.1, 0.0), (0.5, 0.7), (0.9, 0.0), (1.0, 1.0)]],
    "N": [[(0.1, 1.0), (0.1, 0.0), (0.9, 1.0), (0.9, 0.0)]],
    "H": [[(0.1, 0.0), (0.1, 1.0)], [(0.9, 0.0), (0.9, 1.0)], [(0.05, 0.55), (0.95, 0.45)]],
    "J": [[(0.2, 0.0), (0.95, 0.0)], [(0.65, 0.0), (0.65, 0.8), (0.45, 1.0), (0.1, 0.85)]],
    "Y": [[(0.0, 0.0), (0.5, 0.5), (1.0, 0.0)], [(0.5, 0.5), (0.5, 1.0)]],
    "C": [[(0.9, 0.15), (0.6, 0.0), (0.2, 0.15), (0.05, 0.5), (0.2, 0.9), (0.6, 1.0), (0.9, 0.85)]],
    "S": [[(0.85, 0.1), (0.5, 0.0), (0.15, 0.2), (0.3, 0.45), (0.75, 0.55), (0.85, 0.85),
           (0.5, 1.0), (0.1, 0.9)]],
    "D": [[(0.15, 0.0), (0.15, 1.0)], [(0.1, 0.0), (0.6, 0.05), (0.9, 0.5), (0.6, 0.95),
                                       (0.1, 1.0)]],
    "G": [[(0.9, 0.15), (0.5, 0.0), (0.1, 0.3), (0.15, 0.85), (0.55, 1.0), (0.9, 0.8),
           (0.9, 0.55), (0.55, 0.55)]],
    "T": [[(0.0, 0.05), (1.0, 0.0)], [(0.5, 0.0), (0.45, 1.0)]],
    "X": [[(0.0, 0.0), (1.0, 1.0)], [(1.0, 0.0), (0.0, 1.0)]],
    "Q": [[(0.5, 0.0), (0.1, 0.3), (0.15, 0.8), (0.5, 1.0), (0.9, 0.7), (0.85, 0.2), (0.5, 0.0)],
          [(0.55, 0.7), (1.0, 1.1)]],
}


def _initials(rng: random.Random) -> list[np.ndarray]:
    """Two or three capitals, each followed by a full stop."""
    paths: list[np.ndarray] = []
    x = 0.0
    for letter in rng.sample(sorted(_LETTERS), rng.randint(2, 3)):
        w = rng.uniform(1.4, 2.2)
        h = rng.uniform(2.4, 3.0)
        for part in _LETTERS[letter]:
            ctrl = [(x + px * w + rng.uniform(-0.08, 0.08), -h + py * h + rng.uniform(-0.08, 0.08))
                    for px, py in part]
            paths.append(_spline(ctrl, 10))
        x += w + rng.uniform(0.3, 0.5)
        paths.append(_spline([(x, -0.1), (x + 0.1, -0.05), (x + 0.12, 0.0)], 3))
        x += rng.uniform(0.4, 0.8)
    return paths


def _cjk(rng: random.Random) -> list[np.ndarray]:
    """Two or three characters in roughly square cells, each built from pen strokes."""
    paths: list[np.ndarray] = []
    size = 3.0
    cursive = rng.random() < 0.4
    x = 0.0
    for _ in range(rng.choice((2, 3, 3))):
        cell = (x, -size, x + size * rng.uniform(0.85, 1.05), 0.0)
        layout = rng.choice(("single", "lr", "lr", "tb"))
        parts = _split(cell, layout, rng)
        char_strokes: list[np.ndarray] = []
        for part in parts:
            char_strokes.extend(_radical(part, rng))
        paths.extend(_ligatures(char_strokes) if cursive else char_strokes)
        x = cell[2] + size * rng.uniform(0.12, 0.3)
    return paths


Box = tuple[float, float, float, float]


def _split(cell: Box, layout: str, rng: random.Random) -> list[Box]:
    x0, y0, x1, y1 = cell
    if layout == "lr":
        xm = x0 + (x1 - x0) * rng.uniform(0.35, 0.48)
        return [(x0, y0 + 0.1, xm - 0.1, y1 - 0.1), (xm + 0.1, y0, x1, y1)]
    if layout == "tb":
        ym = y0 + (y1 - y0) * rng.uniform(0.38, 0.5)
        return [(x0 + 0.2, y0, x1 - 0.2, ym - 0.08), (x0, ym + 0.08, x1, y1)]
    return [cell]


def _radical(box: Box, rng: random.Random) -> list[np.ndarray]:
    """Two to six strokes in ``box``: horizontals stacked, a vertical, a 撇/捺 pair, dots."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    out: list[np.ndarray] = []
    nh = rng.randint(1, 3)
    for i in range(nh):  # 横: rising left to right, a little bowed
        y = y0 + h * (0.15 + 0.7 * (i + rng.uniform(0.2, 0.8)) / nh)
        a, b = x0 + w * rng.uniform(0.0, 0.2), x1 - w * rng.uniform(0.0, 0.2)
        rise = (b - a) * math.tan(math.radians(rng.uniform(3.0, 9.0)))
        out.append(_spline([(a, y), ((a + b) / 2, y - rise / 2 - 0.06), (b, y - rise)], 8))
        if rng.random() < 0.25:  # 横折
            out[-1] = np.vstack([out[-1], _spline([(b, y - rise), (b - 0.1, y + h * 0.35)], 6)])
    if rng.random() < 0.8:  # 竖, sometimes with a hook
        xv = x0 + w * rng.uniform(0.35, 0.65)
        ctrl = [(xv, y0 + h * rng.uniform(0.0, 0.1)), (xv + 0.05, y0 + h * 0.5), (xv, y1)]
        if rng.random() < 0.4:
            ctrl.append((xv - w * 0.15, y1 - h * 0.12))
        out.append(_spline(ctrl, 8))
    if rng.random() < 0.5:  # 撇 and 捺
        cx, cy = x0 + w * rng.uniform(0.4, 0.6), y0 + h * rng.uniform(0.2, 0.45)
        out.append(_spline([(cx, cy), (cx - w * 0.2, cy + h * 0.3), (x0, y1 - h * 0.05)], 8))
        out.append(_spline([(cx + 0.05, cy + h * 0.1), (cx + w * 0.25, cy + h * 0.4), (x1, y1)], 8))
    for _ in range(rng.randint(0, 2)):  # 点 / 提
        px, py = x0 + w * rng.uniform(0.1, 0.9), y0 + h * rng.uniform(0.05, 0.9)
        d = min(w, h) * rng.uniform(0.12, 0.22)
        if rng.random() < 0.6:
            out.append(_spline([(px, py), (px + d * 0.6, py + d), (px + d * 0.7, py + d * 1.1)], 4))
        else:
            out.append(_spline([(px, py), (px + d * 1.4, py - d * 0.7)], 4))
    return out


def _ligatures(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Semi-cursive: the strokes of a character joined end to start in one movement."""
    if not strokes:
        return []
    joined = [_weighted(strokes[0])]
    for s in strokes[1:]:
        a, b = joined[-1][-1, :2], s[0]
        mid = (a + b) / 2 + np.array([0.1, -0.15])
        link = _spline([tuple(a), tuple(mid), tuple(b)], 6)
        joined.append(np.column_stack([link, np.full(len(link), LIGATURE_WEIGHT)]))
        joined.append(_weighted(s))
    return [np.vstack(joined)]
