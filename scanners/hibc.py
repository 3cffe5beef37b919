"""HIBC LIC (ANSI/HIBC 2.6): primary, secondary and concatenated data with the mod-43 check character.

Primary:      ``+ LIC(4) PCN(1-18) U/M(1) C``
Secondary:    ``+ data L C`` (L = link character, the primary's check character)
Concatenated: ``+ LIC PCN U/M / data C``

The check character may be a space, so input is never stripped. Every flag announces a field and the
field must follow: ``/`` secondary data, ``$`` a lot, ``$+`` a serial number, ``$$`` an expiry (its first
digit says the layout; ``7`` says none) and a lot, ``$$+`` an expiry and a serial number, ``$$8``/``$$9`` a
quantity, ``/S``, ``/14D``, ``/16D`` supplemental fields. An empty lot, serial or date is refused.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace

from scanners.scan import CheckDigitError, HibcProduct, InvalidHIBC

CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
_ALNUM = re.compile(r"[0-9A-Z]+")
_MAX_FIELD = 18


@dataclass(frozen=True)
class HibcRecord:
    """Everything one HIBC code says."""

    primary: HibcProduct | None
    lot: str | None = None
    serial: str | None = None
    expiry: dt.date | None = None
    quantity: int | None = None
    production_date: dt.date | None = None
    link: str | None = None


def check_character(data: str) -> str:
    """Mod-43 check character over ``data`` (everything before it, including the leading '+')."""
    return CHARSET[sum(CHARSET.index(c) for c in data) % 43]


def parse_hibc(text: str) -> HibcRecord:
    """Parse HIBC LIC data starting with '+' (no AIM identifier)."""
    if not text.startswith("+") or len(text) < 3:
        raise InvalidHIBC(text, "HIBC data: '+', the data and a check character", "too little data")
    if text.startswith("+/"):
        raise InvalidHIBC(
            text, "an HIBC supplier code (HIBC LIC)", "an HIBC provider code (+/), which is not supported"
        )
    bad = next((c for c in text if c not in CHARSET), None)
    if bad is not None:
        raise InvalidHIBC(text, "only capital letters, digits and - . space $ / + %", f"the character {bad!r}")
    data, check = text[:-1], text[-1]
    expected = check_character(data)
    if check != expected:
        raise CheckDigitError(
            text,
            f"HIBC data ending in the check character {expected!r}",
            repr(check),
            "The code is damaged or mistyped; scan it again.",
        )
    body = data[1:]
    if body[:1] == "$" or body[:1].isdigit():
        if len(body) < 2:
            raise InvalidHIBC(text, "secondary HIBC data followed by a link character", repr(body))
        return _secondary(body[:-1], text, primary=None, link=body[-1])
    primary, slash, secondary = body.partition("/")
    product = _primary(primary, text)
    if not slash:
        return HibcRecord(product)
    if not secondary:
        raise InvalidHIBC(text, "secondary data (expiry, lot or serial number) after '/'", "nothing", _DAMAGED)
    return _secondary(secondary, text, primary=product, link=None)


def _primary(data: str, text: str) -> HibcProduct:
    if not (len(data) >= 6 and data[0].isalpha() and _ALNUM.fullmatch(data) and data[-1].isdigit()):
        raise InvalidHIBC(
            text,
            "a labeler code of 4 characters starting with a letter, a product code of 1 to 18 "
            "letters or digits and a unit-of-measure digit",
            repr(data),
        )
    if len(data) - 5 > _MAX_FIELD:
        raise InvalidHIBC(text, f"a product code of at most {_MAX_FIELD} characters", f"{len(data) - 5} characters")
    return HibcProduct(labeler=data[:4], product=data[4:-1], unit_of_measure=int(data[-1]))


def _secondary(data: str, text: str, *, primary: HibcProduct | None, link: str | None) -> HibcRecord:
    quantity = None
    expiry = None
    serial_follows = False
    if data.startswith("$$"):
        rest = data[2:]
        if rest.startswith("+"):
            serial_follows, rest = True, rest[1:]
        if not rest:
            raise InvalidHIBC(text, f"an expiry date format flag 0-7 after '{data}'", "nothing", _DAMAGED)
        if rest[:1] in ("8", "9"):
            size = 2 if rest[0] == "8" else 5
            digits = rest[1 : 1 + size]
            if not (len(digits) == size and digits.isdigit()):
                raise InvalidHIBC(text, f"a quantity of {size} digits after '$${rest[0]}'", repr(digits))
            quantity, rest = int(digits), rest[1 + size :]
        expiry, rest = _expiry(rest, text)
    elif data.startswith("$+"):
        serial_follows, rest = True, data[2:]
    elif data.startswith("$"):
        rest = data[1:]
    else:
        expiry, rest = _date(data[:5], "YYJJJ", text), data[5:]
    ident, *supplements = rest.split("/")
    record = HibcRecord(primary, link=link, expiry=expiry, quantity=quantity)
    flag = data[: len(data) - len(rest)] or "the expiry date"
    record = _with_identifier(record, ident, serial_follows, text, after=flag)
    for supplement in supplements:
        record = _with_supplement(record, supplement, text)
    return record


_DAMAGED = "The label is damaged or was printed wrongly; type the lot and expiry from the label."


def _with_identifier(record: HibcRecord, ident: str, is_serial: bool, text: str, *, after: str) -> HibcRecord:
    what = "serial number" if is_serial else "lot"
    if not ident:
        where = after if after.startswith("the") else repr(after)
        raise InvalidHIBC(text, f"a {what} after {where}", "nothing", _DAMAGED)
    if not _ALNUM.fullmatch(ident) or len(ident) > _MAX_FIELD:
        raise InvalidHIBC(text, f"a {what} of 1 to {_MAX_FIELD} letters or digits", repr(ident))
    return replace(record, serial=ident) if is_serial else replace(record, lot=ident)


def _with_supplement(record: HibcRecord, supplement: str, text: str) -> HibcRecord:
    """Supplemental data fields: ``/S`` serial, ``/14D`` expiry and ``/16D`` production date YYYYMMDD."""
    if supplement.startswith("S") and record.serial is None:
        return _with_identifier(record, supplement[1:], True, text, after="/S")
    if supplement.startswith("14D") and record.expiry is None:
        return replace(record, expiry=_date(supplement[3:], "YYYYMMDD", text))
    if supplement.startswith("16D") and record.production_date is None:
        return replace(record, production_date=_date(supplement[3:], "YYYYMMDD", text))
    raise InvalidHIBC(text, "supplemental data /S, /14D or /16D, each at most once", repr("/" + supplement))


_LAYOUTS = {"2": "MMDDYY", "3": "YYMMDD", "4": "YYMMDDHH", "5": "YYJJJ", "6": "YYJJJHH"}


def _expiry(rest: str, text: str) -> tuple[dt.date | None, str]:
    """Expiry after '$$' (and after a quantity): its first character tells the date layout."""
    flag = rest[:1]
    if flag in ("0", "1"):
        return _date(rest[:4], "MMYY", text), rest[4:]
    if flag in _LAYOUTS:
        layout = _LAYOUTS[flag]
        return _date(rest[1 : 1 + len(layout)], layout, text), rest[1 + len(layout) :]
    if flag == "7":
        return None, rest[1:]
    raise InvalidHIBC(text, "a date format flag 0-7 after '$$'", repr(flag) if flag else "nothing", _DAMAGED)


def _date(digits: str, layout: str, text: str) -> dt.date:
    """A date in an HIBC layout; two-digit years are 20YY, MMYY means the month's last day."""
    found = f"{digits!r}, which is not a real date" if digits else "nothing"
    problem = InvalidHIBC(text, f"a date {layout}", found, _DAMAGED if not digits else "")
    if len(digits) != len(layout) or not digits.isdigit():
        raise problem
    part = {key: int("".join(d for d, k in zip(digits, layout) if k == key) or 0) for key in "YMDJH"}
    year = part["Y"] if "YYYY" in layout else 2000 + part["Y"]
    try:
        if "J" in layout:
            if not 1 <= part["J"] <= (366 if calendar.isleap(year) else 365):
                raise ValueError(digits)
            day = dt.date(year, 1, 1) + dt.timedelta(days=part["J"] - 1)
        else:
            last = calendar.monthrange(year, part["M"])[1]
            day = dt.date(year, part["M"], part["D"] if "D" in layout else last)
        if part["H"] > 23:
            raise ValueError(digits)
    except (ValueError, calendar.IllegalMonthError) as error:
        raise problem from error
    return day
