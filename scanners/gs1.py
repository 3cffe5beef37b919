"""The one adapter to biip: symbology identifiers and GS1 element strings, HRI and Digital Link.

biip knows every Application Identifier and types the values (dates, check
digits). How a message is cut into element strings is decided here, strictly
by the GS1 rules, because biip cuts greedily: a variable-length field that is
too long or lacks its separator silently swallows the next field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.symbology import GS1Symbology, SymbologyIdentifier

from scanners.gs1_dates import DATE_LAYOUTS, date_problem, first_date, layout_text
from scanners.gtin import check_digit
from scanners.scan import (
    AmbiguousCode,
    CheckDigitError,
    InvalidGS1,
    ScanError,
    UnrecognizedCode,
)
from scanners.wedge import GS

CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
# Words for the AIs people meet on medical labels (the device's table is generated from these); any other AI
# is described by its GS1 description.
PLAIN_WORDS = {
    "00": "the SSCC",
    "01": "the GTIN",
    "02": "the GTIN of the contents",
    "10": "the lot",
    "11": "the production date",
    "15": "the best-before date",
    "16": "the sell-by date",
    "17": "the expiry date",
    "21": "the serial number",
    "240": "the additional product number",
    "241": "the customer part number",
    "30": "the count",
    "37": "the count of items",
    "414": "the location GLN",
    "7003": "the expiry date and time",
    "7240": "the clinical trial protocol",
    "8004": "the asset number (GIAI)",
    "8020": "the payment slip reference",
}
# The GS1 keys with a mod-10 check digit ("csum" in the GS1 Barcode Syntax Dictionary): where the numbered
# key starts in the value and how long it is, its check digit last (the device's table is generated from this).
CHECK_DIGITS: dict[str, tuple[int, int]] = (
    {"00": (0, 18), "01": (0, 14), "02": (0, 14), "03": (0, 14), "253": (0, 13), "255": (0, 13), "402": (0, 17)}
    | {f"41{n}": (0, 13) for n in range(8)}
    | {"8003": (1, 13), "8006": (0, 14), "8017": (0, 18), "8018": (0, 18), "8026": (0, 14)}
)
_MAX_READINGS = 16

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


_DOTCODE = re.compile(r"\]J[0-9A-Za-z]")  # ISO/IEC 15424 code character J, which biip's list lacks


def split_symbology(raw: str) -> tuple[Symbology | None, str]:
    """Split a leading AIM symbology identifier off ``raw``."""
    try:
        found = SymbologyIdentifier.extract(raw)
        identifier, gs1_symbology = found.value, found.gs1_symbology
    except (ParseError, IndexError, ValueError):
        if not _DOTCODE.match(raw):
            return None, raw
        identifier = raw[:3]
        gs1_symbology = next((s for s in GS1Symbology if s.value == identifier[1:]), None)
    if gs1_symbology in GS1Symbology.with_gs1_messages():
        family: Family = "gs1"
    elif gs1_symbology in GS1Symbology.with_gtin():
        family = "gtin"
    else:
        family = "text"
    return Symbology(identifier, family), raw[len(identifier) :]


def describe(ai: str) -> str:
    """Plain words for an AI, for messages."""
    words = PLAIN_WORDS.get(ai)
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
    # The AI's own pattern says which characters it takes: most take CSET 82, a few CSET 39 ('#' in 8010) or 64.
    in_format = re.fullmatch(ai.pattern.removeprefix("^" + ai.ai), value) is not None
    bad = None if in_format else next((c for c in value if c not in CSET82), None)
    if bad is not None:
        return _Problem(InvalidGS1, f"{what} made of GS1 characters", f"the character {bad!r} in {value!r}")
    if ai.ai in DATE_LAYOUTS:
        problem = date_problem(ai.ai, value)
        if problem:
            return _Problem(InvalidGS1, f"{what} as {layout_text(ai.ai)}", f"{value!r}, {problem}")
    if not in_format:
        return _Problem(InvalidGS1, f"{what} in the GS1 format {ai.format}", repr(value))
    if ai.ai in CHECK_DIGITS:
        start, size = CHECK_DIGITS[ai.ai]
        digits = value[start : start + size]
        expected = check_digit(digits[:-1])
        if int(digits[-1]) != expected:
            return _Problem(
                CheckDigitError,
                f"{what} with the check digit {expected} as digit {start + size}",
                digits[-1],
                "The code is damaged or was printed wrongly; do not use it.",
            )
    return Element(ai.ai, value, first_date(ai.ai, value) if ai.ai in DATE_LAYOUTS else None)


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


def parse_element_string(payload: str, read: str, *, separators_may_be_missing: bool) -> tuple[list[Element], bool]:
    """Cut a GS1 element string into validated elements; also say whether separators had to be inferred.

    With at least one separator, or when separators cannot be missing, the GS1
    rule applies: a variable-length field runs to the next separator (and is
    refused if that makes it too long). Without any separator from a scanner
    that may drop them, every reading the GS1 syntax allows, with every AI in
    GS1's table, is considered; more than one is refused as ambiguous.
    """
    payload = payload.lstrip(GS)
    if GS in payload or not separators_may_be_missing:
        return _strict(payload, read), False
    readings, complete = _readings(payload)
    if complete and not readings:
        return _strict(payload, read), False  # raises the error that says what is wrong
    if len(readings) != 1 or not complete:
        listed = " or ".join(to_hri(r) for r in readings[:3]) if complete else "more readings than can be listed"
        raise AmbiguousCode(
            read,
            "separators between the variable-length fields",
            f"none, so it can mean {listed}" + (" or more" if complete and len(readings) > 3 else ""),
            "Set the scanner to send the GS separator (or a replacement such as '|'), "
            "or type the lot and serial number from the label.",
        )
    reading = readings[0]
    inferred = any(_fixed_length(_ai(e.ai)) is None for e in reading[:-1])
    return reading, inferred


def _strict(payload: str, read: str) -> list[Element]:
    return _checked([_element(ai, value, read) for ai, value in _split_strict(payload, read)], read)


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


def _readings(payload: str) -> tuple[list[list[Element]], bool]:
    """The valid readings of a separator-less element string, and whether the list is complete.

    A reading is a cut into element strings that each pass ``_validate``; one
    that repeats an AI with another value is invalid, a repeat with the same
    value is redundant but valid. From the end backwards, each position keeps
    the elements that can start there and lead to the end, and how many
    readings follow (counted up to one more than ``_MAX_READINGS``); beyond
    that the list is not complete.
    """
    options: dict[int, list[tuple[Element, int]]] = {}
    count = {len(payload): 1}
    for pos in range(len(payload) - 1, -1, -1):
        ai = _ai_at(payload[pos : pos + 4])
        if ai is None:
            continue
        start = pos + len(ai.ai)
        fixed = _fixed_length(ai)
        ends = [start + fixed] if fixed is not None else range(start + 1, min(len(payload), start + _max_length(ai)) + 1)
        here = [(e, end) for end in ends if end in count and isinstance(e := _validate(ai, payload[start:end]), Element)]
        if here:
            options[pos] = here
            count[pos] = min(_MAX_READINGS + 1, sum(count[end] for _, end in here))
    total = count.get(0, 0) if payload else 0
    readings: list[list[Element]] = []
    stack: list[tuple[int, list[Element]]] = [(0, [])] if 0 < total <= _MAX_READINGS else []
    while stack:  # every option leads to the end, so this walks exactly the counted readings
        pos, acc = stack.pop()
        if pos == len(payload):
            readings.append(acc)
        stack += [(end, [*acc, element]) for element, end in reversed(options.get(pos, []))]
    return [r for r in readings if _consistent(r)], total <= _MAX_READINGS


def _consistent(elements: list[Element]) -> bool:
    """No AI twice with different values."""
    values: dict[str, str] = {}
    return all(values.setdefault(e.ai, e.value) == e.value for e in elements)


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
