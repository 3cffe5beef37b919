"""Receipts against a fake Odoo: what one `write` puts on the receipt, where the key goes, how a
validation is recognised again, and the version differences (`stock.move.name` up to 18 only)."""

from datetime import date, timedelta
from typing import Any

import pytest
from odoo_fakes import (
    CANNULA,
    FRESH,
    STORE,
    STORE_ID,
    SYRINGE,
    VENDORS_ID,
    FakeOdoo,
    backend_on,
    lot_row,
    records,
    store,
)

from offline_sync.backends.contract import (
    ConflictKind,
    ItemLine,
    OutcomeStatus,
    Receive,
    UnplannedReceipt,
    ValidateReceipt,
)

OP = "9b2e4c1d-0000-4000-8000-000000000002"
KEY = f"WS-{OP}"


def move(move_id: int, product_id: int, demand: float, *, lines: list[dict[str, Any]], origin: Any = "P00001") -> dict:
    picked = [line for line in lines if line["picked"]]
    return {
        "id": move_id,
        "product_id": product_id,
        "product_uom": 1,
        "product_uom_qty": demand,
        "quantity": sum(line["quantity"] for line in (picked or lines)),
        "picked": bool(picked),
        "origin": origin,
        "state": "assigned",
        "location_id": VENDORS_ID,
        "location_dest_id": STORE_ID,
        "move_line_ids": [{"lot_name": False, "expiration_date": False, **line} for line in lines],
    }


def receipt(moves: list[dict], state: str = "assigned", backorders: list[dict] | None = None) -> dict[str, Any]:
    return {
        "id": 5,
        "name": "WH/IN/00005",
        "state": state,
        "location_id": VENDORS_ID,
        "location_dest_id": STORE_ID,
        "backorder_ids": backorders or [],
        "move_ids": moves,
    }


PREFILLED = [{"id": 40, "quantity": 10, "picked": False}]


def fake_with(picking: dict[str, Any] | None, version: str = "17.0", lots: list[dict] | None = None) -> FakeOdoo:
    fake = store(FakeOdoo(version))
    fake.answer("stock.picking", "web_search_read", records([picking] if picking else []))
    fake.answer("stock.lot", "web_search_read", records(lots or []))
    fake.answer("stock.picking", "write", True)
    fake.answer("stock.picking", "button_validate", True)
    return fake


def written(fake: FakeOdoo) -> dict[str, Any]:
    return fake.args_of("stock.picking", "write")[1]


def test_scanned_lines_fill_the_prefilled_line_then_add_lines_and_mark_the_move() -> None:
    fake = fake_with(receipt([move(11, 7, 10, lines=[dict(line) for line in PREFILLED])]))
    lines = (ItemLine(CANNULA, 4, "NEW-1", FRESH), ItemLine(CANNULA, 6, "NEW-2", FRESH + timedelta(days=30)))

    outcome = backend_on(fake).receive(Receive(OP, "WH/IN/00005", lines))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert dict(outcome.refs) == {"picking": "WH/IN/00005", "picking_id": 5}
    values = written(fake)
    assert values["move_ids"] == [(1, 11, {"origin": f"P00001 {KEY}"})]
    (fill, add) = values["move_line_ids"]
    assert fill == (1, 40, {"quantity": 4, "picked": True, "lot_name": "NEW-1", "expiration_date": f"{FRESH} 00:00:00"})
    assert add[:2] == (0, 0) and (add[2]["move_id"], add[2]["lot_name"], add[2]["picking_id"]) == (11, "NEW-2", 5)
    assert [m for m in fake.methods() if m.startswith("stock.picking")] == [
        "stock.picking.web_search_read",
        "stock.picking.write",
    ]


def test_an_existing_lot_with_the_label_s_expiry_is_linked_by_id() -> None:
    fake = fake_with(
        receipt([move(11, 7, 10, lines=[dict(line) for line in PREFILLED])]), lots=[lot_row(50, "OLD", FRESH)]
    )

    backend_on(fake).receive(Receive(OP, "WH/IN/00005", (ItemLine(CANNULA, 4, "OLD", FRESH),)))

    assert written(fake)["move_line_ids"] == [(1, 40, {"quantity": 4, "picked": True, "lot_id": 50})]


