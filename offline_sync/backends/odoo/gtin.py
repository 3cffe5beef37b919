"""GTINs between labels and Odoo: a GS1 label carries the GTIN-14, while Odoo keeps a barcode as
printed under the bars (13 digits for an EAN-13, 12 for a UPC-A, 8 for an EAN-8), so a lookup
searches every form a scanned GTIN can take (odoo-rpc-notes §G: the match is exact)."""

from scanners.gtin import check_digit

GTIN_LENGTHS = (8, 12, 13, 14)


def is_gtin(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) in GTIN_LENGTHS and check_digit(code[:-1]) == int(code[-1])


def barcode_forms(gtin: str) -> list[str]:
    """The forms Odoo may hold for a valid GTIN: the GTIN-14 and its shorter forms without the padding zeros."""
    padded = gtin.zfill(14)
    return [padded] + [padded[-length:] for length in (13, 12, 8) if padded[:-length].strip("0") == ""]


def to_gtin14(barcode: str) -> str | None:
    """The GTIN-14 a label carries for an Odoo barcode, or None for a barcode that is no GTIN (an internal code)."""
    return barcode.zfill(14) if is_gtin(barcode) else None


def barcode_for(gtin: str) -> str:
    """How Wardstock writes a GTIN into Odoo: as printed, 13 digits unless a packaging indicator leads."""
    padded = gtin.zfill(14)
    return padded.removeprefix("0")
