"""PDF sheets for office printers: rasterised by PDFium, every label cut out of its place on the page
and decoded by `scanners`, the page size checked; the sheets are saved under test-artifacts/labels/."""
from pathlib import Path

import numpy as np
import pypdfium2
import pytest

from app.services.labels.pdf import page_count, pdf_sheets
from app.services.labels.sheets import SHEET_LAYOUTS
from tests.unit.labels.kinds import KINDS
from tests.unit.labels.support import scans

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "labels"
DPI = 300
PAGE_POINTS = {"a4-2x7": (595.28, 841.89), "letter-2x5": (612.0, 792.0)}
COPIES = {"badge": 3, "location": 5, "relabel": 4, "two_bin": 4}  # 16 labels: more than one sheet of either layout


@pytest.mark.parametrize("key", sorted(SHEET_LAYOUTS))
def test_every_label_on_every_sheet_decodes_and_the_page_is_the_paper_size(key: str) -> None:
    layout = SHEET_LAYOUTS[key]
    kinds = sorted(KINDS)
    expected = [kind for kind in kinds for _ in range(COPIES[kind])]
    done: list[tuple[int, int]] = []
    document = pypdfium2.PdfDocument(pdf_sheets([(KINDS[kind][0], COPIES[kind]) for kind in kinds], layout, lambda pages, total: done.append((pages, total))))
    assert len(document) == page_count(len(expected), layout) == 2
    assert done[-1] == (2, 2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    per_mm = DPI / 25.4
    for page_number, page in enumerate(document):
        assert page.get_size() == pytest.approx(PAGE_POINTS[key], abs=0.5)
        pixels = np.asarray(page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L"))
        page.render(scale=100 / 72).to_pil().save(ARTIFACTS / f"sheet-{key}-page{page_number + 1}.png")
        text = page.get_textpage().get_text_range()
        on_page = expected[page_number * layout.per_page : (page_number + 1) * layout.per_page]
        for position, kind in enumerate(on_page):
            left, top = layout.origin(position)
            cell = pixels[round(top * per_mm) : round((top + layout.label_height) * per_mm),
                          round(left * per_mm) : round((left + layout.label_width) * per_mm)]
            found = scans(np.pad(cell, 30, constant_values=255))
            label, reads_right = KINDS[kind]
            assert "DataMatrix" in found, f"{key} page {page_number + 1} position {position} ({kind}): read {sorted(found)}"
            assert all(reads_right(scan) for scan in found.values()), found
            assert label.human_readable in text.replace("\r\n", ""), f"{label.human_readable!r} not on the page"
