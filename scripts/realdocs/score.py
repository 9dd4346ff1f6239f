"""Score one released blind copy against the checklist items located on its original.

A must-mask item is *masked* when ≥ ``MASKED`` (80 %) of the union of its boxes is masked; a
must-keep item is *readable* when ≤ ``READABLE`` (30 %) of the union of its boxes is masked
(the masked pixels as :mod:`scripts.realdocs.masks` reads them), counting only the part of the
label that lies outside every must-mask item of the page: a label printed under a seal cannot
stay readable when the seal is masked, and the checklist asks for both. A label wholly under
must-mask items is not scored (``share`` is ``None``; reported apart). For every item the manifest
regions that overlap its boxes are kept with it (rule and category), so that a report can say
WHICH rule over-masks a label or nearly covered a missed item.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scripts.realdocs.checklist import Item
from scripts.realdocs.locate import Box, Located
from scripts.realdocs.masks import box_share, union

MASKED = 0.80
READABLE = 0.30


@dataclass(frozen=True, slots=True)
class Scored:
    item: Item
    share: float | None  # masked share of the item's boxes; None: a label wholly under must-mask items
    rules: tuple[str, ...]  # "<category>:<rule> NN%": manifest regions over it, most first
    boxes: tuple[Box, ...]

    @property
    def ok(self) -> bool:
        if self.share is None:
            return True
        return self.share >= MASKED if self.item.kind == "mask" else self.share <= READABLE


def manifest_regions(path: Path | None) -> list[tuple[Box, str]]:
    if path is None or not path.exists():
        return []
    data = json.loads(path.read_text("utf-8"))
    return [  # rounded inwards: the painted rectangle covers at least these pixels
        ((math.ceil(x0), math.ceil(y0), math.floor(x1), math.floor(y1)), f"{r['category']}:{r['rule']}")
        for p in data["pages"] for r in p["regions"]
        for x0, y0, x1, y1 in [r["bbox"]]
    ]


def score_items(items: list[Item], located: dict[str, Located], mask: np.ndarray,
                regions: list[tuple[Box, str]]) -> list[Scored]:
    out: list[Scored] = []
    must_mask = union(mask.shape, tuple(b for it in items if it.kind == "mask" and it.key in located
                                        for b in located[it.key].boxes))
    for it in items:
        loc = located.get(it.key)
        if loc is None or not loc.boxes:
            continue
        if it.kind == "mask":
            share: float | None = box_share(mask, loc.boxes)
        else:
            share = box_share(mask, loc.boxes, exclude=must_mask)
            if not (union(mask.shape, loc.boxes) & ~must_mask).any():
                share = None
        out.append(Scored(it, share, _rules(loc.boxes, regions, mask.shape), loc.boxes))
    return out


def _rules(boxes: tuple[Box, ...], regions: list[tuple[Box, str]], shape: tuple[int, ...]) -> tuple[str, ...]:
    """Each rule whose rectangles overlap the item, with the share of the item they cover."""
    by_rule: dict[str, list[Box]] = {}
    for rb, rule in regions:
        if any(_overlap(rb, b) for b in boxes):
            by_rule.setdefault(rule, []).append(rb)
    shares = []
    for rule, rects in by_rule.items():
        cover = np.zeros(shape[:2], dtype=bool)
        for x0, y0, x1, y1 in rects:
            cover[max(0, y0):y1, max(0, x0):x1] = True
        shares.append((box_share(cover, boxes), rule))
    shares.sort(key=lambda t: (-t[0], t[1]))
    return tuple(f"{rule} {share:.0%}" for share, rule in shares)


def _overlap(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])
