"""Waste (issue 16): scrap with a reason, quarantine and return to vendor, on every backend.

Expired and recalled lots are taken (pulling them is the point); more than is on hand is
`insufficient_stock`, an unknown lot `unknown_lot`, a return whose receipt cannot be found
`receipt_not_found`; a refused command changes nothing.
"""

from datetime import timedelta

import pytest
from contract_world import LABEL_EXPIRY, TODAY, World, op
from waste_helpers import QUARANTINE, last_move, stocked

from offline_sync.backends.contract import (
    ConflictKind,
    InventoryBackend,
    ItemLine,
    LotMoveKind,
    OutcomeStatus,
    Quarantine,
    Receive,
    Scrap,
    ValidateReceipt,
    VendorReturn,
    WasteReason,
)

EXPIRED = TODAY - timedelta(days=5)


@pytest.mark.parametrize("reason", list(WasteReason))
def test_a_scrap_takes_the_scanned_lot_off_hand_with_its_reason(world: World, backend: InventoryBackend, reason: WasteReason) -> None:
    gtin, lot, ward = stocked(world)
    command = Scrap(op(), ward, (ItemLine(gtin, 3, lot),), reason, "fell off the trolley" if reason == WasteReason.OTHER else "")

    outcome = backend.scrap(command)

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["reason"] == reason
    assert world.on_hand(gtin, lot, ward) == 7
    move = last_move(world, gtin, lot)
    assert (move.kind, move.quantity) == (LotMoveKind.SCRAP, 3)
    assert command.op_id in move.origin


@pytest.mark.parametrize("unusable", ["expired", "recalled"])
def test_expired_and_recalled_lots_are_scrapped(world: World, backend: InventoryBackend, unusable: str) -> None:
    gtin, lot, ward = stocked(world, expiry=EXPIRED if unusable == "expired" else LABEL_EXPIRY)
    if unusable == "recalled":
        world.recall(gtin, lot)

    outcome = backend.scrap(Scrap(op(), ward, (ItemLine(gtin, 10, lot),), WasteReason(unusable)))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert world.on_hand(gtin, lot, ward) == 0


def test_scrapping_more_than_on_hand_is_insufficient_stock(world: World, backend: InventoryBackend) -> None:
    gtin, lot, ward = stocked(world, quantity=2)

    outcome = backend.scrap(Scrap(op(), ward, (ItemLine(gtin, 3, lot),), WasteReason.DAMAGED))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.INSUFFICIENT_STOCK), outcome.message
    assert (outcome.detail["on_hand"], outcome.detail["requested"]) == (2, 3)
    assert world.on_hand(gtin, lot, ward) == 2


def test_scrapping_an_unknown_lot_is_unknown_lot(world: World, backend: InventoryBackend) -> None:
    gtin, _, ward = stocked(world)

    outcome = backend.scrap(Scrap(op(), ward, (ItemLine(gtin, 1, world.unique("NOLOT")),), WasteReason.EXPIRED))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.UNKNOWN_LOT), outcome.message


def test_an_expired_lot_is_quarantined(world: World, backend: InventoryBackend) -> None:
    gtin, lot, ward = stocked(world, expiry=EXPIRED)

    outcome = backend.quarantine(Quarantine(op(), ward, (ItemLine(gtin, 4, lot),)))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert (world.on_hand(gtin, lot, ward), world.on_hand(gtin, lot, QUARANTINE)) == (6, 4)
    assert last_move(world, gtin, lot).kind == LotMoveKind.QUARANTINE


def test_quarantining_more_than_on_hand_is_insufficient_stock(world: World, backend: InventoryBackend) -> None:
    gtin, lot, ward = stocked(world, quantity=1)

    outcome = backend.quarantine(Quarantine(op(), ward, (ItemLine(gtin, 2, lot),)))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.INSUFFICIENT_STOCK), outcome.message
    assert world.on_hand(gtin, lot, ward) == 1


def received(world: World, backend: InventoryBackend, quantity: float = 10) -> tuple[str, str, str, str]:
    """A lot received on a validated receipt from a vendor: (gtin, lot, store, receipt)."""
    gtin, store = world.product(), world.location()
    receipt, lot = world.receipt(store, {gtin: quantity}), world.unique("LOT")
    assert backend.receive(Receive(op(), receipt, (ItemLine(gtin, quantity, lot, LABEL_EXPIRY),))).went_through
    assert backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=False)).went_through
    return gtin, lot, store, receipt


def test_a_return_goes_back_to_the_vendor_of_the_receipt_that_brought_the_lot_in(world: World, backend: InventoryBackend) -> None:
    gtin, lot, store, receipt = received(world, backend)
    world.recall(gtin, lot)

    outcome = backend.return_to_vendor(VendorReturn(op(), store, (ItemLine(gtin, 4, lot),), WasteReason.RECALLED))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["receipts"] == [receipt]
    assert world.on_hand(gtin, lot, store) == 6
    history = backend.lot_history(gtin, lot)
    assert [move.kind for move in history.moves][-2:] == [LotMoveKind.RECEIPT, LotMoveKind.RETURN]
    assert history.moves[-1].destination_id == history.moves[-2].source_id  # back where it came from: the vendor


def test_a_return_whose_receipt_cannot_be_found_is_receipt_not_found(world: World, backend: InventoryBackend) -> None:
    gtin, lot, ward = stocked(world)  # counted in, never received

    outcome = backend.return_to_vendor(VendorReturn(op(), ward, (ItemLine(gtin, 1, lot),), WasteReason.DAMAGED))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.RECEIPT_NOT_FOUND), outcome.message
    assert outcome.detail["lot"] == lot
    assert world.on_hand(gtin, lot, ward) == 10


def test_returning_more_than_on_hand_is_insufficient_stock(world: World, backend: InventoryBackend) -> None:
    gtin, lot, store, _ = received(world, backend, quantity=2)

    outcome = backend.return_to_vendor(VendorReturn(op(), store, (ItemLine(gtin, 3, lot),), WasteReason.DAMAGED))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.INSUFFICIENT_STOCK), outcome.message
    assert world.on_hand(gtin, lot, store) == 2
