"""Seals on realistic page rasters: A4 at 200 dpi with CJK text, seals of every style and colour
stamped over the text (multiply blend), faint, cut off at the edge, tinted paper, JPEG, turned
pages, born-digital pages at lower resolutions; and pages with red headings, 红头 rules, red
tables, underlines and stars that must stay unmasked.

``python -m tests.detect.marks.test_seals [N]`` runs the sweep (recall over N random seals,
false positives on red-print pages, CPU time per page); it is not part of the test run.
"""

from __future__ import annotations

import io
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

import cv2
import numpy as np
import pymupdf
import pytest
from PIL import Image

from scripts.corpus.marks import drawn_portrait, signature_strokes
from scripts.corpus.seals import draw_seal, stamp
from service.detect.marks.base import MarkPage
from service.detect.marks.seals import SealDetector
from service.types import BBox, Char, PageText, Region

DPI = 200
_BODY = (
    "兹证明申请人于二零一五年七月毕业于医学院临床医学专业，取得医学学士学位，"
    "同年进入本院内科工作，历任住院医师、主治医师，工作期间认真负责，业务能力突出，"
    "近五年来共完成门诊诊疗一万余人次，主持院级科研课题两项，发表论文三篇，"
    "现申请晋升副主任医师专业技术职务任职资格，特此证明。"
)
_RED = (0.86, 0.08, 0.1)
_YELLOW, _GREY, _PINK = (196, 232, 250), (222, 224, 224), (232, 228, 252)  # BGR paper tints
#: red print that is no seal (pages that must come back without regions)
NEGATIVES = ("heading", "redhead", "bigchars", "redlines", "stars", "redtable", "photos", "pen")
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # BGR
    truths: list[Box]  # true seal boxes (clipped to the page)
    text: PageText  # the page's text layer, boxes in this raster's pixels
    orientation: int
    dpi: int


# --- pages ------------------------------------------------------------------------------------


def _draw_red_print(page: pymupdf.Page, kind: str) -> float:
    """Red print of ``kind`` at the top of the page; returns where the body text starts."""
    if kind == "heading":
        page.insert_text((170, 90), "医师资格证书", fontname="china-s", fontsize=34, color=_RED)
    elif kind == "redhead":
        page.insert_text((60, 95), "江南市卫生健康委员会文件", fontname="china-s", fontsize=38,
                         color=_RED)
        page.draw_line((50, 128), (280, 128), color=_RED, width=2.2)
        page.draw_line((315, 128), (545, 128), color=_RED, width=2.2)
        page.insert_text((290, 134), "★", fontname="china-s", fontsize=18, color=_RED)
        return 160.0
    elif kind == "bigchars":  # a heading of boxed characters (国 回 图 look like square stamps)
        page.insert_text((80, 105), "中国回国图固", fontname="china-s", fontsize=62, color=_RED)
        return 150.0
    elif kind == "glyph":  # one isolated big boxed character, known to the text layer
        page.insert_text((250, 105), "国", fontname="china-s", fontsize=62, color=_RED)
        return 150.0
    elif kind == "photos":  # ID photos on red and blue backgrounds (1 inch, 25×35 mm)
        for i, bg in enumerate(((200, 30, 40), (70, 130, 210))):
            page.insert_image(pymupdf.Rect(330 + i * 90, 20, 401 + i * 90, 119),
                              stream=_portrait_png(bg))
        return 140.0
    elif kind == "pen":  # red pen rings round words, a red tick, a blue signature
        _pen(page, _RED, [(60 + 35 * math.cos(t), 400 + 22 * math.sin(t) + 2 * math.sin(5 * t))
                          for t in np.linspace(0.3, 2 * math.pi + 0.5, 60)])
        _pen(page, _RED, [(300 + 30 * math.cos(t), 250 + 30 * math.sin(t)) for t in
                          np.linspace(0, 2 * math.pi * 0.95, 50)])
        _pen(page, _RED, [(470, 300), (478, 312), (500, 282)])
        for stroke in signature_strokes(random.Random(3), 380, 40, 130, 50):
            _pen(page, (0.1, 0.2, 0.7), stroke)
    return 120.0


