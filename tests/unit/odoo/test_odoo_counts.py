"""Counts against a fake Odoo: the key and the moves since the count read in one call, Odoo's own
`is_outdated` set on an overtaken count, its conflict wizard treated as a conflict, resolutions."""

from datetime import datetime
from typing import Any

import pytest
from odoo_fakes import CANNULA, FRESH, STORE_ID, WARD, WARD_ID, FakeOdoo, backend_on, lot_row, records, store, warm

from offline_sync.backends.contract import ConflictKind, Count, CountResolution, OutcomeStatus, ResolveCount

OP = "5a7d3e2b-0000-4000-8000-000000000003"
REFERENCE = f"COUNT-{OP}"
CAPTURED = datetime(2026, 11, 22, 10, 0, 0, 600_000)


def line(quantity: float, *, into_ward: bool, reference: str = "WH/CONS/00001") -> dict[str, Any]:
    ends = ([STORE_ID, "WH/Stock"], [WARD_ID, "WH/Ward"]) if into_ward else ([WARD_ID, "WH/Ward"], [30, "Used"])
    return {
        "id": 1,
        "reference": reference,
        "location_id": ends[0],
        "location_dest_id": ends[1],
        "quantity_product_uom": quantity,
        "move_id": [99, reference],
    }


def fake_with(on_hand: float, since: list[dict[str, Any]], apply: Any = None) -> FakeOdoo:
    fake = store(FakeOdoo())
    fake.answer("stock.move.line", "search_read", since)
    lot = {**lot_row(50, "L1", FRESH), "quant_ids": [{"id": 3, "location_id": WARD_ID, "quantity": on_hand}]}
    fake.answer("stock.lot", "web_search_read", records([lot]))
    fake.answer("stock.quant", "create", [3])
    fake.answer("stock.quant", "write", True)
    fake.answer("stock.quant", "action_apply_inventory", apply)
    return fake


def count(counted: float, seen: float | None = 10) -> Count:
    return Count(OP, WARD, CANNULA, "L1", counted, CAPTURED, seen_on_hand=seen)


def test_a_count_nothing_overtook_is_four_calls_and_applied_under_its_key() -> None:
    fake = fake_with(10, [])
    backend = backend_on(fake)
    warm(backend, fake)

    outcome = backend.count(count(8))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["reference"] == REFERENCE
    assert fake.methods() == [
        "stock.move.line.search_read",
        "stock.lot.web_search_read",
        "stock.quant.create",
        "stock.quant.action_apply_inventory",
    ]
    domain = fake.args_of("stock.move.line", "search_read")[0]
    assert ("reference", "=like", f"{REFERENCE}%") in domain and ("date", ">", "2026-11-22 10:00:00") in domain
    assert fake.args_of("stock.quant", "create")[0] == [
        {"product_id": 7, "location_id": WARD_ID, "inventory_quantity": 8, "lot_id": 50}
    ]
    assert fake.kwargs_of("stock.quant", "action_apply_inventory")["context"] == {
        "inventory_mode": True,
        "inventory_name": REFERENCE,
    }


def test_a_count_found_applied_is_a_duplicate_after_one_call() -> None:
    fake = fake_with(8, [line(2, into_ward=False, reference=f"{REFERENCE} (Administrator)")])
    backend = backend_on(fake)
    warm(backend, fake)

    outcome = backend.count(count(8))

    assert (outcome.status, outcome.refs["reference"]) == (OutcomeStatus.DUPLICATE, REFERENCE)
    assert fake.methods() == ["stock.move.line.search_read"]


@pytest.mark.parametrize(("seen", "expected_seen"), [(10, 10), (None, 10)], ids=["seen", "blind"])
def test_a_count_overtaken_is_left_pending_and_outdated_in_odoo(seen: float | None, expected_seen: float) -> None:
    fake = fake_with(7, [line(3, into_ward=False)])

    outcome = backend_on(fake).count(count(9, seen))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.COUNT_OVERTAKEN)
    assert (outcome.detail["on_hand_now"], outcome.detail["net_moves_since"], outcome.detail["count_as_of"]) == (
        7,
        -3,
        6,
    )
    assert fake.args_of("stock.quant", "write") == [[3], {"inventory_diff_quantity": 9 - expected_seen}]
    assert "stock.quant.action_apply_inventory" not in fake.methods()


def test_moves_that_cancel_out_leave_the_on_hand_as_counted() -> None:
    fake = fake_with(10, [line(3, into_ward=False), line(3, into_ward=True)])

    assert backend_on(fake).count(count(9)).status == OutcomeStatus.APPLIED


def test_odoo_s_conflict_wizard_on_apply_is_a_count_overtaken() -> None:
    """A move between our write and `action_apply_inventory`: Odoo applies nothing and says so."""
    fake = fake_with(10, [], apply={"res_model": "stock.inventory.conflict", "context": {}})

    outcome = backend_on(fake).count(count(9))

    assert outcome.conflict == ConflictKind.COUNT_OVERTAKEN and "while the count was being applied" in outcome.message


def test_a_count_without_a_lot_of_a_tracked_product_is_an_unknown_lot() -> None:
    fake = fake_with(10, [])

    outcome = backend_on(fake).count(Count(OP, WARD, CANNULA, None, 3, CAPTURED))

    assert outcome.conflict == ConflictKind.UNKNOWN_LOT and fake.methods().count("stock.move.line.search_read") == 0


@pytest.mark.parametrize(
    ("resolution", "quantity", "target"),
    [
        (CountResolution.KEEP_COUNTED, None, 9),
        (CountResolution.KEEP_DIFFERENCE, None, 6),
        (CountResolution.EXPLICIT, 4, 4),
    ],
)
def test_resolutions_enter_their_figure_and_apply_it_under_the_count_s_key(
    resolution: CountResolution, quantity: float | None, target: float
) -> None:
    fake = fake_with(7, [line(3, into_ward=False)])

    outcome = backend_on(fake).resolve_count(ResolveCount(OP, count(9), resolution, quantity))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert fake.args_of("stock.quant", "create")[0][0]["inventory_quantity"] == target
    assert fake.kwargs_of("stock.quant", "action_apply_inventory")["context"]["inventory_name"] == REFERENCE


def test_keeping_a_difference_below_zero_is_refused() -> None:
    fake = fake_with(5, [line(5, into_ward=False)])

    outcome = backend_on(fake).resolve_count(ResolveCount(OP, count(1), CountResolution.KEEP_DIFFERENCE))

    assert outcome.conflict == ConflictKind.COUNT_OVERTAKEN and "-4" in outcome.message
    assert "stock.quant.create" not in fake.methods()


def test_an_explicit_resolution_needs_its_quantity() -> None:
    with pytest.raises(ValueError, match="explicit"):
        backend_on(fake_with(7, [])).resolve_count(ResolveCount(OP, count(9), CountResolution.EXPLICIT))
