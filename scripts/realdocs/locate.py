"""Where each checklist item is on its ORIGINAL image: boxes in pixels of the image as stored.

The boxes live in a committed annotation file (``scripts/realdocs_boxes.yaml``) so that scoring
never depends on the OCR of the day (the OCR is one of the things being changed):

    <file>:
      <key>: {text: <first characters of the item>, source: ocr|hand, boxes: [[x0, y0, x1, y1], ...]}

``source: ocr`` entries are proposed by :func:`locate_by_text` (``evaluate.py --realdocs
--locate``): the project's OCR of the original (per-character boxes), the item's text searched
approximately in the page text read as one string (so an item may run over a line break), one
box per OCR line the match touches (the bounding box of the matched characters of that line).
``source: hand`` entries were drawn by looking at the image (seals, signatures, photos, codes,
handwriting, text the OCR misreads, ambiguous repeats); ``--locate`` never overwrites them.
``source: absent`` (no boxes) records an item looked for on the image and not there (a term
the checklist names for the whole page); it is reported as such and scored in no figure.

Repeats: mask items are matched longest text first and take the characters they match; when k
mask items share one text that occurs n times, n == k assigns them in reading order, k == 1
gives all n occurrences to the item (every occurrence must be masked), anything else is left to
hand annotation; with k == 1 only the best occurrences count (distance ≤ max(best, budget/3)), not
weaker near-matches of other text. A keep item covers every occurrence of its text outside mask items.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from scripts.realdocs.checklist import Doc, Item
from scripts.realdocs.fuzzy import Match, budget, find_all, normalise

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Located:
    key: str
    text: str
    source: str  # "ocr" | "hand" | "absent"
    boxes: tuple[Box, ...]


# -- annotation file --------------------------------------------------------------------
def short(item: Item) -> str:
    """The ``text`` stored with a box: enough to tell when the checklist changed under it."""
    return (item.parts[0] if item.parts else item.text)[:12]


def load_boxes(path: Path) -> dict[str, dict[str, Located]]:
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        file: {
            key: Located(key, str(v.get("text", "")), str(v["source"]),
                         tuple(tuple(int(c) for c in b) for b in v["boxes"]))  # type: ignore[misc]
            for key, v in (entries or {}).items()
        }
        for file, entries in raw.items()
    }


def save_boxes(path: Path, boxes: dict[str, dict[str, Located]]) -> None:
    lines = ["# realdocs item boxes (pixels of the image as stored): see scripts/realdocs/locate.py",
             "# source: ocr = found by --locate in the OCR text; hand = drawn by looking at the image"]
    for file in sorted(boxes):
        lines.append(f"{file}:")
        for key in sorted(boxes[file], key=_key_order):
            loc = boxes[file][key]
            bx = ", ".join(f"[{b[0]}, {b[1]}, {b[2]}, {b[3]}]" for b in loc.boxes)
            lines.append(f"  {key}: {{text: {json.dumps(loc.text, ensure_ascii=False)}, "
                         f"source: {loc.source}, boxes: [{bx}]}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _key_order(key: str) -> tuple[int, ...]:
    head = 0 if key[0] == "m" else 1
    return (head, *(int(x) for x in key[1:].split(".")))


# -- OCR ---------------------------------------------------------------------------------
def ocr_chars(image_path: Path, cache_dir: Path) -> list[tuple[str, Box, int]]:
    """Characters of the original read by the project's OCR, in reading order, each with its box
    (clipped to the image) and its OCR line number; cached by the image's hash."""
    digest = hashlib.sha256(image_path.read_bytes()).hexdigest()[:16]
    cached = cache_dir / f"ocr-{digest}.json"
    if not cached.exists():
        _read(image_path, cached)
    with Image.open(image_path) as im:
        w, h = im.size
    return [(c, (max(0, b[0]), max(0, b[1]), min(w, b[2]), min(h, b[3])), ln)
            for c, b, ln in json.loads(cached.read_text("utf-8"))]


