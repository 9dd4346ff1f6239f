"""QR codes and barcodes on realistic page rasters: A4 at 200 dpi with CJK text running up to the
codes, QR codes of 60–200 px at every error level, Code 128 / EAN-13 / Code 39 (also printed
sideways), Data Matrix, pages turned 0/90/180/270°, skew, blur, noise, JPEG q 60, two codes
on a page, damaged codes that cannot be decoded but must still be masked whole; and text, form
and picture pages (CJK box glyphs 回/国/图, check boxes □■▣, halftone, an ID photo, a seal)
that must come back without regions.

Pages are drawn by :mod:`scripts.corpus.codes`; ``python -m scripts.corpus.codes`` runs the
recall / false-positive / time sweep, which is not part of the test run.
"""

from __future__ import annotations

import random
from functools import cache

import numpy as np
import pytest

from scripts.corpus.codes import KINDS, CodePage, CodeSpec, code_page, coverage, symbol_image
from scripts.corpus.scan import ScanOptions
from service.detect.base import MarkDetector
from service.detect.marks.base import MarkPage
from service.detect.marks.codes import CodeDetector, FoundCode, find_codes
from service.types import Region, sha256_text

#: share of a code's true box a region must cover
MIN_COVERAGE = 0.98
URL = "https://verify.example.cn/cert?id=20230915&sn=7781"
IDENTITY = "姓名:张三;身份证:110101199003077777"


@cache
def _page(
    specs: tuple[CodeSpec, ...],
    orientation: int = 0,
    seed: int = 1,
    jpeg: int | None = 60,
    blur: bool = True,
    skew: float = 0.8,
    table: bool = False,
    pictures: bool = False,
    paper: str = "white",
) -> CodePage:
    opts = ScanOptions(
        orientation=orientation, skew=skew, blur=blur, jpeg_quality=jpeg, paper=paper
    )
    return code_page(list(specs), random.Random(seed), opts, table=table, pictures=pictures)


@cache
def _found(page: CodePage) -> tuple[FoundCode, ...]:
    return tuple(find_codes(page.image, page.dpi, page.orientation))


def _box(f: FoundCode | Region) -> tuple[float, float, float, float]:
    return (f.bbox.x0, f.bbox.y0, f.bbox.x1, f.bbox.y1)


def _covering(page: CodePage, i: int) -> list[FoundCode]:
    """The codes found on ``page`` that cover its ``i``-th code."""
    truth = page.codes[i].bbox
    return [f for f in _found(page) if coverage(truth, _box(f)) >= MIN_COVERAGE]


def _assert_all_decoded(page: CodePage) -> None:
    for i, placed in enumerate(page.codes):
        hits = _covering(page, i)
        assert hits, f"{placed.spec.kind} {placed.spec.size_px:.0f} px not covered"
        assert placed.spec.payload in {f.payload for f in hits}
    assert len(_found(page)) == len(page.codes)


# ---- decoding -------------------------------------------------------------------------------
@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
def test_qr_and_barcode_on_turned_scans(orientation: int) -> None:
    page = _page(
        (CodeSpec("qr", URL, 110, error="m"), CodeSpec("code128", "BL-2023-000123", 280)),
        orientation,
        seed=orientation + 3,
        skew=-1.2 if orientation % 180 else 1.2,
    )
    _assert_all_decoded(page)
    kinds = {f.payload: f.kind for f in _found(page)}
    assert kinds == {URL: "qr", "BL-2023-000123": "barcode"}


def test_qr_sizes_and_error_levels() -> None:
    page = _page(
        (
            CodeSpec("qr", "110101199003077777", 60, error="l"),
            CodeSpec("qr", IDENTITY, 120, error="q"),
            CodeSpec("qr", URL + "&" + "x" * 40, 200, error="h"),
        ),
        seed=5,
    )
    _assert_all_decoded(page)


def test_barcodes_including_sideways() -> None:
    page = _page(
        (
            CodeSpec("ean13", "6901234567892", 210),
            CodeSpec("code39", "ZY20240315", 330, turn=90),
            CodeSpec("code128", "NO-88123456", 260, turn=270),
        ),
        orientation=90,
        seed=7,
    )
    _assert_all_decoded(page)
    assert {f.format for f in _found(page)} == {"EAN13", "Code39", "Code128"}


def test_two_codes_beside_text_and_a_data_matrix() -> None:
    page = _page(
        (CodeSpec("qr", IDENTITY, 90), CodeSpec("datamatrix", "DM-20240315-01", 110)),
        orientation=180,
        seed=9,
        jpeg=70,
    )
    _assert_all_decoded(page)
    assert {f.kind for f in _found(page)} == {"qr", "datamatrix"}


