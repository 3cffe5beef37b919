"""A supervisor links a GTIN the inventory does not know to a product as a packaging (a box) of a
number of its units: the catalog names the box with its content at the next pull (incremental
too), a command naming the box counts units, and the same GTIN cannot be linked again otherwise."""

from contract_world import World, op, product_id

from offline_sync.backends.contract import ConflictKind, Consume, InventoryBackend, ItemLine, OutcomeStatus


def test_an_unknown_gtin_linked_as_a_box_of_12_reaches_the_catalog_with_its_content(world: World, backend: InventoryBackend) -> None:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 30)
    box = world.unknown_gtin()
    product = product_id(backend.catalog(), gtin)
    before = world.moment()

    linked = backend.link_gtin(box, product, 12)
    again = backend.link_gtin(box, product, 12)
    otherwise = backend.link_gtin(box, product, 6)
    nothing = backend.link_gtin(world.unknown_gtin(), product, 0)
    used = backend.consume(Consume(op(), ward, (ItemLine(box, 12, lot),)))  # one box scanned: 12 units

    assert (linked.status, again.status) == (OutcomeStatus.APPLIED, OutcomeStatus.DUPLICATE), (linked.message, again.message)
    assert "box of 12" in linked.message and linked.refs["pack_quantity"] == 12
    assert otherwise.conflict == ConflictKind.NOT_PERMITTED and "box of 12" in otherwise.message, otherwise.message
    assert nothing.status == OutcomeStatus.CONFLICT and "more than 0" in nothing.message, nothing.message
    assert used.status == OutcomeStatus.APPLIED, used.message
    assert world.on_hand(gtin, lot, ward) == 18
    entries = {(p.gtin, p.pack_quantity) for p in backend.catalog().products if p.id == product}
    assert entries == {(gtin, 1.0), (box, 12.0)}
    pulled = {(p.gtin, p.pack_quantity) for p in backend.catalog(since=before).products if p.id == product}
    assert (box, 12.0) in pulled  # the next incremental pull shares it with every handheld


def test_a_box_gtin_another_product_holds_is_refused(world: World, backend: InventoryBackend) -> None:
    first, second = world.product(), world.product()
    box = world.unknown_gtin()
    catalog = backend.catalog()
    assert backend.link_gtin(box, product_id(catalog, first), 10).status == OutcomeStatus.APPLIED

    taken = backend.link_gtin(box, product_id(catalog, second), 10)

    assert taken.conflict == ConflictKind.NOT_PERMITTED and "already names" in taken.message, taken.message
