"""Label sheets for office printers: where each label sits on an A4 or Letter page (mm)."""
from dataclasses import dataclass

from flask_babel import lazy_gettext

INCH = 25.4


@dataclass(frozen=True)
class SheetLayout:
    key: str
    name: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float  # page edge to the first column
    top: float  # page edge to the first row
    column_gap: float = 0.0
    row_gap: float = 0.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, position: int) -> tuple[float, float]:
        """Top-left corner of the label at ``position`` (0 … per_page - 1), row by row."""
        row, column = divmod(position, self.columns)
        return (self.left + column * (self.label_width + self.column_gap),
                self.top + row * (self.label_height + self.row_gap))


SHEET_LAYOUTS = {
    layout.key: layout
    for layout in (
        SheetLayout("a4-2x7", lazy_gettext("A4, 14 labels of 99.1 × 38.1 mm (2 × 7, as Avery L7163)"),
                    210.0, 297.0, 2, 7, 99.1, 38.1, left=4.65, top=15.15, column_gap=2.5),
        SheetLayout("letter-2x5", lazy_gettext("Letter, 10 labels of 4 × 2 in (2 × 5, as Avery 5163)"),
                    8.5 * INCH, 11 * INCH, 2, 5, 4 * INCH, 2 * INCH, left=0.15625 * INCH, top=0.5 * INCH,
                    column_gap=0.1875 * INCH),
    )
}
