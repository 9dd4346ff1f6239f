"""Formatting helpers shared by the kind builders (phone styles, ages, ID-like numbers)."""

from __future__ import annotations

import random

from scripts.corpus.canvas import Canvas
from scripts.corpus.identity import Identity, Person, digits


def mobile_style(rng: random.Random, number: str) -> str:
    style = rng.randrange(5)
    if style == 1:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == 2:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style == 3:
        return f"+86 {number}"
    return number


def landline_style(rng: random.Random, number: str) -> str:
    area, local = number.split("-", 1)
    style = rng.randrange(4)
    if style == 1:
        return f"({area}){local}"
    if style == 2:
        return f"{area} {local}"
    if style == 3:
        return f"{area}－{local}"  # full-width hyphen, as typed with a Chinese IME
    return number


def age(person: Person, year: int = 2023) -> int:
    return year - int(person.birth[:4])


def case_number(rng: random.Random) -> str:
    return rng.choice(("", "ZY", "B")) + digits(rng, rng.choice((6, 7, 8)))


def org_code(rng: random.Random) -> str:
    """A USCC-shaped code (not checksummed) for the 组织机构代码 field."""
    return "12" + digits(rng, 6) + "".join(rng.choice("0123456789ABCDEFGHJKLMN") for _ in range(10))


def border(
    cv: Canvas,
    margin: float = 28.0,
    color: tuple[float, float, float] = (0.6, 0.1, 0.1),
) -> None:
    cv.rect((margin, margin, cv.width - margin, cv.height - margin), 2.2, color)
    cv.rect((margin + 6, margin + 6, cv.width - margin - 6, cv.height - margin - 6), 0.7, color)


def applicant_phone(rng: random.Random, ident: Identity) -> str:
    return mobile_style(rng, ident.person.mobile)
