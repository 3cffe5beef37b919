"""A conflict made on a handheld, decided by a supervisor, applied; and a shift change on the same
handheld: logging out never clears what is not synced, the next user sees who captured what, and
the command stays attributed to the nurse who captured it."""
import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.journey import (
    IV_CANNULA,
    PARACETAMOL,
    expect_result,
    gs1,
    log_out,
    login,
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


def test_override_asked_offline_is_parked_decided_by_a_supervisor_and_applied(app: Flask, demo_server: str, phone) -> None:
    page = phone
    before = on_hand(app, "WARD-3B-SUPPLY", "PCM-24A")
    start(page, demo_server, "nurse", "/consume")
    wedge(page, "WARD-3B-SUPPLY")
    page.context.set_offline(True)
    wedge(page, gs1(PARACETAMOL, "PCM-24A", lot_expiry(app, "PCM-24A")))
    expect_result(page, "EXPIRED", level="error")
    page.get_by_role("button", name="Supervisor override…").tap()
    page.get_by_role("button", name="Use with override").tap()
    expect_result(page, "Give a reason", level="error")
    page.get_by_label("Reason").fill("Only strip on the ward, pharmacy closed")
    page.get_by_role("button", name="Use with override").tap()
    expect_result(page, "override asked", level="warn")
    screenshot(page, "consume-override-asked")
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Saved on this handheld")
    page.context.set_offline(False)
    wait_synced(page)
    run_sync_worker(app)
    [row] = outbox_rows(app, "consume")
    assert (row.status, row.conflict_kind) == ("conflict", "expired_or_recalled")

    page.goto(f"{demo_server}/device/queue")
    page.get_by_role("button", name="Sync now").tap()
    wait_until(page, "document.querySelector('#queue-list [data-state]')?.dataset.state === 'conflict'")
    assert "waiting for a supervisor" in page.locator("#queue-list").inner_text()
    assert page.locator("#sync-badge").get_attribute("data-state") == "failed"
    screenshot(page, "queue-conflict")
    log_out(page)

    login(page, demo_server, "supervisor")
    page.goto(f"{demo_server}/conflicts")
    card = page.locator("article.conflict").first
    assert "Expired or recalled lot" in card.inner_text() and "Only strip on the ward" in card.inner_text()
    assert "nurse" in card.inner_text() and "PCM-24A" in card.inner_text()
    screenshot(page, "conflicts-inbox")
    card.get_by_text("Allow this lot once (supervisor override)").tap()
    card.get_by_role("button", name="Apply decision").tap()  # no reason yet: the browser asks for one
    assert page.locator("article.conflict").first.locator("textarea:invalid").count() == 1
    card.get_by_label("Reason (kept with the command for audit)").fill("Confirmed with pharmacy: use once")
    card.get_by_role("button", name="Apply decision").tap()
    page.wait_for_selector("article.conflict-done")
    assert "Back in the queue with your decision" in page.locator("article.conflict-done").inner_text()
    screenshot(page, "conflicts-decided")
    run_sync_worker(app)
    [row] = outbox_rows(app, "consume")
    assert row.status == "done" and row.resolution["action"] == "override" and row.resolution["by"] == "supervisor"
    assert on_hand(app, "WARD-3B-SUPPLY", "PCM-24A") == before - 1
    page.goto(f"{demo_server}/conflicts")
    assert "Nothing is waiting for a decision" in page.locator("#inbox").inner_text()
    assert real_errors(page) == []


def test_logout_keeps_unsynced_commands_and_the_next_user_sees_who_captured_them(app: Flask, demo_server: str, phone) -> None:
    page = phone
    before = on_hand(app, "WARD-3B-SUPPLY", "IVC20-B245")
    start(page, demo_server, "nurse", "/consume")  # with its catalog: it comes with the first sync
    page.context.route("**/api/v1/sync", lambda route: route.abort("connectionrefused"))  # then the API is unreachable
    wedge(page, "WARD-3B-SUPPLY")
    wedge(page, gs1(IV_CANNULA, "IVC20-B245", lot_expiry(app, "IVC20-B245")))
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Saved on this handheld")
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")
    log_out(page)
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")  # still there after logout

    login(page, demo_server, "store")  # the next shift, same handheld
    page.goto(f"{demo_server}/device/queue")
    wait_until(page, "document.querySelector('#queue-list [data-state]')")
    item = page.locator("#queue-list li").first
    assert "waiting to be sent" in item.inner_text() and "Captured by Nia Nurse (Ward 3B)" in item.inner_text()
    screenshot(page, "queue-shift-change")
    page.context.unroute("**/api/v1/sync")
    page.get_by_role("button", name="Sync now").tap()
    wait_synced(page)
    run_sync_worker(app)
    [row] = outbox_rows(app, "consume")
    assert (row.username, row.status) == ("nurse", "done")  # the storekeeper's session did not re-attribute it
    assert on_hand(app, "WARD-3B-SUPPLY", "IVC20-B245") == before - 1
    page.get_by_role("button", name="Sync now").tap()
    wait_until(page, "document.querySelector('#queue-list [data-state]')?.dataset.state === 'done'")
    expect(page.locator("#server-queue")).to_contain_text("done")  # the server's own view of this handheld
    assert "nurse" in page.locator("#server-queue").inner_text()


def test_short_stock_is_reduced_by_a_supervisor_with_the_quantity_asked(app: Flask, demo_server: str, phone) -> None:
    """A decision that needs a value (DESIGN §5: insufficient_stock → reduce): the form asks for it."""
    page = phone
    before = on_hand(app, "WARD-3B-SUPPLY", "IVC20-B245")
    start(page, demo_server, "nurse", "/consume")
    wedge(page, "WARD-3B-SUPPLY")
    wedge(page, gs1(IV_CANNULA, "IVC20-B245", lot_expiry(app, "IVC20-B245")))
    quantity = page.get_by_label("Quantity of IV cannula 20G")
    quantity.fill(str(int(before) + 5))
    quantity.press("Tab")
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Saved on this handheld", f"{int(before) + 5} items")
    wait_synced(page)
    run_sync_worker(app)
    [row] = outbox_rows(app, "consume")
    assert row.conflict_kind == "insufficient_stock"
    log_out(page)

    login(page, demo_server, "supervisor")
    page.goto(f"{demo_server}/conflicts")
    card = page.locator("article.conflict").first
    assert "Not enough stock" in card.inner_text()
    card.get_by_role("radio", name="Reduce the quantity").check()
    card.get_by_label("Reason (kept with the command for audit)").fill("Counted on the ward: only what was there was used")
    card.get_by_role("button", name="Apply decision").tap()
    page.wait_for_selector("article.conflict .flash-error")  # no quantity given: the card says so and stays
    assert "quantity" in page.locator("article.conflict .flash-error").inner_text()
    screenshot(page, "conflicts-needs-quantity")
    card = page.locator("article.conflict").first
    card.get_by_role("radio", name="Reduce the quantity").check()
    card.get_by_role("spinbutton").fill(str(int(before)))
    card.get_by_label("Reason (kept with the command for audit)").fill("Counted on the ward: only what was there was used")
    card.get_by_role("button", name="Apply decision").tap()
    page.wait_for_selector("article.conflict-done")
    run_sync_worker(app)
    [row] = outbox_rows(app, "consume")
    assert row.status == "done" and row.resolution["action"] == "reduce"
    assert on_hand(app, "WARD-3B-SUPPLY", "IVC20-B245") == 0
    assert real_errors(page) == []
