"""ZBar (through pyzbar's ctypes bindings) as a second decoder for linear codes and QR.

pyzbar's ``decode`` drops the symbol modifiers, and with them whether a Code
128 or QR symbol is GS1; this adapter asks libzbar for them so that reads get
the right symbology identifier. If libzbar is missing, ``available`` is False.
"""

from __future__ import annotations

from ctypes import POINTER, c_uint, c_void_p, cast, string_at

import numpy as np

from scanners.gtin import upce_to_upca
from scanners.scan import Read

try:
    from pyzbar import pyzbar as _pyzbar
    from pyzbar.wrapper import (
        ZBarConfig,
        ZBarSymbol,
        zbar_function,
        zbar_image_first_symbol,
        zbar_image_scanner_set_config,
        zbar_image_set_data,
        zbar_image_set_format,
        zbar_image_set_size,
        zbar_scan_image,
        zbar_symbol,
        zbar_symbol_get_data,
        zbar_symbol_get_data_length,
        zbar_symbol_next,
    )

    _get_modifiers = zbar_function("zbar_symbol_get_modifiers", c_uint, POINTER(zbar_symbol))
    available = True
except (ImportError, OSError, AttributeError):  # libzbar not installed
    available = False

_GS1_MODIFIER = 1  # 1 << ZBAR_MOD_GS1
# zbar type -> (format name as zxing-cpp spells it, AIM identifier, AIM identifier if GS1)
_TYPES = {
    "EAN13": ("EAN-13", "]E0", "]E0"),
    "UPCA": ("UPC-A", "]E0", "]E0"),
    "EAN8": ("EAN-8", "]E4", "]E4"),
    "UPCE": ("UPC-E", "]E0", "]E0"),
    "CODE128": ("Code 128", "]C0", "]C1"),
    "CODE39": ("Code 39", "]A0", "]A0"),
    "I25": ("ITF", "]I0", "]I0"),
    "DATABAR": ("DataBar", "]e0", "]e0"),
    "DATABAR_EXP": ("DataBar Expanded", "]e0", "]e0"),
    "QRCODE": ("QR Code", "]Q1", "]Q3"),
}


def read(gray: np.ndarray, *, rows_only: bool = False) -> list[Read]:
    """All symbols ZBar finds in a grayscale image.

    ZBar scans every row and every column. ``rows_only`` is for a cut-out
    whose bars stand upright: columns cross no bar, and neighbouring rows
    cross the same bars, so it scans every other row only (in less than half the time).
    """
    if not available:
        return []
    pixels = np.ascontiguousarray(gray).tobytes()
    height, width = gray.shape
    reads = []
    with _pyzbar._image_scanner() as scanner:
        for symbol in ZBarSymbol:
            enabled = symbol.name in _TYPES
            zbar_image_scanner_set_config(scanner, symbol, ZBarConfig.CFG_ENABLE, int(enabled))
        if rows_only:
            zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_X_DENSITY, 0)
            zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_Y_DENSITY, 2)
        with _pyzbar._image() as image:
            zbar_image_set_format(image, _pyzbar._FOURCC["L800"])
            zbar_image_set_size(image, width, height)
            zbar_image_set_data(image, cast(pixels, c_void_p), len(pixels), None)
            if zbar_scan_image(scanner, image) <= 0:
                return []
            symbol = zbar_image_first_symbol(image)
            while symbol:
                reads.extend(_to_read(symbol))
                symbol = zbar_symbol_next(symbol)
    return reads


def _to_read(symbol: object) -> list[Read]:
    name = ZBarSymbol(symbol.contents.type).name
    if name not in _TYPES:
        return []
    data = string_at(zbar_symbol_get_data(symbol), zbar_symbol_get_data_length(symbol))
    fmt, plain, gs1 = _TYPES[name]
    identifier = gs1 if _get_modifiers(symbol) & _GS1_MODIFIER else plain
    text = data.decode("utf-8", errors="replace")
    if name in ("UPCA", "UPCE"):  # report 13 digits, as zxing-cpp does
        text = "0" + (upce_to_upca(text) if name == "UPCE" else text)
    return [Read(text, identifier, fmt, data)]
