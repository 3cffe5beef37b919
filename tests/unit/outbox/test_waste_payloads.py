"""Device payloads of scrap, quarantine, vendor_return and recall → contract commands (issue 16)."""
from datetime import datetime

import pytest

from offline_sync.backends.contract import ItemLine, Quarantine, Recall, Scrap, VendorReturn, WasteReason
from offline_sync.outbox.lanes import depends_on, lane_of, quant_key, touches_of
from offline_sync.outbox.payloads import PayloadError, parse, parse_capture

OP = "3f2b8c1e-9d4a-4e6b-8f00-1a2b3c4d5e6f"
AT = datetime(2026, 12, 7, 8, 0)
GTIN = "05012345678900"
LINE = {"gtin": GTIN, "lot": "L1", "quantity": 2}


def test_scrap_carries_location_lines_reason_and_note():
    command = parse_capture("scrap", OP, AT, {"location": "WH-3B", "lines": [LINE], "reason": "damaged", "note": "dropped"})
    assert command == Scrap(OP, "WH-3B", (ItemLine(GTIN, 2.0, "L1"),), WasteReason.DAMAGED, "dropped")


@pytest.mark.parametrize("reason", [reason.value for reason in WasteReason if reason != WasteReason.OTHER])
def test_every_listed_reason_is_taken_without_a_note(reason):
    command = parse("scrap", OP, AT, {"location": "WH-3B", "lines": [LINE], "reason": reason})
    assert command.reason == WasteReason(reason) and command.note == ""


def test_other_needs_a_note():
    with pytest.raises(PayloadError, match="other: add a note"):
        parse("scrap", OP, AT, {"location": "WH-3B", "lines": [LINE], "reason": "other", "note": "  "})
    command = parse("scrap", OP, AT, {"location": "WH-3B", "lines": [LINE], "reason": "other", "note": "left in the sun"})
    assert command.note == "left in the sun"


@pytest.mark.parametrize("reason", [None, "", "lost", 3, "EXPIRED"])
def test_a_reason_off_the_list_is_refused_naming_the_list(reason):
    with pytest.raises(PayloadError, match="reason must be one of expired, damaged"):
        parse("scrap", OP, AT, {"location": "WH-3B", "lines": [LINE], "reason": reason})


def test_a_long_or_binary_note_is_refused():
    with pytest.raises(PayloadError, match="at most 200"):
        parse("scrap", OP, AT, {"location": "WH-3B", "lines": [LINE], "reason": "damaged", "note": "x" * 201})
    with pytest.raises(PayloadError, match="plain text"):
        parse("scrap", OP, AT, {"location": "WH-3B", "lines": [LINE], "reason": "damaged", "note": "a\x00b"})


def test_quarantine_takes_source_and_lines_only():
    command = parse_capture("quarantine", OP, AT, {"source": "WH-3B", "lines": [LINE]})
    assert command == Quarantine(OP, "WH-3B", (ItemLine(GTIN, 2.0, "L1"),))
    with pytest.raises(PayloadError, match="does not know: 'reason'"):
        parse_capture("quarantine", OP, AT, {"source": "WH-3B", "lines": [LINE], "reason": "expired"})


def test_vendor_return_carries_reason():
    command = parse_capture("vendor_return", OP, AT, {"source": "WH-STOCK", "lines": [LINE], "reason": "recalled"})
    assert command == VendorReturn(OP, "WH-STOCK", (ItemLine(GTIN, 2.0, "L1"),), WasteReason.RECALLED, "")


def test_waste_lines_are_whole_label_lots_as_any_capture():
    with pytest.raises(PayloadError, match="not a whole number"):
        parse_capture("scrap", OP, AT, {"location": "WH-3B", "lines": [{**LINE, "quantity": 1.5}], "reason": "expired"})
    with pytest.raises(PayloadError, match="no lines"):
        parse_capture("vendor_return", OP, AT, {"source": "WH-3B", "lines": [], "reason": "expired"})


def test_recall_names_lots_once_each_in_order():
    command = parse_capture("recall", OP, AT, {"gtin": GTIN, "lots": ["B2", "A1", "B2"], "notice": "FSN-2026-114"})
    assert command == Recall(OP, GTIN, ("B2", "A1"), "FSN-2026-114")


def test_recall_without_lots_is_every_lot():
    assert parse("recall", OP, AT, {"gtin": GTIN, "lots": [], "notice": "FSN"}).lots == ()
    assert parse("recall", OP, AT, {"gtin": GTIN, "notice": "FSN"}).lots == ()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"gtin": GTIN, "lots": [], "notice": ""}, "no notice"),
        ({"gtin": "123", "lots": [], "notice": "FSN"}, "14-digit GTIN"),
        ({"gtin": GTIN, "lots": "A1", "notice": "FSN"}, "list of lot numbers"),
        ({"gtin": GTIN, "lots": [7], "notice": "FSN"}, "lot must be text"),
        ({"gtin": GTIN, "lots": ["A"] * 201, "notice": "FSN"}, "at most 200 lots"),
    ],
)
def test_a_malformed_recall_is_refused_with_what_was_wrong(payload, message):
    with pytest.raises(PayloadError, match=message):
        parse("recall", OP, AT, payload)


def test_waste_kinds_run_in_their_location_lane_and_hold_back_what_takes_from_the_same_quant():
    scrap = parse("scrap", OP, AT, {"location": "WH-3B", "lines": [LINE], "reason": "expired"})
    back = parse("vendor_return", OP, AT, {"source": "WH-3B", "lines": [LINE], "reason": "recalled"})
    pulled = parse("quarantine", OP, AT, {"source": "WH-3B", "lines": [LINE]})
    here = quant_key("WH-3B", GTIN, "L1")
    for command, kind in ((scrap, "scrap"), (back, "vendor_return"), (pulled, "quarantine")):
        assert lane_of(command) == "location:WH-3B"
        assert depends_on(kind, lane_of(command), touches_of(command)) == {here}


def test_a_recall_holds_back_later_recalls_of_its_lots_only():
    some = parse("recall", OP, AT, {"gtin": GTIN, "lots": ["A1", "B2"], "notice": "FSN"})
    every = parse("recall", OP, AT, {"gtin": GTIN, "lots": [], "notice": "FSN"})
    assert lane_of(some) == lane_of(every) == f"recall:{GTIN}"
    assert depends_on("recall", lane_of(some), touches_of(some)) == {f"lot:{GTIN}|A1", f"lot:{GTIN}|B2"}
    assert depends_on("recall", lane_of(every), touches_of(every)) == {f"lot:{GTIN}|*"}
