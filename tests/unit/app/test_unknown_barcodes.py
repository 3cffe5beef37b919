"""Unknown barcodes and expiries, from a handheld's batch to the sandbox: a supervisor links a GTIN
the inventory does not know as a box of units from the conflict, and a decision about one line's
expiry never writes another line's (a label read without its date never blanks a known expiry)."""
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.services import conflicts
from app.services.backend import inventory_backend
from offline_sync.catalog_cache import CachedProduct
from offline_sync.outbox.models import Status
from offline_sync.outbox.resolutions import ResolutionError
from offline_sync.persistence import utcnow
from tests.hardening.security_support import log_in_demo
from tests.unit.app.test_sync_flow import GTIN_CANNULA, _on_hand, _row, _submit, _supervisor, _sync

STOREKEEPER = "store"
UNKNOWN_BOX = "15012345999996"  # a valid GTIN the demo catalog does not hold


@pytest.fixture
def demo(app: Flask, runner) -> Flask:
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    return app


def _expiry(lot: str) -> date | None:
    return next(entry.expiry for entry in inventory_backend().catalog().lots if entry.name == lot)


def _decide(op_id: str, action: str, **params) -> None:
    conflicts.decide(db.session, inventory_backend(), op_id, action, supervisor=_supervisor(), reason="checked the box",
                     params=params, address="", now=utcnow())


def test_a_decision_on_one_lines_expiry_leaves_the_line_read_without_a_date_alone(demo: Flask) -> None:
    with demo.app_context():
        kept, wrong = _expiry("IVC20-B245"), _expiry("IVC20-C260")
        label = wrong.replace(year=wrong.year + 1)
        op_id = _submit(STOREKEEPER, "receive", {"receipt": "CS/IN/00001", "lines": [
            {"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 2},  # the label read without its date
            {"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "expiry": label.isoformat(), "quantity": 3}]})
        _sync()
        assert _row(op_id).conflict_kind == "expiry_mismatch"

        _decide(op_id, "update_lot_expiry")

        assert (_expiry("IVC20-B245"), _expiry("IVC20-C260")) == (kept, label)  # B245 was blanked before
        _sync()
        assert _row(op_id).status == Status.DONE


def test_the_expiry_of_a_label_without_one_is_never_written(demo: Flask) -> None:
    with demo.app_context():
        kept = _expiry("IVC20-B245")
        op_id = _submit(STOREKEEPER, "receive", {"receipt": "CS/IN/00001", "lines": [
            {"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 2}]})
        row = _row(op_id)
        row.status, row.conflict_kind, row.conflict_detail = Status.CONFLICT, "expiry_mismatch", {"lot": "IVC20-B245"}
        db.session.commit()

        with pytest.raises(ResolutionError, match="gives no expiry"):
            _decide(op_id, "update_lot_expiry")

        assert _expiry("IVC20-B245") == kept and _row(op_id).status == Status.CONFLICT


def test_an_unknown_box_is_linked_from_the_conflict_and_its_scans_count_as_boxes(demo: Flask) -> None:
    with demo.app_context():
        before = _on_hand("WARD-3B-SUPPLY", "IVC20-B245")
        op_id = _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "lines": [
            {"gtin": UNKNOWN_BOX, "lot": "IVC20-B245", "quantity": 2}]})  # two scans of a box nobody knew
        _sync()
        row = _row(op_id)
        assert row.conflict_kind == "unknown_product"
        cannula = next(p.id for p in inventory_backend().catalog().products if p.gtin == GTIN_CANNULA)

        with pytest.raises(ResolutionError, match="more than 0"):
            _decide(op_id, "link_gtin_box", product_id=cannula, pack_quantity=0)
        _decide(op_id, "link_gtin_box", product_id=cannula, pack_quantity=5)
        _sync()

        assert _row(op_id).status == Status.DONE
        assert _on_hand("WARD-3B-SUPPLY", "IVC20-B245") == before - 10
        assert _row(op_id).payload["lines"][0]["quantity"] == 2  # the device's payload is kept as sent
        box = next(p for p in inventory_backend().catalog().products if p.gtin == UNKNOWN_BOX)
        assert (box.id, box.pack_quantity) == (cannula, 5)


def test_a_supervisor_finds_the_product_and_links_a_box_shared_with_every_handheld(demo: Flask) -> None:
    client = demo.test_client()
    csrf = log_in_demo(client, "supervisor")
    page = client.get("/products", query_string={"q": "cannula", "gtin": UNKNOWN_BOX}).get_data(as_text=True)
    assert page.count("data-product=") == 1 and GTIN_CANNULA in page and f'value="{UNKNOWN_BOX}"' in page
    with demo.app_context():
        cannula = next(p.id for p in inventory_backend().catalog().products if p.gtin == GTIN_CANNULA)
    form = {"csrf_token": csrf, "gtin": UNKNOWN_BOX, "product_id": str(cannula), "pack_quantity": "5", "reason": "box of 5 from the new supplier"}

    refused = [client.post("/products/link", data={**form, **change}) for change in
               ({"gtin": "15012345999995"}, {"pack_quantity": "1"}, {"reason": " "}, {"product_id": ""})]
    linked = client.post("/products/link", data=form)

    assert [answer.status_code for answer in refused] == [422] * 4
    assert "is not a GTIN" in refused[0].get_data(as_text=True) and "above 1" in refused[1].get_data(as_text=True)
    assert linked.status_code == 302
    assert "now names IV cannula 20G as a box of 5" in client.get(linked.location).get_data(as_text=True)
    with demo.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "gtin_linked")).all()
        assert [(e.actor, e.subject, e.detail["pack_quantity"], e.detail["reason"]) for e in events] == [
            ("supervisor", UNKNOWN_BOX, 5.0, "box of 5 from the new supplier")]
    nurse = demo.test_client()
    log_in_demo(nurse, "nurse")
    catalog = nurse.get("/api/v1/catalog").get_json()
    assert {"gtin": UNKNOWN_BOX, "pack_quantity": 5.0, "id": cannula} in [
        {key: entry[key] for key in ("gtin", "pack_quantity", "id")} for entry in catalog["products"]]


def test_the_conflict_card_links_the_unknown_box_with_its_content(demo: Flask) -> None:
    with demo.app_context():
        op_id = _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "lines": [
            {"gtin": UNKNOWN_BOX, "lot": "IVC20-B245", "quantity": 1}]})
        _sync()
        cannula = next(p.id for p in inventory_backend().catalog().products if p.gtin == GTIN_CANNULA)
    client = demo.test_client()
    csrf = log_in_demo(client, "supervisor")
    inbox = client.get("/conflicts").get_data(as_text=True)
    assert "as a box of several units" in inbox and 'name="pack_quantity"' in inbox
    form = {"csrf_token": csrf, "op_id": op_id, "action": "link_gtin_box", "product_id": str(cannula), "reason": "box of 4"}

    unreadable = client.post("/conflicts/resolve", data={**form, "pack_quantity": "four"}, headers={"HX-Request": "true"})
    decided = client.post("/conflicts/resolve", data={**form, "pack_quantity": "4"}, headers={"HX-Request": "true"})

    assert "Give the units in one box as a number." in unreadable.get_data(as_text=True)
    assert "Back in the queue with your decision" in decided.get_data(as_text=True)
    with demo.app_context():
        assert _row(op_id).resolution["payload"]["lines"][0]["quantity"] == 4
        cached = db.session.scalar(select(CachedProduct).where(CachedProduct.gtin == UNKNOWN_BOX))  # no wait for the worker
        assert (cached.id, cached.pack_quantity) == (cannula, 4)
