"""The person detector's data: ``redaction_rules/lexicons/person_context.yaml`` (labels, roles,
given-name characters, not-a-name words, minority-name components, Latin labels and titles)
and the surname lists ``redaction_rules/data/surnames_*.csv``.

The YAML is validated strictly (``extra="forbid"``); any problem raises
:class:`~service.errors.InvalidRulesError` naming the file and the field. Loading is cached:
detectors built after the first pay nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.detect.profile_latin import COMPOUND_SURNAMES
from service.errors import InvalidRulesError
from service.rules import yamlio

LEXICON_RESOURCE = ("lexicons", "person_context.yaml")
#: English words that read as a joined pinyin name (scripts/make_english_pinyin.py)
ENGLISH_PINYIN_RESOURCE = ("lexicons", "english_pinyin.txt")
SURNAME_RESOURCES = (("data", "surnames_freq.csv"), ("data", "surnames_baijiaxing.csv"))


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _cjk_set(chars: str) -> frozenset[str]:
    return frozenset(c for c in chars if is_cjk(c))


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_blank(cls, value: object) -> object:
        if isinstance(value, tuple) and any(not str(w).strip() for w in value):
            raise ValueError("entries must not be blank")
        return value


class PersonLexiconSpec(_Words):
    version: Literal[1]
    labels: tuple[str, ...] = Field(min_length=1)
    list_labels: tuple[str, ...] = ()
    roles: tuple[str, ...] = Field(min_length=1)
    stop_words: tuple[str, ...] = ()
    given_chars: str = Field(min_length=1)
    non_name_chars: str = ""
    not_names: tuple[str, ...] = ()
    minority_components: tuple[str, ...] = ()
    translit_chars: str = ""
    latin_labels: tuple[str, ...] = ()
    latin_titles: tuple[str, ...] = ()
    english_words: tuple[str, ...] = ()
    latin_not_names: tuple[str, ...] = ()
    joined_not_names: tuple[str, ...] = ()
    card_words: tuple[str, ...] = ()

    @field_validator("labels", "list_labels", "roles", "stop_words", "not_names")
    @classmethod
    def _all_cjk(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        bad = [w for w in words if not all(is_cjk(c) for c in w)]
        if bad:
            raise ValueError(f"{len(bad)} entries are not all CJK characters")
        return words

    @field_validator("minority_components")
    @classmethod
    def _components(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(w) < 2 or not all(is_cjk(c) for c in w) for w in words):
            raise ValueError("components must be 2+ CJK characters")
        return words


@dataclass(frozen=True, slots=True)
class PersonLexicon:
    labels: frozenset[str]
    list_labels: frozenset[str]
    roles: frozenset[str]
    stop_words: frozenset[str]
    given_chars: frozenset[str]  # typical given-name characters (minus non_name_chars)
    non_name_chars: frozenset[str]
    not_names: frozenset[str]
    minority_components: tuple[str, ...]
    translit_chars: frozenset[str]
    latin_labels: tuple[str, ...]
    latin_titles: tuple[str, ...]
    english_words: frozenset[str]
    latin_not_names: frozenset[str]
    surnames: frozenset[str]  # single-character surnames
    compound_surnames: frozenset[str]
    #: lower-case words that are no name written joined in capitals (CHINA, DATE, BEIJING)
    joined_not_names: frozenset[str] = frozenset()
    #: upper-case words printed on bank cards (VALID, THRU, UNIONPAY): no cardholder name
    card_words: frozenset[str] = frozenset()


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def parse_spec(raw: str, source: str) -> PersonLexiconSpec:
    """Validate the YAML text of a person lexicon; ``source`` names it in errors."""
    try:
        data = yamlio.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidRulesError(f"{source}: not valid YAML{where}") from None
    try:
        return PersonLexiconSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidRulesError(f"{source}: invalid person lexicon: {_describe(exc)}") from None


def _read_resource(parts: tuple[str, str]) -> str:
    return (files("redaction_rules") / parts[0] / parts[1]).read_text(encoding="utf-8")


def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    single: set[str] = set()
    compound: set[str] = set(COMPOUND_SURNAMES)
    for res in SURNAME_RESOURCES:
        for row in csv.DictReader(io.StringIO(_read_resource(res))):
            name = (row.get("surname") or "").strip()
            if name and all(is_cjk(c) for c in name):
                (single if len(name) == 1 else compound).add(name)
    return frozenset(single), frozenset(c for c in compound if len(c) == 2)


def build_lexicon(spec: PersonLexiconSpec) -> PersonLexicon:
    single, compound = _surnames()
    non_name = _cjk_set(spec.non_name_chars)
    return PersonLexicon(
        labels=frozenset(spec.labels),
        list_labels=frozenset(spec.list_labels),
        roles=frozenset(spec.roles),
        stop_words=frozenset(spec.stop_words),
        given_chars=_cjk_set(spec.given_chars) - non_name,
        non_name_chars=non_name,
        not_names=frozenset(spec.not_names),
        minority_components=tuple(sorted(set(spec.minority_components), key=lambda w: -len(w))),
        translit_chars=_cjk_set(spec.translit_chars),
        latin_labels=tuple(sorted(set(spec.latin_labels), key=lambda w: -len(w))),
        latin_titles=tuple(sorted(set(spec.latin_titles), key=lambda w: -len(w))),
        english_words=frozenset(w.lower() for w in spec.english_words),
        latin_not_names=frozenset(" ".join(w.lower().split()) for w in spec.latin_not_names),
        surnames=single,
        compound_surnames=compound,
        card_words=frozenset(w.upper() for w in spec.card_words),
        joined_not_names=_english_pinyin()
        | frozenset(
            "".join(w.lower().split()) for w in spec.latin_not_names + spec.joined_not_names
        ),
    )


def _english_pinyin() -> frozenset[str]:
    lines = _read_resource(ENGLISH_PINYIN_RESOURCE).splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def load_lexicon() -> PersonLexicon:
    """The shipped lexicon (cached)."""
    source = "/".join(("redaction_rules", *LEXICON_RESOURCE))
    try:
        raw = _read_resource(LEXICON_RESOURCE)
    except OSError as exc:
        raise InvalidRulesError(f"{source}: cannot be read ({type(exc).__name__})") from None
    return build_lexicon(parse_spec(raw, source))
