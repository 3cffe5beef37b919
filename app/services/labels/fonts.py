"""The one typeface every output measures and draws with: Bitstream Vera, shipped inside reportlab,
so the PNG and the PDF wrap text at the same places and any product name's letters are there."""
from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
REGULAR = "Vera"
BOLD = "VeraBd"


@cache
def registered() -> tuple[str, str]:
    """Register both faces with reportlab (once) and return their names."""
    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    return REGULAR, BOLD


def font_file(bold: bool) -> Path:
    return FONT_DIR / f"{BOLD if bold else REGULAR}.ttf"


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` at font size ``size``, in the unit ``size`` is given in."""
    registered()
    return pdfmetrics.stringWidth(text, BOLD if bold else REGULAR, size)
