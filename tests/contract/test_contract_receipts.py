"""Receiving: lines onto an open receipt, validation with and without backorder, unplanned receipts."""

from datetime import timedelta

from contract_world import LABEL_EXPIRY, TODAY, World, op, open_receipt, product_id, receipt_line

from offline_sync.backends.contract import (
    ConflictKind,
    InventoryBackend,
    ItemLine,
    OutcomeStatus,
    Receive,
    UnplannedReceipt,
    ValidateReceipt,
)


def test_received_lines_are_marked_on_the_receipt_but_not_on_hand_before_validation(
    world: World, backend: InventoryBackend
) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 10})
    lot = world.unique("LOT")

    outcome = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 6, lot, LABEL_EXPIRY),)))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["picking"] == receipt and outcome.refs["picking_id"]
    line = receipt_line(backend, receipt, gtin)
    assert (line.expected, line.received) == (10, 6)
    assert world.on_hand(gtin, lot, store) == 0


def test_a_complete_receipt_puts_the_lots_on_hand_with_the_label_expiry(
    world: World, backend: InventoryBackend
) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 10})
    first, second = world.unique("LOT"), world.unique("LOT")
    other_expiry = LABEL_EXPIRY + timedelta(days=30)
    backend.receive(
        Receive(op(), receipt, (ItemLine(gtin, 4, first, LABEL_EXPIRY), ItemLine(gtin, 6, second, other_expiry)))
    )

    outcome = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=True))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["picking"] == receipt and "backorder" not in outcome.refs
    assert (world.on_hand(gtin, first, store), world.on_hand(gtin, second, store)) == (4, 6)
    catalog = backend.catalog()
    expiries = {lot.name: lot.expiry for lot in catalog.lots if lot.product_id == product_id(catalog, gtin)}
    assert expiries == {first: LABEL_EXPIRY, second: other_expiry}
    assert open_receipt(backend, receipt) is None


def test_a_partial_receipt_with_backorder_leaves_the_rest_on_a_new_open_receipt(
    world: World, backend: InventoryBackend
) -> None:
    came, missing, store = world.product(), world.product(), world.location()
    receipt = world.receipt(store, {came: 10, missing: 5})
    lot = world.unique("LOT")
    backend.receive(Receive(op(), receipt, (ItemLine(came, 6, lot, LABEL_EXPIRY),)))

    outcome = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=True))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    backorder = outcome.refs["backorder"]
    assert backorder != receipt and open_receipt(backend, receipt) is None
    assert (receipt_line(backend, backorder, came).expected, receipt_line(backend, backorder, came).received) == (4, 0)
    assert receipt_line(backend, backorder, missing).expected == 5
    assert world.on_hand(came, lot, store) == 6


def test_a_partial_receipt_without_backorder_drops_the_rest(world: World, backend: InventoryBackend) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 10})
    lot = world.unique("LOT")
    backend.receive(Receive(op(), receipt, (ItemLine(gtin, 6, lot, LABEL_EXPIRY),)))

    outcome = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=False))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert "backorder" not in outcome.refs
    catalog = backend.catalog()
    assert not [
        r
        for r in catalog.receipts
        if r.reference == receipt or any(line.product_id == product_id(catalog, gtin) for line in r.lines)
    ]
    assert world.on_hand(gtin, lot, store) == 6


def test_more_than_ordered_is_received(world: World, backend: InventoryBackend) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 10})
    lot = world.unique("LOT")

    backend.receive(Receive(op(), receipt, (ItemLine(gtin, 12, lot, LABEL_EXPIRY),)))
    outcome = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=True))

    assert outcome.status == OutcomeStatus.APPLIED and "backorder" not in outcome.refs
    assert world.on_hand(gtin, lot, store) == 12


def test_an_existing_lot_received_with_its_own_expiry_adds_to_its_stock(
    world: World, backend: InventoryBackend
) -> None:
    gtin, store = world.product(), world.location()
    lot = world.lot(gtin, LABEL_EXPIRY)
    world.put(gtin, lot, store, 3)
    receipt = world.receipt(store, {gtin: 5})

    backend.receive(Receive(op(), receipt, (ItemLine(gtin, 5, lot, LABEL_EXPIRY),)))
    backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=False))

    assert world.on_hand(gtin, lot, store) == 8


def test_an_existing_lot_with_another_expiry_on_the_label_is_a_conflict(
    world: World, backend: InventoryBackend
) -> None:
    gtin, store = world.product(), world.location()
    lot = world.lot(gtin, LABEL_EXPIRY)
    receipt = world.receipt(store, {gtin: 5})
    label = LABEL_EXPIRY + timedelta(days=1)

    outcome = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 5, lot, label),)))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.EXPIRY_MISMATCH)
    assert lot in outcome.message
    assert receipt_line(backend, receipt, gtin).received == 0


def test_a_refused_line_refuses_the_whole_command(world: World, backend: InventoryBackend) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 5})

    outcome = backend.receive(
        Receive(
            op(), receipt, (ItemLine(gtin, 5, world.unique("LOT"), LABEL_EXPIRY), ItemLine(world.unknown_gtin(), 1))
        )
    )

    assert outcome.conflict == ConflictKind.UNKNOWN_PRODUCT
    assert receipt_line(backend, receipt, gtin).received == 0


def test_an_unknown_gtin_is_an_unknown_product(world: World, backend: InventoryBackend) -> None:
    store = world.location()
    receipt = world.receipt(store, {world.product(): 5})
    unknown = world.unknown_gtin()

    outcome = backend.receive(Receive(op(), receipt, (ItemLine(unknown, 5, world.unique("LOT"), LABEL_EXPIRY),)))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.UNKNOWN_PRODUCT)
    assert unknown in outcome.message


def test_a_lot_tracked_product_received_without_lot_is_an_unknown_lot(world: World, backend: InventoryBackend) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 5})

    outcome = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 5),)))

    assert outcome.conflict == ConflictKind.UNKNOWN_LOT


def test_receiving_onto_a_validated_receipt_is_receipt_closed(world: World, backend: InventoryBackend) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 5})
    backend.receive(Receive(op(), receipt, (ItemLine(gtin, 5, world.unique("LOT"), LABEL_EXPIRY),)))
    backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=False))
    lot = world.unique("LOT")

    outcome = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 1, lot, LABEL_EXPIRY),)))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.RECEIPT_CLOSED)
    assert receipt in outcome.message
    assert world.on_hand(gtin, lot, store) == 0


def test_an_unknown_receipt_is_receipt_closed(world: World, backend: InventoryBackend) -> None:
    gtin = world.product()

    outcome = backend.receive(
        Receive(op(), world.unique("NO/SUCH"), (ItemLine(gtin, 1, world.unique("LOT"), LABEL_EXPIRY),))
    )

    assert outcome.conflict == ConflictKind.RECEIPT_CLOSED


def test_validating_a_receipt_another_command_validated_is_receipt_closed(
    world: World, backend: InventoryBackend
) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 5})
    backend.receive(Receive(op(), receipt, (ItemLine(gtin, 2, world.unique("LOT"), LABEL_EXPIRY),)))
    first = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=True))

    outcome = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=True))

    assert (outcome.status, outcome.conflict) == (OutcomeStatus.CONFLICT, ConflictKind.RECEIPT_CLOSED)
    assert first.refs["backorder"] in outcome.message  # where the goods can go instead


def test_validating_a_receipt_with_nothing_received_is_refused(world: World, backend: InventoryBackend) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 5})

    outcome = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=True))

    assert outcome.status == OutcomeStatus.CONFLICT
    assert open_receipt(backend, receipt) is not None


def test_an_unplanned_receipt_puts_the_goods_on_hand_at_once(world: World, backend: InventoryBackend) -> None:
    tracked, untracked, store = world.product(), world.product(tracked=False), world.location()
    lot = world.unique("LOT")

    outcome = backend.unplanned_receipt(
        UnplannedReceipt(op(), store, (ItemLine(tracked, 7, lot, LABEL_EXPIRY), ItemLine(untracked, 3)))
    )

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert outcome.refs["picking"] and outcome.refs["picking_id"]
    assert (world.on_hand(tracked, lot, store), world.on_hand(untracked, None, store)) == (7, 3)
    assert open_receipt(backend, outcome.refs["picking"]) is None


def test_an_unplanned_receipt_into_an_unknown_location_is_location_unknown(
    world: World, backend: InventoryBackend
) -> None:
    gtin = world.product()

    outcome = backend.unplanned_receipt(
        UnplannedReceipt(op(), world.unique("NO-SUCH-LOC"), (ItemLine(gtin, 1, world.unique("LOT"), TODAY),))
    )

    assert outcome.conflict == ConflictKind.LOCATION_UNKNOWN
