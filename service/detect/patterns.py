"""The pattern detector: checksummed and regex patterns (IDs, phones, postcodes, emails, URLs,
certificate numbers, bank cards, credit codes) loaded as data from
``redaction_rules/patterns/*.yaml``.

The text is first normalised one character for one character (full-width ASCII to ASCII, dash
and space variants to ``-`` and `` ``, a ``一`` between digits to ``-``), so offsets into the
normalised text are offsets into the original. Each match is then judged by its rule: allow-list,
exclusion context, context words, validator. Finally spans covered by a longer or better span
are dropped (an 18-digit ID yields no phone finding inside it); partial overlaps are kept (fail
closed: the decide stage merges them).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from service.detect.validators import VALIDATORS
from service.rules.patterns import PatternRule, Window, load_patterns
from service.types import Span


def _translation_table() -> dict[int, int]:
    table = {0xFF01 + i: 0x21 + i for i in range(94)}  # full-width ！..～ -> ASCII
    dashes = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63"
    table.update({ord(c): ord("-") for c in dashes})
    spaces = "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    table.update({ord(c): ord(" ") for c in spaces + "\u202f\u205f\u3000"})
    table[0xFE6B] = ord("@")  # small commercial at
    return table


_TABLE = _translation_table()
#: OCR reads a dash between digits as 一 (one) or ー (prolonged sound mark)
_DIGIT_DASH = re.compile(r"(?<=[0-9])[一ー](?=[0-9])")
#: what a validator is not shown: separators (mask characters of partly hidden numbers stay)
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z*×●•]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_HOST_END = re.compile(r"[/:?#]")


def normalize(text: str) -> str:
    """A same-length copy of ``text`` with the character variants OCR and typists produce
    folded to ASCII. ``len(normalize(t)) == len(t)`` always holds."""
    return _DIGIT_DASH.sub("-", text.translate(_TABLE))


@dataclass(frozen=True, slots=True)
class ContextHit:
    word: str
    side: str
    gap: int

    def explain(self) -> str:
        return f"context '{self.word}' {self.gap} chars {self.side}"


def find_context(text: str, start: int, end: int, window: Window) -> ContextHit | None:
    """The first (longest) window word ending at most ``before`` characters before ``start``
    or starting at most ``after`` characters after ``end``; case-insensitive."""
    longest = len(window.words[0])
    before = text[max(0, start - window.before - longest) : start].lower() if window.before else ""
    after = text[end : end + window.after + longest].lower() if window.after else ""
    for word in window.words:
        if before:
            i = before.rfind(word)
            if i >= 0 and len(before) - (i + len(word)) <= window.before:
                return ContextHit(word, "before", len(before) - (i + len(word)))
        if after:
            i = after.find(word)
            if 0 <= i <= window.after:
                return ContextHit(word, "after", i)
    return None


def url_host(value: str) -> str:
    """The lower-cased host of a URL or bare domain, without ``www.``."""
    rest = _SCHEME.sub("", value.lower())
    host = _HOST_END.split(rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    return host.removeprefix("www.")


def _allowed(value: str, hosts: frozenset[str]) -> bool:
    host = url_host(value)
    return any(host == h or host.endswith("." + h) for h in hosts)


def judge(rule: PatternRule, text: str, start: int, end: int) -> Span | None:
    """Score one regex match of ``rule`` on normalised ``text``, or reject it."""
    value = text[start:end]
    if rule.allow_hosts and _allowed(value, rule.allow_hosts):
        return None
    if rule.exclude is not None and find_context(text, start, end, rule.exclude):
        return None
    hit = find_context(text, start, end, rule.context) if rule.context is not None else None
    if rule.context_required and hit is None:
        return None
    notes = [f"pattern {rule.rule.rsplit('.', 1)[-1]}; {end - start} chars"]
    score = rule.context_score if hit else rule.score
    if rule.validator is not None:
        if VALIDATORS[rule.validator](_NOT_ALNUM.sub("", value)):
            notes.append(f"{rule.validator} check passed")
        elif rule.on_invalid == "context" and hit is not None:
            notes.append(f"{rule.validator} check failed (kept: strong context)")
            score = rule.invalid_score
        else:
            return None
    if hit is not None:
        notes.append(hit.explain())
    if rule.note:
        notes.append(rule.note)
    return Span(start, end, rule.category, score, rule.rule, "; ".join(notes))


def run_rule(rule: PatternRule, text: str) -> Iterator[Span]:
    """Every accepted match of one rule on normalised ``text``."""
    for match in rule.regex.finditer(text):
        start, end = match.span(rule.group)
        if 0 <= start < end:
            span = judge(rule, text, start, end)
            if span is not None:
                yield span


def _clusters(spans: list[Span]) -> Iterator[list[Span]]:
    """Groups of transitively overlapping spans (input sorted by start)."""
    group: list[Span] = []
    reach = -1
    for span in spans:
        if group and span.start >= reach:
            yield group
            group = []
        group.append(span)
        reach = max(reach, span.end)
    if group:
        yield group


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Drop every span covered by a longer one, or by an equal one with a higher score.

    Partial overlaps are kept, so no character of any finding is lost."""
    ordered = sorted(set(spans), key=lambda s: (s.start, -s.end))
    kept: list[Span] = []
    for group in _clusters(ordered):
        ranked = sorted(group, key=lambda s: (s.start - s.end, -s.score, s.start, s.rule))
        winners: list[Span] = []
        for span in ranked:
            if not any(w.covers(span) for w in winners):
                winners.append(span)
        kept.extend(winners)
    return sorted(kept, key=lambda s: (s.start, s.end, s.rule))


@functools.cache
def _default_rules() -> tuple[PatternRule, ...]:
    return tuple(load_patterns())


class PatternDetector:
    """Text detector for the regex/checksum categories (see ``redaction_rules/patterns``)."""

    name = "pattern"

    def __init__(self, rules: Sequence[PatternRule] | None = None) -> None:
        self.rules: tuple[PatternRule, ...] = _default_rules() if rules is None else tuple(rules)
        self.categories: frozenset[str] = frozenset(r.category for r in self.rules)

    def detect(self, text: str) -> list[Span]:
        norm = normalize(text)
        found = [span for rule in self.rules for span in run_rule(rule, norm)]
        return resolve_overlaps(found)
