"""Recalls entered in the browser, the recall trace and the expiry and waste dashboard, on the sandbox's
demo data: what each shows is what the handhelds and the supervisor did."""
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.extensions import db
from app.models import AuditEvent, User
from app.services import intake, recall_trace, waste_dashboard
from app.services.backend import inventory_backend
from app.services.sync import build_worker, refresh_catalog
from offline_sync.catalog_cache import CachedLot, CachedProduct
from offline_sync.outbox.models import OutboxCommand
from offline_sync.persistence import utcnow
from tests.support import csrf_token_from, login

GTIN_CANNULA = "05012345100012"  # lot IVC20-B245: 30 on WARD-3B-SUPPLY, 60 in CS-STOCK, 10 on WARD-ED-RESUS
GTIN_CATHETER = "05012345100081"


def _submit(username: str, kind: str, payload: dict) -> str:
    user = db.session.scalar(select(User).where(User.username == username))
    op_id = str(uuid.uuid4())
    item = {"op_id": op_id, "kind": kind, "device_seq": 1, "user_id": user.id, "captured_at": datetime.now(UTC).isoformat(), "payload": payload}
    [result] = intake.accept(db.session, "handheld-0001", [item], user, "127.0.0.1", utcnow())
    assert result.answer == "accepted", result.message
    return op_id


def _sync() -> None:
    worker = build_worker(owner="test")
    while worker.run_once():
        pass


def _supervisor(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    assert login(client, "supervisor", "wardstock-demo").status_code == 302
    return client, csrf_token_from(client.get("/recalls").get_data(as_text=True))


def _recall_form(csrf: str, op_id: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf, "op_id": op_id, "gtin": GTIN_CANNULA, "scope": "lots", "lots": "IVC20-B245",
            "notice": "FSN-2026-114: sterility not assured", **fields}


def test_a_recall_entered_twice_is_kept_once_audited_and_applied_by_the_worker(demo: Flask) -> None:
    client, csrf = _supervisor(demo)
    op_id = str(uuid.uuid4())
    for _ in range(2):  # a form sent twice (a double tap, a resend) keeps one recall
        response = client.post("/recalls", data=_recall_form(csrf, op_id, gtin="5012345100012"))  # 13 digits, as typed
        assert response.status_code == 302 and "/recalls/trace" in response.location
    with demo.app_context():
        rows = list(db.session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "recall")))
        assert [(row.op_id, row.device_id, row.username) for row in rows] == [(op_id, "server", "supervisor")]
        assert rows[0].payload == {"gtin": GTIN_CANNULA, "lots": ["IVC20-B245"], "notice": "FSN-2026-114: sterility not assured"}
        audited = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "recall_entered")))
        assert [(event.actor, event.subject) for event in audited] == [("supervisor", op_id)]
        _sync()
        refresh_catalog()
        assert db.session.scalar(select(CachedLot.recalled).where(CachedLot.name == "IVC20-B245")) is True
        assert db.session.scalar(select(CachedLot.recalled).where(CachedLot.name == "IVC20-C260")) is False
    listing = client.get("/recalls").get_data(as_text=True)
    assert "FSN-2026-114" in listing and "done" in listing


@pytest.mark.parametrize(("fields", "says"), [
    ({"lots": ""}, "Name the recalled lots"),
    ({"notice": ""}, "no notice"),
    ({"gtin": "12345"}, "14-digit GTIN"),
])
def test_a_recall_the_form_cannot_keep_says_why_and_keeps_nothing(demo: Flask, fields: dict[str, str], says: str) -> None:
    client, csrf = _supervisor(demo)
    response = client.post("/recalls", data=_recall_form(csrf, str(uuid.uuid4()), **fields))
    assert response.status_code == 400 and says in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "recall")) is None


