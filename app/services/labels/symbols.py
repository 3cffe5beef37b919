"""Barcode symbols as module matrices, encoded by libzint through zxing-cpp's writer.

zxing-cpp is already the app's decoder; its writer is libzint (a separate, well-kept encoder),
so the codes printed here are made by one library and proven in the tests by another.
GS1 data is handed to libzint in bracketed form (`[01]…[10]…`): it then starts the symbol with
FNC1 and puts GS after every variable-length field but the last, and no character of a lot or
serial can be taken for syntax (GS1's character set 82 has no brackets). Before encoding, the
element string is read back by `scanners` itself: a wrong check digit, date, length or character
is refused with the scanner's own sentence, never printed.
"""
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import zxingcpp
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from flask_babel import gettext

from scanners import Read, ScanError, interpret

GS = "\x1d"


class Shape(StrEnum):
    MATRIX = "matrix"  # DataMatrix: rows x columns of square modules
    LINEAR = "linear"  # Code 128 / GS1-128: one row of bars, drawn as tall as the layout wants


@dataclass(frozen=True, eq=False)
class Symbol:
    """A code ready to draw: ``modules[row, column]`` is True where the module is dark (no quiet zone)."""

    shape: Shape
    modules: np.ndarray
    text: str  # what a scanner reads from it, GS as \x1d

    @property
    def columns(self) -> int:
        return int(self.modules.shape[1])

    @property
    def rows(self) -> int:
        return int(self.modules.shape[0])


Elements = tuple[tuple[str, str], ...]


def element_string(elements: Elements) -> str:
    """The GS1 element string a scanner reads: GS after each variable-length field that is not last."""
    parts = []
    for index, (ai, value) in enumerate(elements):
        last = index == len(elements) - 1
        parts.append(ai + value + ("" if last or not GS1ApplicationIdentifier.extract(ai).separator_required else GS))
    return "".join(parts)


def human_readable(elements: Elements) -> str:
    return "".join(f"({ai}){value}" for ai, value in elements)


class NotPrintable(ValueError):
    """GS1 data that a scanner would refuse; the scanner's own error is its ``__cause__``."""


def checked_gs1(elements: Elements) -> None:
    try:
        interpret(Read(element_string(elements), "]d2", "DataMatrix"))
    except ScanError as refused:
        raise NotPrintable(gettext(
            "Not printed: %(code)s should have %(expected)s, but has %(found)s. Correct it in the inventory server or in the form.",
            code=human_readable(elements), expected=refused.expected, found=refused.found)) from refused


def gs1_datamatrix(elements: Elements) -> Symbol:
    checked_gs1(elements)
    return _encode(_bracketed(elements), zxingcpp.BarcodeFormat.DataMatrix, Shape.MATRIX, gs1=True)


def gs1_128(elements: Elements) -> Symbol:
    checked_gs1(elements)
    return _encode(_bracketed(elements), zxingcpp.BarcodeFormat.Code128, Shape.LINEAR, gs1=True)


def datamatrix(text: str) -> Symbol:
    return _encode(_printable(text), zxingcpp.BarcodeFormat.DataMatrix, Shape.MATRIX, gs1=False)


def code128(text: str) -> Symbol:
    return _encode(_printable(text), zxingcpp.BarcodeFormat.Code128, Shape.LINEAR, gs1=False)


def _printable(text: str) -> str:
    if not text or not text.isascii() or not text.isprintable():
        raise ValueError(gettext("A label code must be printable ASCII; %(text)s is not. Change the code in the catalog or the user.", text=repr(text)))
    return text


def _bracketed(elements: Elements) -> str:
    return "".join(f"[{ai}]{value}" for ai, value in elements)


def _encode(content: str, symbology: zxingcpp.BarcodeFormat, shape: Shape, *, gs1: bool) -> Symbol:
    barcode = zxingcpp.create_barcode(content, symbology, gs1=True) if gs1 else zxingcpp.create_barcode(content, symbology)
    pixels = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=1, add_quiet_zones=False))
    modules = pixels < 128
    if shape is Shape.LINEAR:
        modules = modules[:1]  # every row of a linear symbol is the same
    text = barcode.bytes.decode("latin-1") if gs1 else content
    return Symbol(shape, modules, text)
