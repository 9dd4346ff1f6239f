"""Seals on greyscale scans: A4 pages at 200 dpi with CJK text and a table, red/blue/purple seals
stamped over the text, then the page scanned in grey (luminance), with sensor noise, blur, skew
±2°, JPEG and quarter turns; and grey pages of print that has circles or rings of its own —
tables, circled numbers, round photos, QR codes, looped signatures, pie and donut charts, Venn
diagrams — that must come back without seals.

``python -m tests.detect.marks.test_seals_grey [N [FIRST [NEGATIVES [DOCUMENTS]]]]`` runs the
sweep: recall over N random seals (from seal FIRST), false positives on NEGATIVES grey scans of
each kind of print, seals and false positives on DOCUMENTS generated application documents
(:mod:`scripts.corpus`) scanned grey, CPU time per page. It is not part of the test run.
"""

from __future__ import annotations

import io
import math
import random
import sys
import time
from dataclasses import dataclass, replace
from functools import lru_cache

import cv2
import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw

from scripts.corpus.identity import make_identity
from scripts.corpus.kinds import KINDS, build_canvas
from scripts.corpus.marks import drawn_portrait, qr_png, signature_strokes
from scripts.corpus.scan import ScanOptions, scan_canvas
from scripts.corpus.seals import draw_seal, stamp
from service.detect.marks.base import MarkPage
from service.detect.marks.seals import SealDetector
from service.detect.marks.seals_grey import is_grey
from service.types import BBox, PageText, Region
from tests.detect.marks.test_seals import matches  # one coverage rule for both seal paths

DPI = 200
_BODY = (
    "兹证明申请人于二零一五年七月毕业于医学院临床医学专业，取得医学学士学位，"
    "同年进入本院内科工作，历任住院医师、主治医师，工作期间认真负责，业务能力突出，"
    "近五年来共完成门诊诊疗一万余人次，主持院级科研课题两项，发表论文三篇，"
    "现申请晋升副主任医师专业技术职务任职资格，特此证明。"
)
_BLACK = (0.0, 0.0, 0.0)
#: print that has circles or rings but is no seal (pages that must come back without regions)
NEGATIVES = ("text", "table", "circled", "photos", "qr", "signature", "pie", "donut", "venn")
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # BGR, channels equal (a greyscale scan)
    truths: list[Box]  # true seal boxes on the final raster
    orientation: int
    dpi: int = DPI


@dataclass(frozen=True)
class Seal:
    """A seal to stamp: ``at`` is its top-left corner (px of the upright page at 200 dpi; may
    lie off the page), ``size`` its width and height (mm) before the turn by ``angle``."""

    style: str
    at: tuple[float, float]
    colour: str = "red"
    faint: bool = False
    angle: float = 0.0
    size: tuple[float, float] | None = None


@dataclass(frozen=True)
class Scan:
    """How the page was scanned: paper grey level, noise σ, blur, skew (°, counter-clockwise),
    JPEG quality, quarter turn (clockwise)."""

    paper: int = 255
    noise: float = 5.0
    blur: bool = False
    skew: float = 0.0
    jpeg: int | None = None
    orientation: int = 0


# --- pages ------------------------------------------------------------------------------------


def _grey(level: float) -> tuple[float, float, float]:
    return (level, level, level)


def _body(page: pymupdf.Page, y: float, rows: int, x: float = 60, width: int = 30) -> float:
    text = _BODY * 6
    for row in range(rows):
        page.insert_text((x, y + row * 22), text[row * width : (row + 1) * width],
                         fontname="china-s", fontsize=14)
    return y + rows * 22


