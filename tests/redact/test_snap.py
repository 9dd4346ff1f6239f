"""Masks and text-layer glyphs: a mask grows over glyphs it covers in part, and lets go of
glyphs it only grazes (MuPDF removes every glyph a redaction rectangle touches)."""

from __future__ import annotations

from service.redact.regions import snap_to_glyphs
from service.types import BBox, Char, PageText, Region


def _line(y: float, n: int = 10) -> list[Char]:
    return [Char("字", BBox(10.0 * i, y, 10.0 * i + 10, y + 13)) for i in range(n)]


def _snap(box: BBox, chars: list[Char]) -> BBox:
    (r,) = snap_to_glyphs((Region(box, "place", "ocr", "place.city", 0.9),), PageText(tuple(chars)))
    return r.bbox


def test_a_mask_over_part_of_a_glyph_grows_over_the_whole_glyph() -> None:
    assert _snap(BBox(15, 2, 34, 11), _line(0)) == BBox(10, 0, 40, 13)


def test_a_mask_that_grazes_the_line_above_lets_go_of_it() -> None:
    # an OCR'd seal line whose box reaches 0.4 pt into the printed line above
    grown = _snap(BBox(33, 12.6, 77, 40), _line(0))
    assert grown == BBox(33, 13, 77, 40)


def test_a_mask_that_grazes_a_glyph_beside_it_lets_go_of_it() -> None:
    assert _snap(BBox(38.5, 0, 60, 13), _line(0)) == BBox(40, 0, 60, 13)
