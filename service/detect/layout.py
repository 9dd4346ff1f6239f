"""Layout detector: table cells found by the header of their column.

Text detectors see a string, so they cannot tell that ``4617478`` sits in the 住院号 column of
a workload form or that ``孙红娜`` sits under 术者. This detector reads the page's geometry:
it cuts the reading text into cells (runs of characters separated by line breaks or spaces),
finds header cells named in ``redaction_rules/layout/columns.yaml``, and reports every cell
below a header, overlapping its horizontal extent, whose text matches the column's value
pattern. Boxes are taken upright (``orientation`` undoes a sideways scan) before comparing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from service.errors import InvalidRulesError
from service.ocr.geometry import point_to_upright
from service.rules import yamlio
from service.types import BBox, PageText, Span


class ColumnRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    category: str
    headers: tuple[str, ...]
    value: str
    score: float


class ColumnsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    columns: tuple[ColumnRule, ...]


@dataclass(frozen=True, slots=True)
class Cell:
    start: int
    end: int
    text: str
    box: BBox


@lru_cache(maxsize=1)
def load_columns(path: str | None = None) -> tuple[tuple[ColumnRule, re.Pattern[str]], ...]:
    p = Path(path) if path else Path(str(files("redaction_rules") / "layout" / "columns.yaml"))
    try:
        spec = ColumnsFile.model_validate(yamlio.safe_load(p.read_text(encoding="utf-8")))
        return tuple((c, re.compile(c.value)) for c in spec.columns)
    except (OSError, yaml.YAMLError, ValidationError, re.error) as exc:
        raise InvalidRulesError(f"layout rules {p.name} are invalid: {type(exc).__name__}") from None


def cells(text: PageText, orientation: int, width: float, height: float) -> list[Cell]:
    """Runs of characters with boxes, split at line breaks and spaces, boxes upright."""
    out: list[Cell] = []
    s = text.text
    start = None
    for i, ch in enumerate([*text.chars, None]):
        boundary = ch is None or ch.text.isspace()
        if boundary and start is not None:
            boxes = text.boxes_for(start, i)
            if boxes:
                box = _upright(BBox.around(boxes), orientation, width, height)
                out.append(Cell(start, i, s[start:i], box))
            start = None
        elif not boundary and start is None:
            start = i
    return out


def _upright(b: BBox, orientation: int, w: float, h: float) -> BBox:
    if orientation == 0:
        return b
    ax, ay = point_to_upright(b.x0, b.y0, orientation, w, h)
    bx, by = point_to_upright(b.x1, b.y1, orientation, w, h)
    return BBox(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def _label(cell: str) -> str:
    return cell.rstrip(":：").strip()


class LayoutDetector:
    name = "column"

    def __init__(self) -> None:
        self._rules = load_columns()
        self.categories = frozenset(r.category for r, _ in self._rules)

    def detect(self, text: PageText, orientation: int, width: float, height: float) -> list[Span]:
        all_cells = cells(text, orientation, width, height)
        spans: dict[tuple[int, int, str], Span] = {}
        for rule, value in self._rules:
            headers = [c for c in all_cells if _label(c.text) in rule.headers]
            for head in headers:
                for cell in all_cells:
                    if cell is head or not _below(head, cell):
                        continue
                    if value.fullmatch(cell.text):
                        spans[(cell.start, cell.end, rule.category)] = Span(
                            cell.start, cell.end, rule.category, rule.score, f"column.{rule.id}",
                            "cell in a column headed by a label",
                        )
        return list(spans.values())


def _below(head: Cell, cell: Cell) -> bool:
    h, c = head.box, cell.box
    if c.y0 < h.y1 - 0.25 * h.height:
        return False
    overlap = min(h.x1, c.x1) - max(h.x0, c.x0)
    return overlap > 0.3 * min(h.width, c.width)
