"""Barcode reading for Wardstock: image -> raw texts (``decode``) and raw text -> ``Scan`` (``interpret``).

No Flask, no Odoo: callers pass bytes or strings and get frozen dataclasses or
a ``ScanError`` whose message a storekeeper can act on.
"""

from scanners.config import DEFAULT_CONFIG, ScanConfig
from scanners.decode import decode
from scanners.gtin import normalize_gtin
from scanners.image import DecodeLimits
from scanners.interpret import interpret
from scanners.scan import (
    AmbiguousCode,
    CheckDigitError,
    HibcProduct,
    ImageError,
    InvalidGS1,
    InvalidHIBC,
    Kind,
    NationalCode,
    Read,
    Scan,
    ScanError,
    UnrecognizedCode,
)

__all__ = [
    "DEFAULT_CONFIG",
    "AmbiguousCode",
    "CheckDigitError",
    "DecodeLimits",
    "HibcProduct",
    "ImageError",
    "InvalidGS1",
    "InvalidHIBC",
    "Kind",
    "NationalCode",
    "Read",
    "Scan",
    "ScanConfig",
    "ScanError",
    "UnrecognizedCode",
    "decode",
    "interpret",
    "normalize_gtin",
]
