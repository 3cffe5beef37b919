"""Labels as ZPL II for Zebra printers (203 dpi): each code as a `^GF` graphic of exactly the dots
the tests decode, so the printer's own barcode firmware plays no part; text in the printer's font 0."""
from dataclasses import dataclass

import numpy as np
from flask_babel import lazy_gettext

from app.services.labels.label import Label
from app.services.labels.layout import Placed, place
from app.services.labels.raster import symbol_bitmap


@dataclass(frozen=True)
class ZebraStock:
    """A roll of labels in a Zebra printer."""

    key: str
    name: str
    width: float  # mm
    height: float
    dots_per_mm: float = 8.0  # 203 dpi


ZEBRA_STOCKS = {
    stock.key: stock
    for stock in (
        ZebraStock("zebra-4x2", lazy_gettext("Zebra 4 × 2 in (102 × 51 mm), 203 dpi"), 101.6, 50.8),
        ZebraStock("zebra-3x2", lazy_gettext("Zebra 3 × 2 in (76 × 51 mm), 203 dpi"), 76.2, 50.8),
    )
}
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:;-+=()/<>!?%&'\"*#@$[]{}|")


def zpl_document(labels: list[tuple[Label, int]], stock: ZebraStock) -> str:
    """One `^XA…^XZ` format per label, printed ``copies`` times (`^PQ`)."""
    return "".join(_format(place(label, stock.width, stock.height), stock, copies) for label, copies in labels)


def _format(placed: Placed, stock: ZebraStock, copies: int) -> str:
    per_mm = stock.dots_per_mm
    parts = [f"^XA^CI28^PW{round(placed.width * per_mm)}^LL{round(placed.height * per_mm)}^LH0,0"]
    for bars in placed.bars:
        parts.append(f"^FO{round(bars.x * per_mm)},{round(bars.y * per_mm)}{graphic_field(symbol_bitmap(bars, per_mm))}^FS")
    for text in placed.texts:
        height = round(text.size * per_mm)
        parts.append(f"^FO{round(text.x * per_mm)},{round(text.y * per_mm)}^A0N,{height},{height}^FH_^FD{field_data(text.text)}^FS")
    parts.append(f"^PQ{copies}^XZ\n")
    return "".join(parts)


def graphic_field(bitmap: np.ndarray) -> str:
    """`^GFA` with the bitmap as hexadecimal, one bit a dot, 1 = black, rows padded to whole bytes."""
    packed = np.packbits(bitmap, axis=1)
    total, per_row = packed.size, packed.shape[1]
    return f"^GFA,{total},{total},{per_row},{packed.tobytes().hex().upper()}"


def field_data(text: str) -> str:
    """Text for `^FH_^FD`: every character that ZPL could take for a command (`^`, `~`, `_`) or that is
    not plain ASCII goes as `_` + the hexadecimal of its UTF-8 bytes."""
    return "".join(char if char in _SAFE else "".join(f"_{byte:02X}" for byte in char.encode()) for char in text)
