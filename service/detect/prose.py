"""Precision on running text: generic unit phrases and word fragments identify nobody.

Government notices and the prose of application materials are full of phrases that name a kind
of unit — 各盟市人力资源和社会保障局, 自治区各委(办、厅、局), 人力资源部门, 评审委员会, 市政府,
国有法人, 西部地区 — and statistical detectors cut words apart (``市)``, ``(州、``,
``自行组织评``, ``级卫生健康委(``). Masking either makes a blind copy unreadable and hides
nothing. This filter runs on organisation, place and address spans of the statistical and
grammar detectors (rules ``ner.*`` and ``org.*``; gazetteer places, patterns, forms and the
profile are exact and never touched):

1. **brackets and edges**: punctuation at either end is dropped, and a span is cut before an
   unbalanced bracket (``自治区各委（办`` → ``自治区各委``);
2. **whole words**: a span whose start or end falls inside a word of its line (jieba's
   dictionary, no HMM) is widened to that word — a mask never covers a fragment of a word, and
   a widened fragment is judged as the word it belongs to (``资源社会保障部`` →
   ``人力资源社会保障部门``);
3. **generic phrases**: a span that reads entirely as determiners + generic words + connectors
   (``redaction_rules/lexicons/generic_units.yaml``, longest match first) is dropped; one word
   that is not generic (上海, 瑞金, 汇丰) keeps it.

What it does not do: judge persons (a name is never generic) or spans of other detectors.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from service.errors import InvalidRulesError
from service.rules import yamlio
from service.types import Span

#: categories this filter judges
CATEGORIES = frozenset({"organization", "place", "address"})
#: rule prefixes of the detectors whose spans it judges
RULES = ("ner.", "org.")
_EDGE = " \t\n\u3000、，,。．.；;：:！!？?\"'“”‘’《》<>"
_OPEN, _CLOSE = "（(【[", "）)】]"


class GenericFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    determiners: tuple[str, ...]
    words: tuple[str, ...]
    connectors: str


@dataclass(frozen=True)
class Generic:
    words: frozenset[str]
    connectors: frozenset[str]
    longest: int

    def covers(self, text: str) -> bool:
        """Whether ``text`` reads entirely as generic words and connectors (longest match)."""
        if not text:
            return False
        i, n = 0, len(text)
        while i < n:
            if text[i] in self.connectors:
                i += 1
                continue
            for k in range(min(self.longest, n - i), 0, -1):
                if text[i : i + k] in self.words:
                    i += k
                    break
            else:
                return False
        return True


@lru_cache(maxsize=1)
def load_generic(path: str | None = None) -> Generic:
    p = Path(path) if path else Path(str(files("redaction_rules") / "lexicons" / "generic_units.yaml"))
    try:
        spec = GenericFile.model_validate(yamlio.safe_load(p.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise InvalidRulesError(f"generic unit list {p.name} is invalid: {type(exc).__name__}") from None
    words = frozenset(spec.determiners) | frozenset(spec.words)
    return Generic(words, frozenset(spec.connectors), max(len(w) for w in words))


_TOKENIZER: Any = None
_LOCK = threading.Lock()


def _tokenizer() -> Any:
    global _TOKENIZER
    with _LOCK:
        if _TOKENIZER is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.initialize()
            _TOKENIZER = tk
    return _TOKENIZER


def warm() -> None:
    """Load the word list and the tokenizer now (before worker processes fork)."""
    load_generic()
    _tokenizer()


def _boundaries(line: str) -> list[int]:
    """Word boundaries of a line: offsets where a word starts, plus the line's end."""
    out = [0]
    for w in _tokenizer().cut(line, HMM=False):
        out.append(out[-1] + len(w))
    return out


def judged(span: Span) -> bool:
    return span.category in CATEGORIES and span.rule.startswith(RULES)


def refine(text: str, spans: list[Span]) -> list[Span]:
    """``spans`` with the generic phrases dropped and fragments widened to whole words (see the
    module docstring); spans this filter does not judge pass unchanged."""
    if not any(judged(s) for s in spans):
        return spans
    generic = load_generic()
    lines: dict[int, tuple[int, list[int]]] = {}
    out: list[Span] = []
    for s in spans:
        if not judged(s):
            out.append(s)
            continue
        a, b = _edges(text, s.start, s.end)
        if b - a < 2:
            continue
        a, b = _whole_words(text, a, b, lines)
        piece = text[a:b]
        if generic.covers("".join(piece.split())):
            continue
        out.append(s if (a, b) == (s.start, s.end) else replace(s, start=a, end=b))
    return out


def _edges(text: str, a: int, b: int) -> tuple[int, int]:
    """Punctuation off both ends; cut before an unbalanced bracket."""
    while a < b and text[a] in _EDGE + _CLOSE:
        a += 1
    while b > a and text[b - 1] in _EDGE + _OPEN:
        b -= 1
    depth = 0
    for i in range(a, b):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                return _edges(text, i + 1, b) if i - a < 2 else _edges(text, a, i)
            depth -= 1
    if depth:
        cut = max(i for i in range(a, b) if text[i] in _OPEN)
        return _edges(text, a, cut)
    return a, b


def _whole_words(text: str, a: int, b: int, cache: dict[int, tuple[int, list[int]]]) -> tuple[int, int]:
    """``[a, b)`` widened to the word boundaries of its line (a span never ends mid-word)."""
    start = text.rfind("\n", 0, a) + 1
    if start not in cache:
        end = text.find("\n", a)
        end = len(text) if end < 0 else end
        cache[start] = (end, _boundaries(text[start:end]))
    end, bounds = cache[start]
    if b > end:
        return a, b  # a span over a line break (a wrapped unit name): left as found
    ra, rb = a - start, b - start
    wa = max(x for x in bounds if x <= ra)
    wb = min(x for x in bounds if x >= rb)
    return start + wa, start + wb


def cuts_word(text: str, a: int, b: int) -> bool:
    """Whether ``[a, b)`` starts or ends inside a word of its line (王强 in 王强调, 民族 in
    少数民族): such a match is part of another word, not the string it looks like."""
    start = text.rfind("\n", 0, a) + 1
    end = text.find("\n", a)
    end = len(text) if end < 0 else end
    if b > end:
        return False
    bounds = set(_boundaries(text[start:end]))
    return (a - start) not in bounds or (b - start) not in bounds
