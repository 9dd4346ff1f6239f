"""QR codes and barcodes for tests and the corpus generator, and pages that carry them.

Symbols are drawn as grey ``uint8`` arrays (0 = ink, 255 = paper) at a whole number of pixels per
module, with the quiet zone the caller asks for (:func:`symbol_image`; :func:`to_rgba` makes
coloured ink on a transparent background, :func:`symbol_png` PNG bytes):

* QR codes with segno (UTF-8 payloads, error level and version as asked; no silent error boost);
* Code 128, EAN-13, Code 39, Data Matrix and PDF417 from zxing-cpp's writer (one pixel per
  module), scaled up here with ``np.repeat`` so that edges stay sharp.

:func:`damage` spoils a symbol the way paper does (ink blot, scratches, fading, a smear across
a 1-D code). :func:`code_page` lays codes on an A4 page among CJK text (lines stop a few
millimetres before a code, so codes sit right next to text), optionally with a ruled form
(check boxes, 回/国/图) and pictures (halftone, ID photo, red seal), and scans it with
:func:`scripts.corpus.scan.scan_canvas` (rotation, skew, blur, noise, tint, JPEG). The truth box
of a code is its symbol (without quiet zone) in the final raster's pixels.

``python -m scripts.corpus.codes`` measures :mod:`service.detect.marks.codes` on random pages
(recall, decoded payloads, regions on pages without codes, time per page); the figures are in
that module's docstring.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

import numpy as np
import segno
import zxingcpp
from PIL import Image

from scripts.corpus.canvas import Canvas, Items, Rect, text_width
from scripts.corpus.scan import ScanOptions, scan_canvas

#: symbol kinds this module draws → (detector ``kind``, zxing-cpp format name as read back)
KINDS: dict[str, tuple[str, str]] = {
    "qr": ("qr", "QRCode"),
    "code128": ("barcode", "Code128"),
    "ean13": ("barcode", "EAN13"),
    "code39": ("barcode", "Code39"),
    "datamatrix": ("datamatrix", "DataMatrix"),
    "pdf417": ("pdf417", "PDF417"),
}
_ZX_FORMATS = {
    "code128": zxingcpp.BarcodeFormat.Code128,
    "ean13": zxingcpp.BarcodeFormat.EAN13,
    "code39": zxingcpp.BarcodeFormat.Code39,
    "datamatrix": zxingcpp.BarcodeFormat.DataMatrix,
    "pdf417": zxingcpp.BarcodeFormat.PDF417,
}
_LINEAR = ("code128", "ean13", "code39")
#: bar height of a 1-D code in modules when the caller gives none (≈ 12 mm at 0.33 mm modules)
_BAR_HEIGHT_MODULES = 36
POINTS_PER_INCH = 72.0


def qr_modules(payload: str, error: str = "m", version: int | None = None) -> np.ndarray:
    """The QR symbol as a boolean module matrix (``True`` = dark), without quiet zone."""
    qr = segno.make(
        payload, error=error, version=version, encoding="utf-8", micro=False, boost_error=False
    )
    return np.array(qr.matrix, dtype=bool)


def modules(kind: str, payload: str, error: str = "m", version: int | None = None) -> np.ndarray:
    """A symbol's dark modules (rows × columns); a 1-D code is one row."""
    if kind == "qr":
        return qr_modules(payload, error, version)
    bc = zxingcpp.create_barcode(payload, _ZX_FORMATS[kind])
    img = np.asarray(bc.to_image(scale=1, add_quiet_zones=False))
    if kind in _LINEAR:
        return img[img.shape[0] // 2 : img.shape[0] // 2 + 1] < 128
    return img < 128


def symbol_image(
    kind: str,
    payload: str,
    module_px: int = 4,
    border: int = 4,
    error: str = "m",
    version: int | None = None,
    bar_height: int | None = None,
) -> np.ndarray:
    """A symbol as a grey image: ``module_px`` pixels a module, ``border`` quiet modules around
    (1-D codes get ``max(border, 10)`` at the sides), bars ``bar_height`` modules tall."""
    mod = modules(kind, payload, error, version)
    if kind in _LINEAR:
        mod = np.repeat(mod, bar_height or _BAR_HEIGHT_MODULES, axis=0)
        side = max(border, 10)
        mod = np.pad(mod, ((border, border), (side, side)))
    else:
        mod = np.pad(mod, border)
    img = np.where(mod, 0, 255).astype(np.uint8)
    return np.repeat(np.repeat(img, module_px, axis=0), module_px, axis=1)


def symbol_png(
    kind: str,
    payload: str,
    module_px: int = 4,
    border: int = 4,
    error: str = "m",
    ink: tuple[int, int, int] = (0, 0, 0),
) -> bytes:
    """A symbol as PNG bytes: ``ink``-coloured modules on a transparent background."""
    return png_bytes(to_rgba(symbol_image(kind, payload, module_px, border, error), ink))


def to_rgba(img: np.ndarray, ink: tuple[int, int, int] = (0, 0, 0)) -> np.ndarray:
    """A grey symbol as RGBA: ``ink``-coloured modules on a transparent background (grey
    levels in between become partly transparent ink)."""
    out = np.zeros((*img.shape, 4), np.uint8)
    out[:, :, :3] = ink
    out[:, :, 3] = 255 - img
    return out


def png_bytes(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def damage(img: np.ndarray, rng: random.Random, how: str, module_px: int) -> np.ndarray:
    """A copy with damage that defeats decoding but leaves the three finder patterns.

    ``"blot"``: an ink blot over the middle; ``"scratch"``: white streaks through the data;
    ``"wash"``: the middle third faded out; ``"smear"``: an ink band across all bars of a 1-D
    code.
    """
    out = img.copy()
    h, w = out.shape[:2]
    if how == "blot":
        cy, cx = h // 2, w // 2
        r = int(min(h, w) * rng.uniform(0.22, 0.28))
        yy, xx = np.ogrid[:h, :w]
        out[(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = 20
    elif how == "scratch":
        for k in range(5):
            y = int(h * (0.35 + 0.07 * k))
            out[y : y + 2 * module_px, int(w * 0.3) : int(w * 0.95)] = 255
        out[int(h * 0.3) : int(h * 0.95), int(w * 0.45) : int(w * 0.45) + 3 * module_px] = 255
    elif how == "wash":
        out[h // 3 : 2 * h // 3, w // 4 : w] = 255
    elif how == "smear":  # ink run down a band of a 1-D code: every scan line is broken
        out[:, int(w * 0.45) : int(w * 0.58)] = 30
    else:
        raise ValueError(f"unknown damage {how!r}")
    return out


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """One code to put on a page: ``size_px`` is its symbol width at 200 dpi."""

    kind: str
    payload: str
    size_px: float
    error: str = "m"
    damage: str | None = None
    turn: int = 0  # the symbol itself turned clockwise on the page (0/90/180/270)
    ink: tuple[int, int, int] = (0, 0, 0)  # RGB of the modules (printed on the paper)


@dataclass(frozen=True, slots=True)
class PlacedCode:
    spec: CodeSpec
    bbox: Rect  # symbol without quiet zone, final raster px
    decodable: bool


@dataclass(eq=False)  # compared and hashed by identity (pages are cached in tests)
class CodePage:
    image: np.ndarray  # BGR uint8
    dpi: int
    orientation: int
    codes: list[PlacedCode] = field(default_factory=list)


_SENTENCES = (
    "申请人长期从事心血管内科临床工作，熟练掌握冠心病介入诊疗技术。",
    "近五年主持省级科研课题两项，以第一作者发表核心期刊论文八篇。",
    "任现职以来完成住院患者诊治三千余人次，无医疗差错及事故发生。",
    "积极参与科室教学查房与规培带教，指导研究生完成课题设计与答辩。",
    "在重症病例会诊、疑难病例讨论中提出诊疗意见，获得同行一致认可。",
    "本人承诺所提交的全部材料真实有效，如有虚假愿承担相应责任。",
)


def _symbol_png(spec: CodeSpec, rng: random.Random, module_px: int) -> bytes:
    """PNG of the symbol with a 2-module quiet zone (10 at the ends of a 1-D code)."""
    img = symbol_image(spec.kind, spec.payload, module_px, border=2, error=spec.error)
    if spec.damage:
        img = damage(img, rng, spec.damage, module_px)
    if spec.turn:
        img = np.ascontiguousarray(np.rot90(img, -spec.turn // 90))
    return png_bytes(to_rgba(img, spec.ink))


def _place(canvas: Canvas, spec: CodeSpec, x: float, y: float, rng: random.Random) -> Rect:
    """Put a code with its top-left symbol corner at (x, y) pt; returns the symbol rect in pt."""
    mod = modules(spec.kind, spec.payload, spec.error)
    linear = spec.kind in _LINEAR
    rows, cols = (_BAR_HEIGHT_MODULES if linear else mod.shape[0]), mod.shape[1]
    module_pt = spec.size_px / cols * POINTS_PER_INCH / 200.0
    module_px = max(2, int(np.ceil(module_pt * 200.0 / POINTS_PER_INCH)))
    bh, bw = 2, (10 if linear else 2)
    if spec.turn in (90, 270):
        rows, cols, bh, bw = cols, rows, bw, bh
    m = module_pt
    canvas.image(
        (x - bw * m, y - bh * m, x + (cols + bw) * m, y + (rows + bh) * m),
        _symbol_png(spec, rng, module_px),
    )
    return (x, y, x + cols * m, y + rows * m)


def code_page(
    specs: list[CodeSpec],
    rng: random.Random,
    opts: ScanOptions | None = None,
    table: bool = False,
    pictures: bool = False,
) -> CodePage:
    """An A4 page with ``specs`` placed down its upper two thirds among paragraphs of CJK text;
    ``table`` adds a ruled form with check boxes below them, ``pictures`` a halftone picture,
    an ID photo and a red seal (things a code detector must leave alone)."""
    opts = opts or ScanOptions(noise=False)
    canvas = Canvas()
    rects: list[Rect] = []
    y = 150.0
    for spec in specs:
        r = _place(canvas, spec, rng.uniform(60.0, 340.0), y, rng)
        rects.append(r)
        y = r[3] + rng.uniform(36.0, 60.0)
    if pictures:
        rects.extend(_pictures(canvas, rng, y))
    if table:
        rects.append(_form(canvas))
    _text_around(canvas, rects, rng)
    scan = scan_canvas(canvas, opts, rng)
    img = scan.image if scan.image.ndim == 3 else np.repeat(scan.image[:, :, None], 3, axis=2)
    img = np.ascontiguousarray(img[:, :, ::-1])  # scans are RGB; pages are BGR
    placed = []
    for spec, r in zip(specs, rects, strict=False):
        x0, y0, x1, y1 = scan.box(list(r))
        placed.append(PlacedCode(spec, (x0, y0, x1, y1), spec.damage is None))
    return CodePage(img, opts.dpi, opts.orientation, placed)


def _form(canvas: Canvas) -> Rect:
    """A ruled form at the bottom of the page, with check boxes and boxed characters."""
    rows: list[list[Items]] = [
        ["姓名", "某某", "性别", "□男 ■女"],
        ["国籍", "中国", "回避", "□是 ■否"],
        ["证件号码", "1101011990030777", "图片", "▣ 已上传"],
        ["工作单位", "某某医院", "科室", "心血管内科"],
        ["联系电话", "13800000000", "邮编", "100000"],
    ]
    bottom = canvas.table(60.0, 640.0, [90.0, 150.0, 90.0, 145.0], rows, row_h=24.0)
    return (60.0, 640.0, 535.0, bottom)


def _pictures(canvas: Canvas, rng: random.Random, y: float) -> list[Rect]:
    """A halftone picture, an ID photo and a red seal side by side at ``y``."""
    y = min(y, 470.0)
    half = (60.0, y, 230.0, y + 120.0)
    canvas.image(half, png_bytes(halftone(rng, 340, 240)))
    photo = (250.0, y, 340.0, y + 120.0)
    canvas.photo(photo, rng)
    canvas.seal(440.0, y + 60.0, "某某医院医务处", rng)
    return [half, photo, (390.0, y + 10.0, 490.0, y + 110.0)]


def halftone(rng: random.Random, w: int, h: int, period: int = 6) -> np.ndarray:
    """A newspaper-style picture: a smooth random scene printed as a 45° screen of dots."""
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    scene = nrng.random((h // 40 + 2, w // 40 + 2)).astype(np.float32)
    scene = np.asarray(Image.fromarray(scene).resize((w, h), Image.Resampling.BICUBIC))
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    u, v = (xx + yy) / np.sqrt(2), (xx - yy) / np.sqrt(2)
    cell = np.hypot((u % period) - period / 2, (v % period) - period / 2) / (period / 2)
    return np.where(cell < np.clip(scene, 0, 1) * 1.2, 0, 255).astype(np.uint8)


def _text_around(canvas: Canvas, rects: list[Rect], rng: random.Random) -> None:
    """Lines of text over the whole page that stop 6 pt before any code or picture and resume
    after it."""
    canvas.text(297.0, 80.0, "专业技术职务任职资格申报材料", size=16, align="center")
    size, gap, y = 10.5, 6.0, 112.0
    while y < 800.0:
        top, bottom = y - size, y + size * 0.3
        x = 60.0
        blocks = sorted(
            (r[0] - gap, r[2] + gap) for r in rects if r[1] - gap < bottom and r[3] + gap > top
        )
        for bx0, bx1 in [*blocks, (535.0, 535.0)]:
            _fill(canvas, x, min(bx0, 535.0), y, size, rng)
            x = max(x, bx1)
        y += size * 1.6


def _fill(canvas: Canvas, x0: float, x1: float, y: float, size: float, rng: random.Random) -> None:
    text = rng.choice(_SENTENCES)
    while text and text_width(text, size) > x1 - x0:
        text = text[:-1]
    if text:
        canvas.text(x0, y, text, size=size)


# ---- measurement (python -m scripts.corpus.codes) -------------------------------------------
_SWEEP_KINDS = (
    ("qr",) * 11 + ("code128",) * 3 + ("code39", "ean13", "ean13", "datamatrix", "pdf417")
)


def random_spec(rng: random.Random) -> CodeSpec:
    """A code as found on application materials: verification QR codes (URL or identity text),
    barcodes of report or record numbers, at realistic print sizes (modules ≥ 0.25 mm)."""
    kind = rng.choice(_SWEEP_KINDS)
    if kind == "qr":
        payload = rng.choice(
            (
                f"https://verify.example.cn/c?id={rng.randrange(10**9)}",
                f"姓名:某某;证号:{rng.randrange(10**17, 10**18)}",
                f"{rng.randrange(10**17, 10**18)}",
                "核验码"
                + "".join(rng.choice("ABCDEFGH0123456789") for _ in range(rng.randint(8, 60))),
            )
        )
        n = qr_modules(payload, error := rng.choice("lmqh")).shape[1]
        size = max(rng.uniform(60.0, 200.0), 2.0 * n)
        dmg = rng.choice(("blot", "scratch", "wash")) if rng.random() < 0.15 else None
        return CodeSpec("qr", payload, size, error, dmg)
    payload = {
        "code128": f"BL-{rng.randrange(10**6, 10**9)}",
        "code39": f"ZY{rng.randrange(10**5, 10**7)}",
        "ean13": _ean13(rng),
        "datamatrix": f"DM{rng.randrange(10**8)}",
        "pdf417": f"PDF417 {rng.randrange(10**10)}",
    }[kind]
    n = modules(kind, payload).shape[1]
    turn = 90 if kind in _LINEAR and rng.random() < 0.2 else 0
    return CodeSpec(kind, payload, n * rng.uniform(2.0, 3.2), turn=turn)


def _ean13(rng: random.Random) -> str:
    digits = [6, 9] + [rng.randrange(10) for _ in range(10)]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits)) + str(check)


def random_scan(rng: random.Random) -> ScanOptions:
    return ScanOptions(
        orientation=rng.choice((0, 90, 180, 270)),
        skew=round(rng.uniform(-1.5, 1.5), 2),
        noise=True,
        blur=rng.random() < 0.4,
        grayscale=rng.random() < 0.3,
        paper=rng.choice(("white", "cream", "gray", "blue")),
        jpeg_quality=rng.choice((60, 70, 85, None)),
    )


def coverage(truth: Rect, box: Rect) -> float:
    ix = max(0.0, min(truth[2], box[2]) - max(truth[0], box[0]))
    iy = max(0.0, min(truth[3], box[3]) - max(truth[1], box[1]))
    area = (truth[2] - truth[0]) * (truth[3] - truth[1])
    return ix * iy / area if area > 0 else 0.0


def _main(pages: int = 50, negatives: int = 30, seed: int = 7) -> None:
    import time
    from collections import Counter

    from service.detect.marks.codes import find_codes

    rng = random.Random(seed)
    stats: Counter[str] = Counter()
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(pages):
        page = code_page([random_spec(rng), random_spec(rng)], rng, random_scan(rng))
        t, c = time.perf_counter(), time.process_time()
        found = find_codes(page.image, page.dpi, page.orientation)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        boxes = [(f.bbox.x0, f.bbox.y0, f.bbox.x1, f.bbox.y1) for f in found]
        for pc in page.codes:
            key = pc.spec.kind + ("-damaged" if pc.spec.damage else "")
            hit = [f for f, b in zip(found, boxes, strict=True) if coverage(pc.bbox, b) >= 0.98]
            stats[key + " total"] += 1
            stats[key + " located"] += bool(hit)
            fmt = KINDS[pc.spec.kind][1]
            stats[key + " decoded"] += any(
                f.payload == pc.spec.payload and f.format == fmt for f in hit
            )
        stats["extra regions"] += max(0, len(found) - len(page.codes))
    for i in range(negatives):
        page = code_page([], rng, random_scan(rng), table=i % 2 == 0, pictures=i % 3 != 2)
        t, c = time.perf_counter(), time.process_time()
        stats["negative regions"] += len(find_codes(page.image, page.dpi, page.orientation))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    for k in sorted(stats):
        print(f"{k:28s} {stats[k]}")
    for name, ts in (("wall", times), ("cpu", cpu)):
        ms = sorted(1000 * t for t in ts)
        print(f"{name} time per page: median {ms[len(ms) // 2]:.0f} ms, max {ms[-1]:.0f} ms")


if __name__ == "__main__":
    _main()
