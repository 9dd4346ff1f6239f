"""English unit names for :mod:`service.detect.organizations`.

A name is a chain of capitalised words joined by spaces or the connectors *of, and, for, the,
&* (a line break is allowed after a connector) that ends in a unit keyword (Hospital,
University, Association ...) or continues after its last keyword only through a connector
(University of Hong Kong, Center for Disease Control and Prevention). A leading department
(Department of Cardiology of ...) is cut off, a leading *The* kept; a chain made only of generic
words (People's Hospital, The Affiliated Hospital) or containing words of paper titles
(Analysis, Risk, Factors ...) is not a name. The word lists are data in
``redaction_rules/grammar/organizations.yaml`` (``english``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

#: one capitalised word (People's, Co-operative, PLA, Co., Ltd.) or a number (2nd, 301)
WORD = (
    r"(?:Co\.,[ \t]?Ltd\.?|[A-Z][A-Za-z]*(?:['’][A-Za-z]+)?(?:-[A-Za-z]+)*\.?"
    r"|[0-9]{1,4}(?:st|nd|rd|th)?(?![0-9]))"
)
CONNECTOR = r"(?:of|and|for|the|on|in|&)"
_SEP = rf"(?:[ \t]+(?:{CONNECTOR}(?:[ \t]+|[ \t]*\r?\n[ \t]*))*)"
#: a chain of capitalised words (the regex text, shared with the position detector)
CHAIN = rf"(?<![A-Za-z0-9'’-]){WORD}(?:{_SEP}{WORD})*"
_CHAIN_RE = re.compile(CHAIN)
_TOKEN = re.compile(r"Co\.,[ \t]?Ltd\.?|[^\s]+")
_HAS_CAP = re.compile("[A-Z]")
_CONNECTORS = frozenset({"of", "and", "for", "the", "on", "in", "&"})

Words = tuple[str, ...]


class EnglishOrgSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    score: float = Field(ge=0.0, le=1.0)
    bare_score: float = Field(ge=0.0, le=1.0)
    keywords: Words = Field(min_length=1)
    generic: Words = ()
    ordinals: Words = ()
    department_heads: Words = ()
    title_words: Words = ()


Token = tuple[str, int, int]


def tokens(text: str, start: int, end: int) -> list[Token]:
    """The words of ``text[start:end]``; connectors lower-cased, ALL-CAPS words
    capitalised (HOSPITAL -> Hospital)."""
    return [(_norm(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def _norm(word: str) -> str:
    if word in ("The", "THE"):
        return "The"
    if word.lower() in _CONNECTORS:
        return word.lower()
    return word.capitalize() if len(word) > 3 and word.isupper() else word


class EnglishOrgMatcher:
    def __init__(self, spec: EnglishOrgSpec) -> None:
        self.spec = spec
        self.keywords = frozenset(spec.keywords)
        self.generic = frozenset(spec.generic) | self.keywords
        self.ordinals = frozenset(spec.ordinals)
        self.department_heads = frozenset(spec.department_heads)
        self.title_words = frozenset(spec.title_words)

    def find(self, text: str) -> Iterator[tuple[int, int, float, str]]:
        """``(start, end, score, explanation)`` of every English unit name in ``text``."""
        if _HAS_CAP.search(text) is None:
            return
        for m in _CHAIN_RE.finditer(text):
            toks = tokens(text, m.start(), m.end())
            found = self.judge(toks)
            if found is not None:
                yield found

    def unit_end(self, toks: list[Token]) -> int | None:
        """Index after the last token of the name: the last keyword, or the chain's end when
        that keyword is followed by a connector."""
        for k in range(len(toks) - 1, -1, -1):
            if toks[k][0] in self.keywords:
                if k + 1 < len(toks) and toks[k + 1][0] in _CONNECTORS:
                    return len(toks)
                return k + 1
        return None

    def unit_start(self, toks: list[Token], end: int) -> int:
        start = 0
        if toks and toks[0][0] in self.department_heads:
            cut = next(
                (i for i in range(3, end) if toks[i][0] in ("of", "at", "in")),
                None,
            )
            start = end if cut is None else cut + 1
        while start < end and toks[start][0] in _CONNECTORS:
            start += 1
        return start

    def judge(self, toks: list[Token]) -> tuple[int, int, float, str] | None:
        end = self.unit_end(toks)
        if end is None:
            return None
        # strip connectors dangling at the end (a chain cannot end in one; defensive)
        while end > 0 and toks[end - 1][0] in _CONNECTORS:
            end -= 1
        start = self.unit_start(toks, end)
        # a leading "The" belongs to the name (it is masked with it) but names nothing
        words = [w for w, _, _ in toks[start:end] if w not in _CONNECTORS and w != "The"]
        if not words or any(w.rstrip(".") in self.title_words for w in words):
            return None
        named = [w for w in words if w not in self.generic]
        s, e = toks[start][1], toks[end - 1][2]
        if named:
            return s, e, self.spec.score, "English unit name ending in a unit keyword"
        if any(w in self.ordinals for w in words) and len(words) >= 2:
            return s, e, self.spec.bare_score, "English ordinal hospital without a place"
        return None
