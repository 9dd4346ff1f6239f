"""Pinyin person names in English text, for :class:`service.detect.persons.PersonDetector`.

A name is two capitalised (or upper-case) tokens, one a known surname's pinyin (every reading
of every listed surname, plus compound surnames such as Ouyang, Yuchi, Moqi) and the other a
given name of one to three pinyin syllables (hyphens allowed: Xiao-ming), in either order; or a
surname followed by initials (Wang XM, Wang X.). Ordinary English words are not flagged on
their own: a name needs

* an honorific title before it (Dr. Li, Prof. Zhang Wei): ``person.honorific``;
* a label earlier on its line (Corresponding author:, Correspondence to:): ``person.context``;
* a neighbouring name separated by a comma or semicolon (", and" and an "and" after such a
  list count too): ``person.list``;
* or, alone, two full tokens that are not both English words (He Long) and not a listed
  phrase (Hong Kong, Dan Shen): ``person.pinyin`` (0.8; 0.7 with a one-syllable given name);
  a surname before "et al" counts too;
* or a word of capitals that reads as a surname and one or two given syllables written without
  a space (ZHANGQIWEI 0.8, LIMING 0.7), unless it is one of the 4,101 English words of that
  shape (CHINA, DATE, MACHINE: ``lexicons/english_pinyin.txt``), a place's pinyin (BEIJING,
  HENAN) or a listed pinyin word (ZHONGGUO, RENMIN).
Initials forms count only with a title, label or list. The text is folded one character for
one character (full-width to ASCII), so offsets stay those of the input.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from service.detect.gazetteer import load_roman
from service.detect.persons_lexicon import PersonLexicon
from service.detect.profile_latin import (
    COMPOUND_SURNAMES,
    SURNAME_READINGS,
    pinyin_syllables,
    segment,
)
from service.types import Span

S_TITLE, S_LABEL, S_LIST, S_ALONE, S_ALONE_SHORT, S_ETAL = 0.95, 0.95, 0.9, 0.8, 0.7, 0.85
_FOLD = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20, 0x2019: 0x27}
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?:['\-][A-Za-z]+)?(?![A-Za-z])")
#: one item of an author line: 1–3 capitalised words, then affiliation marks
_AUTHOR_ITEM = re.compile(
    r"[ \t]*(?P<name>[A-Z][A-Za-z'\-]*(?:[ \t]+[A-Z][A-Za-z'\-]*){0,2})[\d*†‡§#¹²³⁴⁵⁶⁷⁸⁹⁰]*(?:,\d[\d*,]*)?[ \t]*"
)
_AUTHOR_SEP = re.compile(r"[ \t]*(?:[,;，；、]|\band\b)[ \t]*")
_INITIALS = re.compile(r"[ \t]+([A-Z](?:\.?[ \-]?[A-Z]){0,2}\.?)(?![A-Za-z])")
_AND_GAP = re.compile(r"^[\s\d*†‡§#¹²³⁴⁵⁶⁷⁸⁹⁰]*(?:and|&)\s+$")
_ETAL = re.compile(r"[ \t]+et[ \t]+al\b")
_LIST_GAP = re.compile(r"^[\s\d*†‡§#¹²³⁴⁵⁶⁷⁸⁹⁰,;]*[,;][\s\d*†‡§#¹²³⁴⁵⁶⁷⁸⁹⁰]*(?:(?:and|&)\s+)?$")


def _spellings(reading: str) -> set[str]:
    out = {reading}
    if "v" in reading:
        out |= {reading.replace("v", "u"), reading.replace("v", "yu")}
    return out


@lru_cache(maxsize=1)
def surname_pinyin(surnames: frozenset[str], compounds: frozenset[str]) -> frozenset[str]:
    """Every pinyin spelling of the listed surnames (all readings) and compound surnames."""
    syllables = pinyin_syllables()
    out: set[str] = set()
    for ch in surnames:
        readings = set(SURNAME_READINGS.get(ch, ()))
        readings.update(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])
        out.update(s for r in readings if r in syllables for s in _spellings(r))
    for comp in compounds | set(COMPOUND_SURNAMES):
        fixed = COMPOUND_SURNAMES.get(comp) or tuple(lazy_pinyin(comp))
        out.add("".join(fixed).replace("v", "u"))
    return frozenset(out)


def joined_name_split(token: str, surnames: frozenset[str]) -> tuple[str, list[str]] | None:
    """``(surname, given syllables)`` when a lower-case token reads as a surname's pinyin
    followed by one or two pinyin syllables (zhangqiwei → zhang, [qi, wei]), else None."""
    for cut in range(1, min(len(token), 8)):
        if token[:cut] in surnames:
            given = segment(token[cut:])
            if given and len(given) <= 2:
                return token[:cut], given
    return None


@lru_cache(maxsize=8192)
def _given_syllables(token: str) -> int:
    """How many pinyin syllables a given-name token is (0: not pinyin)."""
    parts = token.lower().replace("'", "-").split("-")
    total = 0
    for part in parts:
        segs = segment(part) if part.isalpha() else None
        if not segs:
            return 0
        total += len(segs)
    return total if 1 <= total <= 3 else 0


def _capitalised(tok: str) -> bool:
    return tok[0].isupper() and (tok.isupper() or tok[1:2].islower())


class LatinNames:
    """Finds pinyin names in Latin text."""

    def __init__(self, lex: PersonLexicon) -> None:
        self.lex = lex
        self.surnames = surname_pinyin(lex.surnames, lex.compound_surnames)
        self.places = frozenset(f.lower().replace("'", "") for f in load_roman())
        titles = "|".join(re.escape(t) for t in lex.latin_titles) or "(?!)"
        self.title_re = re.compile(rf"(?<![A-Za-z])(?:{titles})\.?[ \t]+$")
        labels = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in lex.latin_labels)
        self.label_re = re.compile(rf"(?i)(?<![A-Za-z])(?:{labels or '(?!)'})s?[ \t]*[:：]")

    def _is_surname(self, tok: str) -> bool:
        return _capitalised(tok) and tok.lower().replace("'", "") in self.surnames

    def _is_given(self, tok: str) -> bool:
        return _capitalised(tok) and _given_syllables(tok) > 0

    def _joined(self, tok: str) -> str | None:
        """``joined`` (surname + two syllables: ZHANGQIWEI) or ``joined1`` (LIMING) for a
        word of capitals that reads as a name written without a space, unless it is an
        English word (CHINA, DATE, MACHINE), a place's pinyin (BEIJING, HENAN) or a listed
        phrase (ZHONGGUO)."""
        if len(tok) < 4 or not tok.isupper() or not tok.isalpha():
            return None
        low = tok.lower()
        if low in self.lex.joined_not_names or low in self.places:
            return None
        split = joined_name_split(low, self.surnames)
        if split is None:
            return None
        return "joined" if len(split[1]) == 2 else "joined1"

    def _pairs(self, text: str) -> list[tuple[int, int, str, bool]]:
        """Candidate names: (start, end, form, full) where ``full`` is two full tokens."""
        words = list(_WORD.finditer(text))
        out: list[tuple[int, int, str, bool]] = []
        i = 0
        while i < len(words):
            a = words[i]
            b = words[i + 1] if i + 1 < len(words) else None
            adjacent = b is not None and text[a.end() : b.start()] in (" ", "  ", "\t")
            if adjacent and b is not None:
                ta, tb = a.group(), b.group()
                phrase = f"{ta} {tb}".lower()
                fam_first = self._is_surname(ta) and self._is_given(tb)
                if (fam_first or (self._is_given(ta) and self._is_surname(tb))) and (
                    phrase not in self.lex.latin_not_names
                ):
                    english = {ta.lower(), tb.lower()} <= self.lex.english_words
                    given = tb if fam_first else ta
                    form = (
                        "english"
                        if english
                        else ("full" if _given_syllables(given) > 1 else "full1")
                    )
                    out.append((a.start(), b.end(), form, True))
                    i += 2
                    continue
            if (joined := self._joined(a.group())) is not None:
                out.append((a.start(), a.end(), joined, True))
                i += 1
                continue
            if self._is_surname(a.group()):
                im = _INITIALS.match(text, a.end())
                if im and not (b is not None and b.start() < im.end(1) and b.end() > im.end(1)):
                    out.append((a.start(), im.end(1), "initials", False))
                    i += 1
                    while i < len(words) and words[i].start() < im.end(1):
                        i += 1
                    continue
                out.append((a.start(), a.end(), "surname", False))
            i += 1
        return out

    def find(self, text: str) -> list[Span]:
        if not any("A" <= c <= "Z" or "\uff21" <= c <= "\uff3a" for c in text):
            return []
        folded = text.translate(_FOLD)
        cands = self._pairs(folded)
        listed = _listed([c for c in cands if c[2] != "surname"], folded)
        spans: list[Span] = []
        for start, end, form, _full in cands:
            line_start = folded.rfind("\n", 0, start) + 1
            before = folded[line_start:start]
            if self.title_re.search(before[-24:]):
                spans.append(Span(start, end, "person", S_TITLE, "person.honorific",
                                  "pinyin name after an honorific title"))  # fmt: skip
            elif form != "surname" and (lm := self.label_re.search(before)) is not None:
                label = " ".join(lm.group().rstrip(":：").split())
                spans.append(Span(start, end, "person", S_LABEL, "person.context",
                                  f"pinyin name after the label {label}"))  # fmt: skip
            elif form != "surname" and start in listed:
                spans.append(Span(start, end, "person", S_LIST, "person.list",
                                  "pinyin name in a list of names"))  # fmt: skip
            elif form in ("full", "full1"):
                score = S_ALONE if form == "full" else S_ALONE_SHORT
                spans.append(Span(start, end, "person", score, "person.pinyin",
                                  "capitalised pinyin surname and given name"))  # fmt: skip
            elif form in ("joined", "joined1"):
                score = S_ALONE if form == "joined" else S_ALONE_SHORT
                spans.append(Span(start, end, "person", score, "person.pinyin",
                                  "pinyin surname and given name joined in capitals"))  # fmt: skip
            elif form == "surname" and _ETAL.match(folded, end):
                spans.append(Span(start, end, "person", S_ETAL, "person.pinyin",
                                  "pinyin surname before et al."))  # fmt: skip
        spans.extend(self._author_lines(folded, spans))
        return spans

    def _author_lines(self, text: str, found: list[Span]) -> list[Span]:
        """Every item of a line that lists names, once one of them is a known pinyin name:
        ``ZHAO Jia, Eerduntuya, Ayidana Reheman, WANG Hanze*`` (minority names in pinyin carry
        no Han surname)."""
        out: list[Span] = []
        starts = {s.start for s in found}
        pos = 0
        for line in text.split("\n"):
            items = _split_items(line)
            lm = self.label_re.search(line)
            if not items and lm is not None:
                # Cite this article: Zhang W, Gulimila S, Wurina. Title ...: the names up to ". "
                stop = line.find(". ", lm.end())
                part = line[lm.end() : stop if stop > 0 else len(line)]
                items = [(lm.end() + a, lm.end() + b) for a, b in _split_items(part)]
            if len(items) >= 2 and any(pos + a in starts for a, _ in items):
                for a, b in items:
                    words = line[a:b].split()
                    if (
                        pos + a not in starts
                        and _author_words(words)
                        and not ({w.lower() for w in words} <= self.lex.english_words)
                    ):
                        out.append(Span(pos + a, pos + b, "person", S_LIST, "person.list",
                                        "pinyin name in a line of author names"))  # fmt: skip
            pos += len(line) + 1
        return out


def _split_items(line: str) -> list[tuple[int, int]]:
    """The name items of an author line, or [] when the line is anything else."""
    items: list[tuple[int, int]] = []
    pos = 0
    while pos < len(line):
        m = _AUTHOR_ITEM.match(line, pos)
        if m is None or m.end() == pos:
            return []
        items.append(m.span("name"))
        pos = m.end()
        if pos < len(line):
            sep = _AUTHOR_SEP.match(line, pos)
            if sep is None or sep.end() == pos:
                return []
            pos = sep.end()
    return items if len(items) <= 12 else []


def _author_words(words: list[str]) -> bool:
    """Pinyin words, the last ones possibly initials: Ayidana Reheman, Gulimila S, Wang HZ."""
    if not words or not _pinyin_word(words[0]):
        return False
    return all(_pinyin_word(w) or re.fullmatch(r"[A-Z]{1,3}\.?", w) for w in words[1:])


@lru_cache(maxsize=8192)
def _pinyin_word(word: str) -> bool:
    """A capitalised word spelt in pinyin syllables (also long transliterations: Eerduntuya)."""
    parts = word.lower().replace("'", "-").split("-")
    return all(p.isalpha() and (segs := segment(p)) and len(segs) <= 6 for p in parts)


def _listed(names: list[tuple[int, int, str, bool]], text: str) -> set[int]:
    """Starts of names separated from a neighbouring name only by list punctuation."""
    out: set[int] = set()
    for left, right in itertools.pairwise(names):
        gap = text[left[1] : right[0]]
        if _LIST_GAP.match(gap) or (left[0] in out and _AND_GAP.match(gap)):
            out.update((left[0], right[0]))
    return out
