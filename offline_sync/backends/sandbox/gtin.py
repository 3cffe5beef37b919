"""GTINs as the sandbox stores them: Odoo's forms, from the backends' shared GTIN module."""

from offline_sync.backends.gtin import is_gtin, scanned_barcode, to_gtin14
from scanners.gtin import check_digit

__all__ = ["check_digit", "is_valid", "to_barcode", "to_gtin14"]

is_valid = is_gtin
to_barcode = scanned_barcode
