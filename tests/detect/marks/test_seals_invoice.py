"""Seals as they appear on invoices and receipts: oval 发票专用章 / 财务专用章 / 合同专用章 with the
unit's tax number on a line inside, small square stamps of about 1 cm, on a form printed in red
(a red heading, a red serial number NO.…, red labels and rules) with black dot-matrix values —
the seal stamped across the red print, printed over, faint, in colour, in grey, photographed
with uneven light and a colour cast. The same forms without seals must come back unmasked.

``python -m tests.detect.marks.test_seals_invoice [N]`` runs the sweep (recall over N random
invoice pages, false positives on the same forms without seals); it is not part of the test run.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import pymupdf
import pytest

from scripts.corpus.seals import draw_seal, stamp, tax_number
from service.detect.marks.base import MarkPage
from service.detect.marks.seals import SealDetector
from service.types import BBox, Region
from tests.detect.marks.test_seals import Tally, matches

DPI = 200
_RED = (0.80, 0.12, 0.12)
#: receipt paper, 210 × 120 mm (points); the last row (收款人) is taller than the others (28)
_SIZE = (595.0, 340.0)
_LAST_ROW = 42.0
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Stamp:
    """A seal to stamp: style, where (``heading``: across the red heading and serial number,
    ``seller``: over the seller's lines of black print, ``cashier``: a small stamp beside
    收款人), colour, faint, turn."""

    style: str = "invoice"
    at: str = "seller"
    colour: str = "red"
    faint: bool = False
    angle: float = 0.0


@dataclass(frozen=True)
class Shot:
    """How the page was captured: grey scan, JPEG quality, phone photo (uneven light and a
    yellow or blue colour cast), dot-matrix print over the seals."""

    grey: bool = False
    jpeg: int | None = None
    photo: bool = False
    dotmatrix: bool = False


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # BGR
    truths: list[Box]
    heading: Box  # the red heading and serial number (px): never masked on their own


# --- pages ------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def invoice_form(seed: int = 0) -> tuple[np.ndarray, Box]:
    """A receipt form printed in red with black values (BGR at ``DPI``) and the box of its red
    heading and serial number."""
    rng = random.Random(seed)
    doc = pymupdf.open()
    page = doc.new_page(width=_SIZE[0], height=_SIZE[1])
    page.insert_text((150, 42), "江南省增值税普通发票", fontname="china-s", fontsize=24, color=_RED)
    page.insert_text((262, 62), "发 票 联", fontname="china-s", fontsize=12, color=_RED)
    serial = "".join(str(rng.randrange(10)) for _ in range(8))
    page.insert_text((440, 60), f"NO.{serial}", fontname="helv", fontsize=16, color=_RED)
    page.draw_line((200, 68), (395, 68), color=_RED, width=1.2)
    page.draw_line((200, 71), (395, 71), color=_RED, width=0.6)
    top, left, right = 86.0, 30.0, 565.0
    labels = ("购买方名称", "纳税人识别号", "货物或应税劳务名称", "价税合计（大写）", "销售方名称",
              "纳税人识别号", "开户行及账号", "收款人")
    for i, label in enumerate(labels):
        y = top + i * 28
        page.draw_line((left, y), (right, y), color=_RED, width=0.7)
        page.insert_text((left + 6, y + 18), label, fontname="china-s", fontsize=10, color=_RED)
    bottom = top + len(labels) * 28 + _LAST_ROW - 28
    page.draw_line((left, bottom), (right, bottom), color=_RED, width=0.7)
    for x in (left, 150.0, right):
        page.draw_line((x, top), (x, bottom), color=_RED, width=0.7)
    values = ("南岭市第一人民医院", tax_number(rng), "医疗器械 一批", "叁仟贰佰元整 ¥3200.00",
              "江南医疗器械有限公司", tax_number(rng), "江南银行南岭支行 6222020200112233445",
              "")
    for i, value in enumerate(values):
        page.insert_text((160, top + i * 28 + 19), value, fontname="china-s", fontsize=11)
    pix = page.get_pixmap(dpi=DPI)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
    s = DPI / 72.0
    heading = (round(145 * s), round(14 * s), round(560 * s), round(74 * s))
    return np.ascontiguousarray(rgb[:, :, 2::-1]), heading


def _place(spec: Stamp, rgba: np.ndarray, w: int, h: int, rng: random.Random) -> tuple[int, int]:
    """Top-left corner of a seal of ``rgba``'s size at ``spec.at`` on a ``w × h`` form."""
    sh, sw = rgba.shape[:2]
    s = DPI / 72.0
    if spec.at == "heading":  # across the heading and the serial number, as on a bus ticket
        cx, cy = rng.uniform(330, 470) * s, rng.uniform(40, 60) * s
    elif spec.at == "cashier":
        cx, cy = rng.uniform(230, 330) * s, (86 + 7 * 28 + _LAST_ROW / 2) * s
    else:  # over the seller's lines
        cx, cy = rng.uniform(380, 480) * s, rng.uniform(215, 240) * s
    return int(min(max(cx - sw / 2, 0), w - sw)), int(min(max(cy - sh / 2, 0), h - sh))


