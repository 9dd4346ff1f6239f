"""Seals (章印) of several styles as RGBA pictures, and stamping them onto page rasters.

Styles (sizes are the usual ones on Chinese documents, in millimetres):

* ``round``  — 公章: one ring (~40 mm, ring ~1.1 mm), a five-pointed star, the unit's name along
  the upper arc, sometimes a horizontal line under the star (专用章) and a code on the lower arc;
* ``double`` — a thick outer ring and a thin inner ring, the text inside the inner ring;
* ``oval``   — 财务专用章 / 医师签名章: an ellipse (~45×30 mm), name along the upper arc, a
  horizontal line in the middle, digits along the lower arc;
* ``square`` — a small personal name stamp (~15 mm), 2×2 characters, either red characters in a
  red frame (阳文) or white characters cut out of a red square (阴文);
* ``invoice`` — 发票专用章 / 财务专用章 / 合同专用章 as stamped on invoices and contracts: an
  ellipse (~40×30 mm, ring ~1 mm), the unit's name along the upper arc, the unit's 18-character
  tax number (统一社会信用代码, an identifying number) on a horizontal line across the middle
  and the seal's kind on a line below it;
* ``small`` — a small square stamp of about 1 cm (收讫, a cashier's or checker's name stamp).

Ink is uneven as stamped ink is: a low-frequency field, a pressure gradient across the seal and
speckle multiply the opacity; ``faint`` stamps use a fraction of the ink. :func:`stamp` lays a
seal on a BGR page with a multiply blend (ink darkens what is under it, black text stays black)
and returns the seal's true box, clipped to the page when the seal runs off the edge.
"""

from __future__ import annotations

import io
import math
import random
from functools import lru_cache

import numpy as np
import pymupdf
from PIL import Image, ImageChops, ImageDraw, ImageFont

STYLES: tuple[str, ...] = ("round", "double", "oval", "square", "invoice", "small")
#: ink colours (RGB) of stamp pads: red (印泥 / red pad), blue, purple
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (206, 32, 44),
    "blue": (34, 64, 172),
    "purple": (122, 44, 150),
}
#: drawing happens at this multiple of the target resolution, then is reduced (anti-aliasing)
_SUPERSAMPLE = 2

_UNITS = (
    "江南市第一人民医院", "北河省中医药大学附属医院", "东山县卫生健康局", "西湖区妇幼保健院",
    "南岭市中心医院", "青州医学院附属第二医院", "平安市疾病预防控制中心", "临江县人民医院",
)
_MIDDLE = ("专用章", "财务专用章", "医务处", "人事科", "合同专用章", "")
_NAMES = ("张伟之印", "李秀英印", "王建国印", "刘芳", "陈明", "赵丽华印")
#: the kinds of oval seal on invoices, receipts and contracts
INVOICE_KINDS = ("发票专用章", "财务专用章", "合同专用章")
_TAX_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 统一社会信用代码 characters (no I O S V Z)


def draw_seal(
    style: str,
    rng: random.Random,
    *,
    colour: str = "red",
    dpi: float = 200.0,
    size_mm: tuple[float, float] | None = None,
    faint: bool = False,
    angle: float = 0.0,
) -> np.ndarray:
    """An RGBA (``H×W×4`` uint8, RGB order) picture of one seal, cropped to its outline.

    ``size_mm`` is ``(width, height)`` before the turn by ``angle`` degrees (counter-clockwise).
    """
    w_mm, h_mm = size_mm or _default_size(style, rng)
    scale = dpi / 25.4 * _SUPERSAMPLE  # pixels per mm while drawing
    w, h = max(8, round(w_mm * scale)), max(8, round(h_mm * scale))
    pad = round(2 * scale)
    shape = Image.new("L", (w + 2 * pad, h + 2 * pad), 0)
    box = (pad, pad, pad + w - 1, pad + h - 1)
    if style in ("round", "double", "oval"):
        _draw_ring_seal(shape, box, style, scale, rng)
    elif style == "invoice":
        _draw_invoice_seal(shape, box, scale, rng)
    elif style in ("square", "small"):
        _draw_square_seal(shape, box, scale, rng)
    else:
        raise ValueError(f"unknown seal style {style!r}")
    if angle:
        shape = shape.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    bbox = shape.getbbox()
    if bbox is None:
        raise ValueError("empty seal")
    shape = shape.crop(bbox)
    out_w = max(4, round(shape.width / _SUPERSAMPLE))
    out_h = max(4, round(shape.height / _SUPERSAMPLE))
    small = np.asarray(shape.resize((out_w, out_h), Image.Resampling.BOX), dtype=np.float32)
    alpha = small / 255.0 * _ink(small.shape, rng, faint)
    rgba = np.zeros((out_h, out_w, 4), dtype=np.uint8)
    rgba[:, :, :3] = COLOURS[colour]
    rgba[:, :, 3] = np.clip(alpha * 255.0, 0, 255).astype(np.uint8)
    return rgba


