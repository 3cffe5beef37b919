"""Entry point: raw scanned text (or a camera ``Read``) -> ``Scan``."""

from __future__ import annotations

from dataclasses import replace

from scanners import gs1
from scanners.bin_card import parse_bin_card
from scanners.codes import match_code
from scanners.config import DEFAULT_CONFIG, ScanConfig
from scanners.gtin import GTIN_LENGTHS, check_digit, is_restricted, is_upce, normalize_gtin, upce_to_upca
from scanners.hibc import parse_hibc
from scanners.scan import AmbiguousCode, InvalidGS1, Kind, NationalCode, Read, Scan, UnrecognizedCode
from scanners.wedge import GS, restore_separators, separators_may_be_missing, strip_terminators

# The expiry date (17) or, on labels that carry only that, the expiry date and time (7003).
EXPIRY_AIS = ("17", "7003")
NATIONAL_CODE_COUNTRIES = {"710": "DE", "711": "FR", "712": "ES", "713": "BR", "714": "PT", "715": "US"}


def interpret(raw: str | Read, config: ScanConfig = DEFAULT_CONFIG) -> Scan:
    """Interpret one scan, or raise a ``ScanError`` whose message says what is wrong.

    ``raw`` is what a keyboard-wedge scanner typed (optionally starting with an
    AIM symbology identifier such as ``]d2``), or a ``Read`` from ``decode``.
    A ``Read`` carries the symbol's exact content, so wedge separator
    replacements are not applied to it.
    """
    if isinstance(raw, Read):
        text, from_symbol = raw.raw, True
    elif isinstance(raw, str):
        text, from_symbol = strip_terminators(raw), False
    else:
        raise TypeError(f"interpret() takes str or Read, not {type(raw).__name__}")
    symbology, payload = gs1.split_symbology(text)
    if not payload:
        raise UnrecognizedCode(text, "the content of a barcode", "nothing", "Scan again.")
    identifier = symbology.identifier if symbology else None

    coded = match_code(payload, config, text)
    if coded and coded[0] == Kind.BIN_CARD:
        gtin, location = parse_bin_card(coded[1], text)
        return Scan(kind=Kind.BIN_CARD, raw=text, symbology=identifier, gtin=gtin, code=location)
    if coded:
        return Scan(kind=coded[0], raw=text, symbology=identifier, code=coded[1])
    family = symbology.family if symbology else None
    if family == "gtin" or (
        family is None and payload.isascii() and payload.isdigit() and len(payload) in GTIN_LENGTHS
    ):
        return _gtin_scan(payload, text, identifier)
    if family == "gs1" or family is None:
        element_string = payload if from_symbol else restore_separators(payload, config.gs_replacements)
        if family == "gs1" or element_string.lstrip(GS)[:2].isdigit():
            elements, inferred = gs1.parse_element_string(
                element_string,
                text,
                separators_may_be_missing=not from_symbol and separators_may_be_missing(config.gs_replacements),
            )
            scan = _gs1_scan(elements, text, identifier)
            if inferred:
                note = f"The separators were missing; the only valid reading is {gs1.to_hri(elements)}."
                scan = replace(scan, warnings=(*scan.warnings, note))
            return scan
    if payload.lower().startswith(("http://", "https://")):
        return _gs1_scan(gs1.parse_digital_link(payload, text), text, identifier)
    if payload.startswith("("):
        return _gs1_scan(gs1.parse_hri(payload, text), text, identifier)
    if payload.startswith("+"):
        return _hibc_scan(payload, text, identifier)
    raise UnrecognizedCode(
        text,
        "a GS1, HIBC, EAN/UPC, location, badge, internal or two-bin card code",
        f"{payload[:20]!r}, which is none of these",
        "Check the scanner settings or the code's prefix.",
    )


# What each EAN/UPC/ITF symbology identifier announces (ISO/IEC 15424, GS1 General Specifications 5.1.2):
# ]E0 carries EAN-13, UPC-A and UPC-E all as 13 digits; ]E3 the same with a 2- or 5-digit add-on.
_SYMBOLOGY_LENGTHS: dict[str, tuple[tuple[int, ...], str]] = {
    "]E0": ((13,), "an EAN-13 (or a UPC-A/UPC-E sent as 13 digits): 13 digits"),
    "]E3": ((15, 18), "an EAN-13 with a 2- or 5-digit add-on: 15 or 18 digits"),
    "]E4": ((8,), "an EAN-8: 8 digits"),
    "]I1": ((14,), "an ITF-14: 14 digits"),
}


