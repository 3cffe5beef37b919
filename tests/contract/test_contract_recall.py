"""Recall notices (issue 16): the named lots, or every lot of the product, marked recalled where handhelds see it."""

from contract_world import World, op
from waste_helpers import recalled, stocked

from offline_sync.backends.contract import ConflictKind, Consume, InventoryBackend, ItemLine, OutcomeStatus, Recall


def test_a_recall_marks_the_named_lots_and_no_others(world: World, backend: InventoryBackend) -> None:
    gtin, first, ward = stocked(world)
    second, spared = world.lot(gtin), world.lot(gtin)
    since = world.moment()

    outcome = backend.recall(Recall(op(), gtin, (first, second), "FSN-2026-114: sterility not assured"))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert [recalled(world, gtin, lot, since) for lot in (first, second, spared)] == [True, True, False]
    refused = backend.consume(Consume(op(), ward, (ItemLine(gtin, 1, first),), reference="CASE-7"))
    assert refused.conflict == ConflictKind.EXPIRED_OR_RECALLED, refused.message


def test_a_recall_without_lots_marks_every_lot_of_the_product(world: World, backend: InventoryBackend) -> None:
    gtin, first, _ = stocked(world)
    second = world.lot(gtin)
    since = world.moment()

    outcome = backend.recall(Recall(op(), gtin, (), "FSN-2026-115"))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert recalled(world, gtin, first, since) and recalled(world, gtin, second, since)


def test_a_recall_naming_an_unknown_lot_is_unknown_lot_and_marks_nothing(world: World, backend: InventoryBackend) -> None:
    gtin, known, _ = stocked(world)
    since = world.moment()

    outcome = backend.recall(Recall(op(), gtin, (known, world.unique("NOLOT")), "FSN-2026-116"))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.UNKNOWN_LOT), outcome.message
    assert not recalled(world, gtin, known, since)
