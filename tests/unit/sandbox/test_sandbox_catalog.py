"""The catalog pulled incrementally: only what changed since the last pull's `as_of`."""

from datetime import UTC, date, timedelta

from offline_sync.backends.contract import ItemLine, Receive, Transfer, ValidateReceipt
from offline_sync.backends.sandbox.backend import SandboxBackend

IVC = "05012345100012"


def test_the_full_catalog_holds_the_demo_data_with_gtin14(backend: SandboxBackend) -> None:
    catalog = backend.catalog()

    assert (len(catalog.products), len(catalog.lots), len(catalog.locations), len(catalog.stock)) == (8, 16, 10, 29)
    assert IVC in {product.gtin for product in catalog.products}
    assert [receipt.reference for receipt in catalog.receipts] == ["CS/IN/00001"]


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

    assert [lot.name for lot in catalog.lots] == ["IVC20-B245"]
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