def _gtin_scan(digits: str, text: str, identifier: str | None) -> Scan:
    announced = _SYMBOLOGY_LENGTHS.get(identifier or "")
    if announced and not (digits.isascii() and digits.isdigit() and len(digits) in announced[0]):
        raise UnrecognizedCode(
            text,
            f"what the symbology identifier {identifier} announces, {announced[1]}",
            f"{len(digits)} characters {digits!r}",
            "The scanner's symbology settings may be wrong; scan again or type the number under the barcode.",
        )
    if identifier == "]E3":
        digits = digits[:13]  # the add-on (issue number, price) does not identify the item
    if not (digits.isascii() and digits.isdigit() and len(digits) in GTIN_LENGTHS):
        raise UnrecognizedCode(text, "an EAN/UPC or ITF-14 of 8, 12, 13 or 14 digits", repr(digits))
    if len(digits) == 8 and identifier is None:
        upce = is_upce(digits)
        ean8 = check_digit(digits[:-1]) == int(digits[-1])
        if upce and ean8:
            raise AmbiguousCode(
                text,
                "an EAN-8 or a UPC-E",
                "8 digits that are valid as both",
                "Set the scanner to send AIM symbology identifiers, or type the number under the barcode.",
            )
        if upce:
            digits = upce_to_upca(digits)
    gtin = normalize_gtin(digits, read=text)
    warnings = (_RESTRICTED,) if is_restricted(gtin) else ()
    return Scan(kind=Kind.PRODUCT, raw=text, symbology=identifier, gtin=gtin, warnings=warnings)


_RESTRICTED = "This is a restricted circulation number: it is only unique inside the company that printed it."


def _gs1_scan(elements: list[gs1.Element], text: str, identifier: str | None) -> Scan:
    by_ai = {e.ai: e for e in elements}
    value = {ai: e.value for ai, e in by_ai.items()}
    warnings: list[str] = []
    if "01" in value and "02" in value:
        raise InvalidGS1(text, "either a GTIN (01) or a content GTIN (02)", "both", "Do not use this code.")
    if "254" in value and "414" not in value:
        raise InvalidGS1(text, "a GLN extension (254) together with its GLN (414)", "the extension alone")
    gtin = value.get("01") or value.get("02")
    if gtin and is_restricted(gtin):
        warnings.append(_RESTRICTED)
    if "17" in value and value["17"].endswith("00"):
        warnings.append("The expiry date gives only a month; it is taken as the last day of that month.")
    counts = [int(value[ai]) for ai in ("30", "37") if ai in value]
    if len(counts) == 2:
        warnings.append("The code carries two counts (30 and 37); the variable count (30) is used.")
    gln = value.get("414")
    extension = value.get("254")
    kind, code = Kind.PRODUCT, None
    if gtin is None:
        if gln:
            kind, code = Kind.LOCATION, f"{gln}/{extension}" if extension else gln
        elif "8004" in value:
            kind, code = Kind.ASSET, value["8004"]
        elif "00" in value:
            kind, code = Kind.LOGISTIC_UNIT, value["00"]
        elif value.keys() & {"10", "21", "17"}:
            warnings.append("This code has no GTIN; scan the product's GTIN barcode as well.")
        else:
            raise UnrecognizedCode(
                text,
                "GS1 data identifying a product, location, asset or logistic unit",
                f"only {gs1.to_hri(elements)}",
            )
    return Scan(
        kind=kind,
        raw=text,
        symbology=identifier,
        gtin=gtin,
        lot=value.get("10"),
        expiry=next((by_ai[ai].date for ai in EXPIRY_AIS if ai in by_ai), None),
        serial=value.get("21"),
        quantity=counts[0] if counts else None,
        production_date=by_ai["11"].date if "11" in by_ai else None,
        code=code,
        additional_id=value.get("240"),
        customer_part_number=value.get("241"),
        national_codes=tuple(
            NationalCode(ai, country, value[ai]) for ai, country in NATIONAL_CODE_COUNTRIES.items() if ai in value
        ),
        gln=gln,
        gln_extension=extension,
        giai=value.get("8004"),
        sscc=value.get("00"),
        elements=tuple((e.ai, e.value) for e in elements),
        warnings=tuple(warnings),
    )


def _hibc_scan(payload: str, text: str, identifier: str | None) -> Scan:
    record = parse_hibc(payload)
    primary = record.primary
    warnings = ()
    if primary is None:
        warnings = (
            (
                f"This is the second part of an HIBC label (link character {record.link!r}); "
                "scan the first part to identify the product."
            ),
        )
    return Scan(
        kind=Kind.PRODUCT,
        raw=text,
        symbology=identifier,
        lot=record.lot,
        expiry=record.expiry,
        serial=record.serial,
        quantity=record.quantity,
        production_date=record.production_date,
        code=f"+{primary.labeler}{primary.product}{primary.unit_of_measure}" if primary else None,
        hibc=primary,
        warnings=warnings,
    )
