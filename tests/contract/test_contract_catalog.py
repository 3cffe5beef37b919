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