def test_a_later_box_of_a_new_lot_takes_the_date_the_receipt_holds_or_is_a_conflict() -> None:
    """Odoo makes a new lot at validation, from one of the receipt's lines naming it: a box read without
    its date gets the earlier line's date written too; a label with another date writes nothing."""
    earlier = {"id": 41, "quantity": 6, "picked": True, "lot_name": "NEW-1", "expiration_date": f"{FRESH} 00:00:00"}
    fake = fake_with(receipt([move(11, 7, 10, lines=[earlier])]))
    backend_on(fake).receive(Receive(OP, "WH/IN/00005", (ItemLine(CANNULA, 4, "NEW-1", None),)))
    [(_, _, added)] = written(fake)["move_line_ids"]
    assert (added["lot_name"], added["expiration_date"]) == ("NEW-1", f"{FRESH} 00:00:00")

    other = fake_with(receipt([move(11, 7, 10, lines=[earlier])]))
    outcome = backend_on(other).receive(Receive(OP, "WH/IN/00005", (ItemLine(CANNULA, 4, "NEW-1", FRESH + timedelta(1)),)))
    assert outcome.conflict == ConflictKind.EXPIRY_MISMATCH and outcome.detail["recorded_expiry"] == FRESH.isoformat()
    assert "stock.picking.write" not in other.methods()


def test_an_existing_lot_with_another_expiry_is_a_conflict_and_nothing_is_written() -> None:
    fake = fake_with(receipt([move(11, 7, 10, lines=PREFILLED)]), lots=[lot_row(50, "OLD", FRESH)])

    outcome = backend_on(fake).receive(Receive(OP, "WH/IN/00005", (ItemLine(CANNULA, 4, "OLD", FRESH + timedelta(1)),)))

    assert outcome.conflict == ConflictKind.EXPIRY_MISMATCH
    assert outcome.detail["recorded_expiry"] == FRESH.isoformat()
    assert "stock.picking.write" not in fake.methods()


@pytest.mark.parametrize(("version", "named"), [("17.0", True), ("18.0", True), ("saas~19.1", False)])
def test_a_product_the_receipt_did_not_expect_gets_a_move_of_its_own(version: str, named: bool) -> None:
    fake = fake_with(receipt([move(11, 7, 10, lines=PREFILLED)]), version=version)

    backend_on(fake).receive(Receive(OP, "WH/IN/00005", (ItemLine(SYRINGE, 3),)))

    [(command, _, new_move)] = written(fake)["move_ids"]
    assert (command, new_move["origin"], new_move["product_uom_qty"], "name" in new_move) == (0, KEY, 0, named)
    [(_, _, line)] = new_move["move_line_ids"]
    assert (line["picking_id"], line["quantity"], "lot_name" in line) == (5, 3, False)


def test_lines_found_with_the_key_are_a_duplicate_even_after_validation() -> None:
    fake = fake_with(receipt([move(11, 7, 10, lines=PREFILLED, origin=f"P00001 {KEY}")], state="done"))

    outcome = backend_on(fake).receive(Receive(OP, "WH/IN/00005", (ItemLine(CANNULA, 4, "L", FRESH),)))

    assert outcome.status == OutcomeStatus.DUPLICATE
    assert fake.methods()[-1] == "stock.picking.web_search_read"


def test_receiving_onto_a_closed_receipt_points_at_its_backorder() -> None:
    fake = fake_with(receipt([], state="done", backorders=[{"id": 6, "name": "WH/IN/00006"}]))

    outcome = backend_on(fake).receive(Receive(OP, "WH/IN/00005", (ItemLine(CANNULA, 4, "L", FRESH),)))

    assert outcome.conflict == ConflictKind.RECEIPT_CLOSED and "WH/IN/00006" in outcome.message


def test_an_unknown_receipt_is_receipt_closed() -> None:
    outcome = backend_on(fake_with(None)).receive(Receive(OP, "WH/IN/09999", (ItemLine(CANNULA, 1, "L", FRESH),)))

    assert outcome.conflict == ConflictKind.RECEIPT_CLOSED and "unplanned receipt" in outcome.message


# ---- validation -------------------------------------------------------------------------

RECEIVED = [{"id": 40, "quantity": 4, "picked": True}]


def test_validation_marks_the_picked_moves_then_validates_without_a_wizard() -> None:
    fake = fake_with(receipt([move(11, 7, 10, lines=RECEIVED), move(12, 9, 5, lines=PREFILLED, origin=False)]))
    fake.answer("stock.picking", "search_read", [{"id": 6, "name": "WH/IN/00006"}])

    outcome = backend_on(fake).validate_receipt(ValidateReceipt(OP, "WH/IN/00005", backorder=True))

    assert (outcome.status, outcome.refs["backorder"]) == (OutcomeStatus.APPLIED, "WH/IN/00006")
    assert written(fake) == {"move_ids": [(1, 11, {"origin": f"P00001 {KEY}"})]}
    assert fake.kwargs_of("stock.picking", "button_validate")["context"] == {
        "skip_expired": True,
        "skip_backorder": True,
    }


