"""No secret ever leaves the server: the Odoo key and password, SECRET_KEY, password and PIN hashes,
device tokens and the passwords people type appear in no page, no JSON answer, no header and no
log line (the app's loggers in-process, and the JSON lines a real `flask sync once` writes).

The app is configured for Odoo at a closed local port, so every call to Odoo fails with an error
that names the URL: exactly the error most likely to drag settings along with it."""
import io
import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.logs import JsonLines
from app.models import Device, User
from app.services.backend import session_factory
from app.services.sync import build_worker, refresh_catalog
from offline_sync import catalog_cache
from offline_sync.backends.sandbox.backend import SandboxBackend
from tests.hardening.security_support import DEMO_LOGIN, OTHER_WARD_NURSE, command, log_in_demo
from tests.support import csrf_token_from, environ_for_tests, make_app

PROJECT = Path(__file__).resolve().parents[2]
MARK = secrets.token_hex(6)  # makes every planted secret unmistakable
ODOO_API_KEY = f"odoo-api-key-{MARK}"
ODOO_PASSWORD = f"odoo-password-{MARK}"
SECRET_KEY = f"secret-key-{MARK}"
TYPED_WRONG_PASSWORD = f"typed-wrong-{MARK}"
DEVICE_ID = "secrets-handheld-01"
LOGGERS = ("", "app", "offline_sync", "views", "werkzeug", "odoorpc", "urllib3", "sqlalchemy")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def odoo_environ(tmp_path: Path) -> dict[str, str]:
    return {
        "WARDSTOCK_BACKEND": "odoo", "ODOO_URL": f"http://127.0.0.1:{_closed_port()}", "ODOO_DB": "wardstock",
        "ODOO_USER": "wardstock-integration", "ODOO_API_KEY": ODOO_API_KEY, "ODOO_PASSWORD": ODOO_PASSWORD,
        "ODOO_TIMEOUT": "2", "SECRET_KEY": SECRET_KEY,
    }


@pytest.fixture
def odoo_app(template_db: Path, tmp_path: Path, odoo_environ: dict[str, str]) -> Iterator[Flask]:
    """Odoo configured (and unreachable); demo users and a catalog copied from the sandbox's demo stock."""
    database = tmp_path / "wardstock.sqlite"
    shutil.copy(template_db, database)
    app = make_app(f"sqlite:///{database}", tmp_path, **odoo_environ)
    with app.app_context():
        load_demo(db.session, date.today())
        with session_factory()() as session, session.begin():
            catalog_cache.refresh(session, SandboxBackend(session_factory()))
    yield app
    with app.app_context():
        db.engine.dispose()


def _secrets(app: Flask, tokens: list[str]) -> dict[str, str]:
    """Every secret the server holds, by name: what must never be sent or logged."""
    found = {"ODOO_API_KEY": ODOO_API_KEY, "ODOO_PASSWORD": ODOO_PASSWORD, "SECRET_KEY": SECRET_KEY,
             "a typed wrong password": TYPED_WRONG_PASSWORD}
    with app.app_context():
        for user in db.session.scalars(select(User)):
            found[f"{user.username}'s password hash"] = user.password_hash
            found[f"{user.username}'s password hash digest"] = user.password_hash.rsplit("$", 1)[-1]
            if user.pin_hash:
                found[f"{user.username}'s PIN hash"] = user.pin_hash
        for device in db.session.scalars(select(Device)):
            if device.token_hash:
                found[f"device {device.id}'s token hash"] = device.token_hash
    found.update({f"device token {n}": token for n, token in enumerate(tokens)})
    return found


def _leaks(text: str, known: dict[str, str], allowed: str = "") -> list[str]:
    return [name for name, value in known.items() if value in text and value != allowed]


def _everything_sent(response: TestResponse) -> str:
    return "\n".join([response.get_data(as_text=True), *(f"{key}: {value}" for key, value in response.headers.items())])


