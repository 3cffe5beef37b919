"""The catalog pulled incrementally: only what changed since the last pull's `as_of`."""

from datetime import UTC, date, timedelta

from offline_sync.backends.contract import ItemLine, Receive, Transfer, ValidateReceipt
from offline_sync.backends.sandbox.backend import SandboxBackend

IVC = "05012345100012"
BOX_OF_10_SYRINGES = "15012345100026"


def test_the_full_catalog_holds_the_demo_data_with_gtin14(backend: SandboxBackend) -> None:
    catalog = backend.catalog()

    assert (len(catalog.products), len(catalog.lots), len(catalog.locations), len(catalog.stock)) == (9, 16, 12, 29)  # 12 locations: with the quarantine and scrap ones
    assert IVC in {product.gtin for product in catalog.products}
    assert [receipt.reference for receipt in catalog.receipts] == ["CS/IN/00001"]


def test_a_box_gtin_is_one_more_entry_of_its_product_with_the_units_it_holds(backend: SandboxBackend) -> None:
    """As Odoo's packaging barcodes: the demo syringe's box of 10 has its own GTIN-14."""
    catalog = backend.catalog()

    syringe = [(p.name, p.gtin, p.pack_quantity) for p in catalog.products if p.code == "SYR-10ML"]
    assert syringe == [
        ("Syringe 10 ml Luer lock", "05012345100029", 1.0),
        ("Syringe 10 ml Luer lock", BOX_OF_10_SYRINGES, 10.0),
    ]
    assert {p.pack_quantity for p in catalog.products if p.code != "SYR-10ML"} == {1.0}


def test_a_command_naming_the_box_gtin_moves_the_units_it_says_not_ten_times_more(backend: SandboxBackend) -> None:
    """Quantities in commands are units (the handheld multiplies): the backend never multiplies again."""
    since = backend.catalog().as_of
    outcome = backend.transfer(
        Transfer("op-box", "CS-STOCK", "WARD-3B-SUPPLY", (ItemLine(BOX_OF_10_SYRINGES, 10, "SYR10-2501"),))
    )

    assert outcome.went_through, outcome.message
    locations = {location.id: location.barcode for location in backend.catalog().locations}
    assert sorted((locations[level.location_id], level.quantity) for level in backend.catalog(since).stock) == [
        ("CS-STOCK", 290),
        ("WARD-3B-SUPPLY", 60),
    ]


def test_nothing_changed_gives_an_empty_catalog(backend: SandboxBackend) -> None:
    catalog = backend.catalog(backend.catalog().as_of)

    assert not (catalog.products or catalog.lots or catalog.locations or catalog.receipts or catalog.stock)


def test_a_transfer_sends_only_the_two_quants_it_changed(backend: SandboxBackend) -> None:
    since = backend.catalog().as_of
    backend.transfer(Transfer("op-1", "CS-STOCK", "WARD-3B-SUPPLY", (ItemLine(IVC, 5, "IVC20-C260"),)))

    catalog = backend.catalog(since)

    assert not (catalog.products or catalog.lots or catalog.locations or catalog.receipts)
    locations = {location.id: location.barcode for location in backend.catalog().locations}
    assert sorted((locations[level.location_id], level.quantity) for level in catalog.stock) == [
        ("CS-STOCK", 195),
        ("WARD-3B-SUPPLY", 5),
    ]


def test_an_emptied_quant_is_sent_incrementally_but_left_out_of_the_full_catalog(backend: SandboxBackend) -> None:
    since = backend.catalog().as_of
    backend.transfer(Transfer("op-1", "WARD-ED-RESUS", "WARD-3B-SUPPLY", (ItemLine(IVC, 10, "IVC20-B245"),)))

    emptied = [level for level in backend.catalog(since).stock if level.quantity == 0]

    assert len(emptied) == 1
    assert emptied[0] not in backend.catalog().stock


def test_lots_and_products_changed_by_a_supervisor_are_sent(backend: SandboxBackend) -> None:
    since = backend.catalog().as_of
    backend.set_lot_expiry(IVC, "IVC20-B245", date.today() + timedelta(days=99))
    ivc_id = next(product.id for product in backend.catalog().products if product.gtin == IVC)
    backend.link_gtin("05012345999999", ivc_id)

    catalog = backend.catalog(since.replace(tzinfo=UTC))  # an aware time is read as UTC

    # The product was written (a new GTIN), so all its lots come again: a product back from the archive brings its lots.
    assert {lot.name for lot in catalog.lots} == {"IVC20-A231", "IVC20-B245", "IVC20-C260"}
    assert next(lot.expiry for lot in catalog.lots if lot.name == "IVC20-B245") == date.today() + timedelta(days=99)
    assert {(product.id, product.gtin) for product in catalog.products} == {(ivc_id, IVC), (ivc_id, "05012345999999")}


def test_receipts_that_change_or_close_are_sent_but_only_open_ones_are_in_the_full_catalog(
    backend: SandboxBackend,
) -> None:
    since = backend.catalog().as_of
    backend.receive(
        Receive("op-1", "CS/IN/00001", (ItemLine(IVC, 40, "IVC20-NEW", date.today() + timedelta(days=700)),))
    )
    received = backend.catalog(since).receipts
    backend.validate_receipt(ValidateReceipt("op-2", "CS/IN/00001", backorder=True))

    assert [(receipt.reference, receipt.lines[0].received) for receipt in received] == [("CS/IN/00001", 40)]
    assert {(receipt.reference, receipt.state) for receipt in backend.catalog(since).receipts} == {
        ("CS/IN/00001", "done"),
        ("CS/IN/00002", "open"),
    }
    assert [receipt.reference for receipt in backend.catalog().receipts] == ["CS/IN/00002"]
