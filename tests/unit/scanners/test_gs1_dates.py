"""Every date-bearing GS1 AI is checked against its own layout (scanners/gs1_dates.py)."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pytest

from scanners import InvalidGS1, interpret
from scanners.gs1_dates import DATE_LAYOUTS, century_year
from tests.js.make_gs1_ais import every_ai

CAMERA = "]d2"
GTIN = "0109501101530003"


@cache
def _biip_layouts() -> dict[str, str]:
    """The layout biip's table writes in each AI's description, e.g. 'Expiration date and time (YYMMDDhhmm)'."""
    found = {}
    for code, ai in every_ai().items():
        match = re.search(r"\((YY[YMDhm\[\]s]+)\)", ai.description)
        if match:
            found[code] = match.group(1)
    return found


def test_every_date_bearing_ai_in_gs1s_table_has_a_layout() -> None:
    assert set(_biip_layouts()) == set(DATE_LAYOUTS)


@pytest.mark.parametrize("ai", sorted(DATE_LAYOUTS))
def test_each_layout_spells_the_same_digits_as_the_table(ai: str) -> None:
    ours = "".join(DATE_LAYOUTS[ai]).replace("d0", "dd").replace("mi", "mm")
    assert re.sub(r"[\[\]]", "", ours).lower() == re.sub(r"[\[\]]", "", _biip_layouts()[ai]).lower()


def _scan(elements: str):
    return interpret(CAMERA + GTIN + elements)


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ("17280200", dt.date(2028, 2, 29)),  # AI 17: day 00 is the month's last day (leap year)
        ("17270200", dt.date(2027, 2, 28)),
        ("11250600", None),  # AI 11 allows day 00 too (GS1 Syntax Dictionary yymmd0)
        ("70032706301415", None),  # AI 7003 yymmddhhmi
        ("7007250601250615", None),  # harvest date range
        ("7011250601", None),  # test-by date without its optional time
        ("70112506011200", None),
        ("800825063014", None),  # production time yymmddhh, minutes and seconds optional
        ("8008250630141559", None),
    ],
)
def test_valid_dates_are_read(element: str, expected: dt.date | None) -> None:
    scan = _scan(element + "\x1d10L1")
    assert scan.lot == "L1"
    if expected is not None:
        assert scan.expiry == expected


@pytest.mark.parametrize(
    ("element", "words"),
    [
        ("70032706001415", "day 00"),  # 7003 is yymmddhhmi: no day 00
        ("70032706302415", "hh 24"),
        ("70032706301460", "mi 60"),
        ("7003270630", "does not fit"),  # date without its time
        ("7006250600", "day 00"),
        ("4326250600", "day 00"),
        ("17251300", "month 13"),
        ("17250230", "day 30 in month 02"),
        ("72502025023", "does not fit"),
        ("725020250229", "day 29 in month 02 of 2025"),
        ("7011250601120", "does not fit"),  # optional time cut short
        ("800825063024", "hh 24"),
        ("800825063014156", "does not fit"),
    ],
)
def test_each_date_ai_refuses_what_its_own_layout_forbids(element: str, words: str) -> None:
    with pytest.raises(InvalidGS1) as raised:
        _scan(element + "\x1d10L1")
    assert words in str(raised.value)
    assert "expected" in str(raised.value) and "(AI " in str(raised.value)


def test_two_digit_years_follow_the_gs1_sliding_century() -> None:
    today = dt.date(2026, 12, 7)
    assert century_year(76, today) == 2076  # 50 years ahead
    assert century_year(77, today) == 1977  # 51 ahead is last century
    assert century_year(0, today) == 2000
