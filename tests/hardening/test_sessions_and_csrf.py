"""Sessions and CSRF: a new session at every login and user switch, a login that ends, a CSRF
token on every state-changing route (the device API's bearer tokens excepted, by design), and the
security headers on every kind of answer."""
import io
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models.printers import LabelPrinter
from app.security import passwords
from app.security.idle import LAST_SEEN, LOGGED_IN_AT
from offline_sync.persistence import utcnow
from tests.hardening.security_support import (
    World,
    changed_tables,
    command,
    log_in_demo,
    open_world,
    snapshot,
    user_id,
    world_template,
)
from tests.hardening.test_authorisation_table import REQUESTS
from tests.support import csrf_token_from, make_app

DEVICE_ID = "csrf-handheld-01"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def built_world(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    return world_template(template_db, tmp_path_factory.mktemp("world"), DEVICE_ID)


@pytest.fixture
def world(built_world: tuple[Path, World], tmp_path: Path) -> Iterator[World]:
    with open_world(built_world, tmp_path) as opened:
        yield opened


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _badge_login(client: FlaskClient, badge: str, pin: str) -> TestResponse:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login/badge", data={"badge-badge": badge, "badge-pin": pin, "badge-csrf_token": token})


def _logged_in_as(client: FlaskClient) -> str | None:
    page = client.get("/")
    return page.get_data(as_text=True).split('data-user-name="')[1].split('"')[0] if page.status_code == 200 else None


# ---- session fixation ------------------------------------------------------------------------

def test_login_gives_a_new_session_and_a_planted_cookie_stays_anonymous(world: World) -> None:
    attacker = world.app.test_client()
    planted_token = csrf_token_from(attacker.get("/login").get_data(as_text=True))
    with attacker.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    planted_cookie = _session_cookie(attacker)

    victim = world.app.test_client()
    victim.set_cookie("session", planted_cookie)  # the attacker fixed the victim's cookie
    victims_token = log_in_demo(victim, "nurse")
    assert _session_cookie(victim) != planted_cookie
    with victim.session_transaction() as session:
        assert "planted" not in session
    assert victims_token != planted_token

    assert _logged_in_as(attacker) is None  # the planted cookie did not become the victim's login
    reused = victim.post("/logout", data={"csrf_token": planted_token})  # nor does its CSRF token work there
    assert reused.status_code == 400 and _logged_in_as(victim) is not None


def test_a_badge_switch_gives_a_new_session_and_the_last_users_forms_stop_working(world: World) -> None:
    client = world.app.test_client()
    previous_token = log_in_demo(client, "store")
    previous_cookie = _session_cookie(client)
    assert _badge_login(client, "BADGE:2001", "2001").status_code == 302  # the Ward 3B nurse takes the handheld
    assert _session_cookie(client) != previous_cookie
    assert _logged_in_as(client) == "Nia Nurse (Ward 3B)"
    assert client.post("/logout", data={"csrf_token": previous_token}).status_code == 400
    assert _logged_in_as(client) == "Nia Nurse (Ward 3B)"
    new_token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert new_token != previous_token
    assert client.post("/logout", data={"csrf_token": new_token}).status_code == 302 and _logged_in_as(client) is None


@pytest.mark.parametrize(("age_hours", "still_in"), [(11, True), (13, False)])
def test_a_login_lasts_at_most_session_max_hours_even_when_in_use(world: World, age_hours: int, still_in: bool) -> None:
    client = world.app.test_client()
    log_in_demo(client, "nurse")
    with client.session_transaction() as session:
        session[LOGGED_IN_AT] = (utcnow() - timedelta(hours=age_hours)).isoformat()
        session[LAST_SEEN] = utcnow().isoformat()  # in use a moment ago
    response = client.get("/")
    assert (response.status_code == 200) is still_in
    if not still_in:
        assert response.location.startswith("/login")
        assert "a login lasts at most 12 hours" in client.get("/login").get_data(as_text=True)


def test_a_cookie_copied_before_logout_does_not_work_after_it(world: World) -> None:
    client = world.app.test_client()
    token = log_in_demo(client, "nurse")
    copied = _session_cookie(client)
    client.post("/logout", data={"csrf_token": token})
    thief = world.app.test_client()
    thief.set_cookie("session", copied)
    assert _logged_in_as(thief) is None


LOGIN_ATTEMPTS = {
    "wrong password": ("/login", {"username": "nurse", "password": "not hers"}),
    "no such user": ("/login", {"username": "nobody-here", "password": "not hers"}),
    "wrong PIN": ("/login/badge", {"badge-badge": "BADGE:2001", "badge-pin": "0000"}),
    "no such badge": ("/login/badge", {"badge-badge": "BADGE:0000", "badge-pin": "0000"}),
}


def test_a_login_for_nobody_costs_one_hash_check_like_a_wrong_password(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Otherwise the answer's delay (Argon2 takes ~100 ms) tells which usernames and badges exist."""
    checked: list[str] = []
    real = passwords._hasher

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def verify(self, stored: str, secret: str) -> bool:
            checked.append(secret)
            return real.verify(stored, secret)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    for what, (path, form) in LOGIN_ATTEMPTS.items():
        client = world.app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        field = "badge-csrf_token" if path == "/login/badge" else "csrf_token"
        checked.clear()
        assert client.post(path, data={**form, field: token}).status_code == 401, what
        assert len(checked) == 1, f"{what}: {len(checked)} hash checks"


# ---- CSRF ------------------------------------------------------------------------------------

# (method, rule) -> (who logs in first, None for nobody; the request's arguments without its CSRF
# token). Real requests: with the token each changes data (checked below), so "nothing changed"
# without it means something. The newer pages' bodies are the authorisation table's own.
CsrfCase = tuple[str | None, Callable[[World], dict[str, Any]]]


def _a_printer(world: World) -> dict[str, Any]:
    """A printer to remove, so that removing it with the token changes something."""
    with world.app.app_context():
        printer = LabelPrinter(name=f"Zebra {uuid.uuid4().hex[:8]}", host="10.0.4.21", stock="zebra-4x2")
        db.session.add(printer)
        db.session.commit()
        return {"data": {"printer_id": str(printer.id)}}


CSRF_CASES: dict[tuple[str, str], CsrfCase] = {
    ("POST", "/login"): (None, lambda w: {"data": {"username": "nurse", "password": DEMO_PASSWORD}}),
    ("POST", "/login/badge"): (None, lambda w: {"data": {"badge-badge": "BADGE:2001", "badge-pin": "2001"}}),
    ("POST", "/logout"): ("supervisor", lambda w: {"data": {}}),
    ("POST", "/conflicts/resolve"): ("supervisor", lambda w: {"data": {"op_id": w.parked_op_id, "action": "override", "reason": "Emergency"}}),
    ("POST", "/device/photo"): ("supervisor", lambda w: {"data": {"photo": (io.BytesIO(b"not a photo"), "label.png")}}),
    ("POST", "/api/v1/devices"): ("supervisor", lambda w: {"json": {"device_id": "csrf-handheld-02", "name": "new"}}),
    ("POST", "/api/v1/commands"): ("supervisor", lambda w: {"json": {"device_id": DEVICE_ID, "commands": [command(w.nurse_id)]}}),
    ("POST", "/api/v1/commands/status"): ("supervisor", lambda w: {"json": {"ids": [w.parked_op_id]}}),
    ("POST", "/api/v1/sync"): ("supervisor", lambda w: {"json": {"device_id": DEVICE_ID, "commands": [command(w.nurse_id)],
                                                                 "watch": {w.parked_op_id: "queued"}, "catalog": None}}),
    ("POST", "/devices/revoke"): ("supervisor", lambda w: {"data": {"device_id": DEVICE_ID, "reason": "lost on the ward"}}),
    **{route: ("supervisor", REQUESTS[route]) for route in [("POST", "/par-levels"), ("POST", "/recalls"), ("POST", "/labels/print")]},
    ("POST", "/labels/printers"): ("admin", REQUESTS[("POST", "/labels/printers")]),
    ("POST", "/labels/printers/remove"): ("admin", _a_printer),
    **{route: ("admin", build) for route, build in REQUESTS.items() if route[0] == "POST" and route[1].startswith("/people/")},
    ("POST", "/products/link"): ("supervisor", REQUESTS[("POST", "/products/link")]),
    ("POST", "/language"): ("nurse", REQUESTS[("POST", "/language")]),
}
# Decode an upload, ask statuses, check an import file: keep nothing.
READS_ONLY = {("POST", "/device/photo"), ("POST", "/api/v1/commands/status"), ("POST", "/people/import/check")}


def _state_changing_routes(app: Flask) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods & STATE_CHANGING}


def test_every_state_changing_route_has_a_csrf_case(app: Flask) -> None:
    assert _state_changing_routes(app) == set(CSRF_CASES)


def _client_for(world: World, role: str | None) -> tuple[FlaskClient, str]:
    client = world.app.test_client()
    if role is not None:
        return client, log_in_demo(client, role)
    return client, csrf_token_from(client.get("/login").get_data(as_text=True))


def _with_token(args: dict[str, Any], token: str, field: str) -> dict[str, Any]:
    if "data" in args:
        return {**args, "data": {**args["data"], field: token}}
    return {**args, "headers": {"X-CSRFToken": token}}


@pytest.mark.parametrize("route", sorted(CSRF_CASES), ids=lambda route: f"{route[0]} {route[1]}")
def test_a_state_changing_request_without_its_csrf_token_is_refused_and_changes_nothing(world: World, route: tuple[str, str]) -> None:
    method, rule = route
    role, build = CSRF_CASES[route]
    client, token = _client_for(world, role)
    field = "badge-csrf_token" if rule == "/login/badge" else "csrf_token"
    who_before = _logged_in_as(client)
    _, other_sessions_token = _client_for(world, None)
    for bad_token in (None, "forged", other_sessions_token):
        args = build(world) if bad_token is None else _with_token(build(world), bad_token, field)
        before = snapshot(world.app)
        response = client.open(args.pop("path", rule), method=method, **args)
        assert response.status_code == 400, f"{method} {rule} with token {bad_token!r} answered {response.status_code}"
        assert "expired" in response.get_data(as_text=True) or "out of date" in response.get_data(as_text=True)
        assert changed_tables(before, snapshot(world.app)) == [], f"{method} {rule} without its token changed data"
        assert _logged_in_as(client) == who_before

    args = _with_token(build(world), token, field)
    before = snapshot(world.app)  # control: with its token the same request goes through
    response = client.open(args.pop("path", rule), method=method, **args)
    response.get_data()  # a streamed page (the CSV import) does its work as it is read
    assert response.status_code != 400 or route in READS_ONLY, response.get_data(as_text=True)
    assert bool(changed_tables(before, snapshot(world.app))) is (route not in READS_ONLY)


def test_the_device_api_takes_a_bearer_token_without_csrf_but_a_cookie_only_with_the_header(world: World) -> None:
    client, token = _client_for(world, "supervisor")  # the supervisor's page, which speaks for the supervisor only
    supervisor_id = user_id(world.app, "supervisor")

    def body(captured_by: int = supervisor_id) -> dict[str, Any]:
        return {"device_id": DEVICE_ID, "commands": [command(captured_by)]}

    cookie_only = client.post("/api/v1/commands", json=body())
    assert cookie_only.status_code == 400 and cookie_only.get_json()["error"] == "csrf"
    as_form = client.post("/api/v1/commands", data={"csrf_token": token})  # the form field does not count for the API
    assert as_form.status_code == 400 and as_form.get_json()["error"] == "csrf"
    by_header = client.post("/api/v1/commands", json=body(), headers={"X-CSRFToken": token})
    assert by_header.get_json()["results"][0]["result"] == "accepted"
    by_token = world.app.test_client().post("/api/v1/commands", json=body(world.nurse_id),
                                            headers={"Authorization": f"Bearer {world.token}"})
    assert by_token.get_json()["results"][0]["result"] == "accepted"  # no cookie, no CSRF: a browser cannot send this by itself


def test_no_get_request_changes_data(world: World) -> None:
    """CSRF protects only the state-changing methods, so every GET must leave the data alone."""
    client, _ = _client_for(world, "supervisor")
    before = snapshot(world.app)
    for rule in world.app.url_map.iter_rules():
        if "GET" in rule.methods:
            path = "/static/css/app.css" if rule.arguments else rule.rule
            client.get(path, query_string={"device_id": DEVICE_ID, "ids": world.parked_op_id})
            client.get(path, headers={"Authorization": f"Bearer {world.token}"})
    assert changed_tables(before, snapshot(world.app)) == []


# ---- security headers and cookie flags -------------------------------------------------------

ANSWERS = {
    "HTML page": ("/login", {}, "text/html"),
    "HTML error page": ("/no-such-page", {}, "text/html"),
    "JSON": ("/healthz", {}, "application/json"),
    "JSON file": ("/api/v1/openapi.json", {}, "application/json"),
    "JSON error": ("/api/v1/catalog", {}, "application/json"),
    "static CSS": ("/static/css/app.css", {}, "text/css"),
    "static JS": ("/static/js/app.js", {}, "text/javascript"),
    "service worker": ("/sw.js", {}, "text/javascript"),
    "redirect to login": ("/sync", {}, "text/html"),
}


@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_every_kind_of_answer_carries_the_security_headers(client: FlaskClient, answer: str) -> None:
    path, headers, mimetype = ANSWERS[answer]
    response = client.get(path, headers=headers)
    assert response.mimetype == mimetype
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert "unsafe-inline" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"].split()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: never pin a machine to HTTPS by accident
    if mimetype == "text/html":
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("env", "secure"), [("development", False), ("production", True)])
def test_session_cookie_flags(template_db: Path, tmp_path: Path, env: str, secure: bool) -> None:
    database = tmp_path / "flags.sqlite"
    database.write_bytes(template_db.read_bytes())
    app = make_app(f"sqlite:///{database}", tmp_path, WARDSTOCK_ENV=env)
    cookies = app.test_client().get("/login").headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("session=")
    flags = {flag.strip().split("=")[0].lower(): flag.strip() for flag in cookies[0].split(";")[1:]}
    assert "httponly" in flags and flags["samesite"] == "SameSite=Lax"
    assert ("secure" in flags) is secure
    with app.app_context():
        db.engine.dispose()


def test_https_behind_a_trusted_proxy_gets_strict_transport_security(template_db: Path, tmp_path: Path) -> None:
    database = tmp_path / "hsts.sqlite"
    database.write_bytes(template_db.read_bytes())
    app = make_app(f"sqlite:///{database}", tmp_path, TRUSTED_PROXIES="1")
    over_https = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(over_https.headers["Strict-Transport-Security"].split("=")[1]) >= 180 * 24 * 3600
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("method", ["OPTIONS", "GET", "POST"])
def test_no_other_site_is_allowed_to_read_or_call_the_api(world: World, method: str) -> None:
    client, _ = _client_for(world, "supervisor")
    response = client.open("/api/v1/commands" if method != "GET" else "/api/v1/catalog", method=method,
                           headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
                                    "Access-Control-Request-Headers": "x-csrftoken"})
    assert not [name for name, _ in response.headers.items() if name.lower().startswith("access-control-")]
