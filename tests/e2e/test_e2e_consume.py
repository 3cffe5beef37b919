"""Consume on a phone, going offline half-way: a nurse scans the ward location and items as a
wedge scanner types them, an expired lot is refused on the spot with the lot to use instead, the
page is reloaded offline and keeps its draft, the confirmed use waits on the handheld, and once
back online it reaches the inventory exactly once."""
import pytest
from flask import Flask

from tests.e2e.conftest import screenshot
from tests.e2e.journey import (
    GAUZE,
    GS,
    IV_CANNULA,
    PARACETAMOL,
    badge,
    expect_result,
    gs1,
    inject_twice,
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


def test_consume_offline_midway_reaches_the_inventory_exactly_once(app: Flask, demo_server: str, phone) -> None:
    page = phone
    before = {lot: on_hand(app, "WARD-3B-SUPPLY", lot) for lot in ("IVC20-B245", "GZ-2406", "PCM-24A")}
    start(page, demo_server, "nurse", "/consume")
    screenshot(page, "consume-start")

    wedge(page, "WARD-3B-SUPPLY")
    expect_result(page, "Ward location set")
    wedge(page, gs1(IV_CANNULA, "IVC20-B245", lot_expiry(app, "IVC20-B245")))  # GS typed as '~'
    expect_result(page, "IV cannula 20G", "Expires soon", level="warn")  # 25 days to go: taken, amber, with the date
    screenshot(page, "consume-item-near-expiry")

    page.context.set_offline(True)
    # GS inserted as the real control character, with the AIM prefix a DataWedge profile can add.
    wedge(page, f"]d201{GAUZE}10GZ-2406{GS}17{lot_expiry(app, 'GZ-2406'):%y%m%d}")
    expect_result(page, "Sterile gauze")

    # The expired paracetamol lot is refused on the spot, offline, with the reason and the lot to use.
    wedge(page, gs1(PARACETAMOL, "PCM-24A", lot_expiry(app, "PCM-24A")))
    expect_result(page, "EXPIRED", "PCM-24A", "Use lot PCM-25B", level="error")
    screenshot(page, "consume-expired-refused")

    # DataWedge injecting the same scan twice: taken once, named by its product.
    inject_twice(page, gs1(IV_CANNULA, "IVC20-B245", lot_expiry(app, "IVC20-B245")))
    expect_result(page, "Same scan twice at once", "IV cannula 20G")

    reload_offline(page)  # the page comes from the service worker, the draft from IndexedDB
    assert page.locator("#lines .line").count() == 2
    assert page.locator("#lines .line").first.locator("input").input_value() == "2"
    page.get_by_text("Case / encounter reference (optional)").tap()
    page.get_by_label("Case or encounter reference").fill("ENC-0815")
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Saved on this handheld")
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")
    assert badge(page)["state"] == "offline"
    screenshot(page, "consume-saved-offline")

    reload_offline(page)
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")
    assert outbox_rows(app, "consume") == []  # nothing reached the server yet

    page.context.set_offline(False)  # the online event replays the outbox
    wait_synced(page)
    rows = outbox_rows(app, "consume")
    assert len(rows) == 1 and rows[0].payload["reference"] == "ENC-0815"
    assert rows[0].username == "nurse" and rows[0].payload["location"] == "WARD-3B-SUPPLY"
    assert rows[0].raw_scans[0] == "WARD-3B-SUPPLY"  # exactly what the scanner sent, for audit
    assert any(scan.startswith("]d2") and GS in scan for scan in rows[0].raw_scans)

    run_sync_worker(app)
    # Sync again and reload: the op_id makes every repeat a duplicate.
    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'replay'})")
    page.reload()
    page.wait_for_selector("[data-workflow][data-ready=true]")
    page.get_by_role("link", name="Wardstock").tap()
    page.wait_for_url(f"{demo_server}/")
    wait_synced(page)
    run_sync_worker(app)
    after = {lot: on_hand(app, "WARD-3B-SUPPLY", lot) for lot in before}
    assert after == {"IVC20-B245": before["IVC20-B245"] - 2, "GZ-2406": before["GZ-2406"] - 1, "PCM-24A": before["PCM-24A"]}
    assert [row.status for row in outbox_rows(app, "consume")] == ["done"]
    assert real_errors(page) == []


def test_a_lost_answer_is_sent_again_and_applied_once(app: Flask, demo_server: str, phone) -> None:
    """The server keeps the batch but the answer never reaches the handheld: it sends it again,
    the server answers duplicate, and the inventory sees one consumption."""
    page = phone
    before = on_hand(app, "WARD-3B-SUPPLY", "IVC20-B245")
    start(page, demo_server, "nurse", "/consume")
    lost = []

    def lose_first_answer(route) -> None:
        response = route.fetch()  # the server gets and keeps it…
        if not lost:
            lost.append(response.status)
            route.abort("connectionreset")  # …but the handheld hears nothing
        else:
            route.fulfill(response=response)

    page.context.route("**/api/v1/sync", lose_first_answer)
    wedge(page, "WARD-3B-SUPPLY")
    wedge(page, gs1(IV_CANNULA, "IVC20-B245", lot_expiry(app, "IVC20-B245")))
    page.get_by_role("button", name="Confirm use").tap()
    for _ in range(100):  # the handheld sends it at once…
        if lost:
            break
        page.wait_for_timeout(100)
    assert lost == [200] and len(outbox_rows(app, "consume")) == 1  # …the server has it…
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")  # …the handheld still thinks not
    page.goto(f"{demo_server}/device/queue")  # a new page replays on start; "Sync now" forces it
    page.get_by_role("button", name="Sync now").tap()
    wait_synced(page)
    run_sync_worker(app)
    assert len(outbox_rows(app, "consume")) == 1
    assert on_hand(app, "WARD-3B-SUPPLY", "IVC20-B245") == before - 1
    wait_until(page, "document.querySelector('#queue-list [data-state]')?.dataset.state !== 'pending'")
