"""The catalog pull against a fake Odoo: one call per model, GTIN-14 per barcode and packaging,
recall markers, and an incremental pull driven by the moves written since (empty quants included)."""

from datetime import datetime, timedelta
from typing import Any

from odoo_fakes import (
    CONSUMED_ID,
    FRESH,
    STORE_ID,
    WARD_ID,
    FakeOdoo,
    backend_on,
    location_row,
    lot_row,
    product_row,
    records,
    store,
)

from offline_sync.backends.contract import (
    Location,
    Lot,
    ParLevel,
    Receipt,
    ReceiptLine,
    Replenishment,
    ReplenishmentLine,
    StockLevel,
)
from offline_sync.backends.odoo.conventions import RECALL_NOTE

SINCE = datetime(2026, 11, 22, 10, 0, 0)


def catalog_odoo(moves: list[dict[str, Any]] | None = None, version: str = "17.0") -> FakeOdoo:
    fake = store(FakeOdoo(version))
    fake.answer(
        "product.product",
        "web_search_read",
        records(
            [product_row(7, "5012345100012", packagings=(("15012345100019", 10.0),)), product_row(8, "INTERNAL-1")]
        ),
    )
    fake.answer(
        "stock.lot", "web_search_read", records([lot_row(50, "L1", FRESH), lot_row(51, "L2", FRESH, note=RECALL_NOTE)])
    )
    fake.answer(
        "stock.location",
        "web_search_read",
        records(
            [location_row(WARD_ID, "WARD-3B"), {**location_row(CONSUMED_ID, "", usage="inventory"), "barcode": False}]
        ),
    )
    receipt = {
        "id": 5,
        "name": "WH/IN/00005",
        "state": "assigned",
        "picking_type_code": "incoming",
        "location_id": 4,
        "location_dest_id": STORE_ID,
        "move_ids": [
            {"product_id": 7, "product_uom_qty": 10, "quantity": 4, "picked": True, "state": "assigned", "move_line_ids": []},
            {"product_id": 8, "product_uom_qty": 5, "quantity": 5, "picked": False, "state": "assigned", "move_line_ids": []},
            {"product_id": 8, "product_uom_qty": 2, "quantity": 0, "picked": False, "state": "cancel", "move_line_ids": []},
        ],
    }
    picked_line = {"quantity": 3, "picked": True, "lot_id": {"id": 50, "name": "L1"}}
    reserved_line = {"quantity": 5, "picked": False, "lot_id": {"id": 51, "name": "L2"}}
    replenishment = {
        "id": 6,
        "name": "WH/INT/00006",
        "state": "assigned",
        "picking_type_code": "internal",
        "location_id": STORE_ID,
        "location_dest_id": WARD_ID,
        "move_ids": [
            {"product_id": 7, "product_uom_qty": 8, "quantity": 8, "picked": True, "state": "assigned",
             "move_line_ids": [picked_line, reserved_line]},
            {"product_id": 8, "product_uom_qty": 4, "quantity": 0, "picked": False, "state": "confirmed", "move_line_ids": []},
        ],
    }
    fake.answer("stock.picking", "web_search_read", records([receipt, replenishment]))
    fake.answer("stock.warehouse.orderpoint", "web_search_read", records(
        [{"id": 1, "product_id": 7, "location_id": WARD_ID, "product_min_qty": 4, "product_max_qty": 20}]))
    quants = [
        {"product_id": 7, "location_id": WARD_ID, "lot_id": 50, "quantity": 3},
        {"product_id": 7, "location_id": WARD_ID, "lot_id": 50, "quantity": 2},  # another package
        {"product_id": 7, "location_id": STORE_ID, "lot_id": 51, "quantity": 9},
    ]
    fake.answer("stock.quant", "web_search_read", records(quants))
    fake.answer("stock.move", "web_search_read", records(moves or []))
    return fake


def test_a_full_pull_is_one_call_per_model() -> None:
    fake = catalog_odoo()
    backend = backend_on(fake)
    backend.session().directory.operation_types()
    fake.calls.clear()

    catalog = backend.catalog()

    assert fake.methods() == [
        "product.product.web_search_read",
        "stock.lot.web_search_read",
        "stock.location.web_search_read",
        "stock.picking.web_search_read",
        "stock.quant.web_search_read",
        "stock.warehouse.orderpoint.web_search_read",
    ]
    assert catalog.par_levels == (ParLevel(7, WARD_ID, 4, 20),)
    assert catalog.replenishments == (  # the reserved, unpicked lot is not picked
        Replenishment(6, "WH/INT/00006", "open", STORE_ID, WARD_ID,
                      (ReplenishmentLine(7, 8, 3, (("L1", 3),)), ReplenishmentLine(8, 4, 0))),
    )
    assert ("location_id", "in", [STORE_ID]) in fake.args_of("stock.picking", "web_search_read")[0]
    assert [(p.id, p.gtin, p.pack_quantity) for p in catalog.products] == [
        (7, "05012345100012", 1),
        (7, "15012345100019", 10),
        (8, "", 1),
    ]
    assert catalog.lots == (Lot(50, 7, "L1", FRESH, False), Lot(51, 7, "L2", FRESH, True))
    assert catalog.locations == (
        Location(WARD_ID, "WARD-3B", "WH/WARD-3B", 8, "internal"),
        Location(CONSUMED_ID, "", "WH/", 8, "consumption"),
    )
    assert catalog.receipts == (
        Receipt(5, "WH/IN/00005", "open", STORE_ID, (ReceiptLine(7, 10, 4), ReceiptLine(8, 5, 0))),
    )
    assert catalog.stock == (StockLevel(7, STORE_ID, 51, 9), StockLevel(7, WARD_ID, 50, 5))
    assert fake.args_of("product.product", "web_search_read")[0] == [("detailed_type", "=", "product")]


