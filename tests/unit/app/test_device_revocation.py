"""Revoking a handheld's token (issue 19, item 8): supervisors and administrators, from the handhelds
page, audited, refused at once by the web process that revoked it and within token_cache.TTL seconds
by every other one (each keeps the tokens it found valid that long, issue 18)."""
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import AuditEvent, Device, User
from app.security import token_cache
from tests.support import csrf_token_from, login, make_app

DEVICE = "handheld-lost-01"


def _registered(app: Flask) -> str:
    nurse = app.test_client()
    login(nurse, "nurse", "wardstock-demo")
    csrf = csrf_token_from(nurse.get("/").get_data(as_text=True))
    response = nurse.post("/api/v1/devices", json={"device_id": DEVICE, "name": "Zebra TC52 ward 3B"}, headers={"X-CSRFToken": csrf})
    assert response.status_code == 201
    return response.get_json()["token"]


def _batch(app: Flask, token: str):
    with app.app_context():
        nurse_id = db.session.query(User).filter_by(username="nurse").one().id
    command = {"op_id": str(uuid.uuid4()), "kind": "consume", "device_seq": 1, "user_id": nurse_id,
               "captured_at": datetime.now(UTC).isoformat(),
               "payload": {"location": "WARD-3B-SUPPLY", "lines": [{"gtin": "05012345100012", "lot": "IVC20-B245", "quantity": 1}]}}
    return app.test_client().post("/api/v1/commands", json={"device_id": DEVICE, "commands": [command]},
                                  headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_a_revoked_token_is_refused_at_once_here_and_within_the_cache_ttl_elsewhere(demo: Flask, tmp_path: Path, role: str) -> None:
    token = _registered(demo)
    other_process = make_app(demo.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other")  # another web process, same database
    clocks = {demo: [0.0], other_process: [0.0]}
    for app, clock in clocks.items():
        token_cache.cache_of(app).clock = lambda clock=clock: clock[0]
        assert _batch(app, token).status_code == 200  # each has seen the token work, and keeps it

    supervisor = demo.test_client()
    login(supervisor, role, "wardstock-demo")
    assert "Handhelds: who uses them, revoke a token" in supervisor.get("/sync").get_data(as_text=True)
    page = supervisor.get("/devices").get_data(as_text=True)
    assert "Zebra TC52 ward 3B" in page and "nurse" in page and "Revoke its token" in page
    csrf = csrf_token_from(page)
    refused = supervisor.post("/devices/revoke", data={"device_id": DEVICE, "reason": " ", "csrf_token": csrf}, follow_redirects=True)
    assert "Give a reason of at most 200 characters" in refused.get_data(as_text=True)
    assert _batch(demo, token).status_code == 200  # not revoked without a reason

    done = supervisor.post("/devices/revoke", data={"device_id": DEVICE, "reason": "lost on the ward", "csrf_token": csrf},
                           follow_redirects=True).get_data(as_text=True)
    assert "Zebra TC52 ward 3B can no longer send anything with its token" in done and "Revoked: its token is refused." in done
    assert _batch(demo, token).status_code == 401  # the process that revoked it: at once, no time has passed
    assert _batch(other_process, token).status_code == 200  # another one: the token it keeps is still good
    clocks[other_process][0] += token_cache.TTL  # at most TTL seconds later
    for app in (demo, other_process):
        response = _batch(app, token)
        assert response.status_code == 401 and response.get_json()["error"] == "bad_token"
        status = app.test_client().post("/api/v1/commands/status", json={"ids": []}, headers={"Authorization": f"Bearer {token}"})
        assert status.status_code == 401
    with demo.app_context():
        event = db.session.query(AuditEvent).filter_by(action="device_revoked").one()
        assert (event.actor, event.subject, event.detail["reason"]) == (role, DEVICE, "lost on the ward")
        assert db.session.get(Device, DEVICE).revoked
    with other_process.app_context():
        db.engine.dispose()


def test_a_nurse_cannot_revoke_and_an_unknown_handheld_gets_a_sentence(demo: Flask) -> None:
    token = _registered(demo)
    nurse: FlaskClient = demo.test_client()
    login(nurse, "nurse", "wardstock-demo")
    csrf = csrf_token_from(nurse.get("/").get_data(as_text=True))
    assert nurse.post("/devices/revoke", data={"device_id": DEVICE, "reason": "x", "csrf_token": csrf}).status_code == 403
    assert _batch(demo, token).status_code == 200
    supervisor = demo.test_client()
    login(supervisor, "supervisor", "wardstock-demo")
    csrf = csrf_token_from(supervisor.get("/devices").get_data(as_text=True))
    page = supervisor.post("/devices/revoke", data={"device_id": "no-such-one", "reason": "x", "csrf_token": csrf},
                           follow_redirects=True).get_data(as_text=True)
    assert "There is no handheld &#39;no-such-one&#39;; reload the list." in page
