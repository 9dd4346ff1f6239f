"""The organisation detector: unit names (医院, 大学, 卫健委, 公司 ...) in Chinese and English.

A Chinese unit name is *place prefix + body + suffix*. The suffixes, the words that stop a name
on its left (在, 于, 就诊于, 工作单位 ...), the words whose characters never stop it (协和, 于都)
and the bodies that make a suffix a common noun (上级医院, 三甲医院) are data in
``redaction_rules/grammar/organizations.yaml``. For every suffix found the body is extended to
the left over the unit's own characters (CJK, digits, Latin letters, a bracketed part like
``（集团）``) up to punctuation, a stop word or a line break; one line break is crossed when the
name obviously continues over it. Nested units (大学 … 附属医院) come out as the outer name;
departments after a name are not part of it and never emitted alone. English names are found by
:mod:`service.detect.organizations_en`.

Text is looked at in a *compact* form: spaces of spaced-out CJK text (``内 蒙 古``) and line
breaks between two CJK characters are removed, and offsets are mapped back at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.detect.organizations_en import EnglishOrgMatcher, EnglishOrgSpec
from service.errors import InvalidRulesError
from service.rules import yamlio
from service.types import Span

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACED = re.compile(
    rf"(?<=[{CJK}])[ \u3000](?=[{CJK}][ \u3000][{CJK}])"
    rf"|(?<=[{CJK}][ \u3000][{CJK}])[ \u3000](?=[{CJK}])"
)
_WRAP = re.compile(rf"(?<=[{CJK}])[ \t\u3000]*\r?\n[ \t\u3000]*(?=[{CJK}])")
_DATE = re.compile(r"[0-9０-９]+[年月日号]")
_NUM = "一二三四五六七八九十百〇零0-9"
_ORDINAL = (
    rf"(?P<ord>(?:附属)?第[{_NUM}]{{1,4}}(?:附属|临床)?"
    r"(?:人民医院|中心医院|中医医院|中医院|蒙医医院|附属医院|临床医学院|医学院|医学中心"
    r"|医院|分院|中学|小学|研究所|门诊部))"
    rf"|(?P<abbr>(?<=[{CJK}])[一二三四五六七八九]附?院(?![区士系办务]))"
)
_BOOKS_OPEN = "（("


def is_name_char(c: str) -> bool:
    """Characters a unit name is made of: CJK, digits, Latin letters (also full-width)."""
    o = ord(c)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or (c.isalnum() and (o < 128 or 0xFF10 <= o <= 0xFF5A))
        or c == "〇"
    )


@dataclass(frozen=True, slots=True)
class Compact:
    """``text`` without CJK-internal spaces and line breaks; ``orig[i]`` is the original index
    of ``text[i]``; ``breaks`` holds the indices that follow a removed line break."""

    text: str
    orig: list[int]
    breaks: frozenset[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.orig[start], self.orig[end - 1] + 1


def compact(text: str) -> Compact:
    cuts = sorted(
        [(m.start(), m.end(), False) for m in _SPACED.finditer(text)]
        + [(m.start(), m.end(), True) for m in _WRAP.finditer(text)]
    )
    pieces: list[str] = []
    orig: list[int] = []
    breaks: set[int] = set()
    pos = 0
    for start, end, is_break in cuts:
        if start < pos:
            continue
        pieces.append(text[pos:start])
        orig.extend(range(pos, start))
        pos = end
        if is_break:
            breaks.add(len(orig))
    pieces.append(text[pos:])
    orig.extend(range(pos, len(text)))
    return Compact("".join(pieces), orig, frozenset(breaks))


# ---------------------------------------------------------------------------- grammar data

Words = tuple[str, ...]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SuffixSpec(_Model):
    text: str = Field(min_length=1)
    score: float = Field(ge=0.0, le=1.0)
    min_body: int = Field(default=2, ge=0, le=10)
    needs_place: bool = False
    weak_after: Words = ()


class OrdinalSpec(_Model):
    score: float = Field(ge=0.0, le=1.0)
    bare_score: float = Field(ge=0.0, le=1.0)
    abbrev_score: float = Field(ge=0.0, le=1.0)


class OrgGrammarFile(_Model):
    version: Literal[1]
    suffixes: tuple[SuffixSpec, ...] = Field(min_length=1)
    ordinal: OrdinalSpec
    stop_words: Words = Field(min_length=1)
    keep_words: Words = Field(min_length=1)
    generic_bodies: Words = Field(min_length=1)
    generic_tails: Words = Field(min_length=1)
    place_heads: Words = Field(min_length=1)
    place_markers: Words = Field(min_length=1)
    place_marker_exceptions: Words = ()
    unit_words: Words = Field(min_length=1)
    branch_endings: Words = Field(min_length=1)
    english: EnglishOrgSpec


M = TypeVar("M", bound=BaseModel)


def parse_grammar(raw: str, source: str, model: type[M]) -> M:
    """Validate one grammar YAML document; problems raise :class:`InvalidRulesError`."""
    try:
        data = yamlio.safe_load(raw)
    except yaml.YAMLError:
        raise InvalidRulesError(f"{source}: not valid YAML") from None
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        )
        raise InvalidRulesError(f"{source}: invalid grammar: {where}") from None
    for name, value in parsed:
        if isinstance(value, tuple) and any(isinstance(w, str) and not w.strip() for w in value):
            raise InvalidRulesError(f"{source}: {name}: blank word")
    return parsed


def load_grammar(filename: str, model: type[M]) -> M:
    """Load ``redaction_rules/grammar/<filename>``."""
    source = f"redaction_rules/grammar/{filename}"
    try:
        raw = (files("redaction_rules") / "grammar" / filename).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError, UnicodeDecodeError) as exc:
        raise InvalidRulesError(f"{source}: cannot read ({type(exc).__name__})") from None
    return parse_grammar(raw, source, model)


def _alt(words: Words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


class CjkGrammar:
    """The compiled Chinese grammar, shared with the position detector."""

    def __init__(self, spec: OrgGrammarFile) -> None:
        texts = [s.text for s in spec.suffixes]
        if len(set(texts)) != len(texts):
            raise InvalidRulesError("organizations.yaml: suffixes: duplicate suffix")
        self.spec = spec
        self.suffixes = {s.text: s for s in spec.suffixes}
        self.suffix_re = re.compile(rf"{_ORDINAL}|(?P<suf>{_alt(tuple(texts))})")
        self.end_re = re.compile(rf"(?:{_alt(tuple(texts))}|[一二三四五六七八九]附?院)$")
        self.stops = frozenset(spec.stop_words)
        self.stop_lengths = sorted({len(w) for w in spec.stop_words}, reverse=True)
        self.keep_re = re.compile(_alt(spec.keep_words))
        self.generic_re = re.compile(rf"(?:{_alt(spec.generic_bodies)})+")
        self.tail_re = re.compile(rf"(?:{_alt(spec.generic_tails)})$")
        place = rf"{_alt(spec.place_heads)}|[{CJK}](?:{_alt(spec.place_markers)})"
        self.place_re = re.compile(rf"{place}|{_alt(spec.unit_words)}")
        self.place_end_re = re.compile(rf"(?:{place})$")
        self.place_exceptions = frozenset(spec.place_marker_exceptions)
        self.branch_re = re.compile(
            rf"[（(][^（）()\s，。：；、,;:]{{0,10}}(?:{_alt(spec.branch_endings)})[）)]"
        )

    def keep_positions(self, t: str) -> set[int]:
        return {i for m in self.keep_re.finditer(t) for i in range(m.start(), m.end())}

    def is_generic(self, body: str) -> bool:
        """Only generic words (上级, 三甲), or a generic modifier after no place (转上级)."""
        if self.generic_re.fullmatch(body) is not None:
            return True
        tail = self.tail_re.search(body)
        return tail is not None and not self.is_strong(body[: tail.start()])

    def is_strong(self, body: str) -> bool:
        """The body names a place or another unit."""
        return any(m.group() not in self.place_exceptions for m in self.place_re.finditer(body))

    def _stop_at(self, t: str, j: int, keep: set[int]) -> bool:
        if j - 1 in keep:
            return False
        return any(t[j - n : j] in self.stops for n in self.stop_lengths if n <= j)

    def _may_cross(self, t: str, j: int, s: int) -> bool:
        """A line break at ``j``: does the name started on the previous line?"""
        if s - j < 2:
            return True
        k = j
        while k > max(0, j - 20) and is_name_char(t[k - 1]):
            k -= 1
        tail = t[k:j]
        return self.is_strong(tail) and self.end_re.search(tail) is None

    def _open_bracket(self, t: str, close: int) -> int | None:
        for k in range(close - 1, max(-1, close - 10), -1):
            if t[k] in _BOOKS_OPEN:
                return k if k > 0 and is_name_char(t[k - 1]) and k < close - 1 else None
            if not is_name_char(t[k]):
                return None
        return None

    def walk_left(
        self, t: str, s: int, breaks: frozenset[int], keep: set[int], crossed: int
    ) -> int:
        """The start of the body of a name whose suffix starts at ``s``; after a date, cut."""
        j = s
        limit = max(0, s - 40)
        while j > limit:
            if j in breaks:
                if crossed or not self._may_cross(t, j, s):
                    break
                crossed = 1
            c = t[j - 1]
            if (
                c in " \u3000"
                and not crossed
                and s - j < 2
                and self.place_end_re.search(t, 0, j - 1)
            ):
                crossed = 1  # 锡林郭勒盟 中心医院: one space after a place, inside a name
                j -= 1
                continue
            if c in "）)":
                o = self._open_bracket(t, j - 1)
                if o is None:
                    break
                j = o
                continue
            if not is_name_char(c) or self._stop_at(t, j, keep):
                break
            j -= 1
        dates = list(_DATE.finditer(t, j, s))
        j = dates[-1].end() if dates else j
        while j < s and t[j] in " \u3000":
            j += 1
        return j

    def extend_right(self, t: str, e: int) -> int:
        m = self.branch_re.match(t, e)
        return m.end() if m else e


@lru_cache(maxsize=1)
def default_grammar() -> CjkGrammar:
    return CjkGrammar(load_grammar("organizations.yaml", OrgGrammarFile))


# ---------------------------------------------------------------------------- detector

Found = tuple[int, int, float, str, str]  # compact start, end, score, rule, explanation


def drop_nested(found: list[Found]) -> list[Found]:
    """Keep the outermost candidates; a nested one (大学 in 大学附属医院) lends its score."""
    found.sort(key=lambda f: (f[0], -f[1]))
    kept: list[Found] = []
    for f in found:
        if kept and f[1] <= kept[-1][1]:
            if f[2] > kept[-1][2]:
                kept[-1] = (*kept[-1][:2], f[2], *kept[-1][3:])
            continue
        kept.append(f)
    return kept


class OrganizationDetector:
    """Unit names with a recognisable suffix, Chinese (``org.cjk_*``) and English (``org.english``)."""

    name = "org"
    categories = frozenset({"organization"})

    def __init__(self, grammar: CjkGrammar | None = None) -> None:
        self.grammar = grammar or default_grammar()
        self.english = EnglishOrgMatcher(self.grammar.spec.english)

    def detect(self, text: str) -> list[Span]:
        comp = compact(text)
        spans = [
            Span(*comp.span(s, e), "organization", score, f"org.{rule}", why)
            for s, e, score, rule, why in self.find_cjk(comp)
        ]
        spans += [
            Span(s, e, "organization", score, "org.english", why)
            for s, e, score, why in self.english.find(text)
        ]
        return sorted(spans, key=lambda sp: (sp.start, sp.end))

    def find_cjk(self, comp: Compact) -> list[Found]:
        g, t = self.grammar, comp.text
        keep = g.keep_positions(t)
        found: list[Found] = []
        for m in g.suffix_re.finditer(t):
            s, e = m.span()
            crossed = sum(1 for b in range(s + 1, e) if b in comp.breaks)
            if crossed > 1:
                continue
            j = g.walk_left(t, s, comp.breaks, keep, crossed)
            cand = self._judge(t, j, s, e, m.lastgroup or "suf")
            if cand is not None:
                found.append(cand)
        return drop_nested(found)

    def _judge(self, t: str, j: int, s: int, e: int, kind: str) -> Found | None:
        g, ordinal = self.grammar, self.grammar.spec.ordinal
        body = t[j:s]
        strong = g.is_strong(body)
        generic = g.is_generic(body) if body else False
        end = g.extend_right(t, e)
        if kind == "ord":
            if not body or generic:
                return s, end, ordinal.bare_score, "cjk_ordinal", "ordinal hospital or school"
            why = f"ordinal unit with {'place prefix' if strong else 'a name body'}"
            return j, end, ordinal.score, "cjk_ordinal", why
        if kind == "abbr":
            if len(body) < 2 or generic:
                return None
            return j, end, ordinal.abbrev_score, "cjk_ordinal", "abbreviated ordinal hospital"
        suffix = g.suffixes[t[s:e]]
        if len(body) < suffix.min_body or generic:
            return None
        if not strong and (suffix.needs_place or t.startswith(suffix.weak_after, e)):
            return None
        score = round(min(0.95, suffix.score + (0.05 if strong else 0.0)), 2)
        why = f"unit-name suffix with {'place prefix' if strong else 'a name body'}"
        return j, end, score, "cjk_suffix", why
