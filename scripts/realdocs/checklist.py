"""The realdocs checklist (../shared/data/realdocs/checklist.yaml) as typed items.

Each ``must_mask`` entry is one item (``m<i>``): its text is the part before `` (`` (the rest
describes it); several texts separated by `` / `` are parts of the same item (``南昌 / Nanchang``)
and the item is scored on the union of their boxes. Each ``must_keep`` entry may list several
labels separated by `` / ``; every label is its own item (``k<i>.<j>``), because each one must
stay readable on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

#: categories whose items are pictures, never located by reading text
MARK_CATEGORIES = frozenset({"face_photo", "seal", "signature", "qr_barcode"})
KEEP = "keep"


@dataclass(frozen=True, slots=True)
class Item:
    file: str
    kind: Literal["mask", "keep"]
    key: str  # m<i> for must_mask[i], k<i>.<j> for part j of must_keep[i]
    category: str  # the checklist category; "keep" for must_keep items
    text: str  # the checklist text, description included
    parts: tuple[str, ...]  # what to look for in the OCR text (descriptions removed)
    uncertain: bool = False

    @property
    def is_mark(self) -> bool:
        return self.category in MARK_CATEGORIES


@dataclass(frozen=True, slots=True)
class Doc:
    file: str
    items: tuple[Item, ...]


def _strip_description(text: str) -> str:
    """``凌龙珍 (姓名 field)`` → ``凌龙珍``: the text ends at the first `` (``; a parenthesis
    at the very start (``(甲)酒石酸…``) or inside the text (``门(急)诊``) is kept. Quotes are
    text (``打"√"。(9分)``)."""
    cut = text.find(" (")
    body = (text[:cut] if cut > 0 else text).strip()
    # "handwritten note 人保…": an English description before Chinese text
    lead = re.match(r"^(?:[a-z-]+ )+(?=[\u3400-\u9fff])", body)
    body = body[lead.end():] if lead else body
    # "横纹肌溶解 terms": an English description after Chinese text
    trail = re.search(r"(?<=[\u3400-\u9fff])(?: [a-z]+)+$", body)
    return body[:trail.start()] if trail else body


def split_parts(text: str) -> tuple[str, ...]:
    body = _strip_description(text)
    # "HPV16 / … / HPV52": an ellipsis stands for what the other parts are, it is no label
    return tuple(p.strip(" /") for p in body.split(" / ") if p.strip(" /.…"))


def load(path: Path) -> list[Doc]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    docs: list[Doc] = []
    for entry in raw:
        items: list[Item] = []
        for i, m in enumerate(entry.get("must_mask") or []):
            text = str(m["text"])
            items.append(Item(entry["file"], "mask", f"m{i}", m["category"], text,
                              () if m["category"] in MARK_CATEGORIES else split_parts(text),
                              bool(m.get("uncertain", False))))
        for i, k in enumerate(entry.get("must_keep") or []):
            text = str(k)
            for j, part in enumerate(split_parts(text)):
                items.append(Item(entry["file"], "keep", f"k{i}.{j}", KEEP, text, (part,)))
        docs.append(Doc(entry["file"], tuple(items)))
    return docs