# ---- fail closed ----------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["blot", "scratch", "wash"])
def test_damaged_qr_is_masked_whole(damage: str) -> None:
    page = _page(
        (CodeSpec("qr", URL, 120, error="l", damage=damage), CodeSpec("qr", "OK-77", 80)),
        orientation=270,
        seed=11,
    )
    damaged = _covering(page, 0)
    assert damaged and all(f.payload is None for f in damaged)
    assert [f.payload for f in _covering(page, 1)] == ["OK-77"]
    regions = CodeDetector().detect(MarkPage(page.image, page.dpi, page.orientation))
    undecoded = [r for r in regions if r.rule == "qrcode.undecoded"]
    assert len(undecoded) == 1 and undecoded[0].text_sha256 is None
    assert coverage(page.codes[0].bbox, _box(undecoded[0])) >= MIN_COVERAGE


def test_smeared_barcodes_are_masked_whole() -> None:
    page = _page(
        (
            CodeSpec("code128", "BL-20240315", 300, damage="smear"),
            CodeSpec("ean13", "6901234567892", 220, damage="smear", turn=90),
        ),
        orientation=90,
        seed=13,
    )
    for i in range(2):
        hits = _covering(page, i)
        assert hits and all(f.payload is None and f.kind == "barcode" for f in hits)


# ---- regions --------------------------------------------------------------------------------
def test_regions_carry_hashes_not_payloads() -> None:
    page = _page((CodeSpec("qr", IDENTITY, 110), CodeSpec("ean13", "6901234567892", 200)))
    detector = CodeDetector()
    assert isinstance(detector, MarkDetector)
    regions = detector.detect(MarkPage(page.image, page.dpi, page.orientation))
    assert {r.rule for r in regions} == {"qrcode.qr", "qrcode.barcode"}
    assert {r.text_sha256 for r in regions} == {
        sha256_text(IDENTITY),
        sha256_text("6901234567892"),
    }
    for r in regions:
        assert r.category == "qrcode" and r.source == "mark" and r.snippet is None
        assert "张三" not in r.explanation and "6901234567892" not in r.explanation
        assert 0 <= r.bbox.x0 < r.bbox.x1 <= page.image.shape[1]
        assert 0 <= r.bbox.y0 < r.bbox.y1 <= page.image.shape[0]


def test_box_has_a_quiet_zone_margin() -> None:
    page = _page((CodeSpec("qr", URL, 150),), blur=False, jpeg=None, skew=0.0)
    (found,) = _found(page)
    x0, y0, x1, y1 = page.codes[0].bbox
    module = 150 / 33  # version 4
    assert found.bbox.x0 <= x0 - 0.8 * module and found.bbox.x1 >= x1 + 0.8 * module
    assert found.bbox.y0 <= y0 - 0.8 * module and found.bbox.y1 >= y1 + 0.8 * module
    assert found.bbox.width <= (x1 - x0) + 4 * module  # and not much more


# ---- negatives ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("orientation", "table", "pictures", "jpeg"),
    [(0, False, False, 60), (90, True, False, 70), (180, True, True, 60), (270, False, True, None)],
)
def test_pages_without_codes(orientation: int, table: bool, pictures: bool, jpeg: int) -> None:
    page = _page((), orientation, seed=20 + orientation, jpeg=jpeg, table=table, pictures=pictures)
    assert CodeDetector().detect(MarkPage(page.image, page.dpi, page.orientation)) == []


def test_coloured_and_faint_codes_on_tinted_paper() -> None:
    page = _page(
        (
            CodeSpec("qr", "https://health.example.cn/c?id=1234567", 120, ink=(20, 150, 60)),
            CodeSpec("qr", "FAINT-0001", 90, ink=(130, 130, 130)),
            CodeSpec("qr", URL, 100, ink=(30, 60, 170), damage="blot"),
            CodeSpec("code128", "BL-1234567", 260, ink=(40, 40, 160)),
        ),
        seed=4,
        skew=1.0,
        paper="cream",
    )
    payloads = [{f.payload for f in _covering(page, i)} for i in range(4)]
    assert payloads == [
        {"https://health.example.cn/c?id=1234567"},
        {"FAINT-0001"},
        {None},
        {"BL-1234567"},
    ]


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("qr", IDENTITY),
        ("code128", "BL-2024-0001"),
        ("ean13", "6901234567892"),
        ("code39", "ZY2024"),
        ("datamatrix", "DM-0001"),
        ("pdf417", "PDF417 0001"),
    ],
)
def test_drawn_symbols_read_back(kind: str, payload: str) -> None:
    """The corpus drawing of every symbology decodes to its payload and format."""
    page = np.full((600, 900, 3), 255, np.uint8)
    symbol = symbol_image(kind, payload, module_px=3, border=4)
    page[50 : 50 + symbol.shape[0], 60 : 60 + symbol.shape[1]] = symbol[:, :, None]
    (found,) = find_codes(page)
    assert (found.payload, found.format) == (payload, KINDS[kind][1])
    assert found.kind == KINDS[kind][0]
