"""Hypothesis strategies for valid labels: GS1 element strings drawn from GS1's whole AI table (biip's), not a chosen
subset, and HIBC codes."""

from __future__ import annotations

import datetime as dt
import re
import string
from functools import cache

from hypothesis import strategies as st

from scanners.gs1 import CHECK_DIGITS, Element, _ai, _max_length, _validate
from scanners.gs1_dates import DATE_LAYOUTS
from scanners.gtin import check_digit
from scanners.hibc import check_character
from tests.js.make_gs1_ais import every_ai

# AIs left out of generated labels because the label would be refused for what it means, not how it is cut:
# 02 with 01, 254 without 414 (scanners/interpret.py).
NOT_ON_A_PRODUCT_LABEL = frozenset({"01", "02", "254"})


@cache
def all_ais() -> list[str]:
    return sorted(every_ai())


def _body(code: str) -> str:
    return _ai(code).pattern.removeprefix("^" + code)


@st.composite
def _date_value(draw: st.DrawFn, code: str) -> str:
    text = ""
    for raw in DATE_LAYOUTS[code]:
        part = raw.strip("[]")
        if raw.startswith("[") and draw(st.booleans()):
            break
        if "y" in part:
            day = draw(st.dates(dt.date(1977, 1, 1), dt.date(2076, 12, 31)))
            text += day.strftime("%Y%m%d" if part.startswith("yyyy") else "%y%m%d")
            if part.endswith("d0") and draw(st.booleans()):
                text = text[:-2] + "00"
        else:
            limits = {"hh": 23, "mi": 59, "ss": 59}
            text += "".join(f"{draw(st.integers(0, limits[part[i : i + 2]])):02d}" for i in range(0, len(part), 2))
    return text


@st.composite
def elements(draw: st.DrawFn, code: str) -> Element:
    """One valid element string for ``code``: its value drawn from the AI's own pattern, dates and check digits made right."""
    if code in DATE_LAYOUTS:
        value = draw(_date_value(code))
    else:
        # biip's percent-encoding patterns count "%XX%XX" as one character and some allow nothing (30: \d{0,8});
        # GS1 counts every character and wants at least one.
        pattern = st.from_regex(re.compile(_body(code), re.ASCII), fullmatch=True)
        value = draw(pattern.filter(lambda v: 0 < len(v) <= _max_length(_ai(code))))
        if code in CHECK_DIGITS:
            start, size = CHECK_DIGITS[code]
            at = start + size - 1
            value = value[:at] + str(check_digit(value[start:at])) + value[at + 1 :]
    result = _validate(_ai(code), value)
    assert isinstance(result, Element), f"generated an invalid ({code}){value!r}: {result}"
    return result


@st.composite
def product_labels(draw: st.DrawFn, max_others: int = 5) -> list[Element]:
    """A GTIN (01) followed by up to ``max_others`` distinct other AIs from the whole table, in any order."""
    others = draw(
        st.lists(
            st.sampled_from([c for c in all_ais() if c not in NOT_ON_A_PRODUCT_LABEL]),
            min_size=1,
            max_size=max_others,
            unique=True,
        )
    )
    return [draw(elements("01")), *[draw(elements(code)) for code in others]]


def without_separators(label: list[Element]) -> str:
    return "".join(e.ai + e.value for e in label)


def with_separators(label: list[Element], separator: str = "\x1d") -> str:
    """GS after every element that needs one (not after predefined-length ones, nor after the last)."""
    parts = []
    for index, e in enumerate(label):
        needs = _ai(e.ai).separator_required and index < len(label) - 1
        parts.append(e.ai + e.value + (separator if needs else ""))
    return "".join(parts)


HIBC_TEXT = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=18)


@st.composite
def hibc_codes(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    labeler = draw(st.sampled_from(string.ascii_uppercase)) + draw(HIBC_TEXT.filter(lambda t: len(t) >= 3))[:3]
    product = draw(HIBC_TEXT)
    unit = draw(st.integers(0, 9))
    data = f"+{labeler}{product}{unit}"
    expected: dict[str, object] = {"code": data, "lot": None, "serial": None, "expiry": None, "quantity": None}
    if draw(st.booleans()):
        expiry = draw(st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))))
        serial = draw(st.booleans())
        ident = draw(HIBC_TEXT)
        quantity = draw(st.one_of(st.none(), st.integers(0, 99)))
        secondary = "$$" + ("+" if serial else "")
        if quantity is not None:
            secondary += f"8{quantity:02d}"
        secondary += "7" if expiry is None else "3" + expiry.strftime("%y%m%d")
        data += "/" + secondary + ident
        expected |= {"serial" if serial else "lot": ident, "expiry": expiry, "quantity": quantity}
    return data + check_character(data), expected
