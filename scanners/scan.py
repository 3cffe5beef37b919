"""Result types and errors shared by the whole package."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a scanned code identifies."""

    PRODUCT = "product"
    LOCATION = "location"
    BADGE = "badge"
    INTERNAL = "internal"
    ASSET = "asset"
    LOGISTIC_UNIT = "logistic_unit"
    BIN_CARD = "bin_card"


@dataclass(frozen=True)
class NationalCode:
    """A national healthcare reimbursement number (GS1 AI 710–715)."""

    ai: str
    country: str
    value: str


@dataclass(frozen=True)
class HibcProduct:
    """The primary part of an HIBC code: who makes the item and which item it is."""

    labeler: str
    product: str
    unit_of_measure: int


@dataclass(frozen=True)
class Scan:
    """One interpreted barcode.

    ``gtin`` is always the 14-digit form so that GTIN-8/12/13/14 compare equal.
    ``code`` is the identifier for everything that is not a GTIN: the text after
    a location/badge/internal prefix, a two-bin card's ward location (its product in ``gtin``), the HIBC labeler+product+unit, a GLN
    (with ``/extension``), a GIAI or an SSCC.
    ``elements`` keeps every GS1 element string as read, AI by AI.
    """

    kind: Kind
    raw: str
    symbology: str | None = None
    gtin: str | None = None
    lot: str | None = None
    expiry: dt.date | None = None
    serial: str | None = None
    quantity: int | None = None
    production_date: dt.date | None = None
    code: str | None = None
    hibc: HibcProduct | None = None
    additional_id: str | None = None
    customer_part_number: str | None = None
    national_codes: tuple[NationalCode, ...] = ()
    gln: str | None = None
    gln_extension: str | None = None
    giai: str | None = None
    sscc: str | None = None
    elements: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()


def shown(text: str) -> str:
    """Quote scanned text for a message, making invisible separators visible."""
    visible = text.replace("\x1d", "<GS>").replace("\x1e", "<RS>").replace("\x04", "<EOT>")
    if len(visible) > 80:
        visible = visible[:77] + "..."
    return f"'{visible}'"


class ScanError(ValueError):
    """A code or image that cannot be used; the message says what was read, expected and found."""

    def __init__(self, read: str, expected: str, found: str, hint: str = "") -> None:
        self.read = read
        self.expected = expected
        self.found = found
        self.hint = hint
        message = f"Read {shown(read)}: expected {expected}, but found {found}."
        super().__init__(f"{message} {hint}".strip())


class UnrecognizedCode(ScanError):
    """The text matches no known kind of code."""


class InvalidGS1(ScanError):
    """GS1 data that breaks the GS1 rules (unknown AI, bad date, bad length or character)."""


class AmbiguousCode(ScanError):
    """The text can be read in more than one way and the package refuses to guess."""


class CheckDigitError(ScanError):
    """A check digit or check character does not match the data."""


class InvalidHIBC(ScanError):
    """HIBC data that breaks the HIBC rules."""


class ImageError(ScanError):
    """An image that cannot be decoded at all (empty, not an image, damaged, too large)."""


@dataclass(frozen=True)
class Read:
    """One symbol found in an image, exactly as the decoder delivered it.

    ``text`` keeps GS1 separators as ``\\x1d`` and has no symbology identifier;
    ``data`` is the raw byte content (for binary symbols ``text`` may be empty).
    """

    text: str
    symbology_identifier: str
    format: str
    data: bytes = b""

    @property
    def raw(self) -> str:
        """What a handheld configured to send AIM identifiers would type."""
        return self.symbology_identifier + self.text
