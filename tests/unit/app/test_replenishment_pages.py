"""The supervisor's ward replenishment pages: par levels (a change goes through the outbox like a
handheld's command, audited with who and why, and the worker writes it to the backend), printable
two-bin cards, and the stock-out watch with stale requests highlighted."""
import re
import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from app.services import replenishment
from app.services.backend import inventory_backend
from app.services.sync import build_worker, refresh_catalog
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.persistence import utcnow
from scanners import Kind, interpret
from tests.support import csrf_token_from, login

GAUZE = "05012345100036"
IV_CANNULA = "05012345100012"


@pytest.fixture
def supervisor(app: Flask, runner, client: FlaskClient) -> FlaskClient:
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert login(client, "supervisor", "wardstock-demo").status_code == 302
    return client


def _set(client: FlaskClient, **fields: str):
    token = csrf_token_from(client.get("/par-levels?ward=WARD-3B").get_data(as_text=True))
    form = {"ward": "WARD-3B", "location": "WARD-3B-SUPPLY", "gtin": GAUZE, "minimum": "30", "maximum": "60",
            "reason": "two more beds from Monday", "csrf_token": token, **fields}
    return client.post("/par-levels", data=form, follow_redirects=True)


def _work(app: Flask) -> None:
    with app.app_context():
        worker = build_worker("test")
        while worker.run_once():
            pass
        refresh_catalog()


def test_a_wards_par_levels_show_with_on_hand_and_low_ones_marked(app: Flask, supervisor: FlaskClient) -> None:
    page = supervisor.get("/par-levels?ward=WARD-3B").get_data(as_text=True)
    rows = re.findall(r'<tr data-gtin="(\d+)" data-location="([^"]+)" class="([^"]*)"', page)
    assert (IV_CANNULA, "WARD-3B-SUPPLY", "row-low") in rows  # 30 on hand, minimum 40
    assert ("05012345100029", "WARD-3B-SUPPLY", "") in rows  # syringes: 50 on hand, minimum 20
    assert all(location == "WARD-3B-SUPPLY" for _gtin, location, _low in rows)  # not the ICU's


def test_a_par_level_change_is_queued_audited_and_written_to_the_backend(app: Flask, supervisor: FlaskClient) -> None:
    page = _set(supervisor).get_data(as_text=True)
    assert "queued: 30 to 60" in page and "Changing to 30 – 60" in page
    with app.app_context():
        row = db.session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "par_level_set"))
        assert (row.device_id, row.username, row.status) == ("server", "supervisor", Status.QUEUED)
        assert row.payload == {"location": "WARD-3B-SUPPLY", "gtin": GAUZE, "minimum": 30.0, "maximum": 60.0}
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "par_level_set"))
        assert (event.actor, event.subject, event.detail["reason"]) == ("supervisor", row.op_id, "two more beds from Monday")
    _work(app)
    with app.app_context():
        assert db.session.scalar(select(OutboxCommand.status).where(OutboxCommand.kind == "par_level_set")) == Status.DONE
        level = next(p for p in inventory_backend().catalog().par_levels
                     if p.minimum == 30 and p.maximum == 60)
        assert level.product_id == next(p.id for p in inventory_backend().catalog().products if p.gtin == GAUZE)
    page = supervisor.get("/par-levels?ward=WARD-3B").get_data(as_text=True)
    assert "Changing to" not in page and "refill 30" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": " "}, "Say why the par level changes"),
        ({"minimum": "60", "maximum": "30"}, "The maximum 30 is below the minimum 60"),
        ({"minimum": "2.5"}, "whole number"),
        ({"maximum": "lots"}, "must be a number"),
        ({"location": "NOWHERE"}, "Location NOWHERE is not known"),
    ],
)
def test_a_par_level_that_cannot_be_used_is_refused_with_a_sentence_and_nothing_queued(
        app: Flask, supervisor: FlaskClient, fields: dict[str, str], message: str) -> None:
    page = _set(supervisor, **fields).get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert db.session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "par_level_set")) is None
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "par_level_set")) is None


def test_printed_cards_read_back_as_their_product_and_ward_location(app: Flask, supervisor: FlaskClient) -> None:
    page = supervisor.get("/par-levels/cards?ward=WARD-3B").get_data(as_text=True)
    texts = re.findall(r"<code>(BIN:[^<]+)</code>", page)
    assert f"BIN:{IV_CANNULA}:WARD-3B-SUPPLY" in texts and len(texts) == 4
    scan = interpret(texts[0])
    assert scan.kind == Kind.BIN_CARD and scan.code == "WARD-3B-SUPPLY"
    assert "refill 40" in page  # IV cannulas: 80 − 40


def _request(app: Flask, gtin: str, hours_ago: float, status: Status = Status.QUEUED) -> None:
    with app.app_context():
        nurse = db.session.scalar(select(User).where(User.username == "nurse"))
        at = utcnow() - timedelta(hours=hours_ago)
        db.session.add(OutboxCommand(
            op_id=str(uuid.uuid4()), kind="replenish_request", device_id="hh-1", device_seq=1, user_id=nurse.id, username="nurse",
            captured_at=at, lane="WARD-3B-SUPPLY", touches=[], payload={"location": "WARD-3B-SUPPLY", "gtin": gtin, "quantity": 25, "card": ""},
            raw_scans=[], status=status, received_at=at, next_attempt_at=at, attempts=0, last_error="", refs={}, conflict_message="",
            conflict_detail={}, resolution={}))
        db.session.commit()


def test_the_stock_out_watch_lists_low_products_and_open_requests_the_old_ones_highlighted(app: Flask, supervisor: FlaskClient) -> None:
    _request(app, GAUZE, hours_ago=12)  # older than REPLENISH_STALE_HOURS (8)
    _request(app, IV_CANNULA, hours_ago=1)
    _request(app, "05012345100029", hours_ago=30, status=Status.DISCARDED)  # discarded: not waiting
    with app.app_context():
        watch = {ward.ward: ward for ward in replenishment.stock_out_watch(db.session, timedelta(hours=8), utcnow())}
    ward = watch["WARD-3B"]
    assert sorted(row.product for row in ward.low) == ["IV cannula 20G", "Sterile gauze swab 10x10 cm"]
    assert [(r.product, r.stale) for r in ward.requests] == [("Sterile gauze swab 10x10 cm", True), ("IV cannula 20G", False)]
    assert "WARD-ICU" in watch  # wipes on the ICU cart are at their minimum
    page = supervisor.get("/stock-outs").get_data(as_text=True)
    assert page.count('data-stale="true"') == 1 and "waiting too long" in page and "12.0 h ago" in page


def test_the_supervisors_home_links_the_replenishment_pages(supervisor: FlaskClient) -> None:
    page = supervisor.get("/").get_data(as_text=True)
    for link in ('href="/par-levels"', 'href="/stock-outs"', 'href="/replenish"', 'href="/replenish/pick"'):
        assert link in page
