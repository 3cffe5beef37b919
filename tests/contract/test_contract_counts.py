"""Counts: applied when nothing moved since, parked as count_overtaken otherwise, then resolved."""

import pytest
from contract_world import World, op

from offline_sync.backends.contract import (
    ConflictKind,
    Consume,
    Count,
    CountResolution,
    InventoryBackend,
    ItemLine,
    OutcomeStatus,
    ResolveCount,
)


@pytest.fixture
def stocked(world: World) -> tuple[str, str, str]:
    """A ward location holding 10 of a lot of a new product: (gtin, lot, location)."""
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 10)
    return gtin, lot, ward


def test_a_count_sets_the_on_hand_and_is_found_by_its_reference(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked
    op_id = op()

    outcome = backend.count(Count(op_id, ward, gtin, lot, 8, world.moment(), seen_on_hand=10))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["reference"].startswith("COUNT-") and op_id in outcome.refs["reference"]
    assert world.on_hand(gtin, lot, ward) == 8


@pytest.mark.parametrize("counted", [0, 10, 13.5])
def test_a_blind_count_applies_any_figure(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str], counted: float
) -> None:
    gtin, lot, ward = stocked

    assert backend.count(Count(op(), ward, gtin, lot, counted, world.moment())).status == OutcomeStatus.APPLIED

    assert world.on_hand(gtin, lot, ward) == counted


def test_a_lot_found_where_the_ledger_has_none_is_counted_in(world: World, backend: InventoryBackend) -> None:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin)

    assert (
        backend.count(Count(op(), ward, gtin, lot, 6, world.moment(), seen_on_hand=0)).status == OutcomeStatus.APPLIED
    )

    assert world.on_hand(gtin, lot, ward) == 6


def test_moves_before_the_count_do_not_overtake_it(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked
    backend.consume(Consume(op(), ward, (ItemLine(gtin, 2, lot),)))
    captured_at = world.moment()

    assert backend.count(Count(op(), ward, gtin, lot, 7, captured_at)).status == OutcomeStatus.APPLIED

    assert world.on_hand(gtin, lot, ward) == 7


def _overtaken(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str], seen: float | None = 10
) -> Count:
    """Counted 9 while 10 were on hand; then 3 were used before the count reached the backend."""
    gtin, lot, ward = stocked
    count = Count(op(), ward, gtin, lot, 9, world.moment(), seen_on_hand=seen)
    assert backend.consume(Consume(op(), ward, (ItemLine(gtin, 3, lot),))).status == OutcomeStatus.APPLIED
    return count


@pytest.mark.parametrize("seen", [10, None], ids=["seen-on-hand", "blind"])
def test_a_count_overtaken_by_a_later_move_is_a_conflict(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str], seen: float | None
) -> None:
    gtin, lot, ward = stocked
    count = _overtaken(world, backend, stocked, seen)

    outcome = backend.count(count)

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.COUNT_OVERTAKEN)
    assert (outcome.detail["counted"], outcome.detail["on_hand_now"], outcome.detail["net_moves_since"]) == (9, 7, -3)
    assert world.on_hand(gtin, lot, ward) == 7


def test_a_count_that_saw_another_on_hand_is_a_conflict(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked

    outcome = backend.count(Count(op(), ward, gtin, lot, 9, world.moment(), seen_on_hand=12))

    assert outcome.conflict == ConflictKind.COUNT_OVERTAKEN
    assert outcome.detail["on_hand_now"] == 10
    assert world.on_hand(gtin, lot, ward) == 10


@pytest.mark.parametrize(
    ("resolution", "quantity", "expected"),
    [
        (CountResolution.KEEP_COUNTED, None, 9),  # the figure counted
        (CountResolution.KEEP_DIFFERENCE, None, 6),  # now 7, and the count found 1 fewer than the 10 seen
        (CountResolution.EXPLICIT, 4, 4),
    ],
)
def test_each_resolution_of_an_overtaken_count(
    world: World,
    backend: InventoryBackend,
    stocked: tuple[str, str, str],
    resolution: CountResolution,
    quantity: float | None,
    expected: float,
) -> None:
    gtin, lot, ward = stocked
    count = _overtaken(world, backend, stocked)
    backend.count(count)

    outcome = backend.resolve_count(ResolveCount(count.op_id, count, resolution, quantity))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert count.op_id in outcome.refs["reference"]
    assert world.on_hand(gtin, lot, ward) == expected
    assert (
        backend.resolve_count(ResolveCount(count.op_id, count, resolution, quantity)).status == OutcomeStatus.DUPLICATE
    )
    assert backend.count(count).status == OutcomeStatus.DUPLICATE  # the parked count, re-sent, finds its resolution
    assert world.on_hand(gtin, lot, ward) == expected


def test_keeping_a_difference_that_would_leave_negative_stock_is_refused(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked
    count = Count(op(), ward, gtin, lot, 1, world.moment(), seen_on_hand=10)  # 9 fewer than seen
    backend.consume(Consume(op(), ward, (ItemLine(gtin, 5, lot),)))

    outcome = backend.resolve_count(ResolveCount(count.op_id, count, CountResolution.KEEP_DIFFERENCE))

    assert outcome.conflict == ConflictKind.COUNT_OVERTAKEN
    assert world.on_hand(gtin, lot, ward) == 5


def test_a_count_of_an_unknown_lot_is_an_unknown_lot(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str]
) -> None:
    gtin, _, ward = stocked

    outcome = backend.count(Count(op(), ward, gtin, world.unique("NO-SUCH-LOT"), 1, world.moment()))

    assert outcome.conflict == ConflictKind.UNKNOWN_LOT


def test_a_count_at_an_archived_location_is_location_unknown(world: World, backend: InventoryBackend) -> None:
    gtin = world.product()

    outcome = backend.count(Count(op(), world.location(archived=True), gtin, world.lot(gtin), 1, world.moment()))

    assert outcome.conflict == ConflictKind.LOCATION_UNKNOWN
