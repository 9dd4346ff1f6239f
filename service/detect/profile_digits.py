"""Matching the profile's numbers (phones, ID numbers, other digit-only entries).

A number in the text may be split by separators (spaces, line breaks, - — － . · / ( ) and
the 一 that OCR reads for a dash; up to 3 between two digits), written with full-width digits,
or carry OCR letters for digits (O/o → 0, l/I → 1). A match must not continue a longer digit
sequence (a separator before/after it is a boundary; a mobile number may follow "86"). An
18-character ID number also matches with ONE misread digit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from service.detect.profile_cjk import Hit, occurrences
from service.detect.profile_norm import normalize

_RUN = re.compile(r"[0-9olix](?:[\s\-.\u00b7()/_\u4e00\u30fc]{0,3}[0-9olix])*")
_DIGIT_MAP = {**{d: d for d in "0123456789x"}, "o": "0", "l": "1", "i": "1"}
_LETTERS_FOR_DIGITS = frozenset("oli")
MIN_DIGITS = 5
ID_LENGTH = 18


@dataclass(frozen=True, slots=True)
class DigitTarget:
    digits: str  # 0-9, and x as an ID number's check character
    key: str
    one_misread: bool = False


def entry_digits(entry: str) -> str | None:
    """The digits of a number entry (``+86 138-0000-0000`` → ``13800000000``), if 5+."""
    norm = normalize(entry)
    digits = "".join(ch for ch in norm if ch.isdigit() and ch.isascii())
    if norm.rstrip().endswith("x"):
        digits += "x"
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    return digits if len(digits.rstrip("x")) >= MIN_DIGITS else None


def is_number_entry(entry: str) -> bool:
    """True when the entry is only digits and separators (no letters but an ID's X)."""
    norm = normalize(entry).strip()
    body = norm[:-1] if norm.endswith("x") else norm
    return bool(re.fullmatch(r"[+0-9\s\-.()/]+", body)) and entry_digits(entry) is not None


class DigitMatcher:
    def __init__(self, targets: Iterable[DigitTarget]) -> None:
        self._targets = tuple(dict.fromkeys(targets))
        self._min = min((len(t.digits) for t in self._targets), default=0)

    def __len__(self) -> int:
        return len(self._targets)

    def find(self, text: str, norm: str) -> list[Hit]:
        if not self._targets:
            return []
        hits: list[Hit] = []
        for m in _RUN.finditer(norm):
            if m.end() - m.start() < self._min:
                continue
            pos = [i for i in range(m.start(), m.end()) if norm[i] in _DIGIT_MAP]
            stream = "".join(_DIGIT_MAP[norm[i]] for i in pos)
            for t in self._targets:
                hits.extend(self._find_target(text, norm, stream, pos, t))
        return hits

    def _find_target(
        self, text: str, norm: str, stream: str, pos: list[int], t: DigitTarget
    ) -> list[Hit]:
        n = len(t.digits)
        out: list[Hit] = []
        exact = set(occurrences(stream, t.digits))
        for a in sorted(exact):
            if self._bounded(norm, stream, pos, a, a + n, t):
                out.append(self._hit(text, norm, pos, a, a + n, t))
        if t.one_misread and n == ID_LENGTH:
            h = n // 2
            cands = set(occurrences(stream, t.digits[:h]))
            cands.update(q - h for q in occurrences(stream, t.digits[h:]))
            for a in sorted(cands - exact):
                if a < 0 or a + n > len(stream):
                    continue
                diffs = [i for i in range(n) if stream[a + i] != t.digits[i]]
                if len(diffs) == 1 and self._bounded(norm, stream, pos, a, a + n, t):
                    start, end = pos[a], pos[a + n - 1] + 1
                    expl = f"ID number with 1 misread digit (position {diffs[0] + 1} of {n})"
                    out.append(Hit(start, end, t.key, 0.85, expl))
        return out

    @staticmethod
    def _bounded(norm: str, stream: str, pos: list[int], a: int, b: int, t: DigitTarget) -> bool:
        if a > 0 and norm[pos[a - 1]].isdigit() and pos[a] - pos[a - 1] == 1:
            mobile = len(t.digits) == 11 and t.digits.startswith("1")
            if not (mobile and stream[max(0, a - 2) : a] == "86"):
                return False
        return not (b < len(stream) and norm[pos[b]].isdigit() and pos[b] - pos[b - 1] == 1)

    @staticmethod
    def _hit(text: str, norm: str, pos: list[int], a: int, b: int, t: DigitTarget) -> Hit:
        start, end = pos[a], pos[b - 1] + 1
        if text[start:end].lower() == t.digits:
            return Hit(start, end, t.key, 0.99, "exact digits")
        if any(norm[pos[i]] in _LETTERS_FOR_DIGITS for i in range(a, b)):
            return Hit(start, end, t.key, 0.95, "digits with OCR letters for digits (O→0, l/I→1)")
        return Hit(start, end, t.key, 0.98, "digits with separators or full-width digits")
