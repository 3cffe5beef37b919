"""Receive on a phone, offline half-way: pick the open receipt, scan boxes (quantity from the
label, corrected by hand), see expected against received, reload offline, save and validate with a
backorder; back online the receipt is received and validated exactly once."""
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.journey import (
    GAUZE,
    IV_CANNULA,
    SALINE,
    expect_result,
    gs1,
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


def receipts(app: Flask) -> dict[str, tuple[str, dict[int, tuple[float, float]]]]:
    from app.services.backend import inventory_backend

    with app.app_context():
        catalog = inventory_backend().catalog()
    return {r.reference: (r.state, {line.product_id: (line.expected, line.received) for line in r.lines}) for r in catalog.receipts}


def expected_rows(page) -> list[list[str]]:
    return [row.locator("td").all_inner_texts() for row in page.locator("#expected-rows tr").all()]


def test_receive_offline_midway_then_validate_with_backorder(app: Flask, demo_server: str, phone) -> None:
    page = phone
    far = date.today() + timedelta(days=700)
    stock_before = on_hand(app, "CS-STOCK", "IVC20-D300")
    start(page, demo_server, "store", "/receive")
    screenshot(page, "receive-pick")
    page.get_by_role("button", name="CS/IN/00001").tap()
    expect_result(page, "Receiving", "CS/IN/00001")
    assert expected_rows(page) == [["IV cannula 20G", "100", "0"], ["Sodium chloride 0.9% 500 ml bag", "48", "0"],
                                   ["Nitrile examination gloves M (box of 100)", "20", "0"]]

    wedge(page, gs1(IV_CANNULA, "IVC20-D300", far, count=50))  # a new lot, count 50 on the box
    expect_result(page, "IV cannula 20G", "× 50", "New lot", level="warn")  # its recall status is not known here yet
    screenshot(page, "receive-box")
    page.context.set_offline(True)
    wedge(page, gs1(IV_CANNULA, "IVC20-D300", far, count=50, sep="|"))  # the next box confirms the first
    expect_result(page, "Previous box added")
    page.get_by_role("button", name="One less", exact=True).tap()
    page.get_by_role("button", name="Add", exact=True).tap()
    expect_result(page, "Added: IV cannula 20G", "× 49")
    assert expected_rows(page)[0] == ["IV cannula 20G", "100", "99"]

    reload_offline(page)  # the receipt, the lines and the expected/received table survive
    assert expected_rows(page)[0] == ["IV cannula 20G", "100", "99"]
    wedge(page, gs1(SALINE, "NS500-03", far, count=48))
    page.get_by_role("button", name="Add", exact=True).tap()
    assert expected_rows(page)[1] == ["Sodium chloride 0.9% 500 ml bag", "48", "48"]
    screenshot(page, "receive-expected")
    page.get_by_role("button", name="Validate…").tap()
    page.get_by_role("button", name="Keep the rest as a backorder").tap()
    expect_result(page, "CS/IN/00001 validated on this handheld")
    expect(page.locator("#receipts")).not_to_contain_text("CS/IN/00001")  # closed at once, offline too
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '2'")
    assert outbox_rows(app) == []

    page.context.set_offline(False)
    wait_synced(page)
    run_sync_worker(app)
    page.reload()
    wait_synced(page)
    run_sync_worker(app)
    assert [(r.kind, r.status) for r in outbox_rows(app)] == [("receive", "done"), ("receive_validate", "done")]
    found = receipts(app)
    assert found.get("CS/IN/00001", ("done",))[0] == "done"  # validated: no longer open
    backorders = {ref: lines for ref, (state, lines) in found.items() if ref != "CS/IN/00001" and state not in ("done", "cancel")}
    assert len(backorders) == 1, found
    assert sorted(next(iter(backorders.values())).values()) == [(1.0, 0.0), (20.0, 0.0)]  # 1 cannula, 20 gloves still to come
    assert on_hand(app, "CS-STOCK", "IVC20-D300") == stock_before + 99
    assert real_errors(page) == []


def test_unplanned_receipt_into_a_scanned_location(app: Flask, demo_server: str, phone) -> None:
    page = phone
    far = date.today() + timedelta(days=400)
    before = on_hand(app, "WARD-ED", "GZ-2601")
    start(page, demo_server, "store", "/receive")
    page.get_by_role("button", name="Unplanned receipt").tap()
    expect_result(page, "scan the location it goes to")
    wedge(page, "WARD-ED")
    expect_result(page, "Receiving into", "WARD-ED")
    wedge(page, gs1(GAUZE, "GZ-2601", far, count=10))
    page.get_by_role("button", name="Save boxes").tap()
    expect_result(page, "Boxes saved")
    wait_synced(page)
    run_sync_worker(app)
    assert [(r.kind, r.status) for r in outbox_rows(app)] == [("receive_unplanned", "done")]
    assert on_hand(app, "WARD-ED", "GZ-2601") == before + 10
