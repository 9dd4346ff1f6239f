"""Score redaction results against the generator's ground truth (used by evaluate.py and tests).

An entity counts as masked when the union of the page's masks covers at least ``MIN_SHARE`` of
its box; a "keep" item counts as over-redacted when masks cover more than ``KEEP_SHARE`` of it.
A mark (face photo, seal, signature, QR/barcode) counts as masked the same way; a mark region
that overlaps no true mark of its category by ``MARK_HIT`` of its own area is a false mark
(a red heading taken for a seal, a printed name taken for a signature).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from service.types import BBox, Region

MIN_SHARE = 0.9
KEEP_SHARE = 0.3
MARK_HIT = 0.3
MARKS = ("face", "seal", "signature", "qrcode")
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


_HIDDEN = re.compile(r"[0-9][*●•×xX]{2,}[0-9]?|[*]{2,}")
_CARD = re.compile(r"(?:[0-9][ ]?){16,19}")


def form_of(entity: dict[str, Any]) -> str | None:
    """The printed form of an entity that gets its own recall line: ``hidden`` (partly
    hidden numbers: 3604211990****2417, 138****1234), ``card`` (bank card numbers, whole),
    ``caps_name`` (a pinyin name in capitals: ZHANGQIWEI, ZHANG SAN), else None."""
    text, cat = str(entity.get("text", "")), entity["category"]
    if cat in ("id_number", "phone", "identifier") and _HIDDEN.search(text):
        return f"{cat}/hidden"
    if cat == "identifier" and _CARD.fullmatch(text.strip()):
        return "identifier/card"
    if cat == "person" and text.isascii() and text.replace(" ", "").isalpha() and text.isupper():
        return "person/caps_name"
    return None


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
    mark_found: dict[str, int] = field(default_factory=dict)
    mark_total: dict[str, int] = field(default_factory=dict)
    #: mark regions with no true mark of their category under them
    mark_false: dict[str, int] = field(default_factory=dict)
    mark_misses: list[str] = field(default_factory=list)
    mark_false_where: list[str] = field(default_factory=list)
    #: recall of printed forms (:func:`form_of`): hidden numbers, card numbers, caps names
    form_found: dict[str, int] = field(default_factory=dict)
    form_total: dict[str, int] = field(default_factory=dict)

    def add_marks(self, truth: dict[str, Any], regions: Sequence[Region], where: str) -> None:
        masks = [r.bbox for r in regions]
        true_marks = truth.get("marks", [])
        for mark in true_marks:
            cat = mark["category"]
            self.mark_total[cat] = self.mark_total.get(cat, 0) + 1
            if covered_share(mark["bbox"], masks) >= MIN_SHARE:
                self.mark_found[cat] = self.mark_found.get(cat, 0) + 1
            else:
                self.mark_misses.append(f"{where} {cat}@{[round(v) for v in mark['bbox']]}")
        for r in regions:
            if r.source != "mark" or r.category not in MARKS:
                continue
            same = [BBox(*m["bbox"]) for m in true_marks if m["category"] == r.category]
            hit = sum(r.bbox.intersection(b).area for b in same if r.bbox.intersects(b))
            if hit < MARK_HIT * max(r.bbox.area, 1e-6):
                self.mark_false[r.category] = self.mark_false.get(r.category, 0) + 1
                self.mark_false_where.append(f"{where} {r.category}/{r.rule}@{r.bbox.as_list(0)}")

    def mark_recall(self, category: str) -> float:
        t = self.mark_total.get(category, 0)
        return self.mark_found.get(category, 0) / t if t else float("nan")

    def add_page(self, truth: dict[str, Any], masks: Sequence[BBox], scope: str, where: str) -> None:
        for ent in truth.get("entities", []):
            if scope == "issue2" and not in_issue2_scope(ent):
                continue
            cat, form = ent["category"], form_of(ent)
            self.total[cat] = self.total.get(cat, 0) + 1
            if form is not None:
                self.form_total[form] = self.form_total.get(form, 0) + 1
            if covered_share(ent["bbox"], masks) >= MIN_SHARE:
                self.found[cat] = self.found.get(cat, 0) + 1
                if form is not None:
                    self.form_found[form] = self.form_found.get(form, 0) + 1
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
