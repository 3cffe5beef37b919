"""Careless-user journeys (issue 13): a hurried nurse, storekeeper or auditor at 360×740 with touch,
and sideways at 740×360. Scanners that stall inside a code, scans injected twice, garbage, double
taps, a location where an item is expected, a logout in a dead zone and the next person's shift.
Each journey keeps its screenshots in test-artifacts/screenshots/."""
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.journey import (
    GLOVES,
    GS,
    IV_CANNULA,
    SALINE,
    badge,
    clipped,
    covered,
    device_outbox,
    expect_result,
    gs1,
    inject_twice,
    log_out,
    login,
    lot_expiry,
    open_workflow,
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
PAUSES_MS = (50, 150, 300, 800)  # inside a code: a busy handheld, a Bluetooth link, a stalled scanner
WARD = "WARD-3B-SUPPLY"


def line_texts(page) -> list[str]:
    return [text.replace("\n", " ") for text in page.locator("#lines .line").all_inner_texts()]


def syringe(lot: str, expiry: date | None = None) -> str:
    """The syringe label as issue 13 reproduces it: (01)…(17)…(10)lot, the lot last (no separator needed)."""
    return f"01{SYRINGE}17{(expiry or date.today() + timedelta(days=300)):%y%m%d}10{lot}"


# --- 1. A scan is whole or it is nothing -------------------------------------------------------------

def test_a_code_cut_by_a_pause_is_never_taken_as_a_shorter_lot(app: Flask, demo_server: str, any_phone) -> None:
    """Defect 1: 300 ms inside the recalled lot SYR10-2502 made 'SYR10-25' a green, usable lot."""
    page = any_phone
    start(page, demo_server, "nurse", "/consume")
    wedge(page, WARD, pause_ms=300)
    expect_result(page, "Ward location set", WARD)
    code = syringe("SYR10-2502")
    wedge(page, code, pause_ms=300, pause_after=len(code) - 2)  # …SYR10-25, 300 ms, 02, Enter
    expect_result(page, "RECALLED", "SYR10-2502", level="error")
    assert line_texts(page) == []
    screenshot(page, f"careless-cut-scan-recalled-{page.orientation}")
    assert covered(page, "#result button", scroll=False) == []  # "Supervisor override…" in sight
    assert real_errors(page) == []


def test_an_unchecked_scanner_may_drop_separators_so_an_ambiguous_label_is_refused_until_it_is_checked(
    app: Flask, demo_server: str, phone
) -> None:
    """(10)SYR10-2502 last on the label, or (10)SYR10- then (250)2: from a scanner that may drop GS the
    text cannot tell, so it is refused with what to do; once the setup page saw it send GS as '~', a
    text without separators had none in the code, and the label reads whole."""
    page = phone
    login(page, demo_server, "nurse")
    open_workflow(page, demo_server, "/consume")
    wedge(page, WARD)
    code = syringe("SYR10-2501", lot_expiry(app, "SYR10-2501"))
    wedge(page, code)
    expect_result(page, "Cannot use this code", "(250)", "Set the scanner to send the GS separator", level="error")
    assert line_texts(page) == []
    page.goto(f"{demo_server}/device/scanner")
    wedge(page, "]d2010950110153000317281231" + "10TEST-LOT~21SN42")
    expect(page.locator("#check-result")).to_contain_text("set up right")
    open_workflow(page, demo_server, "/consume")
    wedge(page, WARD)
    wedge(page, code)
    expect_result(page, "Syringe 10 ml", "SYR10-2501")
    screenshot(page, "careless-separator-learnt")
    assert real_errors(page) == []


@pytest.mark.parametrize("workflow", ["consume", "transfer", "count", "receive"])
def test_pauses_inside_codes_on_every_workflow(app: Flask, demo_server: str, phone, workflow: str) -> None:
    """50, 150, 300 and 800 ms inside each code, locations and items alike: every scan whole."""
    page = phone
    far = date.today() + timedelta(days=400)
    code = syringe("SYR10-2501", far)
    cut = len(code) - 3  # inside the lot: the first part is a valid code with a shorter lot
    if workflow == "consume":
        start(page, demo_server, "nurse", "/consume")
        wedge(page, WARD, pause_ms=800, pause_after=5)
        expect_result(page, "Ward location set", WARD)
    elif workflow == "transfer":
        start(page, demo_server, "store", "/transfer")
        wedge(page, "CS-STOCK", pause_ms=150, pause_after=3)
        expect_result(page, "From", "CS-STOCK")
    elif workflow == "count":
        start(page, demo_server, "auditor", "/count")
        wedge(page, "CS-STOCK", pause_ms=300, pause_after=4)
        expect_result(page, "Counting", "CS-STOCK")
    else:
        start(page, demo_server, "store", "/receive")
        page.get_by_role("button", name="CS/IN/00001").tap()
        expect_result(page, "Receiving", "CS/IN/00001")
        code = gs1(SALINE, "NS500-02", lot_expiry(app, "NS500-02"), count=12)
        cut = len(f"01{SALINE}10NS500-0")
    for pause in PAUSES_MS:
        wedge(page, code, pause_ms=pause, pause_after=cut)
        if workflow == "receive":
            expect_result(page, "Sodium chloride", "× 12", "Lot NS500-02 ")
            page.get_by_role("button", name="Add", exact=True).tap()
        else:
            expect_result(page, "Syringe 10 ml")
        assert "SYR10-250 " not in page.locator("#result").inner_text() + " "
    if workflow == "transfer":
        wedge(page, "WARD-3B", pause_ms=800, pause_after=4)
        expect_result(page, "To", "WARD-3B")
    expect(page.locator("#lines .line")).to_have_count(1)
    texts = line_texts(page)
    lot = "NS500-02" if workflow == "receive" else "SYR10-2501"
    assert f"Lot {lot}" in texts[0]
    quantity = page.locator("#lines .qty-field").first.input_value()
    assert quantity == ("48" if workflow == "receive" else "4")
    screenshot(page, f"careless-paused-{workflow}")
    assert real_errors(page) == []


def test_a_scanner_without_enter_is_found_on_setup_and_the_workflows_say_so(demo_server: str, phone) -> None:
    page = phone
    login(page, demo_server, "nurse")
    page.goto(f"{demo_server}/device/scanner")
    label = "]d2010950110153000317281231" + "10TEST-LOT~21SN42"
    wedge(page, label, end="Tab")
    expect(page.locator("#check-result")).to_contain_text("End of scan: Tab")
    expect(page.locator("#terminator-setting")).to_have_text("Tab")
    wedge(page, label, end=None)  # the whole label, and no end follows
    expect(page.locator("#check-result")).to_contain_text("End of scan: NONE")
    expect(page.locator("#terminator-setting")).to_contain_text("none")
    screenshot(page, "careless-scanner-without-enter")
    open_workflow(page, demo_server, "/consume")
    expect(page.locator("#scanner-notice")).to_contain_text("sends no Enter")
    page.goto(f"{demo_server}/device/scanner")
    wedge(page, label)  # Enter added in DataWedge: checked again
    expect(page.locator("#terminator-setting")).to_have_text("Enter")
    open_workflow(page, demo_server, "/consume")
    expect(page.locator("#scanner-notice")).to_be_hidden()


def test_typing_by_hand_is_its_own_path(demo_server: str, phone) -> None:
    page = phone
    start(page, demo_server, "nurse", "/consume")
    page.get_by_role("button", name="Type").tap()
    page.locator("#scan-field").fill(WARD)
    page.get_by_role("button", name="Use", exact=True).tap()
    expect_result(page, "Ward location set", WARD)


# --- 2. Never green unless checked ---------------------------------------------------------------------

def test_an_unknown_lot_is_amber_says_what_was_not_checked_and_needs_a_second_tap(app: Flask, demo_server: str, any_phone) -> None:
    """Defect 2: an unknown lot of a known product was a green OK, with no recall check."""
    page = any_phone
    start(page, demo_server, "nurse", "/consume")
    wedge(page, WARD)
    wedge(page, syringe("SYR10-9999"))
    expect_result(page, "Not checked", "SYR10-9999", "recall status", level="warn")
    assert line_texts(page) == []  # nothing taken yet
    screenshot(page, f"careless-unknown-lot-{page.orientation}")
    assert covered(page, "#result button", scroll=False) == []  # the decision is in sight as the result lands
    assert covered(page, "#result, #result button, #scan-field") == []
    page.get_by_role("button", name="Use it anyway").dblclick()  # a double tap takes it once
    expect_result(page, "Syringe 10 ml", "× 1", level="warn")
    expect(page.locator("#lines .line")).to_have_count(1)
    texts = line_texts(page)
    assert "SYR10-9999" in texts[0] and "not checked" in texts[0]
    assert page.locator("#lines .qty-field").input_value() == "1"
    # The label's expiry is still checked: an unknown lot printed as expired is refused.
    wedge(page, syringe("SYR10-8888", date.today() - timedelta(days=3)))
    expect_result(page, "EXPIRED", level="error")
    # A scan in between forgets the question: the held item is not taken by a later tap.
    wedge(page, syringe("SYR10-7777"))
    expect_result(page, "Not checked", level="warn")
    wedge(page, WARD)
    assert page.get_by_role("button", name="Use it anyway").count() == 0


def test_a_lot_near_its_expiry_is_amber_with_the_date(app: Flask, demo_server: str, phone) -> None:
    """Defect 7: a lot 15 days from expiry was accepted green with no note."""
    page = phone
    start(page, demo_server, "nurse", "/consume")
    wedge(page, WARD)
    expiry = lot_expiry(app, "GZ-2406")
    wedge(page, gs1("05012345100036", "GZ-2406", expiry))
    expect_result(page, "Sterile gauze", f"Expires soon: on {expiry.isoformat()}", level="warn")
    screenshot(page, "careless-near-expiry")


# --- 3. Counting counts -------------------------------------------------------------------------------

def test_counting_identical_boxes_counts_each_and_drops_only_the_scanners_echo(app: Flask, demo_server: str, any_phone) -> None:
    """Defect 3: the same code again within 1.2 s was dropped, and the message showed raw GS1 text."""
    page = any_phone
    start(page, demo_server, "auditor", "/count")
    wedge(page, "CS-STOCK")
    label = gs1(GLOVES, "GLV-M-01", lot_expiry(app, "GLV-M-01"))
    for _ in range(5):  # five identical boxes, as fast as a person scans
        wedge(page, label)
    expect_result(page, "Nitrile examination gloves", "Counted 5", level="ok")
    gap = inject_twice(page, label)  # DataWedge typing the sixth scan twice
    expect_result(page, "Same scan twice at once", "Nitrile examination gloves")
    assert GS not in page.locator("#result").inner_text() and "01" + GLOVES not in page.locator("#result").inner_text()
    assert page.locator("#lines .qty-field").input_value() == "6"
    assert gap < 60, f"the echo arrived {gap:.1f} ms after the first scan"
    # A serial number counts once, however often it is scanned.
    serial = f"01{SALINE}17{lot_expiry(app, 'NS500-02'):%y%m%d}10NS500-02~21BAG-0001"
    wedge(page, serial)
    expect_result(page, "Sodium chloride", "Counted 1")
    wedge(page, serial)
    expect_result(page, "already counted", "Counted 1", level="warn")
    screenshot(page, f"careless-count-{page.orientation}")
    assert real_errors(page) == []


# --- 4. Context changes are asked, not assumed -----------------------------------------------------------

def test_a_second_location_mid_list_is_asked_not_assumed(app: Flask, demo_server: str, phone) -> None:
    """Defect 4: scanning WARD-3B after two items moved them there silently."""
    page = phone
    start(page, demo_server, "nurse", "/consume")
    wedge(page, WARD)
    wedge(page, gs1(GLOVES, "GLV-M-01", lot_expiry(app, "GLV-M-01")))
    wedge(page, syringe("SYR10-2501", lot_expiry(app, "SYR10-2501")))
    wedge(page, "WARD-3B")  # a location where an item is expected
    expect_result(page, "another location: WARD-3B", f"listed as used in {WARD}", level="warn")
    expect(page.locator("#ctx-location")).to_contain_text(WARD)
    screenshot(page, "careless-second-location")
    page.get_by_role("button", name="Book them in WARD-3B").tap()
    expect(page.locator("#ctx-location")).to_contain_text("WARD-3B")
    expect_result(page, "Ward location set", "WARD-3B")


def test_receive_with_a_receipt_picked_tells_a_location_from_a_box(app: Flask, demo_server: str, any_phone) -> None:
    """Defect 9: a location scanned with a receipt picked said 'Pick a receipt… first'."""
    page = any_phone
    start(page, demo_server, "store", "/receive")
    page.get_by_role("button", name="CS/IN/00001").tap()
    wedge(page, "WARD-3B")
    text = expect_result(page, "WARD-3B is a location, not a box", "CS/IN/00001 goes into CS-STOCK", level="warn")
    assert "Pick a receipt" not in text
    wedge(page, gs1(IV_CANNULA, "IVC20-D301", date.today() + timedelta(days=700), count=50))
    expect_result(page, "IV cannula 20G", "× 50", "New lot", level="warn")
    wedge(page, gs1(SALINE, "NS500-02", lot_expiry(app, "NS500-02"), count=12))  # an amber box is not added by the next scan
    expect_result(page, "First add the previous box: IV cannula 20G", level="error")
    assert page.locator("#qty-input").input_value() == "50" and line_texts(page) == []
    # The product name and the quantity stay in sight, and the action bar covers none of them.
    assert covered(page, "#result, #scan-field, #qty-confirm button, #qty-input") == []
    screenshot(page, f"careless-receive-box-{page.orientation}")


# --- 5. Logout works offline; the next user sees their own -----------------------------------------------

def test_logout_offline_then_another_user(app: Flask, demo_server: str, phone) -> None:
    """Defect 5: logging out offline showed the browser's error page and the session stayed alive."""
    page = phone
    start(page, demo_server, "nurse", "/consume")
    page.context.set_offline(True)
    wedge(page, WARD)
    wedge(page, syringe("SYR10-2501", lot_expiry(app, "SYR10-2501")))
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Saved on this handheld")
    log_out(page)  # in the dead zone
    expect(page.get_by_role("heading", name="Scan your badge")).to_be_visible()  # the login screen, from the cache
    assert page.locator("body[data-user-id]").count() == 0
    assert badge(page)["state"] == "offline" and badge(page)["pending"] == "1"
    expect(page.locator("#sync-badge")).to_contain_text("offline")
    screenshot(page, "careless-logout-offline")
    page.get_by_label("Badge").fill("BADGE:1001")
    page.get_by_label("PIN").fill("1001")
    page.get_by_role("button", name="Log in with badge").tap()
    expect(page.locator("#login-offline")).to_be_visible()  # said on the page, not the browser's error page
    # Back online: the server's session is ended at the first contact, nothing queued is lost.
    page.context.set_offline(False)
    page.evaluate("import('/static/js/sync.js').then(m => m.syncNow({force: true}))")
    wait_until(page, "import('/static/js/db.js').then(m => m.getMeta('logout_pending')).then(v => v === null)")
    assert page.request.get(f"{demo_server}/consume", max_redirects=0).status == 302  # the nurse's cookie opens nothing
    login(page, demo_server, "store")
    wait_synced(page)
    run_sync_worker(app)
    [row] = outbox_rows(app, "consume")
    assert (row.username, row.status) == ("nurse", "done")  # still hers, not re-attributed
    assert real_errors(page) == []


def test_a_shift_change_with_parked_records_shows_the_next_user_only_their_own(app: Flask, demo_server: str, phone) -> None:
    """Defect 8: the badge carried the previous user's parked records and messages to the next user."""
    page = phone
    start(page, demo_server, "nurse", "/consume")
    wedge(page, WARD)
    wedge(page, gs1("05012345100043", "PCM-24A", lot_expiry(app, "PCM-24A")))  # expired
    page.get_by_role("button", name="Supervisor override…").tap()
    page.get_by_label("Reason").fill("Only strip on the ward")
    page.get_by_role("button", name="Use with override").tap()
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Saved on this handheld")
    wait_until(page, "import('/static/js/outbox.js').then(m => m.all()).then(a => a.length === 1 && a[0].state === 'sent')")
    run_sync_worker(app)
    page.goto(f"{demo_server}/device/queue")
    page.get_by_role("button", name="Sync now").tap()
    wait_until(page, "document.querySelector('#queue-list [data-state]')?.dataset.state === 'conflict'")
    wait_until(page, "document.getElementById('sync-badge').dataset.failed === '1'")
    expect(page.locator("#sync-badge")).to_contain_text("1 to check")
    page.context.set_offline(True)  # offline with a parked record: both are said
    expect(page.locator("#sync-badge .sync-text")).to_have_text("offline")
    expect(page.locator("#sync-badge .sync-failed")).to_have_text("1 to check")
    page.context.set_offline(False)
    log_out(page)
    start(page, demo_server, "store", "/transfer")
    wait_until(page, "document.getElementById('sync-badge').dataset.failed !== undefined")
    assert badge(page)["failed"] == "0"  # the nurse's parked record is hers
    expect(page.locator("#sync-badge .sync-failed")).to_be_hidden()
    page.goto(f"{demo_server}/device/queue")
    item = page.locator("#queue-list li").first
    expect(item).to_contain_text("Captured by Nia Nurse")
    assert "override" not in item.locator(".field-error").all_inner_texts()
    assert item.get_by_role("button").count() == 0
    screenshot(page, "careless-shift-change-queue")


# --- 6. The fixed frame ------------------------------------------------------------------------------

def test_the_frame_keeps_messages_buttons_and_the_scan_field_uncovered(app: Flask, demo_server: str, any_phone) -> None:
    """Defects 7 and 9: the action bar covered the refusal hint and the override button; 'Start
    over' and the brand were clipped."""
    page = any_phone
    start(page, demo_server, "nurse", "/consume")
    wedge(page, WARD)
    for lot in ("GLV-M-01", "SYR10-2501", "NS500-02"):
        gtin = {"GLV-M-01": GLOVES, "SYR10-2501": SYRINGE, "NS500-02": SALINE}[lot]
        wedge(page, gs1(gtin, lot, lot_expiry(app, lot)))
    wedge(page, gs1("05012345100043", "PCM-24A", lot_expiry(app, "PCM-24A")))  # expired: refused
    expect_result(page, "EXPIRED", "Use lot PCM-25B", level="error")
    assert covered(page, "#result .result-hint, #result button, #scan-field, #lines button, .actionbar button") == []
    screenshot(page, f"careless-consume-refused-{page.orientation}")
    page.get_by_role("button", name="Start over").tap()
    assert clipped(page, ".actionbar button, .brand") == []
    page.context.set_offline(True)
    expect(page.locator("#sync-badge")).to_contain_text("offline")
    assert clipped(page, ".brand, #sync-badge") == []
    screenshot(page, f"careless-consume-start-over-{page.orientation}")


def test_a_count_keeps_the_name_and_total_in_sight(app: Flask, demo_server: str, any_phone) -> None:
    page = any_phone
    start(page, demo_server, "auditor", "/count")
    wedge(page, "CS-STOCK")
    for lot, gtin in (("GLV-M-01", GLOVES), ("NS500-02", SALINE), ("SYR10-2501", SYRINGE), ("GZ-2512", "05012345100036")):
        wedge(page, gs1(gtin, lot, lot_expiry(app, lot)))
    expect_result(page, "Sterile gauze", "Counted 1")
    assert covered(page, "#result, #scan-field, #lines button, .actionbar button") == []
    screenshot(page, f"careless-count-frame-{page.orientation}")


# --- 7. Receipts are fresh ---------------------------------------------------------------------------

def test_the_first_tap_on_a_listed_receipt_on_a_new_handheld_works(demo_server: str, phone) -> None:
    """Defect 6: the first tap said 'Unknown receipt' while the catalog was still loading."""
    page = phone
    slow = []

    def late_catalog(route) -> None:
        slow.append(1)
        page.wait_for_timeout(1500)
        route.continue_()

    page.context.route("**/api/v1/sync", late_catalog)  # the first sync brings the catalog
    login(page, demo_server, "store")
    page.goto(f"{demo_server}/receive")
    page.wait_for_selector("[data-workflow][data-ready=true]")
    page.get_by_role("button", name="CS/IN/00001").tap()  # at once, on a handheld that has no catalog yet
    expect_result(page, "Receiving", "CS/IN/00001", level="ok")
    assert slow


# --- 8. Garbage and double taps ---------------------------------------------------------------------

def test_garbage_and_double_taps_change_nothing(app: Flask, demo_server: str, phone) -> None:
    page = phone
    start(page, demo_server, "nurse", "/consume")
    for junk in ("%%%%", "01", "0105012345100029" + "1" * 30, "]d2", "x" * 600, "WARD-3B-SUPPL"):
        wedge(page, junk)
        panel = page.locator("#result")
        assert panel.get_attribute("data-level") in ("error", "warn"), (junk, panel.inner_text())
    assert line_texts(page) == []
    wedge(page, WARD)
    wedge(page, syringe("SYR10-2501", lot_expiry(app, "SYR10-2501")))
    page.get_by_role("button", name="Confirm use").dblclick()
    expect_result(page, "Saved on this handheld")
    wait_until(page, "import('/static/js/outbox.js').then(m => m.all()).then(a => a.length === 1)")
    page.wait_for_timeout(300)
    assert len(device_outbox(page)) == 1
    assert real_errors(page) == []


def test_a_box_of_another_receipt_is_asked_not_added(app: Flask, demo_server: str, phone) -> None:
    """A box expected on another open receipt, scanned while receiving this one: asked, not added."""
    from sqlalchemy import select

    from app.extensions import db
    from app.services.sync import refresh_catalog
    from offline_sync.backends.sandbox import ledger
    from offline_sync.backends.sandbox.models import PickingKind, SandboxLocation, SandboxProduct

    with app.app_context():
        where = {loc.barcode: loc for loc in db.session.scalars(select(SandboxLocation))}
        wipes = db.session.scalar(select(SandboxProduct).where(SandboxProduct.default_code == "CHX-WIPE"))
        receipt = ledger.new_picking(db.session, PickingKind.RECEIPT, where["VENDORS"], where["CS-STOCK"], origin="P00002")
        ledger.add_move(receipt, wipes, None, demand=30)
        db.session.commit()
        refresh_catalog()
    page = phone
    start(page, demo_server, "store", "/receive")
    page.get_by_role("button", name="CS/IN/00001").tap()
    wedge(page, gs1("05012345100074", "CHX-03", date.today() + timedelta(days=500), count=10))
    text = expect_result(page, "Not on CS/IN/00001", "Chlorhexidine", level="warn")
    other = next(word for word in text.split() if word.startswith("CS/IN/") and word != "CS/IN/00001")
    assert other.rstrip(",.") != "CS/IN/00001"
    assert page.locator("#qty-confirm").is_hidden()  # nothing waits to be added
    screenshot(page, "careless-receive-other-receipt")
    page.get_by_role("button", name="Add to CS/IN/00001 anyway").tap()
    expect_result(page, "Chlorhexidine", "× 10", level="warn")
    page.get_by_role("button", name="Add", exact=True).tap()
    expect(page.locator("#lines .line")).to_have_count(1)
