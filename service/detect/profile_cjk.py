"""Exact and one-edit matching of Chinese profile identities over compact text.

The text is searched in its compact form (normalised, no whitespace, see
:mod:`service.detect.profile_norm`), so whitespace, tabs and line breaks anywhere inside an
identity are tolerated. A target marked ``fuzzy`` also matches with ONE substituted or ONE
missing character; candidates come from exact occurrences of either half of the pattern (one
edit leaves the other half intact), so the cost grows with the hits, not with the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from service.detect.profile_norm import NUMERALS, Compact

# score penalties for the kinds of OCR damage (subtracted from the target's score)
CONFUSION_PENALTY = 0.09
INNER_SUB_PENALTY = 0.14
EDGE_SUB_PENALTY = 0.19
INNER_DEL_PENALTY = 0.19
EDGE_DEL_PENALTY = 0.24


@dataclass(frozen=True, slots=True)
class CjkTarget:
    """One string to look for (compact form) and what a hit on it means."""

    pattern: str
    key: str
    score: float
    #: what kind of variant this is ("" for the profile entry itself); never the text
    variant: str = ""
    fuzzy: bool = False
    #: refuse substitutions between numerals (第一/第二 are different organisations)
    strict_numerals: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    """A match in original-text offsets."""

    start: int
    end: int
    key: str
    score: float
    explanation: str


def occurrences(text: str, sub: str) -> list[int]:
    out: list[int] = []
    i = text.find(sub)
    while i != -1:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


class CjkMatcher:
    """Finds every target in a :class:`Compact` text."""

    def __init__(
        self, targets: Iterable[CjkTarget], confusions: Mapping[str, frozenset[str]]
    ) -> None:
        best: dict[tuple[str, str, bool], CjkTarget] = {}
        for t in targets:
            if len(t.pattern) < 2:
                continue
            k = (t.pattern, t.key, t.fuzzy)
            if k not in best or best[k].score < t.score:
                best[k] = t
        self._targets = tuple(best.values())
        self._confusions = confusions

    def __len__(self) -> int:
        return len(self._targets)

    def find(self, comp: Compact) -> list[Hit]:
        hits: list[Hit] = []
        text = comp.text
        for t in self._targets:
            n = len(t.pattern)
            for s in occurrences(text, t.pattern):
                start, end = comp.original(s, s + n)
                expl = t.variant or "exact match"
                if end - start != n:
                    expl += " (whitespace inside)"
                hits.append(Hit(start, end, t.key, t.score, expl))
            if t.fuzzy and n >= 3:
                hits.extend(self._fuzzy(comp, t))
        return hits

    def _fuzzy(self, comp: Compact, t: CjkTarget) -> list[Hit]:
        text, p = comp.text, t.pattern
        n, h = len(p), len(p) // 2
        subs: set[int] = set()
        dels: set[int] = set()
        for q in occurrences(text, p[:h]):
            subs.add(q)
            dels.add(q)
        for q in occurrences(text, p[h:]):
            subs.add(q - h)
            dels.add(q - h + 1)
        out: list[Hit] = []
        for s in sorted(subs):
            if s >= 0 and s + n <= len(text):
                hit = self._substitution(comp, t, s)
                if hit is not None:
                    out.append(hit)
        for s in sorted(dels):
            if s >= 0 and s + n - 1 <= len(text):
                hit = self._deletion(comp, t, s)
                if hit is not None:
                    out.append(hit)
        return out

    def _substitution(self, comp: Compact, t: CjkTarget, s: int) -> Hit | None:
        p = t.pattern
        n = len(p)
        window = comp.text[s : s + n]
        diffs = [i for i in range(n) if window[i] != p[i]]
        if len(diffs) != 1:
            return None
        i = diffs[0]
        got, want = window[i], p[i]
        if not got.isalnum():
            return None
        if t.strict_numerals and got in NUMERALS and want in NUMERALS:
            return None
        where = f"position {i + 1} of {n}"
        if got in self._confusions.get(want, ()):
            penalty, kind = CONFUSION_PENALTY, f"1 substitution at {where} (OCR confusion pair)"
        elif i in (0, n - 1):
            penalty, kind = EDGE_SUB_PENALTY, f"1 substitution at {where}"
        else:
            penalty, kind = INNER_SUB_PENALTY, f"1 substitution at {where}"
        start, end = comp.original(s, s + n)
        return Hit(start, end, t.key, round(t.score - penalty, 2), _fuzzy_explanation(t, kind))

    def _deletion(self, comp: Compact, t: CjkTarget, s: int) -> Hit | None:
        p = t.pattern
        n = len(p)
        window = comp.text[s : s + n - 1]
        k = 0
        while k < n - 1 and window[k] == p[k]:
            k += 1
        if window[k:] != p[k + 1 :]:
            return None
        penalty = EDGE_DEL_PENALTY if k in (0, n - 1) else INNER_DEL_PENALTY
        start, end = comp.original(s, s + n - 1)
        kind = f"1 missing character at position {k + 1} of {n}"
        return Hit(start, end, t.key, round(t.score - penalty, 2), _fuzzy_explanation(t, kind))


def _fuzzy_explanation(t: CjkTarget, kind: str) -> str:
    return f"{t.variant}; fuzzy: {kind}" if t.variant else f"fuzzy: {kind}"