def _read(image_path: Path, cached: Path) -> None:
    from service.config import Limits
    from service.ingest.document import read_frame
    from service.pipeline.page import get_ocr

    page = get_ocr().read(read_frame(image_path, 0, Limits()))
    out: list[tuple[str, Box, int]] = []
    for ln, line in enumerate(page.lines):
        for ch in line.chars:
            if ch.bbox is not None and not ch.text.isspace():
                b = ch.bbox
                out.append((ch.text, (round(b.x0), round(b.y0), round(b.x1), round(b.y1)), ln))
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(out, ensure_ascii=False), "utf-8")


# -- search ------------------------------------------------------------------------------
def locate_by_text(doc: Doc, chars: list[tuple[str, Box, int]], hand: frozenset[str] = frozenset()) -> dict[str, Located]:
    """Boxes of the doc's text items found in the OCR characters (items not found are absent);
    items in ``hand`` (boxed by hand) are not searched and claim no characters."""
    norm = normalise("".join(c for c, _, _ in chars))
    hay = "".join(c for c, _ in norm)
    src = [i for _, i in norm]
    claimed: set[int] = set()
    found: dict[str, Located] = {}
    masks = [it for it in doc.items if it.kind == "mask" and it.parts and it.key not in hand]
    masks.sort(key=lambda it: -max(len(p) for p in it.parts))
    groups: dict[tuple[str, ...], list[Item]] = {}
    for it in masks:
        groups.setdefault(tuple(_q(p) for p in it.parts), []).append(it)
    for queries, items in groups.items():
        per_part = [_best(q, _free(find_all(q, hay), claimed)) for q in queries]
        if any(not occ for occ in per_part):
            continue
        k, assign = len(items), []
        if k == 1:  # every good occurrence (not a weaker near-match of some other text)
            assign = [[m for occ in per_part for m in occ]]
        elif all(len(occ) == k for occ in per_part):
            ordered = [sorted(occ, key=lambda m: m.start) for occ in per_part]
            assign = [[occ[i] for occ in ordered] for i in range(k)]
        else:
            continue
        for it, ms in zip(items, assign, strict=True):
            idx = {src[j] for m in ms for j in range(m.start, m.end)}
            claimed |= {j for m in ms for j in range(m.start, m.end)}
            found[it.key] = Located(it.key, short(it), "ocr", _boxes(chars, idx))
    for it in doc.items:
        if it.kind != "keep" or it.key in hand:
            continue
        ms = _free(find_all(_q(it.parts[0]), hay), claimed)
        if ms:
            idx = {src[j] for m in ms for j in range(m.start, m.end)}
            found[it.key] = Located(it.key, short(it), "ocr", _boxes(chars, idx))
    return found


def _q(text: str) -> str:
    return "".join(c for c, _ in normalise(text))


def _best(query: str, matches: list[Match]) -> list[Match]:
    """The occurrences that are as good as the best one (within a third of the budget)."""
    if not matches:
        return []
    limit = max(min(m.distance for m in matches), budget(query) // 3)
    return [m for m in matches if m.distance <= limit]


def _free(matches: list[Match], claimed: set[int]) -> list[Match]:
    return [m for m in matches if not any(j in claimed for j in range(m.start, m.end))]


def _boxes(chars: list[tuple[str, Box, int]], idx: set[int]) -> tuple[Box, ...]:
    by_line: dict[int, list[Box]] = {}
    for i in sorted(idx):
        by_line.setdefault(chars[i][2], []).append(chars[i][1])
    return tuple(
        (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))
        for bs in by_line.values()
    )


def as_yaml_ready(located: dict[str, dict[str, Located]]) -> dict[str, Any]:
    return {f: {k: {"text": v.text, "source": v.source, "boxes": [list(b) for b in v.boxes]}
                for k, v in entries.items()} for f, entries in located.items()}
