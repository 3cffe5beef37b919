"""An unknown box, from the ward to the supervisor and back: a nurse's handheld (360×740) does not
know a box's barcode and uses it anyway; the server parks it as an unknown product; a supervisor at
a desk links the barcode from the conflict as a box of 5 of its product, the scan is booked as 5
units, /products shows the box, and at the handheld's next catalog sync one scan of it is 5 units."""
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.e2e.conftest import screenshot, watch_errors
from tests.e2e.journey import (
    expect_result,
    gs1,
    login,
    lot_expiry,
    on_hand,
    open_workflow,
    outbox_rows,
    real_errors,
    run_sync_worker,
    start,
    wait_synced,
    wedge,
)

pytestmark = pytest.mark.e2e

UNKNOWN_BOX = "15012345999996"  # valid, and no product of the demo data has it
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "has_touch": True}  # the shared login helper taps


@pytest.fixture
def desk(browser) -> Iterator[object]:
    context = browser.new_context(**DESKTOP)
    yield watch_errors(context.new_page())
    context.close()


def test_an_unknown_box_is_linked_from_its_conflict_and_the_handheld_counts_it_as_five(
        app: Flask, demo_server: str, phone, desk) -> None:
    before = on_hand(app, "WARD-3B-SUPPLY", "IVC20-B245")
    label = gs1(UNKNOWN_BOX, "IVC20-B245", lot_expiry(app, "IVC20-B245"))
    start(phone, demo_server, "nurse", "/consume")
    wedge(phone, "WARD-3B-SUPPLY")
    expect_result(phone, "Ward location set")
    wedge(phone, label)
    expect_result(phone, f"GTIN {UNKNOWN_BOX} is not in this handheld's catalog", level="warn")
    phone.get_by_role("button", name="Use it anyway").tap()
    phone.get_by_role("button", name="Confirm use").tap()
    expect_result(phone, "Saved on this handheld")
    wait_synced(phone)
    run_sync_worker(app)
    [row] = outbox_rows(app, "consume")
    assert (row.status, row.conflict_kind) == ("conflict", "unknown_product")

    login(desk, demo_server, "supervisor")
    desk.goto(f"{demo_server}/conflicts")
    card = desk.locator("article.conflict").first
    assert "Unknown product" in card.inner_text()
    card.get_by_role("radio", name="Link this GTIN to a product as a box of several units").check()
    card.get_by_role("combobox").select_option(label="IV cannula 20G")
    card.get_by_role("spinbutton").fill("5")
    card.get_by_label("Reason (kept with the command for audit)").fill("the new supplier's box of 5 cannulas")
    screenshot(desk, "unknown-box-conflict-link-as-box")
    card.get_by_role("button", name="Apply decision").click()
    desk.wait_for_selector("article.conflict-done")
    run_sync_worker(app)
    [row] = outbox_rows(app, "consume")
    assert row.status == "done" and row.resolution["action"] == "link_gtin_box"
    assert on_hand(app, "WARD-3B-SUPPLY", "IVC20-B245") == before - 5  # one scan of the box: 5 cannulas

    desk.goto(f"{demo_server}/")
    desk.get_by_role("link", name="Unknown barcodes").click()
    desk.get_by_label("Find the product by name, code or barcode").fill(UNKNOWN_BOX)
    desk.get_by_role("button", name="Find").click()
    assert f"{UNKNOWN_BOX}</code> (box of 5)" in desk.locator("tr[data-product]").inner_html()
    screenshot(desk, "unknown-box-on-products")

    open_workflow(phone, demo_server, "/consume")  # opening a screen syncs the handheld's catalog
    phone.reload()
    phone.wait_for_selector("[data-workflow][data-ready=true][data-catalog=loaded]")
    wedge(phone, label)  # the ward location stays set on the handheld
    expect_result(phone, "IV cannula 20G", "× 5", "1 box = 5")  # amber only for the demo lot's near expiry
    screenshot(phone, "unknown-box-known-on-the-handheld")
    assert real_errors(phone) == [] and desk.console_errors == []
