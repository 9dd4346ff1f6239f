"""Checksums and plausibility checks for identifiers. Pure functions, no I/O.

Every function takes the bare value (no spaces or separators; callers strip them) and returns a
plain answer. :data:`VALIDATORS` names the checks that pattern rules may refer to by name in
``redaction_rules/patterns/*.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

#: first two digits of a GB/T 2260 province-level division code (83: Taiwan residents'
#: residence permits, issued in the same 18-digit format since 2018)
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)

#: GB 32100-2015 character set (no I, O, Z, S, V) and the weights 3**i mod 31
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {c: i for i, c in enumerate(_USCC_CHARS)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

_MOBILE_PREFIXES = ("0086", "86")
#: a partly hidden number: visible digits, one run of mask characters, visible digits or X
_HIDDEN = re.compile(r"(?P<head>[0-9]+)(?P<mask>[*xX×●•]+)(?P<tail>[0-9]*[0-9Xx]|)")


def gb11643_check_digit(first17: str) -> str:
    """The MOD 11-2 check character of an 18-digit resident ID number (GB 11643-1999)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _is_ascii_digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def has_province_prefix(s: str) -> bool:
    """Whether ``s`` starts with two digits that are a province-level division code."""
    return len(s) >= 2 and _is_ascii_digits(s[:2]) and int(s[:2]) in _PROVINCES


def _plausible_birth(year: int, month: int, day: int, today: date | None) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= (today or date.today())


def is_valid_id18(s: str, *, today: date | None = None) -> bool:
    """An 18-character resident ID: province code, birth date 1900..today, MOD 11-2 check."""
    if len(s) != 18 or not _is_ascii_digits(s[:17]):
        return False
    if int(s[:2]) not in _PROVINCES:
        return False
    if not _plausible_birth(int(s[6:10]), int(s[10:12]), int(s[12:14]), today):
        return False
    return gb11643_check_digit(s[:17]) == s[17].upper()


def is_valid_id15(s: str, *, today: date | None = None) -> bool:
    """The old 15-digit ID: 6-digit area, YYMMDD birth date (19YY), 3-digit sequence."""
    if len(s) != 15 or not _is_ascii_digits(s):
        return False
    if int(s[:2]) not in _PROVINCES:
        return False
    return _plausible_birth(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]), today)


def is_id18_misread(s: str, *, today: date | None = None) -> bool:
    """An 18-character number shaped like a resident ID (province code, birth date 1900..today)
    whose MOD 11-2 check character is wrong: one digit misread by OCR or mistyped."""
    if len(s) != 18 or not _is_ascii_digits(s[:17]) or not (s[17].isdigit() or s[17] in "Xx"):
        return False
    if int(s[:2]) not in _PROVINCES:
        return False
    if not _plausible_birth(int(s[6:10]), int(s[10:12]), int(s[12:14]), today):
        return False
    return gb11643_check_digit(s[:17]) != s[17].upper()


def _hidden(s: str) -> tuple[str, int, str] | None:
    """``(head, hidden, tail)`` of a partly hidden number: visible digits, one run of mask
    characters (``*``, ``x``, ``×``, ``●``, ``•``), visible digits (or X) — else None."""
    m = _HIDDEN.fullmatch(s)
    if m is None:
        return None
    return m.group("head"), len(m.group("mask")), m.group("tail")


def is_starred_id(s: str, *, today: date | None = None) -> bool:
    """A resident ID printed partly hidden (train tickets, receipts: ``3604211990****2417``,
    ``360421********2417``): 6–10 visible digits starting with a province code, a hidden run,
    2–4 visible characters; 15 or 17–19 positions in all (15 or 18 printed; OCR may read a
    star more or fewer; 16 is a bank card's length). A visible birth year must be
    1900..today."""
    parts = _hidden(s)
    if parts is None:
        return False
    head, hidden, tail = parts
    if not 6 <= len(head) <= 10 or not 2 <= len(tail) <= 4 or hidden < 2:
        return False
    if len(head) + hidden + len(tail) not in (15, 17, 18, 19) or int(head[:2]) not in _PROVINCES:
        return False
    return len(head) < 10 or 1900 <= int(head[6:10]) <= (today or date.today()).year


def is_starred_mobile(s: str) -> bool:
    """A mainland mobile number with a hidden run (``138****1234``, ``1534914xxxx``): 11
    positions, 1[3-9] first, 3–6 hidden, at least 5 visible digits."""
    parts = _hidden(s)
    if parts is None:
        return False
    head, hidden, tail = parts
    if (
        len(head) + hidden + len(tail) != 11
        or not 3 <= hidden <= 6
        or not (tail.isdigit() or tail == "")
    ):
        return False
    return len(head) >= 3 and len(head) + len(tail) >= 5 and head[1] in "3456789" and head[0] == "1"


def is_starred_card(s: str) -> bool:
    """A bank card number printed partly hidden (``6222 **** **** 1234``, ``622202******1234``):
    4–6 visible digits starting 62/4/5/3, a hidden run of at least 4, 0–4 visible digits; 15–19
    positions. An 18-position value that reads as a starred ID is left to the ID rule."""
    parts = _hidden(s)
    if parts is None:
        return False
    head, hidden, tail = parts
    if not 4 <= len(head) <= 8 or hidden < 4 or len(tail) > 4 or not (tail.isdigit() or tail == ""):
        return False
    if not head.startswith(("62", "4", "5", "3")):
        return False
    return 15 <= len(head) + hidden + len(tail) <= 19 and not is_starred_id(s)


def luhn_valid(s: str) -> bool:
    """The Luhn (mod 10) check used by bank card numbers; at least two digits."""
    if len(s) < 2 or not _is_ascii_digits(s):
        return False
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_bank_card(s: str) -> bool:
    """16–19 digits starting 62 (UnionPay), 4 (Visa) or 5 (Mastercard) with a valid Luhn."""
    return 16 <= len(s) <= 19 and s.startswith(("62", "4", "5")) and luhn_valid(s)


def uscc_valid(s: str) -> bool:
    """A unified social credit code (GB 32100-2015): 18 characters, mod-31 check character."""
    s = s.upper()
    if len(s) != 18 or any(c not in _USCC_VALUES for c in s):
        return False
    if not _is_ascii_digits(s[2:8]):
        return False
    total = sum(_USCC_VALUES[c] * w for c, w in zip(s[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == s[17]


def is_plausible_mobile(s: str) -> bool:
    """A mainland mobile number: 11 digits starting 13–19."""
    return len(s) == 11 and _is_ascii_digits(s) and s[0] == "1" and s[1] in "3456789"


def is_mobile_with_country_code(s: str) -> bool:
    """:func:`is_plausible_mobile` after dropping a leading ``86``/``0086`` country code."""
    for prefix in _MOBILE_PREFIXES:
        if len(s) == 11 + len(prefix) and s.startswith(prefix):
            return is_plausible_mobile(s[len(prefix) :])
    return is_plausible_mobile(s)


#: validator name (as written in the pattern YAML) -> check on the separator-free value
VALIDATORS: dict[str, Callable[[str], bool]] = {
    "id18": is_valid_id18,
    "id15": is_valid_id15,
    "id18_misread": is_id18_misread,
    "starred_id": is_starred_id,
    "starred_mobile": is_starred_mobile,
    "starred_card": is_starred_card,
    "luhn": luhn_valid,
    "bank_card": is_bank_card,
    "uscc": uscc_valid,
    "mobile": is_mobile_with_country_code,
}