def test_an_incremental_pull_with_nothing_changed_is_five_calls() -> None:
    fake = catalog_odoo()
    backend = backend_on(fake)
    backend.session().directory.operation_types()
    fake.calls.clear()
    for model in ("product.product", "stock.lot", "stock.location", "stock.warehouse.orderpoint"):
        fake.answer(model, "web_search_read", records([]))

    catalog = backend.catalog(SINCE)

    assert fake.methods() == [
        "product.product.web_search_read",
        "stock.lot.web_search_read",
        "stock.location.web_search_read",
        "stock.move.web_search_read",
        "stock.warehouse.orderpoint.web_search_read",
    ]
    assert (catalog.products, catalog.lots, catalog.locations, catalog.receipts, catalog.stock) == ((), (), (), (), ())
    assert (catalog.par_levels, catalog.replenishments) == ((), ())
    stamp = (SINCE - timedelta(seconds=30)).strftime("%Y-%m-%d %H:%M:%S")
    assert fake.args_of("product.product", "web_search_read")[0][1:] == [
        "|",
        "|",
        ("write_date", ">=", stamp),
        ("product_tmpl_id.write_date", ">=", stamp),
        ("packaging_ids.write_date", ">=", stamp),
    ]


def test_an_incremental_pull_sends_what_moves_touched_even_when_it_emptied() -> None:
    moved = {
        "state": "done",
        "picking_id": {"id": 5, "picking_type_code": "incoming", "location_id": 4},
        "move_line_ids": [
            {
                "product_id": 7,
                "lot_id": 50,
                "location_id": {"id": 4, "usage": "supplier"},
                "location_dest_id": {"id": WARD_ID, "usage": "internal"},
            },
            {
                "product_id": 7,
                "lot_id": 52,
                "location_id": {"id": STORE_ID, "usage": "internal"},
                "location_dest_id": {"id": CONSUMED_ID, "usage": "inventory"},
            },
        ],
    }
    fake = catalog_odoo([moved])

    catalog = backend_on(fake).catalog(SINCE)

    assert [r.reference for r in catalog.receipts] == ["WH/IN/00005"]
    assert fake.args_of("stock.picking", "web_search_read")[0] == [("id", "in", [5])]
    assert catalog.stock == (StockLevel(7, STORE_ID, 52, 0), StockLevel(7, WARD_ID, 50, 5))


def test_on_19_a_box_s_quantity_comes_from_its_unit_of_measure() -> None:
    fake = catalog_odoo(version="19.0")
    backend = backend_on(fake)

    catalog = backend.catalog()

    assert [(p.gtin, p.pack_quantity) for p in catalog.products if p.id == 7] == [
        ("05012345100012", 1),
        ("15012345100019", 10),
    ]
    assert "product_uom_ids" in fake.args_of("product.product", "web_search_read")[1]


def test_an_incremental_pull_reads_archived_products_and_locations_in_the_same_calls_and_names_them_removed() -> None:
    fake = catalog_odoo()
    backend = backend_on(fake)
    backend.session().directory.operation_types()
    fake.answer(
        "product.product",
        "web_search_read",
        records([product_row(7, "5012345100012"), product_row(8, "5012345100036", active=False)]),
    )
    fake.answer(
        "stock.location",
        "web_search_read",
        records([location_row(WARD_ID, "WARD-3B"), location_row(21, "OLD-SHELF", active=False)]),
    )
    fake.calls.clear()

    catalog = backend.catalog(SINCE)

    assert len(fake.calls) == 5  # products, lots, locations, moves, reordering rules: no call for the archived ones
    assert [p.id for p in catalog.products] == [7] and catalog.removed_products == (8,)
    assert [location.id for location in catalog.locations] == [WARD_ID] and catalog.removed_locations == (21,)
    for model in ("product.product", "stock.location"):
        assert fake.kwargs_of(model, "web_search_read") == {"context": {"active_test": False}}
        assert "active" in fake.args_of(model, "web_search_read")[1]
    lots = fake.args_of("stock.lot", "web_search_read")[0]
    assert lots[0] == ("product_id.active", "=", True) and ("product_id.write_date", ">=", lots[-1][2]) in lots


def test_a_full_pull_reads_active_records_only_and_removes_nothing() -> None:
    fake = catalog_odoo()
    backend = backend_on(fake)

    catalog = backend.catalog()

    assert (catalog.removed_products, catalog.removed_locations) == ((), ())
    assert fake.kwargs_of("product.product", "web_search_read") == {}
    assert fake.kwargs_of("stock.location", "web_search_read") == {}
    assert fake.args_of("stock.lot", "web_search_read")[0] == [("product_id.active", "=", True)]
