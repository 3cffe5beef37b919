"""A box's barcode on a phone: the box of 10 syringes scanned once in Consume, Receive or Transfer is a
line of 10 that says "1 box = 10", and what is sent and booked is 10 units, never 10 boxes."""
import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.journey import (
    expect_result,
    gs1,
    lot_expiry,
    on_hand,
    outbox_rows,
    real_errors,
    run_sync_worker,
    start,
    wait_synced,
    wait_until,
    wedge,
)

pytestmark = pytest.mark.e2e

SYRINGE = "05012345100029"
BOX_OF_10_SYRINGES = "15012345100026"  # the demo data's packaging of the syringe


def test_a_box_scanned_in_consume_is_ten_units_sent_and_booked_once(app: Flask, demo_server: str, phone) -> None:
    page = phone
    before = on_hand(app, "WARD-3B-SUPPLY", "SYR10-2501")
    start(page, demo_server, "nurse", "/consume")
    wedge(page, "WARD-3B-SUPPLY")
    expect_result(page, "Ward location set")

    wedge(page, gs1(BOX_OF_10_SYRINGES, "SYR10-2501", lot_expiry(app, "SYR10-2501")))
    expect_result(page, "Syringe 10 ml", "× 10", "1 box = 10", level="ok")
    screenshot(page, "consume-box-of-10")
    line = page.locator("#lines .line")
    assert line.count() == 1
    assert line.first.locator("input").input_value() == "10"
    assert "1 box = 10" in line.first.inner_text()

    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Saved on this handheld", "10 items")
    wait_synced(page)
    rows = outbox_rows(app, "consume")
    assert len(rows) == 1
    assert [(item["gtin"], item["lot"], item["quantity"]) for item in rows[0].payload["lines"]] == [
        (SYRINGE, "SYR10-2501", 10)
    ]

    run_sync_worker(app)
    assert on_hand(app, "WARD-3B-SUPPLY", "SYR10-2501") == before - 10  # units, not 10 boxes of 10
    assert real_errors(page) == []


def test_a_box_received_on_a_receipt_is_ten_units_received_and_booked_once(app: Flask, demo_server: str, phone) -> None:
    from sqlalchemy import select

    from app.extensions import db
    from app.services.sync import refresh_catalog
    from offline_sync.backends.sandbox import ledger
    from offline_sync.backends.sandbox.models import PickingKind, SandboxLocation, SandboxProduct

    with app.app_context():
        where = {loc.barcode: loc for loc in db.session.scalars(select(SandboxLocation))}
        syringe = db.session.scalar(select(SandboxProduct).where(SandboxProduct.barcode == SYRINGE[1:]))
        receipt = ledger.new_picking(db.session, PickingKind.RECEIPT, where["VENDORS"], where["CS-STOCK"], origin="P00009")
        ledger.add_move(receipt, syringe, None, demand=20)
        reference = receipt.name
        db.session.commit()
        refresh_catalog()
    before = on_hand(app, "CS-STOCK", "SYR10-2501")
    page = phone
    start(page, demo_server, "store", "/receive")
    page.get_by_role("button", name=reference).tap()
    expect_result(page, "Receiving", reference)

    wedge(page, gs1(BOX_OF_10_SYRINGES, "SYR10-2501", lot_expiry(app, "SYR10-2501")))
    expect_result(page, "Syringe 10 ml", "× 10", "1 box = 10", level="ok")
    assert page.locator("#qty-input").input_value() == "10"
    screenshot(page, "receive-box-of-10")
    page.get_by_role("button", name="Add", exact=True).tap()
    expect_result(page, "Added: Syringe 10 ml", "× 10")
    rows = [row.locator("td").all_inner_texts() for row in page.locator("#expected-rows tr").all()]
    assert rows == [["Syringe 10 ml Luer lock", "20", "10"]]
    page.get_by_role("button", name="Validate…").tap()
    page.get_by_role("button", name="Keep the rest as a backorder").tap()
    expect_result(page, f"{reference} validated on this handheld")
    wait_synced(page)

    run_sync_worker(app)
    received = outbox_rows(app, "receive")
    assert [(item["gtin"], item["lot"], item["quantity"]) for row in received for item in row.payload["lines"]] == [
        (SYRINGE, "SYR10-2501", 10)
    ]
    assert [row.status for row in outbox_rows(app)] == ["done", "done"]
    assert on_hand(app, "CS-STOCK", "SYR10-2501") == before + 10  # units, not 10 boxes of 10
    assert real_errors(page) == []


