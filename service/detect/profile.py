"""The profile detector: every occurrence of the applicant's known identities (DESIGN §1.2).

All variants are built once in :class:`ProfileDetector`'s constructor; ``detect`` then runs
three matchers over the text:

* :mod:`~service.detect.profile_cjk` — Chinese identities over the compact text (full-width,
  case and whitespace/line breaks inside tolerated), exact plus one OCR edit: one substituted or
  missing character for persons of 3+, places/positions/other of 4+ and organisations of 5+
  characters; 2-character names only through the OCR confusion table
  (``redaction_rules/lexicons/ocr_confusions.txt``). Short forms of organisations and places come
  from :mod:`~service.detect.profile_forms`.
* :mod:`~service.detect.profile_latin` — pinyin forms of Chinese names, Latin person entries
  and their reorderings/initials, English phrases (organisations…).
* :mod:`~service.detect.profile_digits` — phones, ID numbers and other digit-only entries.

Rules are ``profile.<key>``; the category is the key's (``PROFILE_CATEGORIES``). Overlapping
findings are returned (the engine merges them); exact duplicates and findings inside a
finding of the same key with at least the same score are not. Explanations name the kind of
match only, never the matched text.
"""

from __future__ import annotations

from service.detect.profile_cjk import CjkMatcher, CjkTarget, Hit
from service.detect.profile_digits import (
    ID_LENGTH,
    DigitMatcher,
    DigitTarget,
    entry_digits,
    is_number_entry,
)
from service.detect.profile_forms import is_distinctive, org_forms, place_forms
from service.detect.profile_latin import (
    LatinPattern,
    person_from_cjk,
    person_from_latin,
    phrase_pattern,
    place_pinyin,
    split_cjk_name,
)
from service.detect.profile_norm import compact, compact_str, has_cjk, load_confusions, normalize
from service.profile import PROFILE_CATEGORIES, Profile
from service.types import Span

EXACT_SCORE = 0.99
SHORT_FORM_SCORE = 0.93
PLACE_BARE_SCORE = 0.9
CONFUSION_SCORE = 0.9
#: shortest Chinese identity (in characters) that also matches with one OCR edit, per key
FUZZY_MIN_LEN: dict[str, int] = {
    "person": 3,
    "organization": 5,
    "place": 4,
    "position": 4,
    "other": 4,
    "phone": 4,
    "id_number": 4,
}


class ProfileDetector:
    """Finds the profile's identities and their variants in text."""

    name = "profile"
    categories: frozenset[str] = frozenset(PROFILE_CATEGORIES.values())

    def __init__(self, profile: Profile) -> None:
        self._confusions = load_confusions()
        self._cjk_targets: list[CjkTarget] = []
        self._latin: list[LatinPattern] = []
        self._digit_targets: list[DigitTarget] = []
        hints = self._family_hints(profile)
        for key, entry in profile.items():
            self._plan(key, entry, hints)
        self._cjk = CjkMatcher(self._cjk_targets, self._confusions)
        self._digits = DigitMatcher(self._digit_targets)

    def detect(self, text: str) -> list[Span]:
        if not text:
            return []
        norm = normalize(text)
        hits: list[Hit] = []
        if len(self._cjk):
            hits += self._cjk.find(compact(norm))
        for pattern in self._latin:
            hits += pattern.find(norm)
        hits += self._digits.find(text, norm)
        return [_span(h) for h in _prune(hits)]

    # -- building -------------------------------------------------------------------------

    @staticmethod
    def _family_hints(profile: Profile) -> frozenset[str]:
        hints: set[str] = set()
        for name in profile.person:
            parts = split_cjk_name(compact_str(name))
            if parts is None:
                continue
            family = parts[0]
            if len(family) == 1:
                hints.update(family[0])
            else:
                hints.add("".join(s[0] for s in family))
        return frozenset(hints)

    def _plan(self, key: str, entry: str, hints: frozenset[str]) -> None:
        if key in ("phone", "id_number") or is_number_entry(entry):
            digits = entry_digits(entry)
            if digits is not None:
                one_misread = key == "id_number" and len(digits) == ID_LENGTH
                self._digit_targets.append(DigitTarget(digits, key, one_misread))
                return
        form = compact_str(entry)
        if has_cjk(form):
            self._plan_cjk(key, form)
            return
        latin: LatinPattern | None = None
        if key == "person":
            latin = person_from_latin(entry, key, hints)
        if latin is None:
            latin = phrase_pattern(entry, key)
        if latin is not None:
            self._latin.append(latin)

    def _target(self, key: str, pattern: str, score: float, variant: str = "") -> None:
        fuzzy = len(pattern) >= FUZZY_MIN_LEN.get(key, 4)
        self._cjk_targets.append(
            CjkTarget(pattern, key, score, variant, fuzzy, strict_numerals=key != "person")
        )

    def _plan_cjk(self, key: str, form: str) -> None:
        if len(form) < 2:
            return  # a single character would match everywhere
        if key == "organization":
            if not is_distinctive(form):
                return  # 医院, 人民医院…: generic, never a match on its own
            for short in org_forms(form):
                self._target(key, short, SHORT_FORM_SCORE, "short form (regular abbreviation)")
        elif key == "place":
            for bare in place_forms(form):
                self._target(key, bare, PLACE_BARE_SCORE, "short form (place without suffix)")
            for bare in [*place_forms(form), form][:1]:
                romanised = place_pinyin(bare)
                if romanised is not None:
                    self._latin.append(romanised)
        self._target(key, form, EXACT_SCORE)
        if key == "person":
            if len(form) == 2:
                self._confusion_targets(key, form)
            latin = person_from_cjk(form, key)
            if latin is not None:
                self._latin.append(latin)

    def _confusion_targets(self, key: str, form: str) -> None:
        for i, ch in enumerate(form):
            for other in sorted(self._confusions.get(ch, ())):
                variant = form[:i] + other + form[i + 1 :]
                expl = f"OCR confusion: 1 character from the confusion table (position {i + 1})"
                self._cjk_targets.append(CjkTarget(variant, key, CONFUSION_SCORE, expl))


def _span(h: Hit) -> Span:
    category = PROFILE_CATEGORIES[h.key]
    return Span(h.start, h.end, category, h.score, f"profile.{h.key}", h.explanation)


def _prune(hits: list[Hit]) -> list[Hit]:
    """Drop exact duplicates and hits inside a same-key hit that scores at least as high."""
    best: dict[tuple[int, int, str], Hit] = {}
    for h in hits:
        k = (h.start, h.end, h.key)
        if k not in best or best[k].score < h.score:
            best[k] = h
    ordered = sorted(best.values(), key=lambda h: (h.key, h.start, -h.end, -h.score))
    kept: list[Hit] = []
    active: list[Hit] = []
    for h in ordered:
        active = [k for k in active if k.key == h.key and k.end > h.start]
        if any(k.end >= h.end and k.score >= h.score for k in active):
            continue
        kept.append(h)
        active.append(h)
    return sorted(kept, key=lambda h: (h.start, h.end, h.key))
