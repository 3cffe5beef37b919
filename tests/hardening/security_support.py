"""Helpers for the security tests: demo logins, a device token, commands, and a snapshot of every
table to prove that a refused request changed nothing."""
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import User
from app.services import devices
from tests.support import csrf_token_from, login

GTIN_CANNULA = "05012345100012"  # lot IVC20-B245 on WARD-3B-SUPPLY, IVC20-C260 on WARD-ICU-CART
GTIN_PARACETAMOL = "05012345100043"  # lot PCM-24A on WARD-3B-SUPPLY is expired: consuming it is parked
# One demo login per role, written out: a new role without a login here fails the tests that use it.
DEMO_LOGIN = {"storekeeper": "store", "nurse": "nurse", "auditor": "auditor", "supervisor": "supervisor", "admin": "admin"}
OTHER_WARD_NURSE = "icu.nurse"  # bound to WARD-ICU, where "nurse" (WARD-3B) may not act


def load_demo(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def log_in_demo(client: FlaskClient, username: str) -> str:
    """Log `client` in as a demo user; returns the CSRF token of the session it got."""
    response = login(client, username, DEMO_PASSWORD)
    assert response.status_code == 302 and response.location == "/", response.get_data(as_text=True)
    return csrf_token_from(client.get("/").get_data(as_text=True))


def user_id(app: Flask, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def device_token(app: Flask, device_id: str, username: str) -> str:
    """A bearer token for `device_id`, registered while `username` is logged in on it."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        token = devices.register(db.session, device_id, "test handheld", user, "127.0.0.1")
        db.session.commit()
        return token


def command(user: int, kind: str = "consume", device_seq: int = 1, **payload: Any) -> dict[str, Any]:
    """One device command (a consumption of 1 cannula on Ward 3B's supply room unless told)."""
    return {
        "op_id": str(uuid.uuid4()), "kind": kind, "device_seq": device_seq, "user_id": user,
        "captured_at": datetime.now(UTC).isoformat(),
        "payload": payload or {"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 1}]},
    }


def snapshot(app: Flask) -> dict[str, list[str]]:
    """Every row of every table (app, outbox, catalog cache, sandbox ledger), for before/after comparisons."""
    with app.app_context():
        db.session.expire_all()
        return {
            table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
            for table in db.metadata.sorted_tables
        }


def changed_tables(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]
