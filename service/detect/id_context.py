"""What an identity number's neighbourhood gives away: the holder's name printed beside it, and
the short serial that repeats a ticket code.

* **Name beside an ID number** (``idctx.beside_id``): tickets, passes and lists print the
  holder's name right after (or before) the ID number, with no label: ``3604211990****2417
  汤钦枞``. A run of 2–4 CJK characters separated from an ID number (full, partly hidden or
  misread) only by spaces or a tab on the same line, starting with a listed surname (single or
  compound), holding no label, stop word, place or character that never stands in a name, is a
  name (0.85); with one given character, that must be a typical one, or the run must end the
  line after a common surname (本人, 有效 after an ID number are words, 冉剑 is a name). A word of capitals (``ZHANG SAN``, ``ZHANGSAN``) in that place is one when it reads as
  a surname's pinyin and given syllables (0.8).
* **Ticket serial** (``idctx.ticket_serial``): the red serial of a railway ticket
  (``Z31C014941``) repeats the last seven characters (a letter and six digits) of the code line
  (``32270300310607C014941``) that the pattern detector finds; every other token ending in those
  seven characters is masked too (0.85). Alone, a letter and six digits are too common to mask.
  On such a ticket a line holding nothing but digits (and stars) that start with a province code
  is the passenger's ID number, whatever covers the rest of it (``3625`` before a pixelated
  remainder: ``idctx.ticket_id``, 0.8).

* **Cardholder** (``idctx.cardholder``): on a bank card (a card number or its visible digits
  found beside card words), a line that starts with one to three words of capitals made of no
  word printed on cards (``MICHAEL``, ``ZHANG SAN``; not ``VALID THRU``) is the holder's
  name (0.75).

The ID numbers and ticket codes come from :class:`~service.detect.patterns.PatternDetector`'s
own rules, so both detectors agree on what an ID number is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.detect.gazetteer import load_gazetteer
from service.detect.patterns import PatternDetector
from service.detect.persons_latin import joined_name_split, surname_pinyin
from service.detect.persons_lexicon import PersonLexicon, is_cjk, load_lexicon
from service.detect.profile_latin import COMMON_SURNAMES
from service.detect.validators import has_province_prefix
from service.types import Span

S_NAME, S_LATIN, S_SERIAL, S_TICKET_ID = 0.85, 0.8, 0.85, 0.8
#: pattern rules whose findings are ID numbers a holder's name may stand beside
ID_RULES = frozenset(
    {
        "pattern.id_number.gb11643",
        "pattern.id_number.gb11643_misread",
        "pattern.id_number.gb11643_15",
        "pattern.id_number.starred",
        "pattern.id_number.labelled",
    }
)
TICKET_RULE = "pattern.identifier.railway_ticket"
#: pattern rules that find a bank card's number (whole, grouped, hidden or what is visible)
CARD_RULES = frozenset(
    {
        "pattern.identifier.bank_card",
        "pattern.identifier.bank_card_starred",
        "pattern.identifier.bank_card_grouped",
        "pattern.identifier.card_fragment",
    }
)
S_HOLDER = 0.75
#: one to three words of capitals at the start of a line (a cardholder's embossed name)
_CAPS_LINE = re.compile(r"(?m)^[ \t]*([A-Z]{2,20}(?:[ .][A-Z]{1,20}){0,2})(?![A-Za-z0-9/])")
#: at most this many spaces or tabs between the number and the name
_GAP = re.compile(r"[ \t\u3000]{1,3}")
_CJK_AFTER = re.compile(r"[\u3400-\u9fff]+")
_CJK_BEFORE = re.compile(r"[\u3400-\u9fff]+$")
_LATIN_AFTER = re.compile(r"[A-Z]+(?: [A-Z]+)?(?![A-Za-z])")
_LATIN_BEFORE = re.compile(r"(?<![A-Za-z])[A-Z]+(?: [A-Z]+)?$")
#: a line of digits alone (a passenger ID whose rest is pixelated or hidden)
_DIGIT_LINE = re.compile(r"(?m)^[ \t]*([0-9](?:[0-9*×●•]|[ ](?=[0-9*])){3,19}[0-9Xx*]?)[ \t]*$")


class IdContextDetector:
    """Names beside ID numbers and serials that echo ticket codes."""

    name = "idctx"
    categories = frozenset({"person", "identifier", "id_number"})

    def __init__(self, patterns: PatternDetector | None = None, lex: PersonLexicon | None = None):
        self.patterns = patterns or PatternDetector()
        self.lex = lex or load_lexicon()
        self.pinyin_surnames = surname_pinyin(self.lex.surnames, self.lex.compound_surnames)
        self._bad = self.lex.labels | self.lex.stop_words | self.lex.not_names | self.lex.roles
        self.places = load_gazetteer()

    def detect(self, text: str) -> list[Span]:
        if not any(ch.isdigit() for ch in text):
            return []
        found = self.patterns.detect(text)
        out: list[Span] = []
        for span in found:
            if span.rule in ID_RULES:
                out.extend(self._names_beside(text, span))
            elif span.rule == TICKET_RULE and span.end - span.start >= 7:
                out.extend(_echoes(text, span))
                out.extend(_passenger_ids(text, found))
        if any(s.rule in CARD_RULES for s in found):
            out.extend(self._cardholders(text))
        return out

    def _cardholders(self, text: str) -> Iterator[Span]:
        for m in _CAPS_LINE.finditer(text):
            words = re.split(r"[ .]", m.group(1))
            if not any(w in self.lex.card_words for w in words):
                yield Span(m.start(1), m.end(1), "person", S_HOLDER, "idctx.cardholder",
                           "line of capitals on a bank card: the cardholder's name")  # fmt: skip

    def _names_beside(self, text: str, anchor: Span) -> Iterator[Span]:
        gap = _GAP.match(text, anchor.end)
        if gap is not None:
            after = gap.end()
            m = _CJK_AFTER.match(text, after)
            if m is not None and self._cjk_name(m.group(), self._ends_item(text, m.end())):
                yield _name(m.start(), m.end(), "after")
            m = _LATIN_AFTER.match(text, after)
            if m is not None and self._latin_name(m.group()):
                yield _name(m.start(), m.end(), "after", latin=True)
        line_start = text.rfind("\n", 0, anchor.start) + 1
        head = text[line_start : anchor.start]
        stripped = head.rstrip(" \t\u3000")
        if not 1 <= len(head) - len(stripped) <= 3:
            return
        m = _CJK_BEFORE.search(stripped)
        if m is not None and self._cjk_name(m.group(), last=False):
            yield _name(line_start + m.start(), line_start + m.end(), "before")
        m = _LATIN_BEFORE.search(stripped)
        if m is not None and self._latin_name(m.group()):
            yield _name(line_start + m.start(), line_start + m.end(), "before", latin=True)

    def _ends_item(self, text: str, pos: int) -> bool:
        """Whether the line ends at ``pos`` or goes on, after a space, with the next field (a
        stop word or label: 男, 性别 …)."""
        end = text.find("\n", pos)
        rest = text[pos : len(text) if end < 0 else end].split()
        return not rest or rest[0] in self.lex.stop_words or rest[0] in self.lex.labels

    def _cjk_name(self, run: str, last: bool) -> bool:
        """2–4 CJK characters, a listed surname first, no label, stop word, place or non-name
        character; ``last``: the run ends the item (the line ends, or the next field follows)."""
        if not 2 <= len(run) <= 4 or not all(is_cjk(c) for c in run):
            return False
        if not (run[0] in self.lex.surnames or run[:2] in self.lex.compound_surnames):
            return False
        given = run[2:] if run[:2] in self.lex.compound_surnames and len(run) > 2 else run[1:]
        if any(c in self.lex.non_name_chars for c in given) or self.places.lookup(run) is not None:
            return False
        # a two-character run is a name with a typical given character, or alone at the end of
        # the line after a common surname (本人, 有效, 军人 after an ID number are words)
        typical = given in self.lex.given_chars or (last and run[0] in COMMON_SURNAMES)
        if len(given) == 1 and not typical:
            return False
        return not any(w in run for w in self._bad if len(w) >= 2) and run not in self._bad

    def _latin_name(self, run: str) -> bool:
        """ZHANG SAN (surname, given syllables) or ZHANGSAN (joined), not an English word."""
        words = run.lower().split()
        if len(words) == 2:
            return (
                words[0] in self.pinyin_surnames
                and joined_name_split(words[0] + words[1], self.pinyin_surnames) is not None
            )
        return (
            len(words) == 1
            and words[0] not in self.lex.joined_not_names
            and joined_name_split(words[0], self.pinyin_surnames) is not None
        )


def _name(start: int, end: int, side: str, *, latin: bool = False) -> Span:
    kind = "capitalised pinyin name" if latin else "name"
    return Span(start, end, "person", S_LATIN if latin else S_NAME, "idctx.beside_id",
                f"{kind} right {side} an ID number on its line")  # fmt: skip


def _passenger_ids(text: str, found: list[Span]) -> Iterator[Span]:
    for m in _DIGIT_LINE.finditer(text):
        value = m.group(1)
        if has_province_prefix(value) and not any(s.start <= m.start(1) < s.end for s in found):
            yield Span(m.start(1), m.end(1), "id_number", S_TICKET_ID, "idctx.ticket_id",
                       "digits alone on a line of a railway ticket: the passenger's ID number")  # fmt: skip


def _echoes(text: str, code: Span) -> Iterator[Span]:
    tail = text[code.end - 7 : code.end]
    if not re.fullmatch(r"[A-Z][0-9]{6}", tail):
        return
    for m in re.finditer(rf"(?<![0-9A-Za-z])[0-9A-Z]{{0,4}}{tail}(?![0-9A-Za-z])", text):
        if m.start() >= code.end or m.end() <= code.start:
            yield Span(m.start(), m.end(), "identifier", S_SERIAL, "idctx.ticket_serial",
                       "ticket serial repeating the end of the ticket's code line")  # fmt: skip
