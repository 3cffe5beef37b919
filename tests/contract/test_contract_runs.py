"""A run of one lane's commands (the worker's unit of work): applied in order as if one at a time,
each taking from what the ones before it left, stopped at the first that does not go through.
The Odoo backend takes a run of transfers and consumption in one piece; the sandbox one by one;
both must answer the same."""

from contract_world import World, op

from offline_sync.backends.contract import (
    ConflictKind,
    Consume,
    InventoryBackend,
    ItemLine,
    OutcomeStatus,
    Transfer,
)
from offline_sync.outbox.dispatch import apply_run


def test_a_run_applies_in_order_and_stops_at_the_first_short_command(world: World, backend: InventoryBackend) -> None:
    gtin, ward, store = world.product(), world.location(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 10)
    run = [
        Transfer(op(), ward, store, (ItemLine(gtin, 4, lot),)),
        Consume(op(), ward, (ItemLine(gtin, 3, lot),), reference="CASE-1"),
        Transfer(op(), ward, store, (ItemLine(gtin, 4, lot),)),  # 3 left
        Consume(op(), ward, (ItemLine(gtin, 1, lot),), reference="CASE-2"),  # would fit, but comes after
    ]

    outcomes = apply_run(backend, run)

    assert [outcome.status for outcome in outcomes] == [OutcomeStatus.APPLIED] * 2 + [OutcomeStatus.CONFLICT]
    assert outcomes[2].conflict == ConflictKind.INSUFFICIENT_STOCK
    assert outcomes[0].refs["picking"] != outcomes[1].refs["picking"]
    assert (world.on_hand(gtin, lot, ward), world.on_hand(gtin, lot, store)) == (3, 4)


def test_a_run_with_an_unknown_lot_applies_what_comes_before_it(world: World, backend: InventoryBackend) -> None:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 5)
    run = [
        Consume(op(), ward, (ItemLine(gtin, 2, lot),), reference="CASE-1"),
        Consume(op(), ward, (ItemLine(gtin, 1, "NO-SUCH-LOT"),), reference="CASE-2"),
    ]

    outcomes = apply_run(backend, run)

    assert [outcome.status for outcome in outcomes] == [OutcomeStatus.APPLIED, OutcomeStatus.CONFLICT]
    assert outcomes[1].conflict == ConflictKind.UNKNOWN_LOT
    assert world.on_hand(gtin, lot, ward) == 3


def test_a_run_sent_again_after_it_reached_the_backend_takes_effect_once(world: World, backend: InventoryBackend) -> None:
    gtin, ward, store = world.product(), world.location(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 10)
    first = [Transfer(op(), ward, store, (ItemLine(gtin, 2, lot),)) for _ in range(2)]
    assert [o.status for o in apply_run(backend, first)] == [OutcomeStatus.APPLIED] * 2
    again = [*first, Transfer(op(), ward, store, (ItemLine(gtin, 1, lot),))]  # the worker died before recording

    outcomes = apply_run(world.restarted(), again)

    assert [o.status for o in outcomes] == [OutcomeStatus.DUPLICATE] * 2 + [OutcomeStatus.APPLIED]
    assert (world.on_hand(gtin, lot, ward), world.on_hand(gtin, lot, store)) == (5, 5)
