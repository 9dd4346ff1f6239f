"""Table tests for the pure validators: positives and negatives for every check."""

from __future__ import annotations

from datetime import date

import pytest

from service.detect.validators import (
    VALIDATORS,
    gb11643_check_digit,
    is_bank_card,
    is_mobile_with_country_code,
    is_plausible_mobile,
    is_valid_id15,
    is_valid_id18,
    luhn_valid,
    uscc_valid,
)

TODAY = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),
        ("44052419800101001", "3"),
        ("15010219900307521", "1"),
        ("65010220001231123", "2"),
    ],
)
def test_gb11643_check_digit(first17: str, check: str) -> None:
    assert gb11643_check_digit(first17) == check


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100A"])
def test_gb11643_check_digit_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        gb11643_check_digit(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("440524198001010013", True),
        ("150102199003075211", True),
        ("650102200012311232", True),
        ("830000199001010012", True),  # Taiwan residents' residence permit
        ("810000199001010019", True),  # Hong Kong residents' residence permit
        ("110105194912310021", False),  # wrong check digit
        ("440524198001010012", False),  # wrong check digit
        ("11010519491231002Y", False),  # not a check character
        ("1101051949123100X2", False),  # X not last
        ("010105194912310026", False),  # no province 01 (check digit right)
        ("990105194912310023", False),  # no province 99 (check digit right)
        ("11010118991231001X", False),  # born before 1900 (check digit right)
        ("110101203001010014", False),  # born in the future (check digit right)
        ("110101199002300014", False),  # 30 February (check digit right)
        ("110101199013010012", False),  # month 13 (check digit right)
        ("11010519491231002", False),  # 17 characters
        ("11010519491231002X1", False),  # 19 characters
        ("１１０１０５１９４９１２３１００２Ｘ", False),  # full-width: callers normalise
        ("", False),
    ],
)
def test_is_valid_id18(value: str, expected: bool) -> None:
    assert is_valid_id18(value, today=TODAY) is expected


def test_is_valid_id18_birth_date_today_is_plausible() -> None:
    first17 = "11010120261101001"
    value = first17 + gb11643_check_digit(first17)
    assert is_valid_id18(value, today=TODAY)
    assert not is_valid_id18(value, today=date(2026, 10, 31))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("440524800101001", True),
        ("110105491231002", True),
        ("150102900307521", True),
        ("440524801301001", False),  # month 13
        ("440524800230001", False),  # 30 February
        ("440524800100001", False),  # day 0
        ("000524800101001", False),  # no province 00
        ("910524800101001", False),  # no province 91
        ("44052480010100", False),  # 14 digits
        ("4405248001010011", False),  # 16 digits
        ("44052480010100X", False),  # no check character in the old form
    ],
)
def test_is_valid_id15(value: str, expected: bool) -> None:
    assert is_valid_id15(value, today=TODAY) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4111111111111111", True),
        ("4012888888881881", True),
        ("6222021234567890128", True),
        ("6228480012345671", True),
        ("5255000012345675", True),
        ("79927398713", True),
        ("4111111111111112", False),
        ("6222021234567890129", False),
        ("79927398710", False),
        ("4111 1111 1111 1111", False),  # callers strip separators
        ("0", False),
        ("", False),
        ("12a4", False),
    ],
)
def test_luhn_valid(value: str, expected: bool) -> None:
    assert luhn_valid(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6222021234567890128", True),
        ("4111111111111111", True),
        ("5255000012345675", True),
        ("6217001234567890122", True),
        ("79927398713", False),  # too short
        ("3530111333300000", False),  # Luhn-valid but not 62/4/5
        ("4111111111111112", False),  # Luhn fails
        ("41111111111111111111", False),  # 20 digits
    ],
)
def test_is_bank_card(value: str, expected: bool) -> None:
    assert is_bank_card(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91350100M000100Y43", True),
        ("91150100MA0N12345T", True),
        ("12100000400000624D", True),
        ("52150000MJ0000123L", True),
        ("91350100m000100y43", True),  # lower case accepted
        ("91350100M000100Y44", False),  # wrong check character
        ("91150100MA0N12345U", False),
        ("91350100M000100Y4", False),  # 17 characters
        ("91350100M000100Y431", False),  # 19 characters
        ("91350100M000100I43", False),  # I is not in the character set
        ("91350100M0001O0Y43", False),  # O is not in the character set
        ("91A50100M000100Y43", False),  # division code must be digits
        ("", False),
    ],
)
def test_uscc_valid(value: str, expected: bool) -> None:
    assert uscc_valid(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", True),
        ("15912345678", True),
        ("19912345678", True),
        ("16612345678", True),
        ("12812345678", False),  # 12x is not a mobile prefix
        ("10012345678", False),
        ("23800138000", False),
        ("1380013800", False),  # 10 digits
        ("138001380001", False),  # 12 digits
        ("1380013800a", False),
        ("１３８００１３８０００", False),  # full-width: callers normalise
    ],
)
def test_is_plausible_mobile(value: str, expected: bool) -> None:
    assert is_plausible_mobile(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", True),
        ("8613800138000", True),
        ("008613800138000", True),
        ("8612800138000", False),
        ("8513800138000", False),
        ("0013800138000", False),
    ],
)
def test_is_mobile_with_country_code(value: str, expected: bool) -> None:
    assert is_mobile_with_country_code(value) is expected


def test_registry_names() -> None:
    assert set(VALIDATORS) == {
        "id18", "id15", "luhn", "bank_card", "uscc", "mobile",
        "id18_misread", "starred_id", "starred_mobile", "starred_card",
    }
    assert all(callable(f) for f in VALIDATORS.values())


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("110105194912310021", True),  # check digit should be X
        ("11010519491231002X", False),  # valid: the strict check takes it
        ("990105194912310021", False),  # no such province
        ("110105194913310021", False),  # month 13
        ("11010520991231002X", False),  # born in the future
        ("11010519491231002", False),
    ],
)
def test_id18_misread(value: str, ok: bool) -> None:
    assert VALIDATORS["id18_misread"](value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("3604211990****2417", True),
        ("360421********241X", True),
        ("3604211990***2417", True),  # OCR read one star fewer
        ("3604211990xxxx2417", True),
        ("3604211990●●●●2417", True),
        ("9904211990****2417", False),  # no such province
        ("3604212990****2417", False),  # year 2990
        ("36042****17", False),  # 5 visible digits
        ("3604****2417", False),
        ("622202******1234", False),  # 16 positions: a card's length
        ("36042119902417", False),  # nothing hidden
    ],
)
def test_starred_id(value: str, ok: bool) -> None:
    assert VALIDATORS["starred_id"](value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("138****1234", True),
        ("1534914xxxx", True),
        ("13812****34", True),
        ("138*****234", True),
        ("128****1234", False),  # 12x is no mobile prefix
        ("138**1234567", False),
        ("1****234567", False),
        ("138********", False),  # only 3 visible digits
    ],
)
def test_starred_mobile(value: str, ok: bool) -> None:
    assert VALIDATORS["starred_mobile"](value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("6222********1234", True),
        ("622202******1234", True),
        ("62257583********", True),
        ("4367********1234", True),
        ("6222****1234", False),  # 12 positions
        ("1222********1234", False),
        ("3604211990****2417", False),  # a starred ID
        ("6222**1234561234", False),  # hidden run too short
    ],
)
def test_starred_card(value: str, ok: bool) -> None:
    assert VALIDATORS["starred_card"](value) is ok