def test_the_trace_names_each_use_with_its_case_ward_and_user_and_the_recalls_progress(demo: Flask) -> None:
    with demo.app_context():
        _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "reference": "ENC-0815",
                                     "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 2}]})
        _submit("store", "quarantine", {"source": "CS-STOCK", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 5}]})
        _sync()
    client, csrf = _supervisor(demo)
    client.post("/recalls", data=_recall_form(csrf, str(uuid.uuid4())))
    with demo.app_context():
        _sync()
        refresh_catalog()
        report = recall_trace.trace(db.session, inventory_backend(), GTIN_CANNULA, "IVC20-B245")
    assert report.known and report.recalled and report.recall_at is not None
    [use] = report.uses
    assert (use.case, use.ward, use.location, use.user, use.quantity, use.before_recall) == ("ENC-0815", "WARD-3B", "WARD-3B-SUPPLY", "nurse", 2, True)
    places = {place.location: place.quantity for place in report.places}
    assert places["WARD-3B-SUPPLY"] == 28 and places["CS-STOCK"] == 55 and places["WARD-ED-RESUS"] == 10
    assert report.progress.consumed_before_recall == 2 and report.progress.consumed_after_recall == 0
    assert report.progress.quarantined == 5 and report.progress.located == 28 + 55 + 10
    assert any(move.kind == "consumption" for move in report.moves)
    page = client.get("/recalls/trace", query_string={"gtin": GTIN_CANNULA, "lot": "IVC20-B245"}).get_data(as_text=True)
    assert "ENC-0815" in page and "RECALLED" in page
    csv = client.get("/recalls/trace.csv", query_string={"gtin": GTIN_CANNULA, "lot": "IVC20-B245"}).get_data(as_text=True)
    assert "consumption" in csv and "ENC-0815" in csv


def test_a_case_reference_that_looks_like_a_formula_is_text_in_the_csv(demo: Flask) -> None:
    with demo.app_context():
        _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "reference": "=HYPERLINK(\"x\")",
                                     "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 1}]})
        report = recall_trace.trace(db.session, inventory_backend(), GTIN_CANNULA, "IVC20-B245")
    csv = recall_trace.as_csv(report)
    assert "'=HYPERLINK" in csv and ",=HYPERLINK" not in csv


def test_the_dashboard_values_expiring_stock_per_ward_and_waste_per_reason_ward_and_month(demo: Flask) -> None:
    today = date.today()
    with demo.app_context():
        db.session.execute(update(CachedProduct).values(cost=2.5))
        db.session.commit()
        expiring = waste_dashboard.expiring(db.session, today)
        # The ICU's cart: 3 catheters of lot UC14-02 expired, 10 wipes of lot CHX-01 expire in 10 days.
        assert expiring.units["WARD-ICU"][:2] == [3, 10] and expiring.value["WARD-ICU"][:2] == [7.5, 25.0]
        # Ward 3B: paracetamol PCM-24A expired (10); cannula IVC20-B245 (25 days, 30) and gauze GZ-2406 (15 days, 20); saline NS500-01 in 45 days (12).
        assert expiring.units["WARD-3B"] == [10, 50, 12, 0]

        _submit("nurse", "scrap", {"location": "WARD-3B-SUPPLY", "reason": "expired",
                                   "lines": [{"gtin": "05012345100043", "lot": "PCM-24A", "quantity": 4}]})
        _submit("store", "scrap", {"location": "WARD-ICU-CART", "reason": "expired", "lines": [{"gtin": GTIN_CATHETER, "lot": "UC14-02", "quantity": 3}]})
        _submit("store", "scrap", {"location": "WARD-ICU-CART", "reason": "other", "note": "dropped",
                                   "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}]})
        _sync()
        wasted = waste_dashboard.wasted(db.session, today - timedelta(days=31))
    month = f"{today:%Y-%m}"
    assert wasted.rows == [(month, "WARD-3B", "expired", 4, 10.0), (month, "WARD-ICU", "expired", 3, 7.5), (month, "WARD-ICU", "other", 1, 2.5)]
    client, _ = _supervisor(demo)
    page = client.get("/expiry/dashboard").get_data(as_text=True)
    assert "WARD-ICU" in page and "dashboard-data" in page
    csv = client.get("/expiry/dashboard/wasted.csv").get_data(as_text=True)
    assert csv.splitlines()[0] == "month,ward,reason,units,value" and f"{month},WARD-3B,expired,4.0,10.0" in csv
    assert client.get("/expiry/dashboard/nothing.csv").status_code == 404


@pytest.mark.parametrize(("username", "quarantines"), [("nurse", False), ("auditor", False), ("store", True), ("supervisor", True)])
def test_the_sweep_offers_quarantine_only_to_those_who_may_quarantine(demo: Flask, username: str, quarantines: bool) -> None:
    client = demo.test_client()
    assert login(client, username, "wardstock-demo").status_code == 302
    page = client.get("/sweep").get_data(as_text=True)
    assert ('data-mode="quarantine"' in page) is quarantines and 'data-mode="waste"' in page
    assert f'data-can-quarantine="{str(quarantines).lower()}"' in page
    home = client.get("/").get_data(as_text=True)
    assert "Expiry sweep" in home and ("Return to vendor" in home) is quarantines
