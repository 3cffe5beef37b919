"""Count as of its capture (issue 19, item 2): a move captured before a count is on the shelf the counter
saw, whenever it reaches the backend. Named in `Count.captured_before`, it is never added to the count."""
from dataclasses import replace

from contract_world import World, op

from offline_sync.backends.contract import ConflictKind, Count, InventoryBackend, ItemLine, OutcomeStatus, Transfer


def _bay_with_a_late_transfer(world: World, backend: InventoryBackend) -> tuple[str, str, str, str, Count]:
    """8 gloves in a bay; 3 more transferred in *after* the moment the bay is counted (11 counted, 8 seen),
    as a sync backlog brings a transfer made a second before the count."""
    gtin, store, bay = world.product(), world.location(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, store, 30)
    world.put(gtin, lot, bay, 8)
    counted_at = world.moment()
    transfer = op()
    assert backend.transfer(Transfer(transfer, store, bay, (ItemLine(gtin, 3, lot),))).status == OutcomeStatus.APPLIED
    return gtin, lot, bay, transfer, Count(op(), bay, gtin, lot, 11, counted_at, seen_on_hand=8)


def test_a_transfer_captured_before_the_count_is_not_added_to_it(world: World, backend: InventoryBackend) -> None:
    gtin, lot, bay, transfer, count = _bay_with_a_late_transfer(world, backend)

    outcome = backend.count(replace(count, captured_before=frozenset({transfer})))

    if outcome.status == OutcomeStatus.CONFLICT:  # the counter saw 8 before the backlog arrived: a person may look
        assert outcome.conflict == ConflictKind.COUNT_OVERTAKEN
        assert (outcome.detail["net_moves_since"], outcome.detail["count_as_of"]) == (0, 11)
    else:
        assert outcome.status == OutcomeStatus.APPLIED, outcome.message
        assert world.on_hand(gtin, lot, bay) == 11


def test_a_move_not_captured_before_the_count_is_added_as_before(world: World, backend: InventoryBackend) -> None:
    _, _, _, _, count = _bay_with_a_late_transfer(world, backend)  # the transfer is not named: it came after

    outcome = backend.count(count)

    assert outcome.conflict == ConflictKind.COUNT_OVERTAKEN
    assert (outcome.detail["net_moves_since"], outcome.detail["count_as_of"]) == (3, 14)
