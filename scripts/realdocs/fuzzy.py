"""Approximate substring search (Sellers' algorithm) over OCR text.

OCR of real scans confuses look-alike characters, drops or adds punctuation and spaces, and
mixes full- and half-width forms; the checklist text is a person's reading. Both sides are
normalised (NFKC, lower case, no white space, look-alikes folded: ``o→0``, ``l/i/|→1``, dashes
→ ``-``) and a query matches wherever its edit distance to a substring is within
``budget(query)``: 0 for ≤ 4 characters (a short name or code must be read exactly), 1 up to 8,
then a fifth of the length; digit strings one per 8 digits (one wrong digit is another number).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

_FOLD = str.maketrans({"o": "0", "l": "1", "i": "1", "|": "1", "—": "-", "–": "-", "―": "-", "〇": "0",
                       "。": ".", "，": ",", "、": ","})


def normalise(text: str) -> list[tuple[str, int]]:
    """Normalised characters of ``text``, each with the index of the character it came from."""
    out: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).lower().translate(_FOLD):
            if not c.isspace():
                out.append((c, i))
    return out


def budget(query: str) -> int:
    n = len(query)
    if query.isdigit():  # one wrong digit is another number
        return n // 8
    return 0 if n <= 4 else 1 if n <= 8 else n // 5


@dataclass(frozen=True, slots=True)
class Match:
    start: int  # index into the searched sequence (normalised), half-open
    end: int
    distance: int


def find_all(query: str, haystack: str, max_distance: int | None = None) -> list[Match]:
    """Every non-overlapping approximate occurrence of ``query`` in ``haystack`` (both already
    normalised), best first."""
    m, n = len(query), len(haystack)
    if m == 0 or n == 0:
        return []
    k = budget(query) if max_distance is None else max_distance
    hay = np.frombuffer(haystack.encode("utf-32-le"), dtype=np.uint32)
    d = np.zeros((m + 1, n + 1), dtype=np.int32)
    d[:, 0] = np.arange(m + 1)
    idx = np.arange(n + 1, dtype=np.int32)
    for i in range(1, m + 1):
        cost = (hay != ord(query[i - 1])).astype(np.int32)
        t = np.empty(n + 1, dtype=np.int32)
        t[0] = i
        t[1:] = np.minimum(d[i - 1, :-1] + cost, d[i - 1, 1:] + 1)
        d[i] = np.minimum.accumulate(t - idx) + idx  # insertions along the haystack
    ends = [j for j in range(1, n + 1) if d[m, j] <= k]
    ends.sort(key=lambda j: (d[m, j], j))
    taken: list[Match] = []
    for j in ends:
        s = _start(d, query, hay, j)
        if all(s >= t.end or j <= t.start for t in taken):
            taken.append(Match(s, j, int(d[m, j])))
    return taken


def _start(d: np.ndarray, query: str, hay: np.ndarray, j: int) -> int:
    i = len(query)
    while i > 0:
        if j > 0 and d[i, j] == d[i - 1, j - 1] + (hay[j - 1] != ord(query[i - 1])):
            i, j = i - 1, j - 1
        elif d[i, j] == d[i - 1, j] + 1:
            i -= 1
        else:
            j -= 1
    return j
