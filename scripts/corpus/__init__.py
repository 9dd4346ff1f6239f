"""Synthetic application materials (申报材料) with ground truth, for tests and evaluation.

Identities are synthetic (real surnames and place names, random combinations); faces, surnames
and administrative divisions are read at run time from ``../shared/data`` (or the folder in
``MANGSHEN_SHARED_DATA``) and never copied into the repository.

>>> import random
>>> from scripts.corpus import make_document
>>> doc = make_document("case_first_page", "scan_png", random.Random(1), orientation=90)
>>> doc.ext, doc.truth["pages"][0]["unit"]
('png', 'px')
"""

from __future__ import annotations

from scripts.corpus.corpus import (
    ORIENTATIONS,
    VARIANTS,
    GeneratedDoc,
    make_corpus,
    make_document,
    schedule,
)
from scripts.corpus.identity import Identity, Person, Unit, make_identity, make_person
from scripts.corpus.kinds import KINDS

__all__ = [
    "KINDS",
    "ORIENTATIONS",
    "VARIANTS",
    "GeneratedDoc",
    "Identity",
    "Person",
    "Unit",
    "make_corpus",
    "make_document",
    "make_identity",
    "make_person",
    "schedule",
]