def _pen(page: pymupdf.Page, colour: tuple[float, float, float],
         pts: list[tuple[float, float]]) -> None:
    page.draw_polyline([pymupdf.Point(x, y) for x, y in pts], color=colour, width=1.3)


def _portrait_png(background: tuple[int, int, int]) -> bytes:
    """A drawn head and shoulders on a plain background (RGB)."""
    img = drawn_portrait(random.Random(4)).convert("RGB")
    arr = np.asarray(img).copy()
    bg = arr[2, 2].copy()
    arr[(np.abs(arr.astype(int) - bg).sum(axis=2) < 10)] = background
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


@lru_cache(maxsize=16)
def _base_page(kind: str = "text", dpi: int = DPI) -> tuple[np.ndarray, tuple[Char, ...]]:
    """An A4 page (BGR) with body text and a table, ``kind`` adds red print; and its text
    layer (character boxes in pixels)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y = _draw_red_print(page, kind)
    text = _BODY * 6
    for row in range(18):
        page.insert_text((60, y + row * 22), text[row * 30 : row * 30 + 30], fontname="china-s",
                         fontsize=14)
        if kind == "redlines" and row % 3 == 0:
            page.draw_line((60, y + row * 22 + 4), (480, y + row * 22 + 4), color=_RED, width=1)
        if kind == "stars" and row % 2 == 0:
            page.insert_text((480, y + row * 22), "★☆", fontname="china-s", fontsize=14,
                             color=_RED)
    rule = _RED if kind == "redtable" else (0, 0, 0)
    top = y + 18 * 22 + 10
    for r in range(7):
        page.draw_line((60, top + r * 26), (535, top + r * 26), color=rule, width=0.8)
        for c in range(4):
            cell = text[r * 8 + c * 2 : r * 8 + c * 2 + 5]
            page.insert_text((68 + c * 120, top + r * 26 + 18), cell, fontname="china-s",
                             fontsize=12)
    for c in range(5):
        page.draw_line((60 + c * 118.75, top), (60 + c * 118.75, top + 156), color=rule, width=0.8)
    pix = page.get_pixmap(dpi=dpi)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
    return np.ascontiguousarray(rgb[:, :, 2::-1]), _text_layer(page, dpi / 72.0)


def _text_layer(page: pymupdf.Page, scale: float) -> tuple[Char, ...]:
    chars: list[Char] = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                for ch in span["chars"]:
                    x0, y0, x1, y1 = (v * scale for v in ch["bbox"])
                    chars.append(Char(ch["c"], BBox(x0, y0, x1, y1)))
            chars.append(Char("\n", None))
    return tuple(chars)


def _tint(img: np.ndarray, paper: tuple[int, int, int], rng: np.random.Generator) -> np.ndarray:
    """Tinted, unevenly lit paper (multiply) with sensor noise."""
    h, w = img.shape[:2]
    light = cv2.resize(rng.uniform(0.9, 1.0, size=(4, 3)).astype(np.float32), (w, h),
                       interpolation=cv2.INTER_CUBIC)
    out = img.astype(np.float32) * (np.array(paper, np.float32) / 255.0) * light[:, :, None]
    out += rng.normal(0.0, 3.0, size=out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    assert ok and out is not None
    return np.asarray(out)


_TURN = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def _turn_box(box: tuple[float, float, float, float], orientation: int, w: int, h: int
              ) -> tuple[float, float, float, float]:
    """A box of the upright page on the page turned clockwise by ``orientation``."""
    x0, y0, x1, y1 = box
    if orientation == 90:
        return h - y1, x0, h - y0, x1
    if orientation == 180:
        return w - x1, h - y1, w - x0, h - y0
    if orientation == 270:
        return y0, w - x1, y1, w - x0
    return box


def sealed_page(
    seed: int,
    seals: list[dict[str, object]],
    *,
    kind: str = "text",
    paper: tuple[int, int, int] | None = None,
    jpeg: int | None = None,
    orientation: int = 0,
    dpi: int = DPI,
) -> Sample:
    """A page with ``seals`` stamped on it; each dict: style, colour, faint, angle, at=(x, y)
    (top-left corner in px of the upright page; may lie off the page)."""
    rng = random.Random(seed)
    base, chars = _base_page(kind, dpi)
    img = base.copy()
    truths: list[Box] = []
    for spec in seals:
        rgba = draw_seal(str(spec.get("style", "round")), rng,
                         colour=str(spec.get("colour", "red")), faint=bool(spec.get("faint", False)),
                         angle=float(spec.get("angle", 0.0)), dpi=dpi)  # type: ignore[arg-type]
        x, y = cast(tuple[float, float], spec["at"])
        truths.append(stamp(img, rgba, int(x), int(y)))
    nrng = np.random.default_rng(seed)
    if paper is not None:
        img = _tint(img, paper, nrng)
    if jpeg is not None:
        img = _jpeg(img, jpeg)
    h, w = img.shape[:2]
    if orientation:
        img = cv2.rotate(img, _TURN[orientation])
    turned = [tuple(int(v) for v in _turn_box(t, orientation, w, h)) for t in truths]
    text = PageText(tuple(
        c if c.bbox is None else Char(c.text, BBox(*_turn_box(
            (c.bbox.x0, c.bbox.y0, c.bbox.x1, c.bbox.y1), orientation, w, h)))
        for c in chars))
    return Sample(img, turned, text, orientation, dpi)  # type: ignore[arg-type]


# --- checks -----------------------------------------------------------------------------------


def detect(sample: Sample, with_text: bool = False) -> list[Region]:
    page = MarkPage(image=sample.image, dpi=sample.dpi, orientation=sample.orientation,
                    text=sample.text if with_text else PageText())
    return SealDetector().detect(page)


def matches(region: BBox, truth: Box) -> bool:
    """The region covers ≥ 95 % of the true box and is at most 1.6× its area."""
    t = BBox(*map(float, truth))
    inter = region.intersection(t)
    return inter.area >= 0.95 * t.area and region.area <= 1.6 * t.area


def assert_found(sample: Sample, regions: list[Region]) -> None:
    for truth in sample.truths:
        assert any(matches(r.bbox, truth) for r in regions), (truth, [r.bbox for r in regions])
    assert len(regions) == len(sample.truths), [r.bbox for r in regions]
    for r in regions:
        assert r.category == "seal" and r.source == "mark" and 0 < r.score <= 1
        assert r.rule in ("seal.round", "seal.oval", "seal.square", "seal.partial")
        assert r.explanation and not any(ch in r.explanation for ch in _BODY)


# --- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("style", "colour"), [
    ("round", "red"), ("double", "blue"), ("oval", "purple"), ("oval", "red"),
    ("square", "red"), ("round", "purple"),
])
def test_seals_over_text_in_each_style_and_colour(style: str, colour: str) -> None:
    sample = sealed_page(1, [{"style": style, "colour": colour, "angle": 8, "at": (900, 700)}])
    regions = detect(sample)
    assert_found(sample, regions)
    expected = {"round": "seal.round", "double": "seal.round", "oval": "seal.oval",
                "square": "seal.square"}[style]
    assert regions[0].rule == expected


@pytest.mark.parametrize(("style", "paper", "seed"), [
    ("round", None, 2), ("oval", None, 3), ("double", _GREY, 4), ("round", _PINK, 5),
])
def test_faint_unevenly_inked_seals(style: str, paper: tuple[int, int, int] | None,
                                   seed: int) -> None:
    sample = sealed_page(seed, [{"style": style, "faint": True, "angle": -12, "at": (700, 1100)}],
                         paper=paper)
    assert_found(sample, detect(sample))


@pytest.mark.parametrize("at", [(-120, 600), (1450, 2150), (800, -110), (-150, -100)])
def test_seals_cut_off_at_the_page_edge(at: tuple[int, int]) -> None:
    sample = sealed_page(6, [{"style": "round", "at": at}], jpeg=75)
    regions = detect(sample)
    assert_found(sample, regions)
    assert regions[0].rule == "seal.partial"


@pytest.mark.parametrize(("paper", "colour"), [(_YELLOW, "red"), (_GREY, "blue"),
                                               (_PINK, "red"), (_YELLOW, "blue")])
def test_tinted_paper_with_jpeg_noise(paper: tuple[int, int, int], colour: str) -> None:
    sample = sealed_page(7, [{"style": "double", "colour": colour, "at": (300, 1500)},
                             {"style": "oval", "colour": colour, "at": (1100, 400), "angle": 5}],
                         paper=paper, jpeg=60)
    assert_found(sample, detect(sample))


@pytest.mark.parametrize("orientation", [90, 180, 270])
def test_turned_scans(orientation: int) -> None:
    sample = sealed_page(8, [{"style": "oval", "at": (1000, 1800), "angle": 3},
                             {"style": "square", "at": (300, 900)}],
                         paper=_GREY, jpeg=60, orientation=orientation)
    regions = detect(sample)
    assert_found(sample, regions)
    assert sorted(r.rule for r in regions) == ["seal.oval", "seal.square"]


@pytest.mark.parametrize("dpi", [100, 150])
def test_born_digital_pages_at_lower_resolutions(dpi: int) -> None:
    scale = dpi / DPI
    sample = sealed_page(9, [{"style": "round", "at": (900 * scale, 1700 * scale)},
                             {"style": "oval", "colour": "blue", "at": (250 * scale, 300 * scale)}],
                         dpi=dpi)
    assert_found(sample, detect(sample))


@pytest.mark.parametrize(("kind", "at"), [("redtable", (700, 1300)), ("redlines", (600, 500))])
def test_seals_stamped_across_red_rules(kind: str, at: tuple[int, int]) -> None:
    sample = sealed_page(14, [{"style": "round", "at": at}], kind=kind, jpeg=75)
    assert_found(sample, detect(sample))


@pytest.mark.parametrize(("style", "colour", "pen"), [
    ("oval", "red", (172, 64, 32)), ("round", "red", (82, 40, 30)), ("oval", "red", (34, 28, 28)),
    ("oval", "blue", (82, 40, 30)), ("double", "blue", (82, 40, 30)),
])
def test_seal_with_a_signature_written_across_it(style: str, colour: str,
                                                 pen: tuple[int, int, int]) -> None:
    # blue and blue-black pen strokes crossing the ring (a 科主任签字 beside 盖章): the pen is
    # not seal ink, and the anti-aliased rims of its strokes must not read as red either; on a
    # blue seal the blue-black strokes join its group and are told apart by their darkness
    sample = sealed_page(14, [{"style": style, "colour": colour, "angle": -8, "at": (900, 700)}])
    img = sample.image.copy()
    x0, _, _, y1 = sample.truths[0]
    for stroke in signature_strokes(random.Random(15), x0 - 120, y1 - 120, 260, 110):
        pts = np.array(stroke, np.int32)
        cv2.polylines(img, [pts], False, pen, 4, lineType=cv2.LINE_AA)
    found = detect(Sample(img, sample.truths, sample.text, 0, DPI))
    assert any(matches(r.bbox, sample.truths[0]) for r in found), found


def test_name_stamp_next_to_an_official_seal() -> None:
    sample = sealed_page(10, [{"style": "round", "at": (1000, 1500)},
                              {"style": "square", "at": (1360, 1600), "angle": 4}], jpeg=75)
    assert_found(sample, detect(sample))


@pytest.mark.parametrize("kind", NEGATIVES)
@pytest.mark.parametrize(("paper", "jpeg", "orientation"), [(None, None, 0), (_YELLOW, 60, 90)])
def test_red_print_that_is_no_seal_stays(kind: str, paper: tuple[int, int, int] | None,
                                         jpeg: int | None, orientation: int) -> None:
    sample = sealed_page(11, [], kind=kind, paper=paper, jpeg=jpeg, orientation=orientation)
    assert detect(sample) == []


def test_a_big_boxed_character_known_to_the_text_layer_stays() -> None:
    sample = sealed_page(12, [{"style": "round", "at": (900, 1600)}], kind="glyph")
    regions = detect(sample, with_text=True)
    assert_found(sample, regions)


def test_plain_pages_have_no_seals() -> None:
    assert detect(sealed_page(13, [], paper=_PINK, jpeg=60)) == []


# --- sweep (python -m tests.detect.marks.test_seals) --------------------------------------------

_PAPERS = {"white": None, "yellow": _YELLOW, "grey": _GREY, "pink": _PINK,
           "blue": (252, 240, 232)}


def _random_case(i: int) -> tuple[list[dict[str, object]], dict[str, object], str]:
    rng = random.Random(1000 + i)
    style = rng.choices(("round", "double", "oval", "square"), (35, 20, 30, 15))[0]
    spec: dict[str, object] = {
        "style": style,
        "colour": rng.choices(("red", "blue", "purple"), (70, 15, 15))[0],
        "faint": rng.random() < 0.25,
        "angle": rng.uniform(-25, 25),
    }
    base, _ = _base_page()
    h, w = base.shape[:2]
    size = 330 if style != "square" else 140
    cut = rng.random() < 0.2
    if cut:
        side = rng.choice("lrtb")
        keep = rng.uniform(0.45, 0.75) * size
        along = rng.uniform(0.1, 0.8)
        spec["at"] = {"l": (keep - size, along * h), "r": (w - keep, along * h),
                      "t": (along * w, keep - size), "b": (along * w, h - keep)}[side]
    else:
        spec["at"] = (rng.uniform(60, w - size - 60), rng.uniform(60, h - size - 60))
    paper = rng.choice(tuple(_PAPERS))
    kw: dict[str, object] = {"paper": _PAPERS[paper], "jpeg": rng.choice((None, 60, 75)),
                             "orientation": rng.choice((0, 90, 180, 270))}
    label = f"{style}/{spec['colour']}{'/faint' if spec['faint'] else ''}{'/cut' if cut else ''}"
    return [spec], kw, f"{label} {paper} jpeg={kw['jpeg']}"


@dataclass
class Tally:
    """A sweep's running figures over pages with one seal each."""

    hits: int = 0
    extra: int = 0
    times: list[float] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def add(self, label: str, kinds: list[str], truth: Box, detect_page: Callable[[], list[Region]]
            ) -> None:
        """Time ``detect_page`` and score its regions against the page's one ``truth``."""
        t0 = time.process_time()
        regions = detect_page()
        self.times.append(time.process_time() - t0)
        ok = any(matches(r.bbox, truth) for r in regions)
        self.hits += ok
        for kind in kinds:
            self.by_kind.setdefault(kind, [0, 0])[0] += ok
            self.by_kind[kind][1] += 1
        self.extra += sum(not matches(r.bbox, truth) for r in regions)
        if not ok:
            self.misses.append(label)

    def report(self, n: int, negatives: str) -> None:
        times = sorted(self.times)
        print(f"recall {self.hits}/{n}; extra regions on seal pages {self.extra}; {negatives}")
        print(f"CPU s/page median {times[len(times) // 2]:.3f}, max {times[-1]:.3f}")
        print("by kind:", ", ".join(f"{k} {h}/{t}" for k, (h, t) in sorted(self.by_kind.items())))
        print("missed:", *self.misses, sep="\n  ")


def sweep(n: int = 100) -> None:
    """Recall over ``n`` random seals, false positives on red-print pages, CPU time per page."""
    tally = Tally()
    for i in range(n):
        seals, kw, label = _random_case(i)
        sample = sealed_page(i, seals, **kw)  # type: ignore[arg-type]
        kinds = [str(seals[0]["style"])] + [k for k in ("faint", "cut") if f"/{k}" in label]
        tally.add(f"{i}: {label}", kinds + (["tinted+jpeg"] if kw["paper"] and kw["jpeg"] else []),
                  sample.truths[0], lambda sample=sample: detect(sample))
    fp = pages = 0
    for k, kind in enumerate(NEGATIVES):
        for j, (paper, jpeg, turn) in enumerate(((None, None, 0), (_YELLOW, 60, 90),
                                                 (_PINK, 75, 180), (_GREY, 60, 270))):
            sample = sealed_page(k * 10 + j, [], kind=kind, paper=paper, jpeg=jpeg,
                                 orientation=turn)
            fp += len(detect(sample))
            pages += 1
    tally.report(n, f"false positives on {pages} red-print pages: {fp}")


if __name__ == "__main__":
    sweep(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
