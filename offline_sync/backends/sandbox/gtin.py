"""GTINs as the sandbox stores them.

Odoo keeps a product's barcode as printed under the bars (13 digits for an EAN-13), while a
GS1 DataMatrix carries the GTIN-14, `0` + those 13 digits. The check digit is the scanners
library's, a pure function.
"""

from scanners.gtin import check_digit

__all__ = ["check_digit", "is_valid", "to_barcode", "to_gtin14"]


def is_valid(gtin: str) -> bool:
    """A GTIN-12, -13 or -14 whose check digit is right."""
    return gtin.isascii() and gtin.isdigit() and len(gtin) in (12, 13, 14) and check_digit(gtin[:-1]) == int(gtin[-1])


def to_barcode(gtin: str) -> str | None:
    """The stored form of a scanned GTIN (13 digits unless a packaging indicator leads), or None if invalid."""
    gtin = gtin.strip()
    if not is_valid(gtin):
        return None
    padded = gtin.zfill(14)
    return padded.removeprefix("0")


def to_gtin14(barcode: str) -> str:
    return barcode.zfill(14)
