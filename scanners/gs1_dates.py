"""Dates and times inside GS1 element strings, each AI checked against its own layout.

biip's AI table gives every AI's length and characters (``N4+N10`` for 7003) but
not what the digits mean, and its date patterns accept month 00 and day 00
everywhere. The layouts below are the date/time linters of the GS1 Barcode
Syntax Dictionary (the machine-readable form of the GS1 General
Specifications' AI table): ``yymmd0`` allows day 00 ("month only", read as the
month's last day), ``yymmdd`` does not. ``[...]`` marks an optional part.
``tests/unit/scanners/test_gs1_dates.py`` checks that every date-bearing AI in
biip's table has a layout here; ``static/js/gs1-ais.js`` is generated from it.
"""

from __future__ import annotations

import calendar
import datetime as dt

DATE_LAYOUTS: dict[str, tuple[str, ...]] = {
    "11": ("yymmd0",),
    "12": ("yymmd0",),
    "13": ("yymmd0",),
    "15": ("yymmd0",),
    "16": ("yymmd0",),
    "17": ("yymmd0",),
    "4324": ("yymmd0", "hhmi"),
    "4325": ("yymmd0", "hhmi"),
    "4326": ("yymmdd",),
    "7003": ("yymmdd", "hhmi"),
    "7006": ("yymmdd",),
    "7007": ("yymmdd", "[yymmdd]"),
    "7011": ("yymmdd", "[hhmi]"),
    "7250": ("yyyymmdd",),
    "7251": ("yyyymmdd", "hhmi"),
    "8008": ("yymmdd", "hh", "[mi]", "[ss]"),
}

_TIME_LIMITS = {"hh": 23, "mi": 59, "ss": 59}


def layout_text(ai: str) -> str:
    """The layout as people read it, e.g. ``YYMMDD hhmi`` (day 00 noted where allowed)."""
    parts = [part.upper().replace("D0", "DD") if "y" in part else part for part in DATE_LAYOUTS[ai]]
    text = " ".join(parts)
    return text + (", day 00 meaning the whole month" if "yymmd0" in DATE_LAYOUTS[ai] else "")


def century_year(yy: int, today: dt.date | None = None) -> int:
    """GS1 General Specifications 7.12: the year within 49 years back and 50 years ahead of this year."""
    current = (today or dt.date.today()).year
    difference = yy - current % 100
    century = current - current % 100 + (-100 if difference >= 51 else 100 if difference <= -50 else 0)
    return century + yy


def date_problem(ai: str, value: str) -> str:
    """Why ``value`` is not a date/time in ``ai``'s layout, or ``""`` when it is one."""
    pos = 0
    for part in DATE_LAYOUTS[ai]:
        optional = part.startswith("[")
        part = part.strip("[]")
        size = len(part)
        if optional and pos == len(value):
            break
        chunk = value[pos : pos + size]
        if len(chunk) != size or not chunk.isdigit():
            return f"which does not fit the layout {layout_text(ai)}"
        problem = _part_problem(part, chunk)
        if problem:
            return problem
        pos += size
    return "" if pos == len(value) else f"which does not fit the layout {layout_text(ai)}"


def _part_problem(part: str, digits: str) -> str:
    if "y" not in part:  # hh, mi, ss or hhmi: two digits each
        units = [(part[i : i + 2], digits[i : i + 2]) for i in range(0, len(part), 2)]
        return next((f"which has {unit} {pair}" for unit, pair in units if int(pair) > _TIME_LIMITS[unit]), "")
    year_size = 4 if part.startswith("yyyy") else 2
    year, month, day = int(digits[:year_size]), int(digits[year_size : year_size + 2]), int(digits[year_size + 2 :])
    if year_size == 2:
        year = century_year(year)
    if not 1 <= month <= 12:
        return f"which has month {month:02d}"
    if day == 0:
        return "" if part.endswith("d0") else "which has day 00, not allowed in this field"
    if day > calendar.monthrange(year, month)[1]:
        return f"which has day {day:02d} in month {month:02d} of {year}"
    return ""


def first_date(ai: str, value: str) -> dt.date:
    """The date a checked value starts with; day 00 is the month's last day."""
    part = DATE_LAYOUTS[ai][0]
    year_size = 4 if part.startswith("yyyy") else 2
    year = int(value[:year_size])
    if year_size == 2:
        year = century_year(year)
    month, day = int(value[year_size : year_size + 2]), int(value[year_size + 2 : year_size + 4])
    return dt.date(year, month, day or calendar.monthrange(year, month)[1])