def seal_png(
    style: str,
    rng: random.Random,
    *,
    colour: str = "red",
    dpi: float = 200.0,
    size_mm: tuple[float, float] | None = None,
    faint: bool = False,
    angle: float = 0.0,
) -> bytes:
    """:func:`draw_seal` as PNG bytes (transparent background, RGBA)."""
    rgba = draw_seal(style, rng, colour=colour, dpi=dpi, size_mm=size_mm, faint=faint,
                     angle=angle)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


def stamp(page: np.ndarray, rgba: np.ndarray, x: int, y: int) -> tuple[int, int, int, int]:
    """Press ``rgba`` onto the BGR ``page`` (in place) with its top-left corner at ``(x, y)``.

    Multiply blend: every channel keeps ``1 - alpha·(1 - ink)`` of its value. Returns the seal's
    true box ``(x0, y0, x1, y1)`` clipped to the page (parts off the page are cut, as on a scan
    of a seal stamped across the paper's edge).
    """
    ph, pw = page.shape[:2]
    sh, sw = rgba.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + sw, pw), min(y + sh, ph)
    if x1 <= x0 or y1 <= y0:
        raise ValueError("seal lies off the page")
    part = rgba[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32) / 255.0
    ink_bgr = part[:, :, 2::-1]
    keep = 1.0 - part[:, :, 3:4] * (1.0 - ink_bgr)
    region = page[y0:y1, x0:x1].astype(np.float32)
    page[y0:y1, x0:x1] = np.clip(region * keep, 0, 255).astype(np.uint8)
    return x0, y0, x1, y1


def _default_size(style: str, rng: random.Random) -> tuple[float, float]:
    if style in ("round", "double"):
        d = rng.uniform(36.0, 44.0)
        return d, d
    if style == "oval":
        return rng.uniform(40.0, 46.0), rng.uniform(28.0, 32.0)
    if style == "invoice":
        return rng.uniform(38.0, 44.0), rng.uniform(27.0, 31.0)
    s = rng.uniform(9.0, 11.0) if style == "small" else rng.uniform(12.0, 18.0)
    return s, s * rng.uniform(0.95, 1.05)


