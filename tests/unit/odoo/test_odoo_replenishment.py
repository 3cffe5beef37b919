"""Ward replenishment against a fake Odoo (issue 15): what a request writes and where its key goes, the
calls it costs, the version difference (`stock.move.name` up to 18 only), and what one pick write holds."""

from typing import Any

import pytest
from odoo_fakes import CANNULA, SETTINGS, STORE, STORE_ID, WARD, WARD_ID, FakeOdoo, backend_on, records, store, warm

from offline_sync.backends.contract import (
    ConflictKind,
    ItemLine,
    OutcomeStatus,
    PickReplenishment,
    RequestReplenishment,
)
from offline_sync.backends.odoo.backend import OdooBackend

OP = "9b2e4c1d-0000-4000-8000-000000000015"
KEY = f"WS-{OP}"
OPEN = {"id": 12, "name": "WH/INT/00012"}


def from_store(fake: FakeOdoo) -> OdooBackend:
    """A backend whose refills come from REPLENISH_SOURCE (the store)."""
    return OdooBackend(SETTINGS, transport=lambda _settings: fake, replenish_source=STORE)


def requesting(version: str = "17.0", *, earlier: list[dict[str, Any]] | None = None, rules: int = 1,
               open_transfer: dict[str, Any] | None = OPEN) -> FakeOdoo:
    fake = store(FakeOdoo(version))
    fake.answer("stock.move", "search_read", earlier or [])
    fake.answer("stock.warehouse.orderpoint", "search_count", rules)
    fake.answer("stock.picking", "search_read", [open_transfer] if open_transfer else [])
    fake.answer("stock.picking", "write", True)
    return fake


@pytest.mark.parametrize(("version", "named"), [("17.0", True), ("18.0", True), ("19.0", False)])
def test_a_request_adds_a_keyed_move_to_the_wards_open_transfer_in_four_calls(version: str, named: bool) -> None:
    fake = requesting(version)
    backend = from_store(fake)
    warm(backend, fake)

    outcome = backend.request_replenishment(RequestReplenishment(OP, WARD, CANNULA, 6))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["picking"] == "WH/INT/00012"
    assert fake.methods() == [
        "stock.move.search_read",  # the key, inside the origins of the ward's moves
        "stock.warehouse.orderpoint.search_count",
        "stock.picking.search_read",
        "stock.picking.write",
    ]
    assert fake.args_of("stock.move", "search_read")[0] == [("origin", "ilike", KEY), ("location_dest_id", "=", WARD_ID)]
    picking_id, values = fake.args_of("stock.picking", "write")
    (_, _, move), = values["move_ids"]
    assert picking_id == [12]
    assert (move["origin"], move["product_uom_qty"], move["location_id"], move["location_dest_id"]) == (
        KEY, 6, STORE_ID, WARD_ID)
    assert ("name" in move) == named


def test_a_request_whose_key_is_on_a_move_already_is_a_duplicate_and_writes_nothing() -> None:
    fake = requesting(earlier=[{"id": 3, "picking_id": [12, "WH/INT/00012"], "state": "assigned"}])
    backend = from_store(fake)
    warm(backend, fake)

    outcome = backend.request_replenishment(RequestReplenishment(OP, WARD, CANNULA, 6))

    assert outcome.status == OutcomeStatus.DUPLICATE
    assert outcome.refs["picking"] == "WH/INT/00012"
    assert "stock.picking.write" not in fake.methods()


def test_a_duplicate_whose_new_transfer_was_never_confirmed_confirms_it() -> None:
    """The answer to the create was lost before its confirmation: the retry finds the key on a draft move."""
    fake = requesting(earlier=[{"id": 3, "picking_id": [12, "WH/INT/00012"], "state": "draft"}])
    fake.answer("stock.picking", "action_confirm", True)
    backend = from_store(fake)
    warm(backend, fake)

    outcome = backend.request_replenishment(RequestReplenishment(OP, WARD, CANNULA, 6))

    assert outcome.status == OutcomeStatus.DUPLICATE
    assert fake.methods() == ["stock.move.search_read", "stock.picking.action_confirm"]
    assert fake.args_of("stock.picking", "action_confirm") == [[12]]


def test_a_request_without_a_rule_is_no_par_level() -> None:
    fake = requesting(rules=0)
    backend = from_store(fake)
    warm(backend, fake)

    outcome = backend.request_replenishment(RequestReplenishment(OP, WARD, CANNULA, 6))

    assert outcome.conflict == ConflictKind.NO_PAR_LEVEL
    assert outcome.detail == {"gtin": CANNULA, "location": WARD}
    assert "stock.picking.write" not in fake.methods()


def _transfer(move_lines: list[dict[str, Any]], state: str = "assigned") -> dict[str, Any]:
    place = {"id": STORE_ID, "barcode": STORE, "complete_name": f"WH/{STORE}"}
    ward = {"id": WARD_ID, "barcode": WARD, "complete_name": f"WH/{WARD}"}
    return {
        "id": 12, "name": "WH/INT/00012", "state": state, "location_id": place, "location_dest_id": ward,
        "backorder_ids": [],
        "move_ids": [{
            "id": 30, "product_id": {"id": 7, "barcode": CANNULA[1:]}, "product_uom_qty": 8, "quantity": 5,
            "picked": False, "origin": "WS-earlier-request", "state": state, "move_line_ids": move_lines,
        }],
    }


def picking(transfer: dict[str, Any], quants: list[dict[str, Any]]) -> FakeOdoo:
    fake = store(FakeOdoo())
    fake.answer("stock.picking", "web_search_read", records([transfer]))
    fake.answer("stock.lot", "web_search_read", records([{"id": 50, "name": "L1", "product_id": 7,
                                                          "expiration_date": False, "note": False}]))
    fake.answer("stock.quant", "search_read", quants)
    fake.answer("stock.picking", "write", True)
    return fake


def test_a_pick_replaces_the_reserved_lines_by_the_scanned_lot_and_marks_the_move_in_one_write() -> None:
    reserved = {"id": 90, "quantity": 5, "picked": False, "lot_id": 51}
    fake = picking(_transfer([reserved]), [{"product_id": [7, "P"], "lot_id": [50, "L1"], "quantity": 4}])
    backend = backend_on(fake)
    warm(backend, fake)

    outcome = backend.pick_replenishment(PickReplenishment(OP, "WH/INT/00012", (ItemLine(CANNULA, 3, "L1"),)))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert fake.methods().count("stock.picking.write") == 1
    values = fake.args_of("stock.picking", "write")[1]
    assert values["move_ids"] == [(1, 30, {"origin": f"WS-earlier-request {KEY}"})]
    dropped, (_, _, added) = values["move_line_ids"]
    assert dropped == (2, 90)
    assert (added["move_id"], added["lot_id"], added["quantity"], added["picked"]) == (30, 50, 3, True)


def test_a_pick_beyond_what_the_store_holds_of_the_lot_is_lot_not_in_store_counting_earlier_picks() -> None:
    earlier = {"id": 91, "quantity": 2, "picked": True, "lot_id": 50}
    fake = picking(_transfer([earlier]), [{"product_id": [7, "P"], "lot_id": [50, "L1"], "quantity": 4}])
    backend = backend_on(fake)
    warm(backend, fake)

    outcome = backend.pick_replenishment(PickReplenishment(OP, "WH/INT/00012", (ItemLine(CANNULA, 3, "L1"),)))

    assert outcome.conflict == ConflictKind.LOT_NOT_IN_STORE, outcome.message
    assert (outcome.detail["on_hand"], outcome.detail["line"]) == (2, 1)
    assert "stock.picking.write" not in fake.methods()