@contextmanager
def _captured_logs() -> Iterator[io.StringIO]:
    """Every log record at every level, as the JSON lines app.logs writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield stream
    finally:
        for logger, level in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(level)


def _register(client: FlaskClient, csrf: str) -> str:
    answer = client.post("/api/v1/devices", json={"device_id": DEVICE_ID, "name": "ward phone"}, headers={"X-CSRFToken": csrf})
    assert answer.status_code == 201
    return answer.get_json()["token"]


def _get_paths(app: Flask) -> list[str]:
    paths = ["/static/css/app.css", "/no-such-page"]
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments:
            paths.append(rule.rule)
    return paths


def test_no_page_or_answer_carries_a_secret(odoo_app: Flask) -> None:
    browser = odoo_app.test_client()
    csrf = log_in_demo(browser, "nurse")
    token = _register(browser, csrf)
    sent = command(db_user_id(odoo_app, "nurse"))
    accepted = browser.post("/api/v1/commands", json={"device_id": DEVICE_ID, "commands": [sent]}, headers={"X-CSRFToken": csrf})
    assert accepted.get_json()["results"][0]["result"] == "accepted"
    with odoo_app.app_context():
        build_worker(owner="test").run_once()  # fails against Odoo: its error is now on the row and on /sync
    known = _secrets(odoo_app, [token])
    assert len(known) > 10

    principals: dict[str, tuple[FlaskClient, dict[str, str]]] = {"nobody": (odoo_app.test_client(), {}),
                                                                  "device token": (odoo_app.test_client(), {"Authorization": f"Bearer {token}"})}
    for role, username in {**DEMO_LOGIN, "other ward": OTHER_WARD_NURSE}.items():
        client = odoo_app.test_client()
        log_in_demo(client, username)
        principals[role] = (client, {})
    checked = 0
    for who, (client, headers) in principals.items():
        for path in _get_paths(odoo_app):
            for extra in ({}, {"HX-Request": "true"}):
                response = client.get(path, headers={**headers, **extra}, query_string={"device_id": DEVICE_ID, "ids": sent["op_id"]})
                assert response.status_code < 500, f"{who}: GET {path} {extra} crashed"
                assert _leaks(_everything_sent(response), known) == [], f"{who}: GET {path} {extra}"
                checked += 1
    assert checked >= 150

    # the answers to state-changing requests, refused or not, and the error pages
    nurse = principals["nurse"][0]
    nurse_csrf = csrf_token_from(nurse.get("/").get_data(as_text=True))
    answers = [
        odoo_app.test_client().post("/login", data={"username": "nurse", "password": TYPED_WRONG_PASSWORD,
                                                    "csrf_token": csrf_token_from(odoo_app.test_client().get("/login").get_data(as_text=True))}),
        odoo_app.test_client().post("/login", data={"username": "nurse", "password": TYPED_WRONG_PASSWORD}),  # no CSRF token
        nurse.post("/api/v1/commands", json={"device_id": DEVICE_ID, "commands": [sent, {"op_id": "not-a-uuid"}]},
                   headers={"X-CSRFToken": nurse_csrf}),
        nurse.post("/conflicts/resolve", data={"csrf_token": nurse_csrf}),
        nurse.post("/device/photo", data={"csrf_token": nurse_csrf, "photo": (io.BytesIO(b"x" * 100), "p.jpg")}),
        nurse.put("/api/v1/commands"),
    ]
    for response in answers:
        assert _leaks(_everything_sent(response), known) == [], response.request.path
    taken = nurse.post("/api/v1/devices", json={"device_id": DEVICE_ID}, headers={"X-CSRFToken": nurse_csrf})
    assert taken.status_code == 409 and _leaks(_everything_sent(taken), known) == []
    again = nurse.post("/api/v1/devices", json={"device_id": "another-handheld-02"}, headers={"X-CSRFToken": nurse_csrf})
    own_token = again.get_json()["token"]  # a registration answers with the device's new token, once, and nothing else
    assert _leaks(_everything_sent(again), _secrets(odoo_app, [token, own_token]), allowed=own_token) == []


def db_user_id(app: Flask, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_no_log_line_carries_a_secret(odoo_app: Flask, odoo_environ: dict[str, str]) -> None:
    with _captured_logs() as logs:
        browser = odoo_app.test_client()
        csrf = csrf_token_from(browser.get("/login").get_data(as_text=True))
        browser.post("/login", data={"username": "nurse", "password": TYPED_WRONG_PASSWORD, "csrf_token": csrf})
        browser.post("/login/badge", data={"badge-badge": "BADGE:2001", "badge-pin": "9999", "badge-csrf_token": csrf})
        csrf = log_in_demo(browser, "nurse")
        token = _register(browser, csrf)
        batch = {"device_id": DEVICE_ID, "commands": [command(db_user_id(odoo_app, "nurse")), {"op_id": "bad"}]}
        assert odoo_app.test_client().post("/api/v1/commands", json=batch, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        with odoo_app.app_context():
            assert refresh_catalog() is None  # Odoo is unreachable
            build_worker(owner="test").run_once()
    written = logs.getvalue()
    assert odoo_environ["ODOO_URL"].removeprefix("http://") in written  # the failures were logged, naming Odoo's address
    assert _leaks(written, _secrets(odoo_app, [token])) == []
    assert DEMO_PASSWORD not in written and "9999" not in written


def test_the_worker_process_json_log_carries_no_secret(odoo_app: Flask, odoo_environ: dict[str, str], tmp_path: Path) -> None:
    """A real `flask sync once`, which configures app.logs' JSON lines on stderr, with a command to send."""
    client = odoo_app.test_client()
    token = _register(client, log_in_demo(client, "nurse"))
    batch = {"device_id": DEVICE_ID, "commands": [command(db_user_id(odoo_app, "nurse"))]}
    assert odoo_app.test_client().post("/api/v1/commands", json=batch, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    environ = {**os.environ, **environ_for_tests(odoo_app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, **odoo_environ),
               "LOG_LEVEL": "DEBUG"}
    flask = str(Path(sys.executable).parent / "flask")
    run = subprocess.run([flask, "--app", "wsgi", "sync", "once"], check=False, cwd=PROJECT, env=environ,
                         capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    assert lines, run.stderr
    assert any(odoo_environ["ODOO_URL"].removeprefix("http://") in line["message"] for line in lines), run.stderr
    assert _leaks(run.stdout + run.stderr, _secrets(odoo_app, [token])) == []