def _draw_ring_seal(
    img: Image.Image, box: tuple[int, int, int, int], style: str, scale: float, rng: random.Random
) -> None:
    """Ring(s), arc text, star or middle line, digits on the lower arc (ovals, some rounds)."""
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ring = (0.9 if style == "oval" else 1.1) * scale * rng.uniform(0.9, 1.2)
    if style == "double":
        ring = 1.5 * scale
    d.ellipse(box, outline=255, width=max(1, round(ring)))
    inset = ring
    if style == "double":
        inset = ring + 1.3 * scale
        inner = 0.45 * scale
        d.ellipse((x0 + inset, y0 + inset, x1 - inset, y1 - inset), outline=255,
                  width=max(1, round(inner)))
        inset += inner
    rx, ry = (x1 - x0) / 2 - inset, (y1 - y0) / 2 - inset
    fs = min(rx, ry) * 0.30
    span = rng.uniform(200.0, 250.0) if style != "oval" else rng.uniform(170.0, 200.0)
    _arc_text(img, (cx, cy), (rx - 0.6 * fs - 0.8 * scale, ry - 0.6 * fs - 0.8 * scale),
              rng.choice(_UNITS), fs, -90.0, span)
    if style == "oval":
        middle = rng.choice(_MIDDLE[:4]) or "专用章"
        _line_text(img, (cx, cy + 0.1 * ry), middle, fs * 0.95)
        digits = "".join(str(rng.randrange(10)) for _ in range(10))
        _arc_text(img, (cx, cy), (rx - 0.4 * fs - 0.6 * scale, ry - 0.4 * fs - 0.6 * scale),
                  digits, fs * 0.5, 90.0, 110.0, outward=False)
        return
    _star(d, cx, cy, min(rx, ry) * 0.36)
    middle = rng.choice(_MIDDLE)
    if middle:
        _line_text(img, (cx, cy + 0.55 * ry), middle, fs * 0.75)
    if rng.random() < 0.5:
        digits = "".join(str(rng.randrange(10)) for _ in range(13))
        _arc_text(img, (cx, cy), (rx - 0.35 * fs - 0.6 * scale, ry - 0.35 * fs - 0.6 * scale),
                  digits, fs * 0.4, 90.0, 80.0, outward=False)


def tax_number(rng: random.Random) -> str:
    """A made-up 18-character unified social credit code (统一社会信用代码) of a company."""
    return "91" + "".join(str(rng.randrange(10)) for _ in range(6)) + "".join(
        rng.choice(_TAX_CHARS) for _ in range(10))


def _draw_invoice_seal(
    img: Image.Image, box: tuple[int, int, int, int], scale: float, rng: random.Random
) -> None:
    """An invoice, finance or contract seal: ring, the unit along the upper arc, the tax number
    on a horizontal line across the middle, the kind on a line below."""
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ring = scale * rng.uniform(0.8, 1.1)
    d.ellipse(box, outline=255, width=max(1, round(ring)))
    rx, ry = (x1 - x0) / 2 - ring, (y1 - y0) / 2 - ring
    unit = rng.choice(_UNITS) + rng.choice(("有限公司", "", "药业有限公司"))
    span = rng.uniform(165.0, 195.0)
    ts = np.radians(np.linspace(-90.0 - span / 2, -90.0 + span / 2, 181))
    arc = float(np.hypot(np.diff(0.8 * rx * np.cos(ts)), np.diff(0.8 * ry * np.sin(ts))).sum())
    fs = min(ry * 0.34, arc / (1.1 * len(unit)))
    _arc_text(img, (cx, cy), (rx - 0.6 * fs - 0.8 * scale, ry - 0.6 * fs - 0.8 * scale),
              unit, fs, -90.0, span)
    number = tax_number(rng)
    _line_text(img, (cx, cy + 0.08 * ry), number, min(ry * 0.26, 2.3 * rx / len(number)))
    _line_text(img, (cx, cy + 0.52 * ry), rng.choice(INVOICE_KINDS), ry * 0.27)


def _draw_square_seal(
    img: Image.Image, box: tuple[int, int, int, int], scale: float, rng: random.Random
) -> None:
    """2×2 characters read right column first; framed (阳文) or cut out of a filled square."""
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    name = rng.choice(_NAMES)
    if len(name) == 2:
        name = name + "之印"
    filled = rng.random() < 0.5
    frame = 0.9 * scale
    d.rectangle(box, fill=255 if filled else 0, outline=255, width=max(1, round(frame)))
    cw, ch = (x1 - x0 - 2 * frame) / 2, (y1 - y0 - 2 * frame) / 2
    order = ((1, 0), (1, 1), (0, 0), (0, 1))  # column, row: right column read first
    glyphs = Image.new("L", img.size, 0)
    for k, (col, row) in enumerate(order):
        gx = x0 + frame + (col + 0.5) * cw
        gy = y0 + frame + (row + 0.5) * ch
        _line_text(glyphs, (gx, gy), name[k], min(cw, ch) * 0.92)
    if filled:
        img.paste(ImageChops.subtract(img, glyphs))
    else:
        img.paste(ImageChops.lighter(img, glyphs))


