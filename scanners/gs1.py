"""The one adapter to biip: symbology identifiers and GS1 element strings, HRI and Digital Link.

biip knows every Application Identifier and types the values (dates, check
digits). How a message is cut into element strings is decided here, strictly
by the GS1 rules, because biip cuts greedily: a variable-length field that is
too long or lacks its separator silently swallows the next field.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString
from biip.symbology import GS1Symbology, SymbologyIdentifier

from scanners.gtin import check_digit
from scanners.scan import (
    AmbiguousCode,
    CheckDigitError,
    InvalidGS1,
    ScanError,
    UnrecognizedCode,
)
from scanners.wedge import GS

DATE_AIS = frozenset({"11", "12", "13", "15", "16", "17"})
CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
_WORDS = {
    "00": "the SSCC",
    "01": "the GTIN",
    "02": "the GTIN of the contents",
    "10": "the lot",
    "11": "the production date",
    "17": "the expiry date",
    "21": "the serial number",
    "30": "the count",
    "37": "the count of items",
    "414": "the location GLN",
}
_MAX_SPLITS_EXPLORED = 1000

Family = Literal["gs1", "gtin", "text"]


@dataclass(frozen=True)
class Element:
    """One GS1 element string, validated and typed."""

    ai: str
    value: str
    date: dt.date | None = None


@dataclass(frozen=True)
class Symbology:
    """An AIM symbology identifier (``]d2``) and what kind of data it announces."""

    identifier: str
    family: Family


def split_symbology(raw: str) -> tuple[Symbology | None, str]:
    """Split a leading AIM symbology identifier off ``raw``."""
    try:
        found = SymbologyIdentifier.extract(raw)
    except (ParseError, IndexError, ValueError):
        return None, raw
    if found.gs1_symbology in GS1Symbology.with_gs1_messages():
        family: Family = "gs1"
    elif found.gs1_symbology in GS1Symbology.with_gtin():
        family = "gtin"
    else:
        family = "text"
    return Symbology(found.value, family), raw[len(found.value) :]


def describe(ai: str) -> str:
    """Plain words for an AI, for messages."""
    words = _WORDS.get(ai)
    if words is None:
        info = _ai(ai)
        words = f"the {info.description.lower()}" if info else "a field"
    return f"{words} (AI {ai})"


def to_hri(elements: list[tuple[str, str]] | list[Element]) -> str:
    """Render element strings as ``(01)…(10)…``."""
    pairs = [(e.ai, e.value) if isinstance(e, Element) else e for e in elements]
    return "".join(f"({ai}){value}" for ai, value in pairs)


# --- Application Identifier table -----------------------------------------


@lru_cache(maxsize=4096)
def _ai_at(prefix: str) -> GS1ApplicationIdentifier | None:
    """The AI that ``prefix`` (up to 4 characters) starts with, if any."""
    try:
        return GS1ApplicationIdentifier.extract(prefix)
    except ParseError:
        return None


@cache
def _ai(code: str) -> GS1ApplicationIdentifier | None:
    """The AI with exactly this code."""
    found = _ai_at(code)
    return found if found is not None and found.ai == code else None


@cache
def _fixed_length(ai: GS1ApplicationIdentifier) -> int | None:
    """Data length of a predefined-length AI; ``None`` for AIs that need a separator."""
    if ai.separator_required:
        return None
    return sum(int(part[1:]) for part in ai.format.split("+")[1:])


@cache
def _max_length(ai: GS1ApplicationIdentifier) -> int:
    return sum(int(re.findall(r"\d+", part)[-1]) for part in ai.format.split("+")[1:] if re.search(r"\d", part))


# --- one element -------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    error: type[ScanError]
    expected: str
    found: str
    hint: str = ""


@lru_cache(maxsize=8192)
def _validate(ai: GS1ApplicationIdentifier, value: str) -> Element | _Problem:
    """Check one element string against the GS1 rules and type its value."""
    what = describe(ai.ai)
    fixed = _fixed_length(ai)
    if not value:
        return _Problem(InvalidGS1, f"{what} followed by its data", "nothing", "The code is cut short.")
    if fixed is not None and len(value) != fixed:
        hint = "The code is cut short." if len(value) < fixed else ""
        return _Problem(InvalidGS1, f"{what} of exactly {fixed} digits", f"{len(value)} characters {value!r}", hint)
    if len(value) > _max_length(ai):
        return _Problem(
            InvalidGS1,
            f"{what} of at most {_max_length(ai)} characters",
            f"{len(value)} characters {value!r}",
            "A separator may be missing after this field.",
        )
    bad = next((c for c in value if c not in CSET82), None)
    if bad is not None:
        return _Problem(InvalidGS1, f"{what} made of GS1 characters", f"the character {bad!r} in {value!r}")
    if ai.ai in DATE_AIS:
        problem = _date_problem(value)
        if problem:
            return _Problem(InvalidGS1, f"{what} as a date YYMMDD", f"{value!r}, {problem}")
    if not re.fullmatch(ai.pattern.removeprefix("^" + ai.ai), value):
        return _Problem(InvalidGS1, f"{what} in the GS1 format {ai.format}", repr(value))
    try:
        parsed = GS1ElementString.parse(ai.ai + value)
    except ParseError as error:
        return _Problem(InvalidGS1, f"{what} in the GS1 format {ai.format}", f"{value!r} ({error})")
    if parsed.gtin_error or parsed.gln_error or parsed.sscc_error:
        digits = value[-18:] if ai.ai == "00" else value[-13:] if ai.ai.startswith("41") else value
        return _Problem(
            CheckDigitError,
            f"{what} ending in the check digit {check_digit(digits[:-1])}",
            digits[-1],
            "The code is damaged or was printed wrongly; do not use it.",
        )
    return Element(ai.ai, value, parsed.date)


def _date_problem(value: str) -> str:
    if len(value) != 6 or not value.isdigit():
        return "which is not six digits"
    year, month, day = int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= month <= 12:
        return f"which has month {month:02d}"
    if day > calendar.monthrange(2000 + year, month)[1]:
        return f"which has day {day:02d} in month {month:02d}"
    return ""


def _element(ai: GS1ApplicationIdentifier, value: str, read: str) -> Element:
    result = _validate(ai, value)
    if isinstance(result, _Problem):
        raise result.error(read, result.expected, result.found, result.hint)
    return result


def _known_ai(code: str, read: str) -> GS1ApplicationIdentifier:
    ai = _ai(code)
    if ai is None:
        raise InvalidGS1(read, "a GS1 Application Identifier", f"({code}), which does not exist")
    return ai


# --- element strings ---------------------------------------------------------


def parse_element_string(
    payload: str, read: str, *, separators_may_be_missing: bool, split_ais: frozenset[str] | None
) -> tuple[list[Element], bool]:
    """Cut a GS1 element string into validated elements; also say whether separators had to be inferred.

    With at least one separator, or when separators cannot be missing, the GS1
    rule applies: a variable-length field runs to the next separator. Without
    any separator from a scanner that may drop them, every valid way to cut the
    text is considered; more than one is refused as ambiguous. ``split_ais``
    limits which AIs may start right after a variable-length field in such a
    cut (``None``: any AI).
    """
    payload = payload.lstrip(GS)
    if GS in payload or not separators_may_be_missing:
        return _checked([_element(ai, value, read) for ai, value in _split_strict(payload, read)], read), False
    cuts = _all_cuts(payload, split_ais)
    if cuts == []:
        return _checked([_element(ai, value, read) for ai, value in _split_strict(payload, read)], read), False
    if cuts is None or len(cuts) > 1:
        readings = " or ".join(to_hri(cut) for cut in cuts) if cuts else "too many things to list"
        raise AmbiguousCode(
            read,
            "separators between the variable-length fields",
            f"none, so it can mean {readings}",
            "Set the scanner to send the GS separator (or a replacement such as '|'), "
            "or type the lot and serial number from the label.",
        )
    cut = _checked(cuts[0], read)
    inferred = any(_fixed_length(_ai(e.ai)) is None for e in cut[:-1])
    return cut, inferred


def _split_strict(payload: str, read: str) -> list[tuple[GS1ApplicationIdentifier, str]]:
    pairs = []
    for segment in payload.split(GS):
        pos = 0
        while pos < len(segment):
            ai = _ai_at(segment[pos : pos + 4])
            if ai is None:
                raise InvalidGS1(
                    read,
                    "a GS1 Application Identifier",
                    f"{segment[pos : pos + 4]!r} at position {pos + 1} of {segment!r}, which is none",
                )
            start = pos + len(ai.ai)
            fixed = _fixed_length(ai)
            end = len(segment) if fixed is None else start + fixed
            pairs.append((ai, segment[start:end]))
            pos = end
    return pairs


def _all_cuts(payload: str, split_ais: frozenset[str] | None) -> list[list[Element]] | None:
    """Up to two valid cuts of a separator-less element string; ``None`` if there are too many to tell."""
    found: list[list[Element]] = []
    dead: set[tuple[int, bool]] = set()
    explored = 0

    def walk(pos: int, acc: list[Element]) -> None:
        nonlocal explored
        if pos == len(payload):
            explored += 1
            if _consistent(acc):
                found.append(list(acc))
            return
        after_variable = bool(acc) and _fixed_length(_ai(acc[-1].ai)) is None
        if (pos, after_variable) in dead:
            return
        before = explored
        ai = _ai_at(payload[pos : pos + 4])
        if ai is not None and (not after_variable or split_ais is None or ai.ai in split_ais):
            start = pos + len(ai.ai)
            fixed = _fixed_length(ai)
            ends = [start + fixed] if fixed is not None else range(len(payload), start, -1)
            for end in ends:
                element = _validate(ai, payload[start:end]) if end <= len(payload) else None
                if isinstance(element, Element):
                    acc.append(element)
                    walk(end, acc)
                    acc.pop()
                if len(found) >= 2 or explored >= _MAX_SPLITS_EXPLORED:
                    return
        if explored == before:
            dead.add((pos, after_variable))

    walk(0, [])
    return None if explored >= _MAX_SPLITS_EXPLORED and len(found) < 2 else found


def _consistent(elements: list[Element]) -> bool:
    """A cut that repeats an AI is not a plausible reading of a label."""
    return len({e.ai for e in elements}) == len(elements)


def _checked(elements: list[Element], read: str) -> list[Element]:
    values: dict[str, str] = {}
    for e in elements:
        if values.setdefault(e.ai, e.value) != e.value:
            raise InvalidGS1(
                read,
                f"{describe(e.ai)} once",
                f"it twice with different values {values[e.ai]!r} and {e.value!r}",
                "Do not use this code.",
            )
    return elements


# --- other notations ---------------------------------------------------------


def parse_hri(payload: str, read: str) -> list[Element]:
    """Parse the human-readable form ``(01)09501101530003(17)250131(10)ABC``."""
    parts = re.split(r"\((\d{2,4})\)", "".join(payload.split()))
    if parts[0] or len(parts) < 3:
        raise InvalidGS1(read, "GS1 data written as (AI)value(AI)value", repr(payload))
    pairs = zip(parts[1::2], parts[2::2], strict=True)
    return _checked([_element(_known_ai(code, read), value, read) for code, value in pairs], read)


def parse_digital_link(uri: str, read: str) -> list[Element]:
    """Parse a GS1 Digital Link URI such as ``https://id.gs1.org/01/09501101530003/10/ABC``."""
    try:
        link = GS1DigitalLinkURI.parse(uri)
    except ParseError as error:
        raise UnrecognizedCode(
            read, "a GS1 Digital Link web address carrying a GTIN", f"the web address {uri!r} ({error})"
        ) from error
    pairs = [(_known_ai(es.ai.ai, read), es.value) for es in link.element_strings]
    return _checked([_element(ai, value, read) for ai, value in pairs], read)