def test_validation_without_backorder_says_so_in_the_context() -> None:
    fake = fake_with(receipt([move(11, 7, 10, lines=RECEIVED)]))

    outcome = backend_on(fake).validate_receipt(ValidateReceipt(OP, "WH/IN/00005", backorder=False))

    assert "no longer expected" in outcome.message and "backorder" not in outcome.refs
    assert fake.kwargs_of("stock.picking", "button_validate")["context"]["picking_ids_not_to_backorder"] == [5]


def test_a_marked_receipt_still_open_is_validated_without_marking_it_again() -> None:
    """The worker died between the mark and `button_validate`."""
    fake = fake_with(receipt([move(11, 7, 4, lines=RECEIVED, origin=f"P00001 {KEY}")]))

    outcome = backend_on(fake).validate_receipt(ValidateReceipt(OP, "WH/IN/00005", backorder=True))

    assert outcome.status == OutcomeStatus.APPLIED
    assert "stock.picking.write" not in fake.methods() and "stock.picking.button_validate" in fake.methods()


def test_a_marked_done_receipt_is_a_duplicate_with_its_backorder() -> None:
    backorders = [{"id": 6, "name": "WH/IN/00006"}]
    fake = fake_with(receipt([move(11, 7, 4, lines=RECEIVED, origin=f"P00001 {KEY}")], "done", backorders))

    outcome = backend_on(fake).validate_receipt(ValidateReceipt(OP, "WH/IN/00005", backorder=True))

    assert (outcome.status, outcome.refs["backorder"]) == (OutcomeStatus.DUPLICATE, "WH/IN/00006")


def test_a_receipt_validated_by_another_command_is_closed() -> None:
    fake = fake_with(receipt([move(11, 7, 4, lines=RECEIVED)], "done", [{"id": 6, "name": "WH/IN/00006"}]))

    outcome = backend_on(fake).validate_receipt(ValidateReceipt(OP, "WH/IN/00005", backorder=True))

    assert outcome.conflict == ConflictKind.RECEIPT_CLOSED and "WH/IN/00006" in outcome.message


def test_nothing_picked_is_refused_because_odoo_would_receive_every_prefilled_quantity() -> None:
    fake = fake_with(receipt([move(11, 7, 10, lines=PREFILLED)]))

    outcome = backend_on(fake).validate_receipt(ValidateReceipt(OP, "WH/IN/00005", backorder=True))

    assert outcome.conflict == ConflictKind.NOT_PERMITTED
    assert "stock.picking.button_validate" not in fake.methods()


# ---- unplanned receipts -----------------------------------------------------------------


def test_an_unplanned_receipt_is_created_from_the_vendors_with_its_key_and_validated() -> None:
    fake = fake_with(None)
    fake.answer("stock.picking", "search_read", [])
    fake.answer("stock.picking", "web_save", [{"id": 8, "name": "WH/IN/00008"}])
    expiry = date(2030, 1, 31)

    outcome = backend_on(fake).unplanned_receipt(UnplannedReceipt(OP, STORE, (ItemLine(CANNULA, 7, "U1", expiry),)))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    _, values, _ = fake.args_of("stock.picking", "web_save")
    assert (values["origin"], values["picking_type_id"], values["location_id"]) == (KEY, 1, VENDORS_ID)
    [(_, _, line)] = values["move_line_ids"]
    assert (line["lot_name"], line["expiration_date"], line["quantity"]) == ("U1", "2030-01-31 00:00:00", 7)


def test_an_expiry_is_midnight_in_the_odoo_user_s_time_zone() -> None:
    fake = fake_with(None)
    fake.tz = "Europe/London"
    fake.answer("stock.picking", "search_read", [])
    fake.answer("stock.picking", "web_save", [{"id": 8, "name": "WH/IN/00008"}])

    backend_on(fake).unplanned_receipt(UnplannedReceipt(OP, STORE, (ItemLine(CANNULA, 7, "U1", date(2030, 7, 1)),)))

    [(_, _, line)] = fake.args_of("stock.picking", "web_save")[1]["move_line_ids"]
    assert line["expiration_date"] == "2030-06-30 23:00:00"  # British Summer Time


def test_a_product_ordered_on_two_lines_fills_both_before_adding_to_either() -> None:
    first, second = [{"id": 40, "quantity": 6, "picked": False}], [{"id": 41, "quantity": 4, "picked": False}]
    fake = fake_with(receipt([move(11, 7, 6, lines=first), move(12, 7, 4, lines=second)]))
    lines = (ItemLine(CANNULA, 6, "A", FRESH), ItemLine(CANNULA, 4, "B", FRESH), ItemLine(CANNULA, 1, "C", FRESH))

    backend_on(fake).receive(Receive(OP, "WH/IN/00005", lines))

    commands = written(fake)["move_line_ids"]
    assert [(c[0], c[1]) for c in commands[:2]] == [(1, 40), (1, 41)]
    assert (commands[2][0], commands[2][2]["move_id"]) == (0, 11)
