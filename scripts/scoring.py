"""Score redaction results against the generator's ground truth (used by evaluate.py and tests).

An entity counts as masked when the union of the page's masks covers at least ``MIN_SHARE`` of
its box; a "keep" item counts as over-redacted when masks cover more than ``KEEP_SHARE`` of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from service.types import BBox

MIN_SHARE = 0.9
KEEP_SHARE = 0.3
#: what issue #2 must always catch, besides every profile identity
ISSUE2_CATEGORIES = frozenset({"phone", "id_number", "email", "postal_code"})


def covered_share(box: Sequence[float], masks: Sequence[BBox]) -> float:
    """Share of ``box`` covered by the union of ``masks`` (sampled on a 22×8 grid)."""
    x0, y0, x1, y1 = box
    gx, gy = np.meshgrid(np.linspace(x0, x1, 24)[1:-1], np.linspace(y0, y1, 10)[1:-1])
    hit = np.zeros(gx.shape, dtype=bool)
    for m in masks:
        hit |= (gx >= m.x0) & (gx <= m.x1) & (gy >= m.y0) & (gy <= m.y1)
    return float(hit.mean())


def in_issue2_scope(entity: dict[str, Any]) -> bool:
    return bool(entity.get("in_profile")) or entity["category"] in ISSUE2_CATEGORIES


@dataclass
class Tally:
    """Counts per category: found / total, and over-redaction of keep items."""

    found: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    keep_total: int = 0
    keep_masked: int = 0
    misses: list[str] = field(default_factory=list)
    #: must-stay-readable items that were masked (their text is not identifying)
    over: list[str] = field(default_factory=list)

    def add_page(self, truth: dict[str, Any], masks: Sequence[BBox], scope: str, where: str) -> None:
        for ent in truth.get("entities", []):
            if scope == "issue2" and not in_issue2_scope(ent):
                continue
            cat = ent["category"]
            self.total[cat] = self.total.get(cat, 0) + 1
            if covered_share(ent["bbox"], masks) >= MIN_SHARE:
                self.found[cat] = self.found.get(cat, 0) + 1
            else:
                self.misses.append(f"{where} {ent['category']}:{ent['text']}")
        for item in truth.get("keep", []):
            self.keep_total += 1
            if covered_share(item["bbox"], masks) > KEEP_SHARE:
                self.keep_masked += 1
                self.over.append(f"{where} {item['text']}")

    def recall(self, category: str) -> float:
        t = self.total.get(category, 0)
        return self.found.get(category, 0) / t if t else float("nan")

    @property
    def overall(self) -> float:
        t = sum(self.total.values())
        return sum(self.found.values()) / t if t else float("nan")

    @property
    def over_redaction(self) -> float:
        return self.keep_masked / self.keep_total if self.keep_total else 0.0
