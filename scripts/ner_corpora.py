#!/usr/bin/env python3
"""Readers for the three public NER corpora in ``/work/shared/data/ner`` (see SOURCES.md §2).

Every reader returns sentences as ``(text, entities)`` where an entity is
``(start, end_exclusive, our_category, original_label)``; labels we do not use keep their
original label and ``our_category`` ``"O"``. :func:`split` holds out the **last 1,000
sentences** of each file as the validation split: nothing (training, word lists, thresholds)
may be built from them.

Category mapping (the product's categories):

* person       ← CLUENER ``name``, Resume ``NAME``, MSRA ``PER``
* organization ← CLUENER ``organization``/``company``/``government``, Resume ``ORG``, MSRA ``ORG``
* address      ← CLUENER ``address``
* place        ← MSRA ``LOC``, Resume ``LOC``
"""

from __future__ import annotations

import json
import os
from pathlib import Path

Entity = tuple[int, int, str, str]
Sentence = tuple[str, list[Entity]]

DATA_DIR = Path(os.environ.get("MANGSHEN_NER_DATA", "/work/shared/data/ner"))
HOLDOUT = 1000
CORPORA = ("cluener", "resume", "msra")

MAPPING: dict[str, dict[str, str]] = {
    "cluener": {
        "name": "person",
        "organization": "organization",
        "company": "organization",
        "government": "organization",
        "address": "address",
    },
    "resume": {"NAME": "person", "ORG": "organization", "LOC": "place"},
    "msra": {"PER": "person", "ORG": "organization", "LOC": "place"},
}

#: which predicted categories may explain a gold label (used by the evaluation)
COMPATIBLE: dict[str, dict[str, frozenset[str]]] = {
    "cluener": {
        "name": frozenset({"person"}),
        "organization": frozenset({"organization"}),
        "company": frozenset({"organization"}),
        "government": frozenset({"organization"}),
        "address": frozenset({"address", "place"}),
    },
    "resume": {
        "NAME": frozenset({"person"}),
        "ORG": frozenset({"organization"}),
        "LOC": frozenset({"place", "address"}),
    },
    "msra": {
        "PER": frozenset({"person"}),
        "ORG": frozenset({"organization"}),
        "LOC": frozenset({"place", "address"}),
    },
}


def split(sentences: list[Sentence], holdout: int = HOLDOUT) -> tuple[list[Sentence], list[Sentence]]:
    """``(train, validation)``: the validation split is the last ``holdout`` sentences."""
    if len(sentences) <= holdout:
        raise ValueError("corpus is smaller than the held-out split")
    return sentences[:-holdout], sentences[-holdout:]


def read_cluener(path: Path | None = None) -> list[Sentence]:
    path = path or DATA_DIR / "cluener" / "train.json"
    out: list[Sentence] = []
    mapping = MAPPING["cluener"]
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            obj = json.loads(line)
            text: str = obj["text"]
            ents: list[Entity] = []
            for label, by_entity in (obj.get("label") or {}).items():
                for surface, positions in by_entity.items():
                    for start, end_incl in positions:
                        if text[start : end_incl + 1] != surface:
                            raise ValueError(f"{path.name}: span does not match its text")
                        ents.append((start, end_incl + 1, mapping.get(label, "O"), label))
            ents.sort()
            out.append((text, ents))
    return out


def _spans_from_tags(tags: list[str], mapping: dict[str, str]) -> list[Entity]:
    """Entities from BIO or BMES tags (``B-X``, ``I-X``/``M-X``, ``E-X``, ``S-X``, ``O``)."""
    ents: list[Entity] = []
    start = -1
    label = ""

    def close(end: int) -> None:
        nonlocal start, label
        if start >= 0:
            ents.append((start, end, mapping.get(label, "O"), label))
        start, label = -1, ""

    for i, tag in enumerate(tags):
        if tag == "O" or "-" not in tag:
            close(i)
            continue
        prefix, lab = tag.split("-", 1)
        if prefix == "S":
            close(i)
            ents.append((i, i + 1, mapping.get(lab, "O"), lab))
        elif prefix == "B" or lab != label or start < 0:
            close(i)
            start, label = i, lab
            if prefix == "E":
                close(i + 1)
        elif prefix == "E":
            close(i + 1)
        # I / M continue the open entity
    close(len(tags))
    return ents


def read_resume(path: Path | None = None) -> list[Sentence]:
    path = path or DATA_DIR / "resume" / "train.char.bmes"
    out: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []
    mapping = MAPPING["resume"]
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\r\n")
            if not line.strip():
                if chars:
                    out.append(("".join(chars), _spans_from_tags(tags, mapping)))
                chars, tags = [], []
                continue
            ch, tag = line[0], line.rsplit(" ", 1)[-1]
            chars.append(ch)
            tags.append(tag)
    if chars:
        out.append(("".join(chars), _spans_from_tags(tags, mapping)))
    return out


def read_msra(sentences: Path | None = None, tag_file: Path | None = None) -> list[Sentence]:
    sentences = sentences or DATA_DIR / "msra" / "train_subset_sentences.txt"
    tag_file = tag_file or DATA_DIR / "msra" / "train_subset_tags.txt"
    out: list[Sentence] = []
    mapping = MAPPING["msra"]
    with open(sentences, encoding="utf-8") as fs, open(tag_file, encoding="utf-8") as ft:
        for s_line, t_line in zip(fs, ft, strict=True):
            chars = s_line.split()
            tags = t_line.split()
            if len(chars) != len(tags):
                raise ValueError(f"{sentences.name}: characters and tags differ in length")
            if not chars:
                continue
            out.append(("".join(chars), _spans_from_tags(tags, mapping)))
    return out


READERS = {"cluener": read_cluener, "resume": read_resume, "msra": read_msra}


def read(corpus: str) -> list[Sentence]:
    return READERS[corpus]()


def bio_tags(text: str, entities: list[Entity]) -> list[str]:
    """BIO tags over our categories (labels mapped to ``O`` are left out)."""
    tags = ["O"] * len(text)
    for start, end, cat, _label in entities:
        if cat == "O":
            continue
        if any(t != "O" for t in tags[start:end]):
            continue  # overlapping annotation: keep the first
        tags[start] = f"B-{cat}"
        for i in range(start + 1, end):
            tags[i] = f"I-{cat}"
    return tags
