"""Stock leaving a location: transfers and consumption share their rules, so each test runs on both."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from contract_world import TODAY, World, op

from offline_sync.backends.contract import (
    ConflictKind,
    Consume,
    InventoryBackend,
    ItemLine,
    Outcome,
    OutcomeStatus,
    Overrides,
    Transfer,
)

Issue = Callable[..., Outcome]  # (source location, lines, overrides=NO_OVERRIDES) → outcome
NO_OVERRIDES = Overrides()


@pytest.fixture(params=["transfer", "consume"])
def issue(request: pytest.FixtureRequest, world: World, backend: InventoryBackend) -> Issue:
    if request.param == "transfer":
        destination = world.location()
        return lambda source, lines, overrides=NO_OVERRIDES: backend.transfer(
            Transfer(op(), source, destination, lines, overrides)
        )
    return lambda source, lines, overrides=NO_OVERRIDES: backend.consume(
        Consume(op(), source, lines, reference="CASE-0042", overrides=overrides)
    )


@pytest.fixture
def stocked(world: World) -> tuple[str, str, str]:
    """A ward location holding 10 of a lot of a new product: (gtin, lot, location)."""
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 10)
    return gtin, lot, ward


def test_a_transfer_moves_the_scanned_lot(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked
    destination = world.location()

    outcome = backend.transfer(Transfer(op(), ward, destination, (ItemLine(gtin, 4, lot),)))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["picking"] and outcome.refs["picking_id"]
    assert (world.on_hand(gtin, lot, ward), world.on_hand(gtin, lot, destination)) == (6, 4)


def test_consumption_takes_the_scanned_lot_off_hand(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked

    outcome = backend.consume(Consume(op(), ward, (ItemLine(gtin, 3, lot),), reference="CASE-0042"))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["picking"] and outcome.refs["picking_id"]
    assert world.on_hand(gtin, lot, ward) == 7


def test_the_scanned_lot_is_taken_even_if_another_expires_sooner(world: World, issue: Issue) -> None:
    gtin, ward = world.product(), world.location()
    sooner, later = world.lot(gtin, TODAY + timedelta(days=5)), world.lot(gtin, TODAY + timedelta(days=500))
    world.put(gtin, sooner, ward, 5)
    world.put(gtin, later, ward, 5)

    assert issue(ward, (ItemLine(gtin, 2, later),)).status == OutcomeStatus.APPLIED

    assert (world.on_hand(gtin, sooner, ward), world.on_hand(gtin, later, ward)) == (5, 3)


def test_taking_more_than_on_hand_is_refused_instead_of_going_negative(
    world: World, issue: Issue, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked

    outcome = issue(ward, (ItemLine(gtin, 11, lot),))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.INSUFFICIENT_STOCK)
    assert (outcome.detail["on_hand"], outcome.detail["requested"]) == (10, 11)
    assert world.on_hand(gtin, lot, ward) == 10


def test_lines_of_the_same_lot_are_added_up_before_checking_the_on_hand(
    world: World, issue: Issue, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked

    outcome = issue(ward, (ItemLine(gtin, 6, lot), ItemLine(gtin, 6, lot)))

    assert outcome.conflict == ConflictKind.INSUFFICIENT_STOCK
    assert outcome.detail["requested"] == 12
    assert world.on_hand(gtin, lot, ward) == 10


def test_a_lot_with_no_stock_at_the_source_is_insufficient(world: World, issue: Issue) -> None:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin)

    outcome = issue(ward, (ItemLine(gtin, 1, lot),))

    assert outcome.conflict == ConflictKind.INSUFFICIENT_STOCK
    assert outcome.detail["on_hand"] == 0


def test_a_refused_line_leaves_the_other_lines_untouched(
    world: World, issue: Issue, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked

    outcome = issue(ward, (ItemLine(gtin, 2, lot), ItemLine(gtin, 1, world.unique("NO-SUCH-LOT"))))

    assert outcome.conflict == ConflictKind.UNKNOWN_LOT
    assert world.on_hand(gtin, lot, ward) == 10


@pytest.mark.parametrize("lot", ["unknown", "missing"])
def test_an_unknown_or_missing_lot_is_an_unknown_lot(
    world: World, issue: Issue, stocked: tuple[str, str, str], lot: str
) -> None:
    gtin, _, ward = stocked
    scanned = world.unique("NO-SUCH-LOT") if lot == "unknown" else None

    outcome = issue(ward, (ItemLine(gtin, 1, scanned),))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.UNKNOWN_LOT)


def test_an_unknown_product_is_refused(world: World, issue: Issue, stocked: tuple[str, str, str]) -> None:
    _, _, ward = stocked

    outcome = issue(ward, (ItemLine(world.unknown_gtin(), 1, "ANY"),))

    assert outcome.conflict == ConflictKind.UNKNOWN_PRODUCT


def test_a_product_without_lots_moves_without_one(world: World, issue: Issue) -> None:
    gtin, ward = world.product(tracked=False), world.location()
    world.put(gtin, None, ward, 4)

    assert issue(ward, (ItemLine(gtin, 4),)).status == OutcomeStatus.APPLIED

    assert world.on_hand(gtin, None, ward) == 0


@pytest.mark.parametrize("days", [-1, -400])
def test_an_expired_lot_cannot_be_used(world: World, issue: Issue, days: int) -> None:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin, TODAY + timedelta(days=days))
    world.put(gtin, lot, ward, 5)

    outcome = issue(ward, (ItemLine(gtin, 1, lot),))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.EXPIRED_OR_RECALLED)
    assert lot in outcome.message
    assert world.on_hand(gtin, lot, ward) == 5


def test_a_lot_expiring_today_can_still_be_used(world: World, issue: Issue) -> None:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin, date.today())  # today as the test runs, not as the run started (midnight)
    world.put(gtin, lot, ward, 5)

    assert issue(ward, (ItemLine(gtin, 1, lot),)).status == OutcomeStatus.APPLIED


def test_a_recalled_lot_cannot_be_used(world: World, issue: Issue, stocked: tuple[str, str, str]) -> None:
    gtin, lot, ward = stocked
    world.recall(gtin, lot)

    outcome = issue(ward, (ItemLine(gtin, 1, lot),))

    assert outcome.conflict == ConflictKind.EXPIRED_OR_RECALLED
    assert world.on_hand(gtin, lot, ward) == 10


@pytest.mark.parametrize("where", ["unknown", "archived"])
def test_an_unknown_or_archived_source_is_location_unknown(world: World, issue: Issue, where: str) -> None:
    gtin = world.product()
    lot = world.lot(gtin)
    source = world.unique("NO-SUCH-LOC") if where == "unknown" else world.location(archived=True)

    outcome = issue(source, (ItemLine(gtin, 1, lot),))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.LOCATION_UNKNOWN)
    assert source in outcome.message


def test_an_archived_destination_is_location_unknown(
    world: World, backend: InventoryBackend, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked

    outcome = backend.transfer(Transfer(op(), ward, world.location(archived=True), (ItemLine(gtin, 1, lot),)))

    assert outcome.conflict == ConflictKind.LOCATION_UNKNOWN
    assert world.on_hand(gtin, lot, ward) == 10


def test_a_supervisor_may_allow_the_stock_to_go_negative(
    world: World, issue: Issue, stocked: tuple[str, str, str]
) -> None:
    gtin, lot, ward = stocked

    outcome = issue(ward, (ItemLine(gtin, 12, lot),), Overrides(allow_negative_stock=True))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert world.on_hand(gtin, lot, ward) == -2


def test_a_supervisor_may_allow_an_expired_or_recalled_lot(world: World, issue: Issue) -> None:
    gtin, ward = world.product(), world.location()
    expired, recalled = world.lot(gtin, TODAY - timedelta(days=3)), world.lot(gtin)
    world.recall(gtin, recalled)
    world.put(gtin, expired, ward, 5)
    world.put(gtin, recalled, ward, 5)

    outcome = issue(ward, (ItemLine(gtin, 1, expired), ItemLine(gtin, 1, recalled)), Overrides(allow_unusable_lot=True))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert (world.on_hand(gtin, expired, ward), world.on_hand(gtin, recalled, ward)) == (4, 4)


def test_one_override_does_not_lift_the_other_check(world: World, issue: Issue) -> None:
    gtin, ward = world.product(), world.location()
    expired = world.lot(gtin, TODAY - timedelta(days=3))
    world.put(gtin, expired, ward, 5)

    assert issue(ward, (ItemLine(gtin, 6, expired),), Overrides(allow_unusable_lot=True)).conflict == (
        ConflictKind.INSUFFICIENT_STOCK
    )
    assert issue(ward, (ItemLine(gtin, 1, expired),), Overrides(allow_negative_stock=True)).conflict == (
        ConflictKind.EXPIRED_OR_RECALLED
    )
