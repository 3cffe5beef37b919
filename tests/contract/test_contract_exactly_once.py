"""Exactly once (DESIGN §4): every command sent twice has one effect, and so does a command whose
outcome was lost (the worker died between the backend's commit and its own) and is sent again
by a restarted worker. The ward replenishment kinds' scenarios live beside their other contract tests."""

from collections.abc import Callable

import pytest
from contract_world import LABEL_EXPIRY, World, op, receipt_line
from test_contract_replenishment import IDS as REPLENISHMENT_IDS
from test_contract_replenishment import SCENARIOS as REPLENISHMENT_SCENARIOS
from waste_helpers import QUARANTINE, recalled

from offline_sync.backends.contract import (
    Consume,
    Count,
    CountResolution,
    InventoryBackend,
    ItemLine,
    Outcome,
    OutcomeStatus,
    Quarantine,
    Recall,
    Receive,
    ResolveCount,
    Scrap,
    Transfer,
    UnplannedReceipt,
    ValidateReceipt,
    VendorReturn,
    WasteReason,
)

Send = Callable[[InventoryBackend], Outcome]
Effect = Callable[[], object]  # a snapshot of what the command changes


def _receive(world: World) -> tuple[Send, Effect]:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 10})
    command = Receive(op(), receipt, (ItemLine(gtin, 4, world.unique("LOT"), LABEL_EXPIRY),))
    return (lambda backend: backend.receive(command)), (lambda: receipt_line(world.backend, receipt, gtin).received)


def _validate_receipt(world: World) -> tuple[Send, Effect]:
    gtin, store = world.product(), world.location()
    receipt, lot = world.receipt(store, {gtin: 10}), world.unique("LOT")
    world.backend.receive(Receive(op(), receipt, (ItemLine(gtin, 4, lot, LABEL_EXPIRY),)))
    command = ValidateReceipt(op(), receipt, backorder=True)
    return (lambda backend: backend.validate_receipt(command)), (lambda: world.on_hand(gtin, lot, store))


def _unplanned_receipt(world: World) -> tuple[Send, Effect]:
    gtin, store, lot = world.product(), world.location(), world.unique("LOT")
    command = UnplannedReceipt(op(), store, (ItemLine(gtin, 5, lot, LABEL_EXPIRY),))
    return (lambda backend: backend.unplanned_receipt(command)), (lambda: world.on_hand(gtin, lot, store))


def _stocked(world: World) -> tuple[str, str, str]:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 10)
    return gtin, lot, ward


def _transfer(world: World) -> tuple[Send, Effect]:
    gtin, lot, ward = _stocked(world)
    destination = world.location()
    command = Transfer(op(), ward, destination, (ItemLine(gtin, 4, lot),))
    return (lambda backend: backend.transfer(command)), (
        lambda: (world.on_hand(gtin, lot, ward), world.on_hand(gtin, lot, destination))
    )


def _consume(world: World) -> tuple[Send, Effect]:
    gtin, lot, ward = _stocked(world)
    command = Consume(op(), ward, (ItemLine(gtin, 4, lot),), reference="CASE-0042")
    return (lambda backend: backend.consume(command)), (lambda: world.on_hand(gtin, lot, ward))


def _count(world: World) -> tuple[Send, Effect]:
    gtin, lot, ward = _stocked(world)
    command = Count(op(), ward, gtin, lot, 7, world.moment(), seen_on_hand=10)
    return (lambda backend: backend.count(command)), (lambda: world.on_hand(gtin, lot, ward))


def _resolve_count(world: World) -> tuple[Send, Effect]:
    gtin, lot, ward = _stocked(world)
    count = Count(op(), ward, gtin, lot, 9, world.moment(), seen_on_hand=10)
    world.backend.consume(Consume(op(), ward, (ItemLine(gtin, 3, lot),)))
    assert world.backend.count(count).status == OutcomeStatus.CONFLICT
    command = ResolveCount(count.op_id, count, CountResolution.KEEP_DIFFERENCE)
    return (lambda backend: backend.resolve_count(command)), (lambda: world.on_hand(gtin, lot, ward))


def _scrap(world: World) -> tuple[Send, Effect]:
    gtin, lot, ward = _stocked(world)
    command = Scrap(op(), ward, (ItemLine(gtin, 4, lot),), WasteReason.EXPIRED)
    return (lambda backend: backend.scrap(command)), (lambda: world.on_hand(gtin, lot, ward))


def _quarantine(world: World) -> tuple[Send, Effect]:
    gtin, lot, ward = _stocked(world)
    command = Quarantine(op(), ward, (ItemLine(gtin, 4, lot),))
    return (lambda backend: backend.quarantine(command)), (
        lambda: (world.on_hand(gtin, lot, ward), world.on_hand(gtin, lot, QUARANTINE))
    )


def _vendor_return(world: World) -> tuple[Send, Effect]:
    gtin, store = world.product(), world.location()
    receipt, lot = world.receipt(store, {gtin: 10}), world.unique("LOT")
    world.backend.receive(Receive(op(), receipt, (ItemLine(gtin, 10, lot, LABEL_EXPIRY),)))
    world.backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=False))
    command = VendorReturn(op(), store, (ItemLine(gtin, 4, lot),), WasteReason.RECALLED)
    return (lambda backend: backend.return_to_vendor(command)), (lambda: world.on_hand(gtin, lot, store))


def _recall(world: World) -> tuple[Send, Effect]:
    """A recall's effect is the flag and the notice recorded once: the second sending must find the first."""
    gtin = world.product()
    lot = world.lot(gtin)
    since = world.moment()
    command = Recall(op(), gtin, (lot,), "FSN-2026-117")
    return (lambda backend: backend.recall(command)), (lambda: recalled(world, gtin, lot, since))


SCENARIOS = [_receive, _validate_receipt, _unplanned_receipt, _transfer, _consume, _count, _resolve_count,
             _scrap, _quarantine, _vendor_return, _recall]
IDS = [scenario.__name__.strip("_") for scenario in SCENARIOS]


@pytest.mark.parametrize("scenario", SCENARIOS + REPLENISHMENT_SCENARIOS, ids=IDS + REPLENISHMENT_IDS)
def test_a_command_sent_twice_has_one_effect(world: World, scenario: Callable[[World], tuple[Send, Effect]]) -> None:
    send, effect = scenario(world)
    before = effect()

    first = send(world.backend)
    after = effect()
    second = send(world.backend)

    assert first.status == OutcomeStatus.APPLIED, first.message
    assert after != before
    assert second.status == OutcomeStatus.DUPLICATE, second.message
    assert effect() == after
    assert {key: second.refs.get(key) for key in ("picking", "backorder", "reference")} == {
        key: first.refs.get(key) for key in ("picking", "backorder", "reference")
    }


@pytest.mark.parametrize("scenario", SCENARIOS + REPLENISHMENT_SCENARIOS, ids=IDS + REPLENISHMENT_IDS)
def test_a_lost_outcome_is_recovered_as_a_duplicate_after_a_restart(
    world: World, scenario: Callable[[World], tuple[Send, Effect]]
) -> None:
    send, effect = scenario(world)
    before = effect()
    send(world.backend)  # applied and committed in the backend; the worker dies before recording the outcome
    after = effect()

    resent = send(world.restarted())

    assert after != before
    assert resent.status == OutcomeStatus.DUPLICATE, resent.message
    assert effect() == after
