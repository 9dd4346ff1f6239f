"""Rescan of what stays readable: masked gaps are marked, and a mask's own context is no leak."""

from __future__ import annotations

import re

from service.detect.engine import DetectionEngine
from service.redact.verify import MASKED, mark_masked_gaps, rescan
from service.rules.policy import load_policy
from service.types import BBox, Char, PageText, Span


def _line(text: str, x0: float = 0.0, y: float = 0.0, skip: tuple[int, ...] = ()) -> list[Char]:
    """Chars 10 pt wide on one line; indices in ``skip`` were removed by the redaction."""
    return [
        Char(ch, BBox(x0 + 10 * i, y, x0 + 10 * i + 10, y + 10))
        for i, ch in enumerate(text)
        if i not in skip
    ]


def test_a_mask_between_two_characters_becomes_a_marker() -> None:
    chars = _line("联系人王强电话", skip=(3, 4))
    text = PageText((*chars, Char("\n", None)))
    marked = mark_masked_gaps(text, [BBox(30, 0, 50, 10)])
    assert marked.text == f"联系人{MASKED}电话\n"
    # no mask in the gap: nothing inserted
    assert mark_masked_gaps(text, [BBox(30, 40, 50, 50)]).text == "联系人电话\n"


def test_a_mask_at_the_end_of_a_line_is_marked_before_the_break() -> None:
    text = PageText((*_line("患者", y=0), Char("\n", None), *_line("男", y=20)))
    assert mark_masked_gaps(text, [BBox(20, 0, 50, 10)]).text == f"患者{MASKED}\n男"


class _Finder:
    """Finds what matches a regex (a stand-in for a context detector)."""

    name = "t"
    categories = frozenset({"person"})

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    def detect(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), "person", 0.9, "t.x") for m in self.pattern.finditer(text)]


def test_rescan_counts_only_findings_wholly_in_readable_text() -> None:
    engine = DetectionEngine([_Finder(f"者{MASKED}入|张三")], load_policy("default"))
    assert rescan(engine, f"患者{MASKED}入院，张三") == 1
    # the blind text layer is rescanned for context-free findings only
    assert rescan(engine, f"患者{MASKED}入院，张三", stable_only=True) == 0


def test_the_engine_rescans_what_stays_readable() -> None:
    """A finding that only shows once its neighbour is masked is masked too."""
    engine = DetectionEngine([_Finder(f"王小明|(?<=地址{MASKED}\n)乌兰")], load_policy("default"))
    text = "地址王小明\n乌兰"
    assert [(s.start, s.end) for s in engine.detect(text)] == [(2, 5), (6, 8)]