def test_a_box_transferred_is_ten_units_moved_once(app: Flask, demo_server: str, phone) -> None:
    before = {place: on_hand(app, place, "SYR10-2501") for place in ("CS-STOCK", "WARD-3B-SUPPLY")}
    page = phone
    start(page, demo_server, "store", "/transfer")
    wedge(page, "CS-STOCK")
    expect_result(page, "From", "CS-STOCK", level="ok")

    wedge(page, gs1(BOX_OF_10_SYRINGES, "SYR10-2501", lot_expiry(app, "SYR10-2501")))
    expect_result(page, "Syringe 10 ml", "× 10", "1 box = 10", level="ok")
    line = page.locator("#lines .line")
    assert line.count() == 1 and line.first.locator("input").input_value() == "10"
    assert "1 box = 10" in line.first.inner_text()
    screenshot(page, "transfer-box-of-10")
    wedge(page, "WARD-3B-SUPPLY")
    expect_result(page, "To", "WARD-3B-SUPPLY")
    page.get_by_role("button", name="Confirm transfer").tap()
    expect_result(page, "Transfer saved on this handheld")
    wait_synced(page)

    run_sync_worker(app)
    rows = outbox_rows(app, "transfer")
    assert [row.status for row in rows] == ["done"]
    assert [(item["gtin"], item["lot"], item["quantity"]) for item in rows[0].payload["lines"]] == [
        (SYRINGE, "SYR10-2501", 10)
    ]
    assert on_hand(app, "CS-STOCK", "SYR10-2501") == before["CS-STOCK"] - 10
    assert on_hand(app, "WARD-3B-SUPPLY", "SYR10-2501") == before["WARD-3B-SUPPLY"] + 10
    assert real_errors(page) == []


def test_a_box_and_a_single_syringe_counted_are_eleven_on_one_line(app: Flask, demo_server: str, phone) -> None:
    page = phone
    start(page, demo_server, "auditor", "/count")
    wedge(page, "WARD-3B-SUPPLY")
    expect_result(page, "Counting", "WARD-3B-SUPPLY")
    expiry = lot_expiry(app, "SYR10-2501")
    wedge(page, gs1(BOX_OF_10_SYRINGES, "SYR10-2501", expiry))
    expect_result(page, "Counted 10", "1 box = 10")
    wedge(page, gs1(SYRINGE, "SYR10-2501", expiry))
    expect_result(page, "Counted 11")
    assert page.locator("#lines .line-detail").all_inner_texts() == ["Lot SYR10-2501 · 1 box = 10"]

    page.get_by_role("button", name="Submit count").tap()
    expect_result(page, "not counted", level="warn")
    not_here = page.locator("#missing").get_by_role("button", name="Not here (0)")
    while remaining := not_here.count():
        not_here.first.tap()
        expect(not_here).to_have_count(remaining - 1)  # the list redraws before the next tap
    page.get_by_role("button", name="Submit count").tap()
    expect_result(page, "Count saved on this handheld")
    wait_synced(page)
    counted = [row.payload for row in outbox_rows(app, "count") if row.payload["lot"] == "SYR10-2501"]
    assert [(payload["gtin"], payload["counted"]) for payload in counted] == [(SYRINGE, 11)]
    run_sync_worker(app)
    assert on_hand(app, "WARD-3B-SUPPLY", "SYR10-2501") == 11
    assert real_errors(page) == []


def test_a_box_label_that_prints_its_count_of_items_is_that_many_units(app: Flask, demo_server: str, phone) -> None:
    """AI 30 is the count of items the labelled thing holds: a box label saying 12 is 12 syringes, not 12 boxes of 10."""
    page = phone
    start(page, demo_server, "nurse", "/consume")
    wedge(page, "WARD-3B-SUPPLY")
    expect_result(page, "Ward location set")
    wedge(page, gs1(BOX_OF_10_SYRINGES, "SYR10-2501", lot_expiry(app, "SYR10-2501"), count=12))
    expect_result(page, "Syringe 10 ml", "× 12")
    assert page.locator("#lines .line").first.locator("input").input_value() == "12"
    assert real_errors(page) == []


def test_a_product_archived_in_the_backend_no_longer_resolves_after_the_handheld_s_next_catalog_sync(
    app: Flask, demo_server: str, phone
) -> None:
    """Archived in the backend (the syringe and so its box), gone from the server's catalog at the next
    incremental pull, and from the handheld's at its next sync: the box's GTIN is one the handheld does not know."""
    from sqlalchemy import select

    from app.extensions import db
    from app.services.sync import refresh_catalog
    from offline_sync.backends.sandbox.models import SandboxProduct

    page = phone
    start(page, demo_server, "nurse", "/consume")
    wedge(page, "WARD-3B-SUPPLY")
    expect_result(page, "Ward location set")
    wedge(page, gs1(BOX_OF_10_SYRINGES, "SYR10-2501", lot_expiry(app, "SYR10-2501")))
    expect_result(page, "Syringe 10 ml", "1 box = 10", level="ok")

    with app.app_context():
        db.session.scalar(select(SandboxProduct).where(SandboxProduct.barcode == SYRINGE[1:])).active = False
        db.session.commit()
        assert refresh_catalog() > 0  # an incremental pull: the cache already held the whole catalog
    page.evaluate("import('/static/js/sync.js').then(m => m.syncNow())")
    known = "import('/static/js/catalog.js').then(m => m.loadCatalog()).then(c => c.product('%s') !== null)"
    wait_until(page, f"{known % BOX_OF_10_SYRINGES}.then(found => !found)")
    assert not page.evaluate(known % SYRINGE)

    wedge(page, gs1(BOX_OF_10_SYRINGES, "SYR10-2502"))
    expect_result(page, "Not checked", f"GTIN {BOX_OF_10_SYRINGES} is not in this handheld's catalog", level="warn")
    screenshot(page, "consume-archived-product-unknown")
    assert real_errors(page) == []
