"""GTINs between labels and the backends, for Odoo and the sandbox alike: a GS1 label carries the
GTIN-14, while Odoo keeps a barcode as printed under the bars (13 digits for an EAN-13, 12 for a
UPC-A, 8 for an EAN-8), and the sandbox keeps Odoo's forms. Odoo's match is exact, so a lookup
searches every form a scanned GTIN can take (odoo-rpc-notes §G). The check digit is the scanners
library's."""

from scanners.gtin import GTIN_LENGTHS, check_digit


def is_gtin(code: str) -> bool:
    """A GTIN-8, -12, -13 or -14 whose check digit is right."""
    return code.isascii() and code.isdigit() and len(code) in GTIN_LENGTHS and check_digit(code[:-1]) == int(code[-1])


def barcode_forms(gtin: str) -> list[str]:
    """The forms Odoo may hold for a valid GTIN: the GTIN-14 and its shorter forms without the padding zeros."""
    padded = gtin.zfill(14)
    return [padded] + [padded[-length:] for length in (13, 12, 8) if padded[:-length].strip("0") == ""]


def to_gtin14(barcode: str) -> str | None:
    """The GTIN-14 a label carries for a stored barcode, or None for a barcode that is no GTIN (an internal code)."""
    return barcode.zfill(14) if is_gtin(barcode) else None


def barcode_for(gtin: str) -> str:
    """How a GTIN is written into a backend: as printed, 13 digits unless a packaging indicator leads."""
    return gtin.zfill(14).removeprefix("0")


def scanned_barcode(scanned: str) -> str | None:
    """The stored form of a scanned GTIN (surrounding blanks ignored), or None if it is no valid GTIN."""
    gtin = scanned.strip()
    return barcode_for(gtin) if is_gtin(gtin) else None
