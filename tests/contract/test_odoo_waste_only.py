"""Issue 16 on a real Odoo, beyond the shared contract: what an Odoo user sees of Wardstock's waste, returns
and recalls (the scrap's reason, the return as a return of the vendor's receipt, the recall in the lot's
chatter), and an answer lost after each of their writes, including scrap validation and chatter notes.

Runs when ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD (or ODOO_API_KEY) are set.
"""

import os
from collections.abc import Callable, Iterator

import pytest
from contract_world import LABEL_EXPIRY, World, op
from contract_world_odoo import OdooWorld, make_world
from test_contract_exactly_once import IDS, SCENARIOS, Effect, Send
from test_odoo_only import WRITES, LosingAnswers, lose_each_answer_in_turn, settings

from offline_sync.backends.contract import (
    ItemLine,
    OutcomeStatus,
    Recall,
    Receive,
    Scrap,
    ValidateReceipt,
    VendorReturn,
    WasteReason,
)
from offline_sync.backends.odoo.backend import OdooBackend
from offline_sync.backends.odoo.connection import make_transport
from offline_sync.backends.odoo.errors import OdooUnavailable

WASTE_WRITES = WRITES | {"action_validate", "message_post"}  # a scrap's validation, a recall's chatter note
WASTE_KINDS = {"scrap", "quarantine", "vendor_return", "recall"}
WASTE_SCENARIOS = [(scenario, name) for scenario, name in zip(SCENARIOS, IDS, strict=True) if name in WASTE_KINDS]


@pytest.fixture
def world() -> Iterator[OdooWorld]:
    try:
        made = make_world(os.environ)
    except ValueError as error:
        pytest.skip(f"ODOO NOT CONFIGURED, Odoo-only checks not run: {error}")
    yield made
    made.close()


def test_a_scrap_shows_its_reason_in_odoo(world: OdooWorld) -> None:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 5)
    command = Scrap(op(), ward, (ItemLine(gtin, 2, lot),), WasteReason.OTHER, "dropped in the sluice room")

    assert world.backend.scrap(command).status == OutcomeStatus.APPLIED

    [scrap] = world._call(
        "stock.scrap",
        "search_read",
        [("origin", "like", command.op_id)],
        fields=["origin", "state", "scrap_qty", "lot_id"],
    )
    assert (scrap["state"], scrap["scrap_qty"], scrap["lot_id"][1]) == ("done", 2, lot)
    assert scrap["origin"] == f"WS-{command.op_id} Other: dropped in the sluice room"
    if world.backend.session().odoo.version.scrap_reason_tags:
        [tagged] = world._call("stock.scrap", "read", [scrap["id"]], ["scrap_reason_tag_ids"])
        names = [
            row["name"]
            for row in world._call("stock.scrap.reason.tag", "read", tagged["scrap_reason_tag_ids"], ["name"])
        ]
        assert names == ["Other"]


def test_a_return_is_odoo_s_return_of_the_receipt_to_its_vendor(world: OdooWorld) -> None:
    gtin, store = world.product(), world.location()
    receipt, lot = world.receipt(store, {gtin: 6}), world.unique("LOT")
    vendor = world._call("res.partner", "create", [{"name": world.unique("Vendor")}])
    vendor_id = vendor[0] if isinstance(vendor, list) else vendor
    world._call(
        "stock.picking",
        "write",
        world._call("stock.picking", "search", [("name", "=", receipt)]),
        {"partner_id": vendor_id},
    )
    assert world.backend.receive(Receive(op(), receipt, (ItemLine(gtin, 6, lot, LABEL_EXPIRY),))).went_through
    assert world.backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=False)).went_through
    command = VendorReturn(op(), store, (ItemLine(gtin, 2, lot),), WasteReason.DAMAGED, "crushed box")

    outcome = world.backend.return_to_vendor(command)

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    [made] = world._call(
        "stock.picking",
        "search_read",
        [("origin", "=", f"WS-{command.op_id}")],
        fields=["state", "partner_id", "return_id", "location_dest_id", "note"],
    )
    assert (made["state"], made["partner_id"][0], made["return_id"][1]) == ("done", vendor_id, receipt)
    [destination] = world._call("stock.location", "read", [made["location_dest_id"][0]], ["usage"])
    assert destination["usage"] == "supplier"
    assert "Damaged: crushed box" in made["note"]
    [line] = world._call(
        "stock.move.line", "search_read", [("picking_id", "=", made["id"])], fields=["lot_id", "quantity"]
    )
    assert (line["lot_id"][1], line["quantity"]) == (lot, 2)


def test_a_recall_is_noted_in_the_lot_s_chatter_and_description(world: OdooWorld) -> None:
    gtin = world.product()
    lot = world.lot(gtin)
    command = Recall(op(), gtin, (lot,), "FSN-2026-118: seal may leak")

    assert world.backend.recall(command).status == OutcomeStatus.APPLIED

    [found] = world._call("stock.lot", "search_read", [("name", "=", lot)], fields=["note"])
    assert "WS-RECALLED" in found["note"] and "FSN-2026-118" in found["note"]
    messages = world._call(
        "mail.message", "search_read", [("model", "=", "stock.lot"), ("res_id", "=", found["id"])], fields=["body"]
    )
    assert [message["body"] for message in messages if "FSN-2026-118" in message["body"]]


def _chatter_notes(world: OdooWorld, lot: str, key: str) -> int:
    [found] = world._call("stock.lot", "search_read", [("name", "=", lot)], fields=["id"])
    messages = world._call(
        "mail.message", "search_read", [("model", "=", "stock.lot"), ("res_id", "=", found["id"])], fields=["body"]
    )
    return sum(key in message["body"] for message in messages)


class DyingBeforeChatter(LosingAnswers):
    """The worker dies after writing the lots' descriptions, before any chatter note reaches Odoo."""

    def call(self, model: str, method: str, args: list, kwargs: dict) -> object:
        if method == "message_post":
            raise OdooUnavailable("The worker died before the chatter note.")
        return self._inner.call(model, method, args, kwargs)


def test_a_recall_that_died_before_its_chatter_notes_finishes_them_on_the_re_send(world: OdooWorld) -> None:
    gtin = world.product()
    first, second = world.lot(gtin), world.lot(gtin)
    command = Recall(op(), gtin, (first, second), "FSN-2026-119")
    dying = DyingBeforeChatter(make_transport(settings()), 0)

    died = OdooBackend(settings(), transport=lambda _settings: dying).recall(command)
    assert died.status == OutcomeStatus.TRANSIENT, died.message
    assert [_chatter_notes(world, lot, command.op_id) for lot in (first, second)] == [0, 0]

    retried, again = world.restarted().recall(command), world.restarted().recall(command)

    assert (retried.status, again.status) == (OutcomeStatus.APPLIED, OutcomeStatus.DUPLICATE), (
        retried.message,
        again.message,
    )
    assert [_chatter_notes(world, lot, command.op_id) for lot in (first, second)] == [1, 1]


class LosingWasteAnswers(LosingAnswers):
    """As LosingAnswers, counting a scrap's validation and a chatter note as writes too."""

    counted = WASTE_WRITES


@pytest.mark.parametrize(
    "scenario", [scenario for scenario, _ in WASTE_SCENARIOS], ids=[name for _, name in WASTE_SCENARIOS]
)
def test_an_answer_lost_after_any_waste_write_still_has_one_effect(
    world: World, scenario: Callable[[World], tuple[Send, Effect]]
) -> None:
    lose_each_answer_in_turn(world, scenario, LosingWasteAnswers, most=5)
