"""A placed symbol as a bitmap of whole device dots: what the PNG and the Zebra printer both get.

A module is a whole number of dots (rounded down, at least one), so every bar and cell keeps the
same width: a printer that scaled a module to 2.6 dots would make some bars 2 and some 3 dots wide.
"""
import numpy as np

from app.services.labels.layout import Bars
from app.services.labels.symbols import Shape


def module_dots(module_mm: float, dots_per_mm: float) -> int:
    return max(1, int(module_mm * dots_per_mm + 1e-6))


def symbol_bitmap(bars: Bars, dots_per_mm: float) -> np.ndarray:
    """True where a dot is dark."""
    dots = module_dots(bars.module, dots_per_mm)
    if bars.symbol.shape is Shape.LINEAR:
        row = np.repeat(bars.symbol.modules[0], dots)
        return np.tile(row, (max(1, round(bars.height * dots_per_mm)), 1))
    return np.kron(bars.symbol.modules, np.ones((dots, dots), dtype=bool)).astype(bool)
