"""Ward replenishment on phones: a nurse scans two empty bins' cards offline (the same card twice is
asked once), reconnects; the storekeeper picks the refill first expiry first out (an expired lot
refused, a later lot amber, one product short), is told the right ward when at the wrong one, and
delivers; the ward's "running low" list empties and the sandbox holds exactly one delivered transfer
with the lots picked, the rest on a backorder."""
import pytest
from flask import Flask
from sqlalchemy import select

from tests.e2e.conftest import PHONE, screenshot, watch_errors
from tests.e2e.journey import (
    GAUZE,
    GLOVES,
    IV_CANNULA,
    covered,
    device_outbox,
    expect_result,
    gs1,
    lot_expiry,
    real_errors,
    run_sync_worker,
    small_targets,
    start,
    wait_synced,
    wait_until,
    wedge,
)

pytestmark = pytest.mark.e2e
WARD = "WARD-3B-SUPPLY"
IV_CARD = f"BIN:{IV_CANNULA}:{WARD}"  # demo par level 40–80, 30 on hand: the card asks for 40
GAUZE_CARD = f"BIN:{GAUZE}:{WARD}"  # demo par level 25–50, 20 on hand: the card asks for 25


def refresh_server_catalog(app: Flask) -> None:
    from app.services.sync import refresh_catalog

    with app.app_context():
        refresh_catalog()


def low_names(page) -> list[str]:
    return page.locator("#low-list .line-name").all_inner_texts()


def ward_transfers(app: Flask) -> list[dict]:
    """Every internal transfer from the central store to the ward in the sandbox, with its moves."""
    from app.extensions import db
    from offline_sync.backends.sandbox.models import PickingKind, SandboxLocation, SandboxPicking

    with app.app_context():
        ward = db.session.scalar(select(SandboxLocation).where(SandboxLocation.barcode == WARD))
        pickings = db.session.scalars(select(SandboxPicking).where(SandboxPicking.kind == PickingKind.INTERNAL,
                                                                   SandboxPicking.location_dest_id == ward.id)
                                      .order_by(SandboxPicking.id))
        return [{"name": p.name, "state": p.state, "source": p.location.barcode, "backorder_of": p.backorder_id,
                 "moves": sorted((m.product.name, m.lot.name if m.lot else "", m.product_uom_qty, m.quantity, m.picked) for m in p.moves)}
                for p in pickings]


