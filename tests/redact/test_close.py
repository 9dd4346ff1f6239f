"""The decide step closes the masks: what stays readable under the final masks is rescanned
and anything found there is masked too, so verification (which rescans the same residual)
accepts what the pipeline releases."""

from __future__ import annotations

import re

from service.detect.engine import DetectionEngine
from service.pipeline.context import PageAnalysis
from service.redact.propagate import finalize, residual_under_masks
from service.rules.policy import load_policy
from service.types import MASK_CHAR, BBox, Char, PageResult, PageText, Region, Span


def _page(lines: list[str]) -> PageText:
    chars: list[Char] = []
    for y, line in enumerate(lines):
        chars += [Char(c, BBox(10.0 * i, 20.0 * y, 10.0 * i + 10, 20.0 * y + 12)) for i, c in enumerate(line)]
        chars.append(Char("\n", None))
    return PageText(tuple(chars))


class _AfterLabel:
    """A context detector: a name right after 地址 and a mask."""

    name = "t"
    categories = frozenset({"person"})

    def detect(self, text: str) -> list[Span]:
        pat = re.compile(f"王小明|(?<=地址{MASK_CHAR}\\n)乌兰")
        return [Span(m.start(), m.end(), "person", 0.9, "t.x") for m in pat.finditer(text)]


def test_residual_under_masks_hides_each_masked_run() -> None:
    text = _page(["地址王小明", "乌兰"])
    residual, back = residual_under_masks(text, [BBox(20, 0, 50, 12)])
    assert residual == f"地址{MASK_CHAR}\n乌兰\n"
    assert back[-3:] == [6, 7, 8]


def test_finalize_masks_what_only_shows_once_a_neighbour_is_masked() -> None:
    text = _page(["地址王小明", "乌兰"])
    first = Region(BBox(20, 0, 50, 12), "person", "text", "t.x", 0.9)
    page = PageResult(0, 595.0, 842.0, "pt", 0, (first,))
    engine = DetectionEngine([_AfterLabel()], load_policy("default"))
    (closed,) = finalize([PageAnalysis(page, text)], engine)
    boxes = [r.bbox for r in closed.result.regions]
    assert BBox(0, 20, 20, 32) in boxes
