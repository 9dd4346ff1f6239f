"""The position detector: academic and social positions (学术任职), Chinese and English.

A Chinese position is a society, committee or journal name followed by a role:
``宁夏医学会急诊医学分会副主任委员``, ``中华医学会心血管病学分会青年委员会委员``,
``《中华心血管病杂志》编委``. The society suffix is followed (optionally after ``第X届``) by a
role; the society's name is then extended to the left with the organisation grammar (same stop
words, keep words and generic bodies, see :mod:`service.detect.organizations`), over nested
societies (学会 … 分会 … 青年委员会). Further roles joined by ``、`` or ``兼`` are included
(``分会委员、秘书``). A role alone (委员, 秘书) is never emitted. English: a role, *of/in/at*,
and a capitalised society name (``Vice Chairman of the Emergency Medicine Branch of the Ningxia
Medical Association``). Word lists: ``redaction_rules/grammar/positions.yaml``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.detect.organizations import (
    CJK,
    CjkGrammar,
    Found,
    compact,
    default_grammar,
    drop_nested,
    load_grammar,
)
from service.detect.organizations_en import CHAIN, tokens
from service.types import Span

Words = tuple[str, ...]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnglishPositionSpec(_Model):
    score: float = Field(ge=0.0, le=1.0)
    roles: Words = Field(min_length=1)
    modifiers: Words = ()
    bodies: Words = Field(min_length=1)


class PositionGrammarFile(_Model):
    version: Literal[1]
    score: float = Field(ge=0.0, le=1.0)
    society_suffixes: Words = Field(min_length=1)
    needs_place: Words = ()
    roles: Words = Field(min_length=1)
    term: str = Field(min_length=1)
    english: EnglishPositionSpec


def _alt(words: Words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


#: what may not follow a role (委员会 is a society, 专家组 a group)
_ROLE_END = r"(?!会|组|委员会)"


class PositionDetector:
    """Society + role (``position.cjk``) and role + of + society (``position.english``)."""

    name = "position"
    categories = frozenset({"position"})

    def __init__(
        self, spec: PositionGrammarFile | None = None, grammar: CjkGrammar | None = None
    ) -> None:
        self.spec = spec or default_spec()
        self.grammar = grammar or default_grammar()
        sp = self.spec
        roles = _alt(sp.roles)
        self.cjk_re = re.compile(
            rf"(?P<soc>{_alt(sp.society_suffixes)}|》)"
            rf"(?:{sp.term}(?:委员会|理事会|常委会|编委会)?)?(?:{roles}){_ROLE_END}"
        )
        self.more_re = re.compile(rf"(?:[、/／]|兼任?|及)(?:{roles}){_ROLE_END}(?![{CJK}])")
        self.needs_place = frozenset(sp.needs_place)
        en = sp.english
        mods = _alt(en.modifiers)
        role_en = rf"(?:(?:{mods})[ -])*(?:{_alt(en.roles)})" if en.modifiers else _alt(en.roles)
        self.en_re = re.compile(
            rf"(?<![A-Za-z])(?i:{role_en})[ \t]+(?:of|in|at|for|to)[ \t]+(?:the[ \t]+)?(?P<soc>{CHAIN})"
        )
        self.en_bodies = frozenset(en.bodies)

    def detect(self, text: str) -> list[Span]:
        comp = compact(text)
        spans = [
            Span(*comp.span(s, e), "position", score, "position.cjk", why)
            for s, e, score, _, why in self.find_cjk(comp.text, comp.breaks)
        ]
        for m in self.en_re.finditer(text):
            soc = [w for w, _, _ in tokens(text, m.start("soc"), m.end("soc"))]
            if self.en_bodies.intersection(soc):
                spans.append(
                    Span(
                        m.start(),
                        m.end(),
                        "position",
                        self.spec.english.score,
                        "position.english",
                        "English role followed by a society name",
                    )
                )
        return sorted(spans, key=lambda sp: (sp.start, sp.end))

    def find_cjk(self, t: str, breaks: frozenset[int]) -> list[Found]:
        g = self.grammar
        keep = g.keep_positions(t)
        found: list[Found] = []
        for m in self.cjk_re.finditer(t):
            s, e = m.span()
            soc = m.group("soc")
            if soc == "》":
                j = t.rfind("《", max(0, s - 30), s)
                if j < 0 or s - j < 3 or "\n" in t[j:s]:
                    continue
                why = "journal title followed by a role"
            else:
                j = g.walk_left(t, s, breaks, keep, 0)
                body = t[j:s]
                if len(body) < 2 or g.is_generic(body):
                    continue
                if soc in self.needs_place and not g.is_strong(body):
                    continue
                why = "society name followed by a role"
            while more := self.more_re.match(t, e):
                e = more.end()
            found.append((j, e, self.spec.score, "cjk", why))
        return drop_nested(found)


@lru_cache(maxsize=1)
def default_spec() -> PositionGrammarFile:
    return load_grammar("positions.yaml", PositionGrammarFile)
