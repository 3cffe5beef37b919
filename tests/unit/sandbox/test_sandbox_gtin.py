import pytest

from offline_sync.backends.gtin import is_gtin, scanned_barcode, to_gtin14
from scanners.gtin import check_digit


@pytest.mark.parametrize(
    ("scanned", "stored"),
    [
        ("05012345100012", "5012345100012"),  # GTIN-14 from a GS1 DataMatrix
        ("5012345100012", "5012345100012"),  # EAN-13 from a linear barcode
        (" 5012345100012\n", "5012345100012"),
        ("012345678905", "0012345678905"),  # UPC-A, as its EAN-13
        ("15012345100019", "15012345100019"),  # a case (indicator 1) keeps all 14 digits
    ],
)
def test_scanned_gtins_are_stored_as_odoo_keeps_barcodes(scanned: str, stored: str) -> None:
    assert scanned_barcode(scanned) == stored


@pytest.mark.parametrize("scanned", ["05012345100013", "50123451001", "50123451000122x", "", "０5012345100012"])
def test_malformed_gtins_are_refused(scanned: str) -> None:
    assert scanned_barcode(scanned) is None


def test_check_digit_and_gtin14() -> None:
    assert check_digit("501234510001") == 2
    assert is_gtin("5012345100012") and not is_gtin("5012345100019")
    assert to_gtin14("5012345100012") == "05012345100012"
