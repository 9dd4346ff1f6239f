"""The place gazetteer: every usual surface form of every Chinese administrative division.

Built once (cached) from the NBS 2023 division tables shipped in ``redaction_rules/data``
(provinces, cities, areas, streets) plus hand-written data in ``redaction_rules/places``:
``aliases.yaml`` (abbreviations and former names), ``romanisation.yaml`` (spellings the
generated pinyin gets wrong) and ``not_places.yaml`` (stop forms, ambiguous short forms and
words that are not places).

Each surface form maps to a :class:`PlaceForm` (level, kind, gate). The gate says when a
form may be reported on its own:

* ``none`` – always (full names, aliases, distinctive short forms such as 呼和浩特);
* ``context`` – only with a following suffix/unit word or location context (2-character
  county short forms, city short forms that are everyday words: 朝阳, 开封…);
* ``suffix`` – only directly before an administrative suffix (中山 → 中山市 only).

Town-level names (街道/镇/乡/苏木) are kept as full names only, in a set, so the 41k-row
table costs one string per row. Romanised forms are built lazily (:func:`load_roman`):
texts without Latin capitals never pay for pypinyin.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

import yaml

from service.detect import gazetteer_forms as gf
from service.errors import InvalidRulesError
from service.rules import yamlio

Level = Literal["province", "city", "county", "town"]
Kind = Literal["full", "short", "alias"]
Gate = Literal["none", "context", "suffix"]
LEVELS: tuple[Level, ...] = ("province", "city", "county", "town")
_KINDS: tuple[Kind, ...] = ("full", "alias", "short")
MUNICIPALITIES = frozenset({"北京", "上海", "天津", "重庆"})
#: placeholder rows of cities.csv / areas.csv
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True, slots=True)
class PlaceForm:
    level: Level
    kind: Kind
    gate: Gate

    @property
    def rule(self) -> str:
        if self.level == "province":
            return "province"
        return "alias" if self.kind == "alias" else self.level

    @property
    def explanation(self) -> str:
        what = {"full": "full name", "short": "short form", "alias": "abbreviation/former name"}
        return f"{self.level}-level {what[self.kind]} from the GB/T 2260 division gazetteer"

    def rank(self) -> tuple[int, int]:
        return LEVELS.index(self.level), _KINDS.index(self.kind)


TOWN = PlaceForm("town", "full", "none")


@dataclass(frozen=True, slots=True)
class NotPlaces:
    not_places: frozenset[str]
    stop_forms: frozenset[str]
    common_shorts: frozenset[str]
    suffix_only: frozenset[str]


@dataclass(frozen=True)
class Gazetteer:
    forms: dict[str, PlaceForm]
    towns: frozenset[str]
    #: first character -> lengths of forms starting with it, longest first
    lengths: dict[str, tuple[int, ...]]
    #: bare names (suffix stripped) with their level, for romanisation
    bares: dict[str, tuple[Level, str]]
    lists: NotPlaces

    def lookup(self, surface: str) -> PlaceForm | None:
        form = self.forms.get(surface)
        if form is None and surface in self.towns:
            return TOWN
        return form


def _read(*parts: str) -> str:
    try:
        return files("redaction_rules").joinpath(*parts).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise InvalidRulesError(f"cannot read {'/'.join(parts)}: {exc}") from None


def _yaml(name: str) -> dict[str, Any]:
    try:
        data = yamlio.safe_load(_read("places", name))
    except yaml.YAMLError as exc:
        raise InvalidRulesError(f"places/{name}: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != 1:
        raise InvalidRulesError(f"places/{name}: expected a mapping with 'version: 1'")
    return data


def _str_list(data: dict[str, Any], key: str, src: str) -> frozenset[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidRulesError(f"places/{src}: '{key}' must be a list of strings")
    return frozenset(value)


@lru_cache(maxsize=1)
def load_not_places() -> NotPlaces:
    d = _yaml("not_places.yaml")
    src = "not_places.yaml"
    return NotPlaces(*(_str_list(d, k, src) for k in
                       ("not_places", "stop_forms", "common_shorts", "suffix_only")))  # fmt: skip


def _rows(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_read("data", name))))[1:]


class _Builder:
    def __init__(self, lists: NotPlaces) -> None:
        self.lists = lists
        self.forms: dict[str, PlaceForm] = {}
        self.bares: dict[str, tuple[Level, str]] = {}

    def add(self, surface: str, level: Level, kind: Kind) -> None:
        if len(surface) < 2 or not gf.is_cjk_name(surface) or surface in self.lists.stop_forms:
            return
        gate: Gate = "none"
        if surface in self.lists.suffix_only:
            gate = "suffix"
        elif level != "province" and (
            surface in self.lists.common_shorts
            or (kind == "short" and len(surface) == 2 and level != "city")
        ):
            gate = "context"
        form = PlaceForm(level, kind, gate)
        old = self.forms.get(surface)
        if old is None or form.rank() < old.rank():
            self.forms[surface] = form

    def division(self, name: str, level: Level, suffixes: tuple[str, ...]) -> None:
        if name in _PLACEHOLDERS:
            return
        self.add(name, level, "full")
        bare, extra = gf.short_forms(name, suffixes)
        self.add(bare, level, "short")
        for form in extra:
            self.add(form, level, "full")
        if bare and bare not in self.bares:
            self.bares[bare] = (level, name)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer built from the shipped tables (cached; ~0.1 s)."""
    lists = load_not_places()
    b = _Builder(lists)
    for _code, name in _rows("provinces.csv"):
        # a municipality (北京, 上海, 天津, 重庆) is a province and a city: masked as a city
        municipality = name.removesuffix("市") in MUNICIPALITIES
        b.division(name, "city" if municipality else "province", gf.PROVINCE_SUFFIXES)
    for _code, name, _prov in _rows("cities.csv"):
        b.division(name, "city", gf.CITY_SUFFIXES)
    for row in _rows("areas.csv"):
        b.division(row[1], "county", gf.COUNTY_SUFFIXES)
    for alias, spec in _aliases().items():
        b.add(alias, spec, "alias")
    for city in MUNICIPALITIES:
        b.add(city, "city", "short")
    towns = _towns(lists)
    lengths: dict[str, set[int]] = {}
    for surface in (*b.forms, *towns):
        lengths.setdefault(surface[0], set()).add(len(surface))
    return Gazetteer(
        b.forms,
        towns,
        {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()},
        b.bares,
        lists,
    )


