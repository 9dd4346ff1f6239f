"""Identifiers as the world prints them: partly hidden ID numbers and mobiles (tickets, receipts,
EMR printouts: ``3604211990****2417``, ``138****1234``), bank card numbers (grouped in fours,
Luhn-valid, or partly hidden) and pinyin names joined in capitals (``ZHANGQIWEI``).

Choices use a generator seeded from the identity (:func:`rng_for`), never the document's own
``random.Random``: adding these forms moves nothing else a seed draws.
"""

from __future__ import annotations

import random

from scripts.corpus.identity import Person, digits
from service.detect.validators import luhn_valid

#: UnionPay debit/credit BINs of the large banks (public, printed on every card)
_CARD_BINS = ("622202", "621700", "622848", "621661", "622588", "625807", "622262", "621483")


def rng_for(person: Person, what: str) -> random.Random:
    """A generator of its own for one form of one person (string seeds are stable)."""
    return random.Random(f"{what}:{person.id_number}")


def starred_id(rng: random.Random, id_number: str) -> str:
    """``3604211990****2417`` (tickets) or ``360421********2417`` (receipts)."""
    if rng.random() < 0.6:
        return f"{id_number[:10]}****{id_number[14:]}"
    return f"{id_number[:6]}********{id_number[14:]}"


def starred_mobile(rng: random.Random, mobile: str) -> str:
    """``138****1234``, ``138 **** 1234`` or ``1381234****``."""
    style = rng.randrange(3)
    if style == 1:
        return f"{mobile[:3]} **** {mobile[7:]}"
    if style == 2:
        return f"{mobile[:7]}****"
    return f"{mobile[:3]}****{mobile[7:]}"


def bank_card(rng: random.Random) -> str:
    """A Luhn-valid 16- or 19-digit UnionPay number, unformatted."""
    body = rng.choice(_CARD_BINS) + digits(rng, rng.choice((9, 12)))
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("one check digit always satisfies Luhn")


def card_style(rng: random.Random, card: str) -> str:
    """Grouped in fours, one run, or partly hidden (``6222 **** **** 1234``)."""
    style = rng.randrange(4)
    groups = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    if style == 0:
        return groups
    if style == 1:
        return card
    if style == 2:
        return f"{card[:4]} **** **** {card[-4:]}"
    return f"{card[:6]}{'*' * (len(card) - 10)}{card[-4:]}"


def caps_joined(person: Person) -> str:
    """``ZHANGQIWEI``: the pinyin name in capitals without a space (Han names only)."""
    return person.pinyin.replace(" ", "").replace("-", "").replace("'", "").upper()