def _table(page: pymupdf.Page, top: float, rows: int = 7, shade: bool = False) -> float:
    text = _BODY * 3
    if shade:  # a grey header row, as a coloured one comes out of a grey scan
        page.draw_rect(pymupdf.Rect(60, top, 535, top + 26), color=None, fill=_grey(0.6))
    for r in range(rows + 1):
        page.draw_line((60, top + r * 26), (535, top + r * 26), color=_BLACK, width=0.8)
    for r in range(rows):
        for c in range(4):
            cell = text[r * 8 + c * 2 : r * 8 + c * 2 + 5]
            page.insert_text((68 + c * 120, top + r * 26 + 18), cell, fontname="china-s",
                             fontsize=12)
    for c in range(5):
        page.draw_line((60 + c * 118.75, top), (60 + c * 118.75, top + rows * 26), color=_BLACK,
                       width=0.8)
    return top + rows * 26


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _round_photo(seed: int) -> bytes:
    """A portrait cut to a disc (RGBA), as on a badge or a team page."""
    img = drawn_portrait(random.Random(seed)).convert("RGBA").resize((300, 300))
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, 299, 299), fill=255)
    img.putalpha(mask)
    return _png(img)


def _circled(page: pymupdf.Page, y: float) -> None:
    """Circled numbers in the text, rings drawn round characters, bullet circles."""
    for row in range(6):
        page.insert_text((60, y + row * 26), "①②③④⑤○◎●" if row % 2 else "⑥⑦⑧⑨⑩○◎",
                         fontname="china-s", fontsize=15)
        page.insert_text((240, y + row * 26), _BODY[row * 12 : row * 12 + 12],
                         fontname="china-s", fontsize=14)
    for k in range(4):  # a ring round a heading character, drawn and in grey
        c = pymupdf.Point(120 + k * 110, y + 190)
        page.draw_circle(c, 14 + 4 * k, color=_grey(0.2 + 0.2 * k), width=1.2)
        page.insert_text((c.x - 7, c.y + 5), "审", fontname="china-s", fontsize=14)


def _charts(page: pymupdf.Page, y: float, kind: str) -> None:
    """Pie charts (sectors in greys with outlines; outline only with radial lines and labels),
    donut charts, Venn diagrams; with labels in and around them."""
    for k in range(3):
        c = pymupdf.Point(130 + k * 170, y + 75)
        r = 40 + 8 * k
        if kind == "pie":
            _pie(page, c, r, filled=k != 1)
        elif kind == "donut":
            _pie(page, c, r, filled=True)
            page.draw_circle(c, r * (0.55 + 0.1 * k), color=None, fill=(1, 1, 1))
            page.insert_text((c.x - 14, c.y + 5), "占比", fontname="china-s", fontsize=12)
        else:  # venn: two or three grey outlined circles, labels inside
            for j in range(2 + (k == 2)):
                ang = 2 * math.pi * j / (2 + (k == 2))
                cj = pymupdf.Point(c.x + 0.45 * r * math.cos(ang), c.y + 0.45 * r * math.sin(ang))
                page.draw_circle(cj, 0.8 * r, color=_grey(0.35 + 0.15 * j), width=1.4)
                page.insert_text((cj.x - 12, cj.y + 4), "组别", fontname="china-s", fontsize=11)
        page.insert_text((c.x - 30, c.y + r + 22), f"图{k + 1} 构成", fontname="china-s",
                         fontsize=11)


def _pie(page: pymupdf.Page, c: pymupdf.Point, r: float, filled: bool) -> None:
    shares = (0.35, 0.25, 0.2, 0.12, 0.08)
    start = -90.0
    for i, s in enumerate(shares):
        a0, a1 = math.radians(start), math.radians(start + 360 * s)
        pts = [c] + [pymupdf.Point(c.x + r * math.cos(t), c.y + r * math.sin(t))
                     for t in np.linspace(a0, a1, 24)]
        fill = _grey(0.3 + 0.13 * i) if filled else None
        page.draw_polyline([*pts, c], color=_grey(0.15 if filled else 0.45), fill=fill,
                           width=0.8, closePath=True)
        if not filled:
            mid = (a0 + a1) / 2
            page.insert_text((c.x + 0.55 * r * math.cos(mid) - 8, c.y + 0.55 * r * math.sin(mid)),
                             f"{round(s * 100)}%", fontsize=8)
        start += 360 * s


