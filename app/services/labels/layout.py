"""Where the parts of one label go on a label of a given size, in millimetres from its top-left corner.

Every output draws the same `Placed` label: the DataMatrix top left with the title and lines beside
it, the human-readable text under them, and the linear code along the bottom where it fits at
GS1's smallest module (0.25 mm) or more. Modules are drawn as whole printer dots by each output.
"""
from dataclasses import dataclass

from flask_babel import gettext

from app.services.labels.fonts import text_width
from app.services.labels.label import Label
from app.services.labels.symbols import Symbol

MARGIN = 1.5
MIN_MODULE = 0.25  # GS1's smallest X-dimension for healthcare DataMatrix and GS1-128 (mm)
MAX_MATRIX_MODULE = 1.0
LINEAR_MODULE = 0.33
LINEAR_QUIET = 10  # modules of quiet zone each side of a Code 128
MATRIX_QUIET = 1
GAP = 1.0
ELLIPSIS = "…"


@dataclass(frozen=True)
class Bars:
    symbol: Symbol
    x: float
    y: float
    module: float  # width (and for a matrix, height) of one module
    height: float  # of the whole symbol


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # top of the line; the baseline is 0.8 of the size below it
    size: float
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Placed:
    width: float
    height: float
    bars: tuple[Bars, ...]
    texts: tuple[Text, ...]


class DoesNotFit(ValueError):
    """A label whose codes cannot be printed large enough to scan on the chosen stock."""


def place(label: Label, width: float, height: float) -> Placed:
    inner = width - 2 * MARGIN
    title_size, line_size = (3.2, 2.5) if height >= 30 else (2.6, 2.1)
    hri_size, hri_lines = _fit_size(label.human_readable, inner, 2.4, 1.6)
    bottom = height - MARGIN
    bars: list[Bars] = []
    texts: list[Text] = []
    linear = _linear_module(label.linear, inner) if label.linear else None
    if label.linear and linear:
        bar_height = min(12.0, max(5.0, height * 0.22))
        x = MARGIN + (inner - label.linear.columns * linear) / 2
        bars.append(Bars(label.linear, x, bottom - bar_height, linear, bar_height))
        bottom -= bar_height + GAP
    for index, line in enumerate(reversed(hri_lines)):
        texts.append(Text(MARGIN, bottom - hri_size * (index + 1.1), hri_size, line))
    bottom -= hri_size * (len(hri_lines) + 0.2) + GAP
    matrix = label.matrix
    side = min(bottom - MARGIN, inner * 0.45)
    module = min(MAX_MATRIX_MODULE, side / (max(matrix.columns, matrix.rows) + 2 * MATRIX_QUIET))
    if module < MIN_MODULE:
        raise DoesNotFit(gettext(
            "The %(kind)s label of %(title)s does not fit on %(size)s mm with codes large enough to scan; choose a larger label layout.",
            kind=label.kind.value.replace("_", "-"), title=repr(label.title), size=format(width, "g") + "×" + format(height, "g")))
    quiet = MATRIX_QUIET * module
    bars.append(Bars(matrix, MARGIN + quiet, MARGIN + quiet, module, matrix.rows * module))
    text_x = MARGIN + matrix.columns * module + 2 * quiet + GAP
    text_width_left = width - MARGIN - text_x
    y = MARGIN
    for line in _wrap(label.title, text_width_left, title_size, bold=True, max_lines=2):
        texts.append(Text(text_x, y, title_size, line, bold=True))
        y += title_size * 1.15
    y += 0.4
    for line in label.lines:
        if y + line_size > bottom:
            break
        texts.append(Text(text_x, y, line_size, _truncate(line, text_width_left, line_size), bold=False))
        y += line_size * 1.2
    return Placed(width, height, tuple(bars), tuple(texts))


def _linear_module(symbol: Symbol, inner: float) -> float | None:
    module = min(LINEAR_MODULE, inner / (symbol.columns + 2 * LINEAR_QUIET))
    return module if module >= MIN_MODULE else None


def _fit_size(text: str, width: float, largest: float, smallest: float) -> tuple[float, list[str]]:
    """The human-readable text is never cut: shrunk to fit one line, or broken before a `(`."""
    size = largest
    while size > smallest and text_width(text, size) > width:
        size = round(size - 0.1, 2)
    if text_width(text, size) <= width:
        return size, [text]
    cut = max((i for i in range(1, len(text)) if text[i] == "(" and text_width(text[:i], size) <= width), default=0)
    if not cut:  # one element too long for a line: break anywhere
        cut = max(i for i in range(1, len(text)) if text_width(text[:i], size) <= width)
    return size, [text[:cut], *_fit_size(text[cut:], width, size, size)[1]]


def _wrap(text: str, width: float, size: float, *, bold: bool, max_lines: int) -> list[str]:
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size, bold) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = f"{lines[-1]} {' '.join(words)}"
    return [_truncate(line, width, size, bold) for line in lines]


def _truncate(text: str, width: float, size: float, bold: bool = False) -> str:
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + ELLIPSIS, size, bold) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS
