"""A later scan without an expiry never blanks (nor replaces) an expiry already known: a new lot's
boxes received in two commands onto one open receipt, the first label with its expiry (AI 17), the
second read without it (a worn label, a scanner that dropped the date). Odoo creates the lot only
at validation, from the receipt's lines, so the second line must not stand for "no date"."""

from contract_world import LABEL_EXPIRY, World, op, product_id

from offline_sync.backends.contract import (
    ConflictKind,
    InventoryBackend,
    ItemLine,
    OutcomeStatus,
    Receive,
    ValidateReceipt,
)


def _expiry(backend: InventoryBackend, gtin: str, lot: str):
    catalog = backend.catalog()
    return next(entry.expiry for entry in catalog.lots if entry.product_id == product_id(catalog, gtin) and entry.name == lot)


def test_a_second_box_of_a_new_lot_without_expiry_keeps_the_first_labels_date(world: World, backend: InventoryBackend) -> None:
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 10})
    lot = world.unique("LOT")

    first = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 6, lot, LABEL_EXPIRY),)))
    later = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 4, lot, None),)))
    done = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=False))

    assert [o.status for o in (first, later, done)] == [OutcomeStatus.APPLIED] * 3, [o.message for o in (first, later, done)]
    assert world.on_hand(gtin, lot, store) == 10
    assert _expiry(backend, gtin, lot) == LABEL_EXPIRY


def test_a_later_box_of_a_new_lot_with_another_date_is_a_conflict_not_a_silent_change(world: World, backend: InventoryBackend) -> None:
    """The first box read without its date gives the new lot the product's default date (at once in the
    sandbox, at validation in Odoo); a later label with another date is for a supervisor to decide, and
    "the label's date is right" holds whether or not the receipt was validated yet."""
    gtin, store = world.product(), world.location()
    receipt = world.receipt(store, {gtin: 10})
    lot = world.unique("LOT")

    first = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 4, lot, None),)))
    later = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 6, lot, LABEL_EXPIRY),)))
    assert first.status == OutcomeStatus.APPLIED, first.message
    assert later.conflict == ConflictKind.EXPIRY_MISMATCH, later.message
    assert later.detail["recorded_expiry"] != LABEL_EXPIRY.isoformat() and later.detail["label_expiry"] == LABEL_EXPIRY.isoformat()

    decided = backend.set_lot_expiry(gtin, lot, LABEL_EXPIRY)  # the supervisor: the label is right
    again = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 6, lot, LABEL_EXPIRY),)))
    done = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=False))

    assert [o.status for o in (decided, again, done)] == [OutcomeStatus.APPLIED] * 3, [o.message for o in (decided, again, done)]
    assert world.on_hand(gtin, lot, store) == 10
    assert _expiry(backend, gtin, lot) == LABEL_EXPIRY


def test_an_existing_lot_received_without_expiry_keeps_its_date(world: World, backend: InventoryBackend) -> None:
    gtin, store = world.product(), world.location()
    lot = world.lot(gtin, LABEL_EXPIRY)
    receipt = world.receipt(store, {gtin: 3})

    received = backend.receive(Receive(op(), receipt, (ItemLine(gtin, 3, lot, None),)))
    done = backend.validate_receipt(ValidateReceipt(op(), receipt, backorder=False))
    again = backend.create_lot(gtin, lot, None)  # "create the lot" for a label without a date: it exists, dated

    assert (received.status, done.status) == (OutcomeStatus.APPLIED, OutcomeStatus.APPLIED), (received.message, done.message)
    assert again.status == OutcomeStatus.DUPLICATE, again.message
    assert _expiry(backend, gtin, lot) == LABEL_EXPIRY