def _towns(lists: NotPlaces) -> frozenset[str]:
    """Full names of township-level divisions (one regex pass over the 41k-row table)."""
    suffixes = "|".join(re.escape(x) for x in gf.TOWN_SUFFIXES)
    rx = re.compile(rf'^[0-9]+,"?([\u4e00-\u9fff]+(?:{suffixes}))"?,', re.MULTILINE)
    out = {n for n in rx.findall(_read("data", "streets.csv")) if len(n) >= 3}
    return frozenset(out - lists.stop_forms)


def _aliases() -> dict[str, Level]:
    data = _yaml("aliases.yaml").get("aliases")
    if not isinstance(data, dict):
        raise InvalidRulesError("places/aliases.yaml: 'aliases' must be a mapping")
    out: dict[str, Level] = {}
    for alias, spec in data.items():
        level = spec.get("level") if isinstance(spec, dict) else None
        if not isinstance(alias, str) or len(alias) < 2 or level not in LEVELS:
            raise InvalidRulesError(f"places/aliases.yaml: bad entry for {alias!r}")
        out[alias] = level
    return out


@dataclass(frozen=True, slots=True)
class RomanForm:
    level: Level
    #: True: reported only before a suffix word (County, District…) or a following place
    gated: bool


@lru_cache(maxsize=1)
def load_roman() -> dict[str, RomanForm]:
    """Romanised form (one or more capitalised words) -> level, built lazily."""
    g = load_gazetteer()
    data = _yaml("romanisation.yaml")
    fixed = data.get("forms") or {}
    if not isinstance(fixed, dict) or not all(
        isinstance(v, list) and all(isinstance(f, str) and f for f in v) for v in fixed.values()
    ):
        raise InvalidRulesError("places/romanisation.yaml: 'forms' must map names to lists")
    banned = _str_list(data, "not_roman", "romanisation.yaml")
    out: dict[str, RomanForm] = {}

    def put(form: str, rf: RomanForm) -> None:
        old = out.get(form)
        if form not in banned and (old is None or _roman_rank(rf) < _roman_rank(old)):
            out[form] = rf

    words = gf.pinyin_words([gf.roman_source(b, f) for b, (lv, f) in g.bares.items() if lv != "town"])
    for bare, (level, full) in g.bares.items():
        if level == "town":
            continue
        # a one-character name is romanised with its suffix (磁县 Cixian): distinctive alone
        # (common_shorts gate Chinese words such as 海口 in 夸下海口; their pinyin is no word)
        gated = level == "county" and len(bare) >= 2
        spelled = fixed.get(bare) or fixed.get(full)
        for form in gf.roman_forms(bare, full, words):
            if spelled and not any(f[:3].lower() == form[:3].lower() for f in spelled):
                continue  # a wrong reading the fixed list corrects (长治 Zhangzhi → Changzhi)
            # besides a fixed spelling (Qiqihar), plain pinyin is used too (Qiqiha'er, Qiqihaer)
            put(form, RomanForm(level, gated and level != "province"))
            if "'" in form:
                put(form.replace("'", ""), RomanForm(level, gated and level != "province"))
    for key, forms in fixed.items():
        known = g.bares.get(key)
        form_of = g.lookup(key)
        if known is None and form_of is None:
            raise InvalidRulesError(f"places/romanisation.yaml: unknown place {key!r}")
        fixed_level = known[0] if known else form_of.level if form_of else "county"
        for form in forms:
            put(form.replace("\u2019", "'"), RomanForm(fixed_level, False))
    return out


def _roman_rank(rf: RomanForm) -> tuple[int, int]:
    return int(rf.gated), LEVELS.index(rf.level)


def province_prefix(text: str) -> int:
    """Length of the province name ``text`` starts with (full or short form: 福建省, 福建,
    内蒙古自治区, 内蒙古), or 0."""
    gaz = load_gazetteer()
    for k in range(min(8, len(text)), 1, -1):
        form = gaz.lookup(text[:k])
        if form is not None and form.level == "province":
            return k
    return 0
