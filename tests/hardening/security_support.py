"""Helpers for the security tests: demo logins, a device token, commands, and a snapshot of every
table to prove that a refused request changed nothing."""
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import User
from app.services import devices
from app.services.sync import build_worker
from offline_sync.outbox.models import OutboxCommand, Status
from tests.support import csrf_token_from, login, make_app

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


def api(client: FlaskClient, method: str, path: str, token: str | None, **kwargs: Any) -> TestResponse:
    """A device API call with a bearer token (or none)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(path, method=method, headers=headers, **kwargs)


@dataclass
class World:
    """Demo data, a device token for the Ward 3B nurse, and a parked conflict a supervisor may decide."""

    app: Flask
    device_id: str
    token: str
    nurse_id: int
    parked_op_id: str


def build_world(app: Flask, device_id: str) -> World:
    load_demo(app)
    token = device_token(app, device_id, "nurse")
    nurse_id = user_id(app, "nurse")
    expired = command(nurse_id, location="WARD-3B-SUPPLY", lines=[{"gtin": GTIN_PARACETAMOL, "lot": "PCM-24A", "quantity": 1}])
    answer = api(app.test_client(), "POST", "/api/v1/commands", token, json={"device_id": device_id, "commands": [expired]})
    assert answer.get_json()["results"][0]["result"] == "accepted"
    with app.app_context():
        build_worker(owner="test").run_once()
        assert db.session.scalar(select(OutboxCommand.status).where(OutboxCommand.op_id == expired["op_id"])) == Status.CONFLICT
    return World(app, device_id, token, nurse_id, expired["op_id"])


def world_template(template_db: Path, folder: Path, device_id: str) -> tuple[Path, World]:
    """A world built once into its own SQLite file, for a module's tests to copy (see open_world)."""
    path = folder / "world.sqlite"
    shutil.copy(template_db, path)
    app = make_app(f"sqlite:///{path}", folder)
    world = build_world(app, device_id)
    with app.app_context():
        db.engine.dispose()
    return path, world


@contextmanager
def open_world(template: tuple[Path, World], folder: Path) -> Iterator[World]:
    """A fresh copy of a built world, with its own app."""
    path = folder / "wardstock.sqlite"
    shutil.copy(template[0], path)
    app = make_app(f"sqlite:///{path}", folder)
    yield replace(template[1], app=app)
    with app.app_context():
        db.engine.dispose()
