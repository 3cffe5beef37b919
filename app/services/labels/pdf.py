"""Labels on A4 or Letter sheets as a PDF: codes drawn as vector rectangles, text in an embedded font."""
from collections.abc import Callable, Iterator
from io import BytesIO

import numpy as np
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.services.labels.fonts import registered
from app.services.labels.label import Label
from app.services.labels.layout import Bars, Placed, place
from app.services.labels.sheets import SheetLayout
from app.services.labels.symbols import Shape

Progress = Callable[[int, int], None]  # (pages done, pages in all)


def page_count(copies: int, layout: SheetLayout) -> int:
    return -(-copies // layout.per_page)


def pdf_sheets(labels: list[tuple[Label, int]], layout: SheetLayout, progress: Progress | None = None) -> bytes:
    """Each label ``copies`` times, row by row, a new page when a sheet is full."""
    regular, bold = registered()
    out = BytesIO()
    canvas = Canvas(out, pagesize=(layout.page_width * mm, layout.page_height * mm), pageCompression=1)
    canvas.setTitle("Wardstock labels")
    placed = [(place(label, layout.label_width, layout.label_height), copies) for label, copies in labels]
    total = sum(copies for _, copies in placed)
    pages = page_count(total, layout)
    for index, one in enumerate(_each_copy(placed)):
        position = index % layout.per_page
        if position == 0 and index:
            canvas.showPage()
            if progress:
                progress(index // layout.per_page, pages)
        left, top = layout.origin(position)
        _draw(canvas, one, left, layout.page_height - top, regular, bold)
    canvas.showPage()
    canvas.save()
    if progress:
        progress(pages, pages)
    return out.getvalue()


def _each_copy(placed: list[tuple[Placed, int]]) -> Iterator[Placed]:
    for label, copies in placed:
        yield from (label for _ in range(copies))


def _draw(canvas: Canvas, placed: Placed, left: float, top: float, regular: str, bold: str) -> None:
    """``top`` is in mm from the page's bottom edge (PDF coordinates grow upwards)."""
    canvas.setFillGray(0)
    for bars in placed.bars:
        for x, y, width, height in _rectangles(bars):
            canvas.rect((left + x) * mm, (top - y - height) * mm, width * mm, height * mm, stroke=0, fill=1)
    for text in placed.texts:
        canvas.setFont(bold if text.bold else regular, text.size / 25.4 * 72)
        canvas.drawString((left + text.x) * mm, (top - text.y - 0.8 * text.size) * mm, text.text)


def _rectangles(bars: Bars) -> Iterator[tuple[float, float, float, float]]:
    """Runs of dark modules along each row, as (x, y, width, height) in mm on the label."""
    module = bars.module
    row_height = bars.height if bars.symbol.shape is Shape.LINEAR else module
    for row_index, row in enumerate(bars.symbol.modules):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], row.astype(np.int8), [0]))))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            yield bars.x + start * module, bars.y + row_index * row_height, (end - start) * module, row_height
