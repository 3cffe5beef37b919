"""Transfer on a phone, offline half-way: source, items (lot and quantity from the label), a reload
while offline, destination, confirm; back online it moves the stock exactly once. A nurse cannot
take stock from outside her ward, and an expired lot cannot be moved."""
import pytest
from flask import Flask

from tests.e2e.conftest import screenshot
from tests.e2e.journey import (
    GLOVES,
    GS,
    IV_CANNULA,
    SALINE,
    expect_result,
    gs1,
    lot_expiry,
    on_hand,
    outbox_rows,
    real_errors,
    reload_offline,
    run_sync_worker,
    start,
    wait_synced,
    wait_until,
    wedge,
)

pytestmark = pytest.mark.e2e


def test_transfer_offline_midway_moves_stock_exactly_once(app: Flask, demo_server: str, phone) -> None:
    page = phone
    before = {(loc, lot): on_hand(app, loc, lot) for loc in ("CS-STOCK", "WARD-3B-SUPPLY") for lot in ("NS500-02", "GLV-M-01")}
    start(page, demo_server, "store", "/transfer")
    screenshot(page, "transfer-start")

    wedge(page, "CS-STOCK")
    expect_result(page, "From", "CS-STOCK", level="ok")
    # A case label: lot, then a count of 12 (AI 30) after '|', the replacement another scanner sends for GS.
    wedge(page, gs1(SALINE, "NS500-02", lot_expiry(app, "NS500-02"), count=12, sep="|"))
    expect_result(page, "Sodium chloride", "× 12")
    page.context.set_offline(True)
    wedge(page, f"01{GLOVES}10GLV-M-01{GS}17{lot_expiry(app, 'GLV-M-01'):%y%m%d}")
    expect_result(page, "Nitrile examination gloves", "× 1")
    wedge(page, gs1(IV_CANNULA, "IVC20-A231", lot_expiry(app, "IVC20-A231")))  # expired: refused offline
    expect_result(page, "EXPIRED", "IVC20-A231", level="error")

    reload_offline(page)
    assert page.locator("#lines .line").count() == 2
    page.get_by_role("button", name="One more Nitrile examination gloves M (box of 100)").tap()
    wedge(page, "WARD-3B-SUPPLY")
    expect_result(page, "To", "WARD-3B-SUPPLY")
    screenshot(page, "transfer-ready")
    page.get_by_role("button", name="Confirm transfer").tap()
    expect_result(page, "Transfer saved on this handheld")
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")
    assert outbox_rows(app, "transfer") == []

    page.context.set_offline(False)
    wait_synced(page)
    run_sync_worker(app)
    page.reload()  # a replay on start: duplicates only
    wait_synced(page)
    run_sync_worker(app)
    rows = outbox_rows(app, "transfer")
    assert [row.status for row in rows] == ["done"]
    assert rows[0].payload["lines"] == [
        {"gtin": SALINE, "lot": "NS500-02", "expiry": lot_expiry(app, "NS500-02").isoformat(), "quantity": 12},
        {"gtin": GLOVES, "lot": "GLV-M-01", "expiry": lot_expiry(app, "GLV-M-01").isoformat(), "quantity": 2},
    ]
    assert on_hand(app, "CS-STOCK", "NS500-02") == before["CS-STOCK", "NS500-02"] - 12
    assert on_hand(app, "WARD-3B-SUPPLY", "NS500-02") == before["WARD-3B-SUPPLY", "NS500-02"] + 12
    assert on_hand(app, "CS-STOCK", "GLV-M-01") == before["CS-STOCK", "GLV-M-01"] - 2
    assert on_hand(app, "WARD-3B-SUPPLY", "GLV-M-01") == before["WARD-3B-SUPPLY", "GLV-M-01"] + 2
    assert real_errors(page) == []


def test_a_nurse_moves_stock_only_within_her_ward(app: Flask, demo_server: str, phone) -> None:
    page = phone
    start(page, demo_server, "nurse", "/transfer")
    wedge(page, "CS-STOCK")
    expect_result(page, "Not your ward: CS-STOCK", level="error")
    wedge(page, "WARD-3B-SUPPLY")
    expect_result(page, "From", level="ok")
    wedge(page, gs1(IV_CANNULA, "IVC20-B245", lot_expiry(app, "IVC20-B245")))
    wedge(page, "WARD-ICU-CART")
    expect_result(page, "Not your ward: WARD-ICU-CART", level="error")
    screenshot(page, "transfer-not-your-ward")
    wedge(page, "WARD-3B")
    expect_result(page, "To", "WARD-3B")
    page.get_by_role("button", name="Confirm transfer").tap()
    expect_result(page, "Transfer saved")
    wait_synced(page)
    assert [row.payload["destination"] for row in outbox_rows(app, "transfer")] == ["WARD-3B"]