def _dot_matrix(img: np.ndarray, rng: np.random.Generator, boxes: list[Box]) -> None:
    """Digits printed by a dot-matrix printer across each seal (in place): 7×9 dots 0.35 mm."""
    pitch = max(2, round(0.35 * DPI / 25.4))
    for x0, y0, x1, y1 in boxes:
        y = (y0 + y1) // 2 + int(rng.integers(-20, 20))
        x = x0 + (x1 - x0) // 6
        for _ in range(10):  # ten characters
            glyph = rng.random((9, 7)) < 0.45
            for gy, gx in zip(*np.nonzero(glyph), strict=True):
                cv2.circle(img, (x + gx * pitch, y + gy * pitch), max(1, pitch // 2),
                           (40, 40, 40), -1)
            x += 9 * pitch


def _photo(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A phone photo: light falling off across the page and a yellow or blue colour cast."""
    h, w = img.shape[:2]
    light = cv2.resize(rng.uniform(0.62, 1.0, size=(3, 3)).astype(np.float32), (w, h),
                       interpolation=cv2.INTER_CUBIC)
    cast = np.array((0.80, 0.93, 1.0) if rng.random() < 0.5 else (1.0, 0.95, 0.86), np.float32)
    out = img.astype(np.float32) * light[:, :, None] * cast
    out += rng.normal(0.0, 4.0, size=out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def invoice_page(seed: int, stamps: list[Stamp], shot: Shot = Shot()) -> Sample:
    """The red receipt form with ``stamps`` pressed on it, captured as ``shot`` says."""
    rng = random.Random(seed)
    form, heading = invoice_form(seed % 4)
    img = form.copy()
    h, w = img.shape[:2]
    truths: list[Box] = []
    for spec in stamps:
        rgba = draw_seal(spec.style, rng, colour=spec.colour, faint=spec.faint, angle=spec.angle,
                         dpi=DPI)
        x, y = _place(spec, rgba, w, h, rng)
        truths.append(stamp(img, rgba, x, y))
    nrng = np.random.default_rng(seed)
    if shot.dotmatrix:
        _dot_matrix(img, nrng, [t for t, s in zip(truths, stamps, strict=True)
                                if s.style != "small"])
    if shot.photo:
        img = _photo(img, nrng)
    if shot.grey:
        img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    if shot.jpeg:
        img = cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, shot.jpeg])[1],
                           cv2.IMREAD_COLOR)
    return Sample(img, truths, heading)


def detect(sample: Sample) -> list[Region]:
    return SealDetector().detect(MarkPage(image=sample.image, dpi=DPI))


def _on_heading_alone(region: BBox, sample: Sample) -> bool:
    """Whether a region lies on the red heading without covering a seal."""
    return region.intersection(BBox(*map(float, sample.heading))).area > 0 and not any(
        region.intersection(BBox(*map(float, t))).area > 0 for t in sample.truths)


# --- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("colour", "at", "angle"), [
    ("red", "seller", 0.0), ("red", "heading", 6.0), ("blue", "seller", -12.0),
    ("purple", "heading", 0.0),
])
def test_invoice_seal_with_a_tax_number_line(colour: str, at: str, angle: float) -> None:
    sample = invoice_page(3, [Stamp("invoice", at, colour, angle=angle)])
    regions = detect(sample)
    assert any(matches(r.bbox, sample.truths[0]) for r in regions), [r.bbox for r in regions]
    assert not any(_on_heading_alone(r.bbox, sample) for r in regions)


@pytest.mark.parametrize("shot", [
    Shot(jpeg=70), Shot(photo=True, jpeg=80), Shot(dotmatrix=True), Shot(grey=True, jpeg=85),
])
def test_invoice_seal_photographed_scanned_and_printed_over(shot: Shot) -> None:
    sample = invoice_page(5, [Stamp("invoice", "seller", angle=-4.0)], shot)
    regions = detect(sample)
    assert any(matches(r.bbox, sample.truths[0]) for r in regions), [r.bbox for r in regions]


def test_faint_invoice_seal() -> None:
    sample = invoice_page(7, [Stamp("invoice", "seller", faint=True, angle=3.0)])
    assert any(matches(r.bbox, sample.truths[0]) for r in detect(sample))


@pytest.mark.parametrize("colour", ["red", "blue"])
def test_small_square_stamp_of_a_centimetre(colour: str) -> None:
    sample = invoice_page(9, [Stamp("small", "cashier", colour)])
    regions = detect(sample)
    assert any(matches(r.bbox, sample.truths[0]) for r in regions), [r.bbox for r in regions]


@pytest.mark.parametrize("shot", [Shot(), Shot(jpeg=70), Shot(photo=True, jpeg=80),
                                  Shot(grey=True)])
def test_red_form_without_seals_stays(shot: Shot) -> None:
    # the red heading, the red serial number, red labels and rules: no seal on their own
    assert detect(invoice_page(11, [], shot)) == []


# --- sweep ------------------------------------------------------------------------------------


def _random_case(i: int) -> tuple[list[Stamp], Shot, str]:
    rng = random.Random(5000 + i)
    style = rng.choices(("invoice", "small"), (80, 20))[0]
    at = "cashier" if style == "small" else rng.choice(("seller", "heading"))
    spec = Stamp(style, at, rng.choices(("red", "blue", "purple"), (70, 15, 15))[0],
                 rng.random() < 0.25, rng.uniform(-20, 20))
    grey = style != "small" and rng.random() < 0.25  # no square stamps on grey pages
    shot = Shot(grey, rng.choice((None, 60, 80)), rng.random() < 0.3, rng.random() < 0.3)
    label = (f"{style}/{spec.colour}/{at}{'/faint' if spec.faint else ''}"
             f"{'/grey' if grey else ''}{'/photo' if shot.photo else ''}"
             f"{'/dotmatrix' if shot.dotmatrix else ''} jpeg={shot.jpeg}")
    return [spec], shot, label


def sweep(n: int = 100) -> None:
    """Recall over ``n`` random invoice pages; false positives on the forms without seals."""
    tally = Tally()
    for i in range(n):
        stamps, shot, label = _random_case(i)
        sample = invoice_page(i, stamps, shot)
        kinds = [stamps[0].style] + [k for k in ("faint", "grey", "photo", "dotmatrix", "heading")
                                     if k in label]
        tally.add(f"{i}: {label}", kinds, sample.truths[0], lambda sample=sample: detect(sample))
    fp = pages = 0
    for j in range(24):
        shot = Shot(j % 4 == 3, (None, 60, 80)[j % 3], j % 2 == 1, False)
        fp += len(detect(invoice_page(100 + j, [], shot)))
        pages += 1
    tally.report(n, f"false positives on {pages} red forms without seals: {fp}")


if __name__ == "__main__":
    sweep(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