def _arc_text(
    img: Image.Image,
    centre: tuple[float, float],
    radii: tuple[float, float],
    text: str,
    fs: float,
    mid_deg: float,
    span_deg: float,
    outward: bool = True,
) -> None:
    """Characters spread over ``span_deg`` of an ellipse around ``mid_deg`` (screen angles,
    clockwise), tops pointing outwards (upper arc) or inwards (lower arc, read left to right)."""
    cx, cy = centre
    rx, ry = radii
    font = _font(max(4, round(fs)))
    sign = 1.0 if outward else -1.0
    params = _equal_arc_params(rx, ry, mid_deg - sign * span_deg / 2, sign * span_deg, len(text))
    for ch, t in zip(text, params, strict=True):
        px, py = cx + rx * math.cos(t), cy + ry * math.sin(t)
        normal = math.degrees(math.atan2(math.sin(t) / max(ry, 1.0), math.cos(t) / max(rx, 1.0)))
        turn = normal + 90.0 if outward else normal - 90.0
        _glyph(img, (px, py), ch, font, -turn)


def _equal_arc_params(
    rx: float, ry: float, start_deg: float, sweep_deg: float, n: int
) -> list[float]:
    """Parameters (radians) of ``n`` points spaced evenly by arc length along an ellipse."""
    ts = np.radians(start_deg + sweep_deg * np.linspace(0.0, 1.0, 721))
    steps = np.hypot(np.diff(rx * np.cos(ts)), np.diff(ry * np.sin(ts)))
    length = np.concatenate(([0.0], np.cumsum(steps)))
    targets = (np.arange(n) + 0.5) / n * length[-1]
    return [float(v) for v in np.interp(targets, length, ts)]


def _line_text(img: Image.Image, centre: tuple[float, float], text: str, fs: float) -> None:
    font = _font(max(4, round(fs)))
    d = ImageDraw.Draw(img)
    d.text(centre, text, fill=255, font=font, anchor="mm")


def _glyph(
    img: Image.Image, at: tuple[float, float], ch: str, font: ImageFont.FreeTypeFont, ccw: float
) -> None:
    size = int(font.size * 1.6) + 4
    tile = Image.new("L", (size, size), 0)
    ImageDraw.Draw(tile).text((size / 2, size / 2), ch, fill=255, font=font, anchor="mm")
    tile = tile.rotate(ccw, resample=Image.Resampling.BICUBIC)
    left, top = round(at[0] - size / 2), round(at[1] - size / 2)
    region = img.crop((left, top, left + size, top + size))
    img.paste(ImageChops.lighter(region, tile), (left, top))


def _star(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    pts = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.38
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    d.polygon(pts, fill=255)


def _ink(shape: tuple[int, ...], rng: random.Random, faint: bool) -> np.ndarray:
    """Opacity field: low-frequency blotches × a pressure gradient × speckle."""
    h, w = shape[:2]
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    low = 0.35 if faint else 0.6
    coarse = nrng.uniform(low, 1.0, size=(5, 5)).astype(np.float32)
    field = np.asarray(Image.fromarray(coarse).resize((w, h), Image.Resampling.BICUBIC))
    direction = nrng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    proj = ((xx / max(w, 1) - 0.5) * math.cos(direction)
            + (yy / max(h, 1) - 0.5) * math.sin(direction))
    gradient = 1.0 - nrng.uniform(0.0, 0.5 if faint else 0.3) * (proj + 0.5)
    speckle = nrng.uniform(0.7, 1.0, size=(h, w)).astype(np.float32)
    opacity = rng.uniform(0.35, 0.5) if faint else rng.uniform(0.8, 1.0)
    return np.clip(field * gradient * speckle * opacity, 0.0, 1.0).astype(np.float32)


@lru_cache(maxsize=32)
def _font(px: int) -> ImageFont.FreeTypeFont:
    """Droid Sans Fallback (the CJK font built into PyMuPDF) at ``px`` pixels."""
    return ImageFont.truetype(io.BytesIO(_font_bytes()), px)


@lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    return bytes(pymupdf.Font("cjk").buffer)
