"""Property-based tests: generated fields survive every encoding, and no input escapes the error family."""

from __future__ import annotations

import calendar
import datetime as dt
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scanners import AmbiguousCode, CheckDigitError, Kind, Read, interpret, normalize_gtin
from scanners.gs1 import CSET82
from scanners.gtin import check_digit
from tests.unit.scanners.label_strategies import hibc_codes

SEPARATORS = ["\x1d", "|", "~", "^]", "<GS>"]
GS1_TEXT = st.text(alphabet=sorted(CSET82), min_size=1, max_size=20)


@st.composite
def gtins(draw: st.DrawFn, indicator: str | None = None) -> str:
    body = indicator or draw(st.sampled_from(string.digits))
    body += draw(st.text(alphabet=string.digits, min_size=12, max_size=12))
    return body + str(check_digit(body))


@st.composite
def labels(draw: st.DrawFn) -> dict[str, object]:
    """Fields of a product label; expiry day 00 (month only) is allowed."""
    expiry = draw(st.dates(dt.date(2000, 1, 1), dt.date(2049, 12, 31)))
    month_only = draw(st.booleans())
    if month_only:
        expiry = expiry.replace(day=calendar.monthrange(expiry.year, expiry.month)[1])
    fields: dict[str, object] = {
        "gtin": draw(gtins()),
        "expiry": expiry,
        "expiry_text": expiry.strftime("%y%m") + ("00" if month_only else expiry.strftime("%d")),
    }
    for name in draw(st.sets(st.sampled_from(["lot", "serial", "quantity"]), min_size=1)):
        fields[name] = draw(st.integers(1, 99_999_999)) if name == "quantity" else draw(GS1_TEXT)
    return fields


def element_strings(fields: dict[str, object], order: list[str]) -> list[tuple[str, str, bool]]:
    """(AI, value, needs a separator after it) in the order given, fixed-length fields first."""
    variable = {"lot": "10", "serial": "21", "quantity": "30"}
    elements = [("01", str(fields["gtin"]), False), ("17", str(fields["expiry_text"]), False)]
    elements += [(variable[name], str(fields[name]), True) for name in order if name in fields]
    return elements


def encode(elements: list[tuple[str, str, bool]], separator: str) -> str:
    parts = []
    for index, (ai, value, variable) in enumerate(elements):
        parts.append(ai + value + (separator if variable and index < len(elements) - 1 else ""))
    return "".join(parts)


def assert_same(scan: object, fields: dict[str, object]) -> None:
    assert scan.kind == Kind.PRODUCT
    assert scan.gtin == fields["gtin"]
    assert scan.expiry == fields["expiry"]
    assert scan.lot == fields.get("lot")
    assert scan.serial == fields.get("serial")
    assert scan.quantity == fields.get("quantity")


ORDERS = st.permutations(["lot", "serial", "quantity"])


@given(labels(), ORDERS, st.sampled_from(SEPARATORS), st.booleans())
@settings(max_examples=150, deadline=None)
def test_every_separator_style_gives_back_the_fields(fields, order, separator, with_aim) -> None:
    values = [str(fields.get(name, "")) for name in ("lot", "serial")]
    assume(not any(separator in value for value in values))
    elements = element_strings(fields, order)
    assume(sum(variable for _, _, variable in elements) > 1)  # else no separator is written at all
    raw = encode(elements, separator)
    assert_same(interpret(("]d2" if with_aim else "") + raw), fields)


@given(labels(), ORDERS)
@settings(max_examples=100, deadline=None)
def test_camera_reads_give_back_the_fields(fields, order) -> None:
    raw = encode(element_strings(fields, order), "\x1d")
    assert_same(interpret(Read(raw, "]d2", "Data Matrix")), fields)


@given(labels(), ORDERS)
@settings(max_examples=100, deadline=None)
def test_human_readable_form_gives_back_the_fields(fields, order) -> None:
    assume(not any("(" in str(fields.get(name, "")) for name in ("lot", "serial")))
    hri = "".join(f"({ai}){value}" for ai, value, _ in element_strings(fields, order))
    assert_same(interpret(hri), fields)


@given(labels(), ORDERS)
@settings(max_examples=150, deadline=None)
def test_without_separators_the_fields_come_back_or_the_scan_is_refused(fields, order) -> None:
    values = [str(fields.get(name, "")) for name in ("lot", "serial")]
    assume(not any(r in value for r in SEPARATORS for value in values))  # a wedge cannot tell those apart
    raw = encode(element_strings(fields, order), "")
    try:
        scan = interpret(raw)
    except AmbiguousCode:
        return
    assert_same(scan, fields)


@given(gtins(indicator="0"))
def test_gtin_forms_normalise_to_the_same_14_digits(gtin: str) -> None:
    gtin13 = gtin[1:]
    assert normalize_gtin(gtin13) == normalize_gtin(gtin) == gtin
    assert interpret(gtin13).gtin == interpret("01" + gtin).gtin == gtin


@given(gtins(), st.integers(0, 13), st.integers(1, 9))
def test_any_single_wrong_digit_is_caught(gtin: str, position: int, delta: int) -> None:
    wrong = gtin[:position] + str((int(gtin[position]) + delta) % 10) + gtin[position + 1 :]
    with pytest.raises(CheckDigitError):
        normalize_gtin(wrong)


@given(hibc_codes())
@settings(max_examples=150)
def test_hibc_fields_come_back(code_and_fields: tuple[str, dict[str, object]]) -> None:
    code, expected = code_and_fields
    scan = interpret(code)
    assert {name: getattr(scan, name) for name in expected} == expected