def _extras(page: pymupdf.Page, kind: str, y: float) -> None:
    """The print of a negative page's ``kind`` in a band from ``y`` down."""
    if kind == "circled":
        _circled(page, y)
    elif kind in ("pie", "donut", "venn"):
        _charts(page, y, kind)
    elif kind == "photos":
        for k in range(3):
            page.insert_image(pymupdf.Rect(70 + k * 170, y, 170 + k * 170, y + 100),
                              stream=_round_photo(k))
    elif kind == "qr":
        for k, payload in enumerate(("https://example.org/cert/2024/0001", "证书编号 A1B2C3")):
            page.insert_image(pymupdf.Rect(80 + k * 250, y, 180 + k * 250, y + 100),
                              stream=qr_png(payload))
    elif kind == "signature":
        rng = random.Random(5)
        for k, level in enumerate((0.0, 0.4, 0.55)):  # black, blue-black and blue ballpoint
            for stroke in signature_strokes(rng, 70 + k * 160, y + 10, 140, 60):
                page.draw_polyline([pymupdf.Point(*p) for p in stroke], color=_grey(level),
                                   width=1.2)


@lru_cache(maxsize=16)
def _page(kind: str = "text", dpi: int = DPI) -> np.ndarray:
    """An A4 page (grey, ``uint8``): body text, a table and the print of ``kind``."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y = _body(page, 90, 10)
    if kind == "table":
        y = _table(page, y + 10, 12, shade=True)
    else:
        _extras(page, kind, y + 10)
        y += 240
    y = _body(page, y + 30, 6)
    _table(page, y + 10, 7, shade=kind == "text")
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3)
    return np.ascontiguousarray(rgb[:, :, ::-1])


_TURN = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def _turn_box(box: tuple[float, ...], orientation: int, w: int, h: int) -> tuple[float, ...]:
    x0, y0, x1, y1 = box
    if orientation == 90:
        return h - y1, x0, h - y0, x1
    if orientation == 180:
        return w - x1, h - y1, w - x0, h - y0
    if orientation == 270:
        return y0, w - x1, y1, w - x0
    return box


def scanned(img: np.ndarray, truths: list[Box], scan: Scan, seed: int, dpi: int = DPI) -> Sample:
    """``img`` (BGR, upright) scanned in grey as ``scan`` says; truths mapped along."""
    rng = np.random.default_rng(seed)
    g: np.ndarray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32) * (scan.paper / 255)
    if scan.blur:
        g = cv2.GaussianBlur(g, (3, 3), 0.8)
    h, w = g.shape
    boxes = [tuple(float(v) for v in t) for t in truths]
    if scan.skew:
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), scan.skew, 1.0)
        g = cv2.warpAffine(g, rot, (w, h), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=float(scan.paper))
        boxes = [_skew_box(b, rot, w, h) for b in boxes]
    g += rng.normal(0.0, scan.noise, size=g.shape).astype(np.float32)
    out = np.clip(g, 0, 255).astype(np.uint8)
    if scan.jpeg:
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, scan.jpeg])[1],
                           cv2.IMREAD_GRAYSCALE)
    if scan.orientation:
        out = cv2.rotate(out, _TURN[scan.orientation])
    final: list[Box] = []
    for b in boxes:
        x0, y0, x1, y1 = (round(v) for v in _turn_box(b, scan.orientation, w, h))
        final.append((x0, y0, x1, y1))
    return Sample(cv2.cvtColor(out, cv2.COLOR_GRAY2BGR), final, scan.orientation, dpi)


def _skew_box(box: tuple[float, ...], rot: np.ndarray, w: int, h: int) -> tuple[float, ...]:
    """The box of a seal turned by the skew: a seal is round, so its box keeps its size and
    moves with its centre (the hull of the turned corners would be too large)."""
    x0, y0, x1, y1 = box
    cx, cy = rot @ np.array([(x0 + x1) / 2, (y0 + y1) / 2, 1.0])
    hw, hh = (x1 - x0) / 2, (y1 - y0) / 2
    return max(0.0, cx - hw), max(0.0, cy - hh), min(float(w), cx + hw), min(float(h), cy + hh)


def sealed(seed: int, seals: list[Seal], scan: Scan, kind: str = "text", dpi: int = DPI
           ) -> Sample:
    """A grey scan of a page of ``kind`` with ``seals`` stamped on it."""
    rng = random.Random(seed)
    img = _page(kind, dpi).copy()
    truths: list[Box] = []
    for seal in seals:
        rgba = draw_seal(seal.style, rng, colour=seal.colour, faint=seal.faint, angle=seal.angle,
                         dpi=dpi, size_mm=seal.size)
        x, y = (round(v * dpi / DPI) for v in seal.at)
        truths.append(stamp(img, rgba, x, y))
    return scanned(img, truths, scan, seed, dpi)


def document(seed: int, kind: str) -> Sample:
    """A generated application document of ``kind`` (:mod:`scripts.corpus`: certificates,
    forms, clinical records with their seals, photos, tables, red headings, handwriting)
    scanned in grey at 200 dpi, with random skew, blur, paper, JPEG and turn."""
    rng = random.Random(seed)
    canvas = build_canvas(kind, make_identity(rng), rng)
    opts = replace(ScanOptions.random(rng, rng.choice((0, 90, 180, 270))), grayscale=True)
    scan = scan_canvas(canvas, opts, rng)
    img = scan.image if scan.image.ndim == 3 else cv2.cvtColor(scan.image, cv2.COLOR_GRAY2BGR)
    truths: list[Box] = []
    for m in canvas.marks:
        if m["category"] == "seal":
            x0, y0, x1, y1 = (round(v) for v in scan.box(m["bbox"]))
            truths.append((x0, y0, x1, y1))
    return Sample(np.ascontiguousarray(img), truths, opts.orientation)


# --- checks -----------------------------------------------------------------------------------


def detect(sample: Sample) -> list[Region]:
    page = MarkPage(image=sample.image, dpi=sample.dpi, orientation=sample.orientation,
                    text=PageText())
    return SealDetector().detect(page)


def assert_found(sample: Sample, regions: list[Region]) -> None:
    for truth in sample.truths:
        assert any(matches(r.bbox, truth) for r in regions), (truth, [r.bbox for r in regions])
    assert len(regions) == len(sample.truths), [r.bbox for r in regions]
    for r in regions:
        assert r.category == "seal" and r.source == "mark" and 0 < r.score <= 1
        assert r.rule in ("seal.round", "seal.oval", "seal.partial")
        assert "grey ink" in r.explanation and not any(ch in r.explanation for ch in _BODY)


# --- tests ------------------------------------------------------------------------------------

_JPEG = Scan(paper=245, noise=6.0, jpeg=75)


def test_grey_pages_are_told_from_colour_pages() -> None:
    page = _page()
    grey = sealed(1, [Seal("round", (900, 500))], _JPEG)
    assert is_grey(MarkPage(grey.image, DPI))
    # a colour scan of black print: independent noise in each channel averages out
    rng = np.random.default_rng(1)
    noisy = np.clip(page.astype(np.float32) + rng.normal(0, 9, page.shape), 0, 255)
    assert is_grey(MarkPage(noisy.astype(np.uint8), DPI))
    # a red seal, even a faint one, makes the page a colour page (the colour path reads it)
    coloured = page.copy()
    stamp(coloured, draw_seal("round", random.Random(2), faint=True), 900, 500)
    assert not is_grey(MarkPage(coloured, DPI))


@pytest.mark.parametrize(("style", "colour", "at", "rule"), [
    ("round", "red", (900, 500), "seal.round"),
    ("double", "blue", (300, 650), "seal.round"),
    ("oval", "purple", (1000, 700), "seal.oval"),
    ("oval", "red", (200, 2000), "seal.oval"),  # over the table
    ("round", "purple", (700, 1150), "seal.round"),  # on blank paper
])
def test_seals_over_text_in_each_style_and_colour(style: str, colour: str,
                                                  at: tuple[int, int], rule: str) -> None:
    sample = sealed(3, [Seal(style, at, colour, angle=8)], _JPEG)
    regions = detect(sample)
    assert_found(sample, regions)
    assert regions[0].rule == rule


@pytest.mark.parametrize(("style", "seed", "at"), [
    ("round", 4, (700, 500)), ("oval", 5, (300, 1100)), ("double", 6, (1100, 600)),
])
def test_faint_seals(style: str, seed: int, at: tuple[int, int]) -> None:
    scan = Scan(paper=232, noise=7.0, blur=True, jpeg=70)
    sample = sealed(seed, [Seal(style, at, faint=True, angle=-12)], scan)
    assert_found(sample, detect(sample))


@pytest.mark.parametrize(("at", "orientation"), [
    ((-120, 600), 0), ((1450, 1500), 90), ((800, -110), 180), ((-150, -100), 270),
])
def test_seals_cut_off_at_the_page_edge(at: tuple[int, int], orientation: int) -> None:
    scan = Scan(paper=245, noise=5.0, jpeg=60, orientation=orientation)
    sample = sealed(7, [Seal("round", at)], scan)
    regions = detect(sample)
    assert_found(sample, regions)
    assert regions[0].rule == "seal.partial"


@pytest.mark.parametrize(("orientation", "skew"), [(90, 2.0), (180, -1.5), (270, 1.0)])
def test_skewed_and_turned_scans(orientation: int, skew: float) -> None:
    scan = Scan(paper=240, noise=8.0, blur=True, skew=skew, jpeg=85, orientation=orientation)
    sample = sealed(8, [Seal("oval", (1000, 1800), angle=3), Seal("double", (250, 400), "blue")],
                    scan)
    assert_found(sample, detect(sample))


@pytest.mark.parametrize(("style", "size"), [
    ("round", (16.0, 16.0)), ("round", (50.0, 50.0)), ("double", (22.0, 22.0)),
    ("oval", (24.0, 16.0)),
])
def test_seal_sizes(style: str, size: tuple[float, float]) -> None:
    sample = sealed(9, [Seal(style, (800, 600), size=size)], _JPEG)
    assert_found(sample, detect(sample))


@pytest.mark.parametrize("dpi", [150, 300])
def test_other_resolutions(dpi: int) -> None:
    sample = sealed(10, [Seal("round", (900, 1700)), Seal("oval", (250, 300), "blue")], _JPEG,
                    dpi=dpi)
    assert_found(sample, detect(sample))


@pytest.mark.parametrize(("seed", "kind"), [
    (21, "qualification_cert"), (22, "award_cert"), (23, "workload"), (24, "paper"),
])
def test_generated_documents_scanned_in_grey(seed: int, kind: str) -> None:
    sample = document(seed, kind)
    regions = detect(sample)
    assert_found(sample, regions)


@pytest.mark.parametrize("kind", NEGATIVES)
@pytest.mark.parametrize(("scan", "seed"), [
    (Scan(paper=255, noise=4.0, jpeg=None), 11),
    (Scan(paper=240, noise=9.0, blur=True, skew=1.5, jpeg=60, orientation=90), 12),
])
def test_print_with_circles_is_no_seal(kind: str, scan: Scan, seed: int) -> None:
    assert detect(sealed(seed, [], scan, kind)) == []


# --- sweep (python -m tests.detect.marks.test_seals_grey) ---------------------------------------


def _random_case(i: int) -> tuple[Seal, Scan, str]:
    """Seal ``i`` of the sweep (``i`` ≥ 100000: a second sample, kept for development)."""
    rng = random.Random(5000 + i)
    style = rng.choices(("round", "double", "oval"), (45, 25, 30))[0]
    colour = rng.choices(("red", "blue", "purple"), (70, 15, 15))[0]
    faint, angle = rng.random() < 0.25, rng.uniform(-25, 25)
    size: tuple[float, float] | None = None
    if rng.random() < 0.3:  # sizes over the whole range of ring seals (ovals ≥ 12 mm wide)
        d = rng.uniform(16, 50) if style != "oval" else rng.uniform(20, 50)
        size = (d, d) if style != "oval" else (d, d * rng.uniform(0.6, 0.75))
    h, w = _page().shape[:2]
    span = 330  # a default seal's extent (px)
    cut = rng.random() < 0.2
    if cut:
        side = rng.choice("lrtb")
        keep = rng.uniform(0.45, 0.75) * span
        along = rng.uniform(0.1, 0.8)
        at = {"l": (keep - span, along * h), "r": (w - keep, along * h),
              "t": (along * w, keep - span), "b": (along * w, h - keep)}[side]
        size = None
    else:
        at = (rng.uniform(60, w - span - 60), rng.uniform(60, h - span - 60))
    scan = Scan(paper=rng.choice((255, 245, 232)), noise=rng.uniform(3, 9), blur=rng.random() < 0.4,
                skew=rng.uniform(-2, 2), jpeg=rng.choice((None, 60, 70, 85)),
                orientation=rng.choice((0, 90, 180, 270)))
    label = f"{style}/{colour}{'/faint' if faint else ''}{'/cut' if cut else ''}"
    return Seal(style, at, colour, faint, angle, size), scan, f"{label} {scan}"


def _timed(sample: Sample, times: list[float]) -> list[Region]:
    t0 = time.process_time()
    regions = detect(sample)
    times.append(time.process_time() - t0)
    return regions


def _seal_sweep(n: int, first: int, times: list[float]) -> None:
    hits, extra, misses = 0, 0, []
    by_kind: dict[str, list[int]] = {}
    for i in range(first, first + n):
        seal, scan, label = _random_case(i)
        sample = sealed(i, [seal], scan)
        regions = _timed(sample, times)
        ok = any(matches(r.bbox, sample.truths[0]) for r in regions)
        hits += ok
        extra += sum(not matches(r.bbox, sample.truths[0]) for r in regions)
        kinds = [seal.style] + [k for k in ("faint", "cut") if f"/{k}" in label]
        for kind in kinds + (["jpeg"] if scan.jpeg else []):
            by_kind.setdefault(kind, [0, 0])[0] += ok
            by_kind[kind][1] += 1
        if not ok:
            misses.append(f"{i}: {label} {[r.bbox for r in regions]} {sample.truths}")
    print(f"recall {hits}/{n}; extra regions on seal pages {extra}")
    print("by kind:", ", ".join(f"{k} {h}/{t}" for k, (h, t) in sorted(by_kind.items())))
    print("missed:", *misses, sep="\n  ")


def _negative_sweep(per_kind: int, times: list[float]) -> None:
    fp, found_on = 0, []
    for k, kind in enumerate(NEGATIVES):
        for j in range(per_kind):
            rng = random.Random(900 + 100 * k + j)
            scan = Scan(paper=rng.choice((255, 240)), noise=rng.uniform(3, 9),
                        blur=j % 2 == 1, skew=rng.uniform(-2, 2), jpeg=(None, 60, 75, 85)[j % 4],
                        orientation=(0, 90, 180, 270)[j % 4])
            found = _timed(sealed(k * 100 + j, [], scan, kind), times)
            fp += len(found)
            found_on += [f"{kind}/{j}: {[r.bbox for r in found]}"] if found else []
    print(f"false positives on {per_kind * len(NEGATIVES)} grey print pages: {fp}",
          *found_on, sep="\n  ")


def _document_sweep(n: int, times: list[float]) -> None:
    hits, seals, fp = 0, 0, 0
    for i in range(n):
        sample = document(7000 + i, KINDS[i % len(KINDS)])
        found = _timed(sample, times)
        seals += len(sample.truths)
        hits += sum(any(matches(r.bbox, t) for r in found) for t in sample.truths)
        fp += sum(not any(r.bbox.intersects(BBox(*map(float, t))) for t in sample.truths)
                  for r in found)
    print(f"generated documents ({n} pages): seals {hits}/{seals}, false positives {fp}")


def sweep(n: int = 100, first: int = 0, negatives: int = 4, documents: int = 40) -> None:
    """Recall over ``n`` random seals, false positives on grey print pages, seals and false
    positives on generated documents, CPU time per page."""
    times: list[float] = []
    _seal_sweep(n, first, times)
    _negative_sweep(negatives, times)
    _document_sweep(documents, times)
    times.sort()
    print(f"CPU s/page median {times[len(times) // 2]:.3f}, "
          f"90th pct {times[int(len(times) * 0.9)]:.3f}, max {times[-1]:.3f}")


if __name__ == "__main__":
    sweep(*(int(a) for a in sys.argv[1:5]))
