"""A lot's history (issue 16): where it is now, and every done move of it with Wardstock's marker."""

from contract_world import World, op
from waste_helpers import stocked

from offline_sync.backends.contract import Consume, InventoryBackend, ItemLine, LotMoveKind, Transfer


def test_the_history_holds_the_on_hand_per_location_and_each_move_in_order(world: World, backend: InventoryBackend) -> None:
    gtin, lot, ward = stocked(world)
    theatre = world.location()
    moved = Transfer(op(), ward, theatre, (ItemLine(gtin, 4, lot),))
    used = Consume(op(), theatre, (ItemLine(gtin, 1, lot),), reference="CASE-0042")
    assert backend.transfer(moved).went_through and backend.consume(used).went_through

    history = backend.lot_history(gtin, lot)

    assert sorted(level.quantity for level in history.on_hand) == [3, 6]
    assert {level.lot_id for level in history.on_hand} != {None}
    kinds = [move.kind for move in history.moves]
    assert kinds[-2:] == [LotMoveKind.TRANSFER, LotMoveKind.CONSUMPTION]
    assert LotMoveKind.COUNT in kinds[:-2]  # how the stock was put there
    transfer, consumption = history.moves[-2:]
    assert moved.op_id in transfer.origin and used.op_id in consumption.origin
    assert (transfer.quantity, consumption.quantity) == (4, 1)
    assert transfer.destination_id == consumption.source_id
    assert transfer.date <= consumption.date


def test_an_unknown_lot_has_an_empty_history(world: World, backend: InventoryBackend) -> None:
    gtin = world.product()

    history = backend.lot_history(gtin, world.unique("NOLOT"))

    assert (history.on_hand, history.moves) == ((), ())
