"""Every label kind rendered to PNG and read back by `scanners` to the same fields, on every stock."""
from datetime import date

import pytest

from app.services.labels.layout import DoesNotFit, place
from app.services.labels.png import render
from app.services.labels.relabels import RelabelItem, relabel
from app.services.labels.sheets import SHEET_LAYOUTS
from app.services.labels.two_bin import TwoBinCard, two_bin_card
from app.services.labels.zpl import ZEBRA_STOCKS
from tests.unit.labels.kinds import KINDS
from tests.unit.labels.support import scans

SIZES = {
    **{key: (layout.label_width, layout.label_height) for key, layout in SHEET_LAYOUTS.items()},
    **{key: (stock.width, stock.height) for key, stock in ZEBRA_STOCKS.items()},
}


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_code_on_the_label_reads_back_to_the_same_fields(kind: str, size: str) -> None:
    label, reads_right = KINDS[kind]
    found = scans(render(place(label, *SIZES[size]), dpi=300))
    expected = {"DataMatrix", "Code128"} if label.linear else {"DataMatrix"}
    assert set(found) >= {"DataMatrix"}, f"{kind} on {size}: read {sorted(found)}"
    for symbology, scan in found.items():
        assert reads_right(scan), f"{kind} on {size}: the {symbology} read {scan}"
    assert set(found) <= expected


def test_a_relabel_carries_its_human_readable_text_whole() -> None:
    label, _ = KINDS["relabel"]
    assert label.human_readable == "(01)15012345100026(17)270331(10)S<10>-(A)(21)N>7<"
    placed = place(label, *SIZES["a4-2x7"])
    assert "".join(text.text for text in placed.texts if text.text.startswith("(01)") or "(21)" in text.text).endswith("(21)N>7<")


def test_a_relabel_of_usual_length_has_its_gs1_128_too() -> None:
    label = relabel(RelabelItem("05012345100036", "Sterile gauze swab 10x10 cm", 1, "GZ-2406", date(2027, 1, 15)))
    for size in ("a4-2x7", "letter-2x5", "zebra-4x2"):
        found = scans(render(place(label, *SIZES[size]), dpi=300))
        assert set(found) == {"DataMatrix", "Code128"}, size
        assert {(scan.gtin, scan.lot, scan.expiry) for scan in found.values()} == {("05012345100036", "GZ-2406", date(2027, 1, 15))}


def test_a_two_bin_card_says_how_many_to_refill() -> None:
    label = two_bin_card(TwoBinCard("Gauze", "5012345100036", "WARD-ICU-CART", "Crash Cart", 10, 40))
    assert "Refill 30" in label.lines
    with pytest.raises(ValueError, match="maximum above the minimum"):
        two_bin_card(TwoBinCard("Gauze", "5012345100036", "WARD-ICU-CART", "Crash Cart", 40, 40))


def test_a_label_too_small_for_scannable_codes_is_refused() -> None:
    label, _ = KINDS["relabel"]
    with pytest.raises(DoesNotFit, match="choose a larger label layout"):
        place(label, 20, 10)
