"""The catalog a device keeps offline: products by GTIN-14, lots with expiry, locations, open receipts, stock."""

from contract_world import LABEL_EXPIRY, World, product_id

from offline_sync.backends.contract import InventoryBackend


def test_the_catalog_holds_what_a_device_needs_offline(world: World, backend: InventoryBackend) -> None:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin, LABEL_EXPIRY)
    world.put(gtin, lot, ward, 5)
    receipt = world.receipt(ward, {gtin: 3})

    catalog = backend.catalog()

    product = next(product for product in catalog.products if product.gtin == gtin)
    assert len(product.gtin) == 14 and product.tracked_by_lot and product.uses_expiry
    entry = next(entry for entry in catalog.lots if entry.product_id == product.id and entry.name == lot)
    assert (entry.expiry, entry.recalled) == (LABEL_EXPIRY, False)
    location = next(location for location in catalog.locations if location.barcode == ward)
    assert location.usage == "internal"
    assert (product.id, location.id, entry.id, 5) in {
        (level.product_id, level.location_id, level.lot_id, level.quantity) for level in catalog.stock
    }
    open_receipt = next(candidate for candidate in catalog.receipts if candidate.reference == receipt)
    assert open_receipt.state == "open" and open_receipt.destination_id == location.id
    assert [(line.product_id, line.expected) for line in open_receipt.lines] == [(product_id(catalog, gtin), 3)]


def test_archived_locations_are_left_out(world: World, backend: InventoryBackend) -> None:
    archived = world.location(archived=True)

    assert archived not in {location.barcode for location in backend.catalog().locations}


def test_archived_products_and_locations_leave_at_the_next_incremental_pull(
    world: World, backend: InventoryBackend
) -> None:
    gtin, ward = world.product(), world.location()
    lot = world.lot(gtin)
    full = backend.catalog()
    product, place = product_id(full, gtin), next(loc.id for loc in full.locations if loc.barcode == ward)

    world.archive_product(gtin)
    world.archive_location(ward)
    changed = backend.catalog(full.as_of)
    everything = backend.catalog()

    assert product in changed.removed_products and place in changed.removed_locations
    assert product not in {p.id for p in changed.products} and place not in {loc.id for loc in changed.locations}
    assert lot not in {entry.name for entry in changed.lots if entry.product_id == product}
    assert product not in {p.id for p in everything.products} | {entry.product_id for entry in everything.lots}
    assert ward not in {loc.barcode for loc in everything.locations}
    assert (full.removed_products, full.removed_locations, everything.removed_products) == ((), (), ())


def test_a_product_back_from_the_archive_comes_back_with_its_lots(world: World, backend: InventoryBackend) -> None:
    gtin = world.product()
    lot = world.lot(gtin)
    world.archive_product(gtin)
    archived = backend.catalog()

    world.archive_product(gtin, archived=False)
    restored = backend.catalog(archived.as_of)

    assert gtin not in {p.gtin for p in archived.products}
    product = product_id(restored, gtin)
    assert product not in restored.removed_products
    assert lot in {entry.name for entry in restored.lots if entry.product_id == product}
