"""Expiry, recalls and waste on a phone (360×740): a storekeeper's offline expiry sweep pulls a recalled
box to quarantine and wastes an expired one, and says what it expected but was not found; a supervisor
enters a recall that a nurse's handheld refuses offline after one catalog sync; the recall trace shows
the nurse's earlier use of the lot with its case reference."""
import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot, watch_errors
from tests.e2e.journey import (
    IV_CANNULA,
    badge,
    clipped,
    covered,
    expect_result,
    gs1,
    login,
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

SYRINGE = "05012345100029"  # lot SYR10-2502 is recalled in the demo data
CATHETER = "05012345100081"  # lot UC14-02 expired 40 days ago
CASE = "ENC-2026-0815"


def test_an_offline_sweep_pulls_a_recalled_box_to_quarantine_and_wastes_an_expired_one(app: Flask, demo_server: str, phone) -> None:
    page = phone
    before = {lot: on_hand(app, "WARD-ICU-CART", lot) for lot in ("SYR10-2502", "UC14-02")}
    start(page, demo_server, "store", "/sweep")
    page.context.set_offline(True)

    wedge(page, "WARD-ICU-CART")
    expect_result(page, "Sweeping WARD-ICU-CART", "to pull")
    pull_list = page.locator("#pull-list .line")
    assert pull_list.count() >= 2
    assert "RECALLED" in pull_list.first.inner_text() and "SYR10-2502" in pull_list.first.inner_text()
    assert "EXPIRED" in page.locator("#pull-list").inner_text() and "UC14-02" in page.locator("#pull-list").inner_text()
    screenshot(page, "sweep-list")
    assert covered(page, "#pull-list .line, [data-action=mode]") == []

    wedge(page, gs1(SYRINGE, "SYR10-2502", lot_expiry(app, "SYR10-2502")))
    expect_result(page, "to quarantine", "RECALLED")
    page.get_by_role("button", name="Waste it").tap()
    wedge(page, gs1(CATHETER, "UC14-02", lot_expiry(app, "UC14-02")))
    expect_result(page, "wasted", "EXPIRED")
    # A lot with months to go stays on the shelf.
    wedge(page, gs1(IV_CANNULA, "IVC20-C260", lot_expiry(app, "IVC20-C260")))
    expect_result(page, "Leave it on the shelf", level="error")
    screenshot(page, "sweep-pulled")

    reload_offline(page)  # the sweep's draft survives a reload offline
    assert page.locator("#lines .line").count() == 2
    page.get_by_role("button", name="Confirm pulled").tap()
    expect_result(page, "on the list not found yet")  # the near-expiry wipes were not scanned
    page.get_by_role("button", name="Confirm, note not found").tap()
    summary = expect_result(page, "Sweep saved on this handheld", "Not found:")
    assert "CHX-01" in summary
    screenshot(page, "sweep-saved-offline")
    assert outbox_rows(app, "quarantine") == [] and outbox_rows(app, "scrap") == []

    page.context.set_offline(False)
    wait_synced(page)
    [quarantine] = outbox_rows(app, "quarantine")
    [scrap] = outbox_rows(app, "scrap")
    assert quarantine.payload["source"] == "WARD-ICU-CART" and quarantine.payload["lines"][0]["lot"] == "SYR10-2502"
    assert scrap.payload["reason"] == "expired" and scrap.payload["lines"][0]["lot"] == "UC14-02"
    run_sync_worker(app)
    assert {row.status for row in outbox_rows(app, "quarantine") + outbox_rows(app, "scrap")} == {"done"}
    assert on_hand(app, "WARD-ICU-CART", "SYR10-2502") == before["SYR10-2502"] - 1
    assert on_hand(app, "WARD-ICU-CART", "UC14-02") == before["UC14-02"] - 1
    assert real_errors(page) == []


def test_waste_asks_for_a_reason_and_a_note_for_other(app: Flask, demo_server: str, phone) -> None:
    page = phone
    start(page, demo_server, "nurse", "/waste")
    wedge(page, "WARD-3B-SUPPLY")
    wedge(page, gs1(IV_CANNULA, "IVC20-B245", lot_expiry(app, "IVC20-B245")))
    expect_result(page, "IV cannula 20G", "Pick a reason")
    confirm = page.get_by_role("button", name="Record waste")
    assert confirm.is_disabled()
    page.get_by_role("button", name="Other…").tap()
    expect_result(page, "Other: say what happened")
    assert confirm.is_disabled()
    page.get_by_label("What happened").fill("Dropped on the floor")
    page.get_by_label("What happened").press("Tab")
    screenshot(page, "waste-other")
    assert covered(page, "[data-action=reason], #confirm") == [] and clipped(page, "[data-action=reason]") == []
    confirm.tap()
    expect_result(page, "Waste saved on this handheld")
    wait_synced(page)
    [scrap] = outbox_rows(app, "scrap")
    assert scrap.payload == {"location": "WARD-3B-SUPPLY", "reason": "other", "note": "Dropped on the floor",
                             "lines": [{"gtin": IV_CANNULA, "lot": "IVC20-B245", "expiry": scrap.payload["lines"][0]["expiry"], "quantity": 1}]}


def test_a_storekeeper_returns_a_recalled_box_with_the_reason_its_lot_gives(app: Flask, demo_server: str, phone) -> None:
    page = phone
    start(page, demo_server, "store", "/vendor-return")
    wedge(page, "CS-STOCK")
    wedge(page, gs1(SYRINGE, "SYR10-2502", lot_expiry(app, "SYR10-2502")))
    expect_result(page, "Syringe 10 ml", "RECALLED")
    assert page.get_by_role("button", name="Recalled").get_attribute("aria-pressed") == "true"  # the lot's reason, chosen for her
    screenshot(page, "vendor-return")
    page.get_by_role("button", name="Return to vendor").tap()
    expect_result(page, "Return saved on this handheld")
    wait_synced(page)
    [sent] = outbox_rows(app, "vendor_return")
    assert (sent.payload["source"], sent.payload["reason"], sent.payload["lines"][0]["lot"]) == ("CS-STOCK", "recalled", "SYR10-2502")
    assert real_errors(page) == []


def test_a_recall_is_refused_offline_after_one_sync_and_its_trace_shows_the_case(app: Flask, demo_server: str, browser, phone) -> None:
    nurse = phone
    start(nurse, demo_server, "nurse", "/consume")
    wedge(nurse, "WARD-3B-SUPPLY")
    cannula = gs1(IV_CANNULA, "IVC20-B245", lot_expiry(app, "IVC20-B245"))
    wedge(nurse, cannula)
    expect_result(nurse, "IV cannula 20G")
    nurse.get_by_text("Case / encounter reference (optional)").tap()
    nurse.get_by_label("Case or encounter reference").fill(CASE)
    nurse.get_by_role("button", name="Confirm use").tap()
    wait_synced(nurse)
    run_sync_worker(app)

    supervisor = watch_errors(browser.new_context(**PHONE).new_page())
    login(supervisor, demo_server, "supervisor")
    supervisor.goto(f"{demo_server}/recalls")
    supervisor.wait_for_selector("html[data-booted=true]")
    supervisor.locator("#recall-scan").fill(cannula)  # the notice's label, scanned: GTIN and lot filled in
    supervisor.locator("#recall-scan").press("Enter")
    expect(supervisor.locator("#recall-scan-result")).to_contain_text("Read GTIN")
    assert supervisor.get_by_label("GTIN of the product").input_value() == IV_CANNULA
    assert supervisor.get_by_label("Lot numbers").input_value() == "IVC20-B245"
    supervisor.get_by_label("The notice").fill("FSN-2026-114: sterility not assured")
    screenshot(supervisor, "recall-form")
    supervisor.get_by_role("button", name="Recall these lots").tap()
    supervisor.wait_for_url("**/recalls/trace**")
    [recall] = outbox_rows(app, "recall")
    assert recall.payload == {"gtin": IV_CANNULA, "lots": ["IVC20-B245"], "notice": "FSN-2026-114: sterility not assured"}
    assert recall.device_id == "server" and recall.username == "supervisor"
    run_sync_worker(app)  # marks the lot recalled in the inventory
    assert outbox_rows(app, "recall")[0].status == "done"
    with app.app_context():  # what the worker's loop does every minute: the server's catalog cache learns it
        from app.services.sync import refresh_catalog

        refresh_catalog()

    # One catalog sync on the nurse's handheld (a page load), then no network: the lot is refused there.
    reload_offline(nurse)
    recalled_here = f"import('/static/js/catalog.js').then(m => m.loadCatalog()).then(c => c.lot(c.product('{IV_CANNULA}').id, 'IVC20-B245').recalled)"
    wait_until(nurse, recalled_here)
    nurse.context.set_offline(True)
    reload_offline(nurse)
    wedge(nurse, "WARD-3B-SUPPLY")
    wedge(nurse, cannula)
    expect_result(nurse, "RECALLED — do not use", "IVC20-B245", level="error")
    assert badge(nurse)["state"] == "offline"
    screenshot(nurse, "recall-refused-offline")

    supervisor.goto(f"{demo_server}/recalls/trace?gtin={IV_CANNULA}&lot=IVC20-B245")
    uses = supervisor.locator("#trace-uses")
    assert CASE in uses.inner_text() and "WARD-3B" in uses.inner_text() and "nurse" in uses.inner_text()
    progress = supervisor.locator("#trace-progress").inner_text()
    assert "Used before the recall\n1" in progress
    assert "WARD-3B-SUPPLY" in supervisor.locator("#trace-places").inner_text()
    screenshot(supervisor, "recall-trace")
    csv = supervisor.request.get(f"{demo_server}/recalls/trace.csv?gtin={IV_CANNULA}&lot=IVC20-B245").text()
    assert CASE in csv and "consumption" in csv
    assert real_errors(supervisor) == [] and real_errors(nurse) == []
    supervisor.context.close()


def test_the_dashboard_draws_its_charts_and_tables(app: Flask, demo_server: str, phone) -> None:
    page = phone
    login(page, demo_server, "auditor")
    page.goto(f"{demo_server}/expiry/dashboard")
    page.wait_for_selector("#chart-expiring[data-chart=drawn]")
    assert "WARD-ICU" in page.locator("#table-expiring").inner_text()
    screenshot(page, "dashboard")
    csv = page.request.get(f"{demo_server}/expiry/dashboard/expiring.csv").text()
    assert csv.startswith("ward,window,units,value")
    assert real_errors(page) == []