def test_two_bin_cards_offline_become_one_refill_picked_short_and_delivered(app: Flask, demo_server: str, phone, browser) -> None:
    nurse = phone
    start(nurse, demo_server, "nurse", "/replenish")
    wedge(nurse, WARD)
    expect_result(nurse, "Ward location", WARD, "2 products are running low here", level="ok")
    assert sorted(low_names(nurse)) == ["IV cannula 20G", "Sterile gauze swab 10x10 cm"]
    screenshot(nurse, "replenish-low")
    assert small_targets(nurse) == [] and covered(nurse, "#low-list button, #scan-field") == []  # gloved thumbs

    nurse.context.set_offline(True)
    wedge(nurse, IV_CARD)
    expect_result(nurse, "Asked the store", "40 × IV cannula 20G", "No network", level="ok")
    wedge(nurse, GAUZE_CARD)
    expect_result(nurse, "Asked the store", "25 × Sterile gauze", level="ok")
    wedge(nurse, IV_CARD)  # the same bin's card again before the refill came
    expect_result(nurse, "Already asked for at", "on its way", "IV cannula 20G", level="warn")
    screenshot(nurse, "replenish-asked-twice")
    asked = [c for c in device_outbox(nurse) if c["kind"] == "replenish_request"]
    assert [(c["payload"]["gtin"], c["payload"]["quantity"], c["payload"]["card"]) for c in asked] == [
        (IV_CANNULA, 40, IV_CARD), (GAUZE, 25, GAUZE_CARD)]
    notes = nurse.locator("#low-list .line-note").all_inner_texts()
    assert len(notes) == 2 and all(note.startswith("Asked ") and note.endswith("on its way") for note in notes), notes
    assert nurse.locator("#low-list [data-action=ask]").count() == 0  # nothing left to ask for

    nurse.context.set_offline(False)
    wait_synced(nurse)
    run_sync_worker(app)
    refresh_server_catalog(app)
    open_refills = [t for t in ward_transfers(app) if t["state"] != "done"]
    assert len(open_refills) == 1 and open_refills[0]["source"] == "CS-STOCK"
    assert [(name, demand) for name, _lot, demand, _done, _picked in open_refills[0]["moves"]] == [
        ("IV cannula 20G", 40), ("Sterile gauze swab 10x10 cm", 25)]

    store = watch_errors(browser.new_context(**PHONE).new_page())  # the storekeeper's own handheld
    start(store, demo_server, "store", "/replenish/pick")
    wait_until(store, "document.querySelectorAll('.transfer-choice').length === 1")
    assert store.locator(f".ward-group[data-ward='{WARD}']").count() == 1
    screenshot(store, "replenish-pick-list")
    assert small_targets(store) == [] and covered(store, ".transfer-choice, #scan-field") == []
    store.locator(".transfer-choice").tap()
    expect_result(store, f"Picking for {WARD}", "lot IVC20-B245", level="ok")
    wedge(store, gs1(IV_CANNULA, "IVC20-A231", lot_expiry(app, "IVC20-A231")))  # expired in the store: refused
    expect_result(store, "EXPIRED", level="error")
    wedge(store, gs1(IV_CANNULA, "IVC20-B245", lot_expiry(app, "IVC20-B245"), count=40))
    expect_result(store, "IV cannula 20G", "× 40", "40 of 40 picked")
    wedge(store, gs1(GAUZE, "GZ-2512", lot_expiry(app, "GZ-2512"), count=20))  # a later lot than GZ-2406: allowed, amber
    expect_result(store, "Sterile gauze", "× 20", "First expiry, first out: lot GZ-2406 expires earlier", level="warn")
    screenshot(store, "replenish-pick-fefo")
    wedge(store, "WARD-ICU-CART")
    expect_result(store, "Wrong place: this is WARD-ICU-CART", f"Deliver to {WARD}", level="error")
    wedge(store, WARD)
    expect_result(store, "At the ward", "Short: 5 × Sterile gauze", level="warn")
    screenshot(store, "replenish-deliver")
    assert small_targets(store) == [] and covered(store, "#lines button, #drop-rest, .actionbar button") == []
    store.get_by_role("button", name="Deliver").tap()
    expect_result(store, f"Delivered to {WARD}", "Still to come (backorder): 5 × Sterile gauze")
    wait_synced(store)
    run_sync_worker(app)
    refresh_server_catalog(app)

    transfers = ward_transfers(app)
    delivered = [t for t in transfers if t["state"] == "done"]
    assert len(delivered) == 1, transfers
    picked = [(name, lot, done) for name, lot, _demand, done, was_picked in delivered[0]["moves"] if was_picked]
    assert sorted(picked) == [("IV cannula 20G", "IVC20-B245", 40), ("Sterile gauze swab 10x10 cm", "GZ-2512", 20)]
    backorders = [t for t in transfers if t["state"] != "done"]
    assert [(t["backorder_of"] is not None, [(m[0], m[2]) for m in t["moves"]]) for t in backorders] == [
        (True, [("Sterile gauze swab 10x10 cm", 5)])]

    nurse.reload()  # the page syncs on start, and with it the catalog
    nurse.wait_for_selector("[data-workflow][data-ready=true]")
    wait_until(nurse, "document.querySelectorAll('#low-list li').length === 0")
    assert nurse.locator("#low-empty").inner_text() == f"Nothing is running low at {WARD}."
    screenshot(nurse, "replenish-low-empty")
    assert real_errors(nurse) == [] and real_errors(store) == []
    store.context.close()


def test_a_nurse_asks_from_the_low_list_and_cards_of_other_wards_or_without_a_par_level_are_refused(
        app: Flask, demo_server: str, phone) -> None:
    page = phone
    start(page, demo_server, "nurse", "/replenish")
    page.context.set_offline(True)
    wedge(page, f"BIN:{IV_CANNULA}:WARD-ICU-CART")  # the ICU's card: not her ward
    expect_result(page, "Not your ward: WARD-ICU-CART", level="error")
    wedge(page, f"BIN:{GLOVES}:{WARD}")  # gloves have no par level in 3B
    expect_result(page, "No par level for this card", "Ask a supervisor to set its par level", level="error")
    wedge(page, WARD)
    page.locator(f"#low-list li[data-gtin='{GAUZE}'] [data-action=ask]").tap()
    expect_result(page, "Asked the store", "30 × Sterile gauze", level="ok")  # back to its maximum: 50 − 20
    wait_until(page, f"document.querySelector(\"#low-list li[data-gtin='{GAUZE}'] .line-note\") !== null")
    wedge(page, GAUZE_CARD)  # its card too, before the refill came
    expect_result(page, "Already asked for at", level="warn")
    asked = [c["payload"] for c in device_outbox(page) if c["kind"] == "replenish_request"]
    assert asked == [{"location": WARD, "gtin": GAUZE, "quantity": 30, "card": ""}]
    page.context.set_offline(False)
    wait_synced(page)
    run_sync_worker(app)
    open_refills = [t for t in ward_transfers(app) if t["state"] != "done"]
    assert [m[:3] for t in open_refills for m in t["moves"]] == [("Sterile gauze swab 10x10 cm", "", 30)]
    assert real_errors(page) == []
