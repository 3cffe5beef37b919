"""The GS1 codes themselves: FNC1 first, GS only between variable-length fields, every CSET 82
character kept, and data a scanner would refuse never printed."""
import numpy as np
import pytest

from app.services.labels.symbols import NotPrintable, element_string, gs1_128, gs1_datamatrix
from scanners import CheckDigitError, InvalidGS1, Read, ScanError, decode
from tests.unit.labels.support import CSET_82

GTIN = "05012345100029"


def _read(symbol, scale: int = 4) -> Read:
    modules = np.kron(symbol.modules if symbol.rows > 1 else np.tile(symbol.modules, (30, 1)), np.ones((scale, scale)))
    pixels = np.pad(np.where(modules > 0, 0, 255).astype(np.uint8), 12 * scale, constant_values=255)
    (read,) = decode(pixels)
    return read


def test_gs_goes_between_variable_length_fields_only() -> None:
    elements = (("01", GTIN), ("17", "270331"), ("10", "LOT<1>"), ("21", "SN-9"))
    assert element_string(elements) == f"01{GTIN}17270331" + "10LOT<1>\x1d21SN-9"


@pytest.mark.parametrize("encode", [gs1_datamatrix, gs1_128], ids=["DataMatrix", "GS1-128"])
def test_fnc1_comes_first_and_the_gs_is_in_the_symbol(encode) -> None:
    elements = (("01", GTIN), ("10", "A<B>"), ("21", "S>1<"))
    read = _read(encode(elements))
    assert read.symbology_identifier in ("]d2", "]C1")  # ISO/IEC 15424: these mean FNC1 in first position
    assert read.text == f"01{GTIN}10A<B>\x1d21S>1<"


@pytest.mark.parametrize("encode", [gs1_datamatrix, gs1_128], ids=["DataMatrix", "GS1-128"])
@pytest.mark.parametrize("start", range(0, len(CSET_82), 20))
def test_every_cset_82_character_of_a_lot_and_a_serial_is_kept(encode, start: int) -> None:
    lot = CSET_82[start : start + 20]
    serial = lot[::-1]
    read = _read(encode((("01", GTIN), ("10", lot), ("21", serial))))
    assert read.text == f"01{GTIN}10{lot}\x1d21{serial}"


@pytest.mark.parametrize(
    ("elements", "error"),
    [
        ((("01", "05012345100028"), ("10", "A")), CheckDigitError),
        ((("01", GTIN), ("10", "LOT 1")), InvalidGS1),  # a space is not in GS1's character set 82
        ((("01", GTIN), ("10", "LOT#1")), InvalidGS1),
        ((("01", GTIN), ("10", "LÖT")), InvalidGS1),
        ((("01", GTIN), ("17", "271332"), ("10", "A")), InvalidGS1),
        ((("01", GTIN), ("10", "X" * 21)), InvalidGS1),
    ],
)
def test_data_a_scanner_would_refuse_is_never_encoded(elements, error: type[ScanError]) -> None:
    for encode in (gs1_datamatrix, gs1_128):
        with pytest.raises(NotPrintable, match="^Not printed: .* should have .*, but has ") as refused:
            encode(elements)
        assert type(refused.value.__cause__) is error
