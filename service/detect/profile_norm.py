"""Text normalisation shared by the profile matchers (see :mod:`service.detect.profile`).

Every function here keeps offsets: :func:`normalize` maps each character to exactly one
character, so an index into the normalised text is an index into the original. The compact
form (whitespace and middle dots removed) carries an index list back to the original.

Also loads the OCR confusion table (``redaction_rules/lexicons/ocr_confusions.txt``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from service.errors import InvalidRulesError

CONFUSIONS_RESOURCE = ("lexicons", "ocr_confusions.txt")

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_MIDDLE_DOTS = "\u00b7\u2022\u2027\u2219\u30fb\uff65\u318d"
_U_UMLAUT = "üÜǖǘǚǜǕǗǙǛ"
_INVISIBLE = "\u00a0\u200b\u200c\u200d\u2060\ufeff\u3000"
#: characters OCR reads as a Chinese numeral or digit: a substitution between two of them
#: changes the meaning (第一 / 第二), so it is not accepted as OCR damage in non-person entries
NUMERALS = frozenset("〇零一二三四五六七八九十百两0123456789")
_COMPACT_RUN = re.compile(r"[^\s\u00b7]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[cp] = chr(cp - 0xFEE0).lower()
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp).lower()
    for cp in range(0xC0, 0x250):  # Latin letters with diacritics (pinyin tone marks)
        ch = chr(cp)
        base = unicodedata.normalize("NFKD", ch)[0]
        if ch.isalpha() and base.isascii() and base.isalpha():
            table[cp] = base.lower()
    for ch in _U_UMLAUT:
        table[ord(ch)] = "v"  # pinyin writes ü as v
    for ch in _DASHES:
        table[ord(ch)] = "-"
    for ch in _MIDDLE_DOTS:
        table[ord(ch)] = "\u00b7"
    for ch in _INVISIBLE:
        table[ord(ch)] = " "
    table[ord("\u00d7")] = "x"  # multiplication sign read for the ID check character X
    return table


_TABLE = _build_table()


def normalize(text: str) -> str:
    """Half-width, lower-case, dash/dot-unified text of the same length as ``text``."""
    return text.translate(_TABLE)


@dataclass(frozen=True, slots=True)
class Compact:
    """Normalised text without whitespace and middle dots, with a map back to the original."""

    text: str
    index: tuple[int, ...]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` for the compact ``[start, end)``."""
        return self.index[start], self.index[end - 1] + 1


def compact(norm: str) -> Compact:
    parts: list[str] = []
    index: list[int] = []
    for m in _COMPACT_RUN.finditer(norm):
        parts.append(m.group())
        index.extend(range(m.start(), m.end()))
    return Compact("".join(parts), tuple(index))


def compact_str(text: str) -> str:
    """The compact form of a profile entry (normalised, no whitespace or middle dots)."""
    return "".join(_COMPACT_RUN.findall(normalize(text)))


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def is_cjk(ch: str) -> bool:
    return _CJK.fullmatch(ch) is not None


def parse_confusions(raw: str) -> dict[str, frozenset[str]]:
    """char -> the characters it is confused with, from the lexicon's one-group-a-line text."""
    groups: dict[str, set[str]] = {}
    for lineno, line in enumerate(raw.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        chars = set(line)
        if len(chars) < 2 or any(ch.isspace() for ch in chars):
            raise InvalidRulesError(
                f"ocr_confusions.txt line {lineno}: need 2+ characters and no spaces"
            )
        for ch in chars:
            groups.setdefault(ch, set()).update(chars - {ch})
    return {ch: frozenset(others) for ch, others in groups.items()}


@lru_cache(maxsize=1)
def load_confusions() -> dict[str, frozenset[str]]:
    """The shipped confusion table (cached)."""
    try:
        res = resources.files("redaction_rules").joinpath(*CONFUSIONS_RESOURCE)
        raw = res.read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise InvalidRulesError(f"cannot read lexicons/ocr_confusions.txt: {exc}") from None
    return parse_confusions(raw)
