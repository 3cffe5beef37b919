"""Who may do what, over every route and method x every role x nobody x a device token x another
ward's locations.

The expected answers are written out in TABLE, by hand, not derived from ROLE_PERMISSIONS or the
routes' own declarations: a route that declares the wrong access, or a role given a permission by
mistake, makes these tests fail. A route added to the app without a row here fails too.
Every refused request that could change state is checked to have changed nothing in any table.
"""
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import UserLocation
from app.security.roles import Role
from app.services.backend import inventory_backend
from app.services.sync import build_worker
from offline_sync.catalog_cache import CachedProduct
from offline_sync.outbox.models import OutboxCommand, Status
from tests.hardening.security_support import (
    DEMO_LOGIN,
    GTIN_CANNULA,
    GTIN_PARACETAMOL,
    OTHER_WARD_NURSE,
    World,
    api,
    changed_tables,
    command,
    device_token,
    log_in_demo,
    open_world,
    snapshot,
    user_id,
    world_template,
)
from tests.support import csrf_token_from

EVERY_ROLE = frozenset({"storekeeper", "nurse", "auditor", "supervisor", "admin"})
REPORT_READERS = frozenset({"auditor", "supervisor", "admin"})
PASSES = "passes"  # the guard lets it through (the view may still answer 400 to a bad body)
TO_LOGIN = "to_login"  # 302 to /login
NOT_LOGGED_IN = "401_json"  # 401 with a JSON error, never a redirect, for the device API
DEVICE_ID = "table-handheld-01"


@dataclass(frozen=True)
class Expect:
    roles: frozenset[str]  # logged-in roles the guard lets through; every other role gets 403
    nobody: str  # no session, no token
    token: str  # a device's bearer token, no session


PUBLIC = Expect(EVERY_ROLE, PASSES, PASSES)
PAGE_FOR_ALL = Expect(EVERY_ROLE, TO_LOGIN, TO_LOGIN)


def page_for(*roles: str) -> Expect:
    return Expect(frozenset(roles), TO_LOGIN, TO_LOGIN)


# (method, rule) -> who gets through. Written by hand from the README's roles, on purpose.
TABLE: dict[tuple[str, str], Expect] = {
    ("GET", "/static/<path:filename>"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/login/badge"): PUBLIC,
    ("POST", "/logout"): PAGE_FOR_ALL,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/training/barcodes"): PUBLIC,
    ("GET", "/sw.js"): PUBLIC,
    ("GET", "/i18n/<language>.json"): PUBLIC,  # the handheld's catalogue: the login page needs it too
    ("GET", "/device/offline"): PUBLIC,
    ("GET", "/"): PAGE_FOR_ALL,
    ("GET", "/device/queue"): PAGE_FOR_ALL,
    ("GET", "/device/scanner"): PAGE_FOR_ALL,
    ("POST", "/device/photo"): PAGE_FOR_ALL,
    ("GET", "/sync"): page_for("auditor", "supervisor", "admin"),
    ("GET", "/consume"): page_for("nurse", "supervisor"),
    ("GET", "/transfer"): page_for("storekeeper", "nurse", "supervisor"),
    ("GET", "/count"): page_for("storekeeper", "auditor", "supervisor"),
    ("GET", "/receive"): page_for("storekeeper", "supervisor"),
    ("GET", "/replenish"): page_for("storekeeper", "nurse", "supervisor"),
    ("GET", "/replenish/pick"): page_for("storekeeper", "supervisor"),
    ("GET", "/par-levels"): page_for("supervisor"),
    ("GET", "/par-levels/cards"): page_for("supervisor"),
    ("POST", "/par-levels"): page_for("supervisor"),
    ("GET", "/stock-outs"): page_for("supervisor"),
    ("GET", "/conflicts"): page_for("supervisor"),
    ("POST", "/conflicts/resolve"): page_for("supervisor"),
    ("GET", "/devices"): page_for("supervisor", "admin"),
    ("POST", "/devices/revoke"): page_for("supervisor", "admin"),
    ("GET", "/labels"): page_for("storekeeper", "supervisor", "admin"),
    ("POST", "/labels/print"): page_for("storekeeper", "supervisor", "admin"),
    ("GET", "/labels/printers"): page_for("admin"),
    ("POST", "/labels/printers"): page_for("admin"),
    ("POST", "/labels/printers/remove"): page_for("admin"),
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("POST", "/api/v1/devices"): Expect(EVERY_ROLE, NOT_LOGGED_IN, NOT_LOGGED_IN),  # a token cannot mint tokens
    ("POST", "/api/v1/commands"): Expect(EVERY_ROLE, NOT_LOGGED_IN, PASSES),
    ("GET", "/api/v1/commands/status"): Expect(EVERY_ROLE, NOT_LOGGED_IN, PASSES),
    ("POST", "/api/v1/commands/status"): Expect(EVERY_ROLE, NOT_LOGGED_IN, PASSES),
    ("GET", "/api/v1/catalog"): Expect(EVERY_ROLE, NOT_LOGGED_IN, PASSES),
    ("POST", "/api/v1/sync"): Expect(EVERY_ROLE, NOT_LOGGED_IN, PASSES),
    ("GET", "/api/v1/sync/health"): Expect(REPORT_READERS, NOT_LOGGED_IN, NOT_LOGGED_IN),
    # expiry, recalls and waste (issue 16)
    ("GET", "/sweep"): page_for("storekeeper", "nurse", "auditor", "supervisor"),
    ("GET", "/waste"): page_for("storekeeper", "nurse", "auditor", "supervisor"),
    ("GET", "/vendor-return"): page_for("storekeeper", "supervisor"),
    ("GET", "/recalls"): page_for("supervisor"),
    ("POST", "/recalls"): page_for("supervisor"),
    ("GET", "/recalls/trace"): page_for("auditor", "supervisor"),
    ("GET", "/recalls/trace.csv"): page_for("auditor", "supervisor"),
    ("GET", "/expiry/dashboard"): page_for("auditor", "supervisor"),
    ("GET", "/expiry/dashboard/<table>.csv"): page_for("auditor", "supervisor"),
    ("GET", "/products"): page_for("supervisor"),
    ("POST", "/products/link"): page_for("supervisor"),
    ("GET", "/people"): page_for("admin"),
    ("GET", "/people/new"): page_for("admin"),
    ("POST", "/people/new"): page_for("admin"),
    ("GET", "/people/<username>"): page_for("admin"),
    ("POST", "/people/<username>/edit"): page_for("admin"),
    ("POST", "/people/<username>/badge"): page_for("admin"),
    ("POST", "/people/<username>/pin"): page_for("admin"),
    ("POST", "/people/<username>/password"): page_for("admin"),
    ("POST", "/people/<username>/active"): page_for("admin"),
    ("GET", "/people/import"): page_for("admin"),
    ("GET", "/people/import/check"): page_for("admin"),
    ("POST", "/people/import/check"): page_for("admin"),
    ("GET", "/people/import/run"): page_for("admin"),
    ("POST", "/people/import/run"): page_for("admin"),
    ("GET", "/wards"): page_for("supervisor", "admin"),
    ("GET", "/language"): PAGE_FOR_ALL,  # each user chooses the language of their own screens
    ("POST", "/language"): PAGE_FOR_ALL,
}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def built_world(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    return world_template(template_db, tmp_path_factory.mktemp("world"), DEVICE_ID)


@pytest.fixture
def world(built_world: tuple[Path, World], tmp_path: Path) -> Iterator[World]:
    with open_world(built_world, tmp_path) as opened:
        yield opened


# What each request sends: real bodies, so that a refused one would have changed something.
RequestArgs = Callable[[World], dict[str, Any]]
REQUESTS: dict[tuple[str, str], RequestArgs] = {
    ("GET", "/static/<path:filename>"): lambda w: {"path": "/static/css/app.css"},
    ("GET", "/i18n/<language>.json"): lambda w: {"path": "/i18n/fr.json"},
    ("POST", "/login"): lambda w: {"data": {"username": "nurse", "password": "not her password"}},
    ("POST", "/login/badge"): lambda w: {"data": {"badge-badge": "BADGE:2001", "badge-pin": "0000"}},
    ("POST", "/device/photo"): lambda w: {"data": {}},
    ("POST", "/conflicts/resolve"): lambda w: {
        "data": {"op_id": w.parked_op_id, "action": "override", "reason": "Emergency, no other stock"}},
    ("POST", "/api/v1/devices"): lambda w: {"json": {"device_id": "table-handheld-02", "name": "new"}},
    ("POST", "/devices/revoke"): lambda w: {"data": {"device_id": w.device_id, "reason": "lost on the ward"}},
    ("POST", "/par-levels"): lambda w: {"data": {"ward": "WARD-3B", "location": "WARD-3B-SUPPLY", "gtin": GTIN_CANNULA,
                                                 "minimum": "10", "maximum": "30", "reason": "two more beds"}},
    ("POST", "/api/v1/commands"): lambda w: {"json": {"device_id": DEVICE_ID, "commands": [command(w.nurse_id)]}},
    ("GET", "/api/v1/commands/status"): lambda w: {"query_string": {"ids": w.parked_op_id}},
    ("POST", "/api/v1/commands/status"): lambda w: {"json": {"ids": [w.parked_op_id]}},
    ("POST", "/api/v1/sync"): lambda w: {"json": {"device_id": DEVICE_ID, "commands": [command(w.nurse_id)],
                                                  "watch": {w.parked_op_id: "queued"}, "catalog": None}},
    ("GET", "/device/queue"): lambda w: {"query_string": {"device_id": DEVICE_ID}},
    ("POST", "/recalls"): lambda w: {"data": {"op_id": str(uuid.uuid4()), "gtin": GTIN_CANNULA, "scope": "lots", "lots": "IVC20-B245",
                                              "notice": "FSN-TEST: sterility not assured"}},
    ("GET", "/recalls/trace"): lambda w: {"query_string": {"gtin": GTIN_CANNULA, "lot": "IVC20-B245"}},
    ("GET", "/recalls/trace.csv"): lambda w: {"query_string": {"gtin": GTIN_CANNULA, "lot": "IVC20-B245"}},
    ("GET", "/expiry/dashboard/<table>.csv"): lambda w: {"path": "/expiry/dashboard/wasted.csv"},
    ("POST", "/labels/print"): lambda w: {
        "data": {"kind": "location", "chosen": "WARD-3B", "copies": "1", "output": "pdf:a4-2x7"}},
    ("POST", "/labels/printers"): lambda w: {
        "data": {"name": "Store Zebra", "host": "10.0.4.21", "port": "9100", "stock": "zebra-4x2"}},
    ("POST", "/labels/printers/remove"): lambda w: {"data": {"printer_id": "1"}},
    ("GET", "/people/<username>"): lambda w: {"path": "/people/nurse"},
    ("POST", "/products/link"): lambda w: {"data": {"gtin": "15012345999996", "product_id": _cannula_id(w), "pack_quantity": "5",
                                                     "reason": "box found in the store"}},
    ("POST", "/people/new"): lambda w: {"data": {"username": "table.new", "role": "nurse", "password": "long enough",
                                                  "reason": "new starter"}},
    ("POST", "/people/<username>/edit"): lambda w: {"path": "/people/nurse/edit", "data": {
        "display_name": "Renamed", "role": "nurse", "wards": "WARD-3B", "reason": "name change"}},
    ("POST", "/people/<username>/badge"): lambda w: {"path": "/people/nurse/badge", "data": {
        "badge": "BADGE:6001", "pin": "6001", "reason": "lost badge"}},
    ("POST", "/people/<username>/pin"): lambda w: {"path": "/people/nurse/pin", "data": {"pin": "6002", "reason": "forgot PIN"}},
    ("POST", "/people/<username>/password"): lambda w: {"path": "/people/nurse/password", "data": {
        "password": "another password", "reason": "forgot it"}},
    ("POST", "/people/<username>/active"): lambda w: {"path": "/people/icu.nurse/active", "data": {"active": "0", "reason": "left"}},
    ("POST", "/people/import/check"): lambda w: {"data": {"csv": "username,role,password\ntable.csv,nurse,long enough\n"}},
    ("POST", "/people/import/run"): lambda w: {"data": {"csv": "username,role,password\ntable.csv,nurse,long enough\n",
                                                         "reason": "go-live"}},
    ("POST", "/language"): lambda w: {"data": {"language": "fr"}},
}


def _cannula_id(world: World) -> str:
    with world.app.app_context():
        return str(db.session.scalar(select(CachedProduct.id).where(CachedProduct.gtin == GTIN_CANNULA)))


def _routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def _send(client: FlaskClient, world: World, method: str, rule: str, headers: dict[str, str]) -> TestResponse:
    args = REQUESTS.get((method, rule), lambda w: {})(world)
    response = client.open(args.pop("path", rule), method=method, headers=headers, **args)
    response.get_data()  # a streamed page (the CSV import) does its work as it is read
    return response


def _outcome(response: TestResponse) -> str:
    """What the guard did: let it through, refuse (403), send to login, or 401 JSON."""
    if response.status_code == 302 and response.location.startswith("/login"):
        return TO_LOGIN
    if response.status_code == 401 and response.is_json and response.get_json()["error"] in ("not_logged_in", "bad_token"):
        return NOT_LOGGED_IN
    if response.status_code == 403:
        return "403"
    return PASSES


def test_every_route_and_method_has_a_row_and_every_row_a_route(app: Flask) -> None:
    assert set(_routes(app)) == set(TABLE), "add the new route to TABLE (and to REQUESTS if it needs a body)"
    assert set(REQUESTS) <= set(TABLE)


def test_every_role_has_a_demo_login() -> None:
    assert {role.value for role in Role} == set(DEMO_LOGIN)


@pytest.mark.parametrize("role", sorted(DEMO_LOGIN))
def test_each_role_gets_through_exactly_where_the_table_says(world: World, role: str) -> None:
    client = world.app.test_client()
    token = log_in_demo(client, DEMO_LOGIN[role])
    for method, rule in _routes(world.app):
        allowed = role in TABLE[method, rule].roles
        before = snapshot(world.app) if method in STATE_CHANGING and not allowed else None
        response = _send(client, world, method, rule, {"X-CSRFToken": token})
        outcome = _outcome(response)
        if allowed and rule == "/logout":  # its own answer is a redirect to /login too: check it logged out
            assert outcome == TO_LOGIN and client.get("/").status_code == 302, f"{role} could not log out"
        elif allowed:
            assert outcome == PASSES, f"{role} was refused {method} {rule}: {response.status_code}"
        else:
            assert outcome == "403", f"{role} got {response.status_code} for {method} {rule}, expected 403"
            assert response.is_json == rule.startswith("/api/"), f"{method} {rule}: refusals are JSON only on the API"
        if before is not None:
            assert changed_tables(before, snapshot(world.app)) == [], f"{role}'s refused {method} {rule} changed data"
        if rule in ("/logout", "/login", "/login/badge"):
            token = log_in_demo(client, DEMO_LOGIN[role])


@pytest.mark.parametrize("principal", ["nobody", "token"])
def test_without_a_session_only_the_public_routes_answer(world: World, principal: str) -> None:
    client = world.app.test_client()
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    headers = {"X-CSRFToken": csrf, **({"Authorization": f"Bearer {world.token}"} if principal == "token" else {})}
    for method, rule in _routes(world.app):
        expected = getattr(TABLE[method, rule], principal)
        before = snapshot(world.app) if method in STATE_CHANGING and expected != PASSES else None
        response = _send(client, world, method, rule, headers)
        assert _outcome(response) == expected, f"{principal}: {method} {rule} answered {response.status_code}"
        if before is not None:
            assert changed_tables(before, snapshot(world.app)) == [], f"{principal}'s refused {method} {rule} changed data"


def test_a_forged_token_is_refused_everywhere_on_the_deviceapi(world: World) -> None:
    client = world.app.test_client()
    before = snapshot(world.app)
    for method, rule in _routes(world.app):
        expect = TABLE[method, rule]
        if expect.nobody == NOT_LOGGED_IN and expect.token == PASSES:
            response = _send(client, world, method, rule, {"Authorization": "Bearer forged-" + world.token[7:]})
            assert _outcome(response) == NOT_LOGGED_IN, f"{method} {rule} took a forged token"
    assert changed_tables(before, snapshot(world.app)) == []


def test_the_refused_requests_would_have_changed_data_when_allowed(world: World) -> None:
    """The other tests' "nothing changed" means something: the same requests, let through, change data."""
    client = world.app.test_client()
    reads_only = {("POST", "/device/photo"), ("POST", "/api/v1/commands/status"),  # decodes a photo; asks statuses;
                  ("POST", "/people/import/check")}  # a dry run: keep nothing
    for method, rule in _routes(world.app):
        if method not in STATE_CHANGING or (method, rule) in reads_only:
            continue
        allowed = TABLE[method, rule].roles
        token = log_in_demo(client, DEMO_LOGIN["supervisor" if "supervisor" in allowed else min(allowed)])
        headers = {"X-CSRFToken": token}
        if TABLE[method, rule].token == PASSES:
            headers["Authorization"] = f"Bearer {world.token}"
        before = snapshot(world.app)
        response = _send(client, world, method, rule, headers)
        assert changed_tables(before, snapshot(world.app)), f"{method} {rule} ({response.status_code}) changed nothing"


# ---- another ward's locations ---------------------------------------------------------------

OTHER_WARD_COMMANDS = {
    "consume in the ICU's cart": {"location": "WARD-ICU-CART", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}]},
    "consume in the ICU itself": {"location": "WARD-ICU", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}]},
    "consume in the ICU, lower case": {"location": "ward-icu-cart", "lines": [{"gtin": GTIN_CANNULA, "quantity": 1}]},
    "transfer from own ward into the ICU": {"source": "WARD-3B-SUPPLY", "destination": "WARD-ICU-CART",
                                            "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 1}]},
    "transfer out of the ICU into own ward": {"source": "WARD-ICU-CART", "destination": "WARD-3B-SUPPLY",
                                              "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}]},
}


def _kind(payload: dict[str, Any]) -> str:
    return "transfer" if "source" in payload else "consume"


def _icu_stock(app: Flask) -> dict[tuple[int, int | None], float]:
    """On-hand per (location, lot) anywhere in the ICU, from the sandbox ledger."""
    with app.app_context():
        catalog = inventory_backend().catalog()
    icu = {location.id for location in catalog.locations if location.barcode.startswith("WARD-ICU")}
    return {(s.location_id, s.lot_id): s.quantity for s in catalog.stock if s.location_id in icu}


@pytest.mark.parametrize("via", ["token", "session"])
@pytest.mark.parametrize("what", sorted(OTHER_WARD_COMMANDS))
def test_a_nurse_cannot_act_on_another_wards_location(world: World, via: str, what: str) -> None:
    payload = OTHER_WARD_COMMANDS[what]
    client = world.app.test_client()
    headers = {"Authorization": f"Bearer {world.token}"} if via == "token" else {"X-CSRFToken": log_in_demo(client, "nurse")}
    sent = command(world.nurse_id, _kind(payload), **payload)
    own_ward = command(world.nurse_id, device_seq=2)  # control: the same batch's own-ward command goes in
    icu_before = _icu_stock(world.app)
    response = client.post("/api/v1/commands", json={"device_id": DEVICE_ID, "commands": [sent, own_ward]}, headers=headers)
    results = response.get_json()["results"]
    assert results[0]["result"] == "rejected", results[0]
    assert "outside" in results[0]["message"] or "not known here" in results[0]["message"]
    assert results[1]["result"] == "accepted"
    with world.app.app_context():
        while build_worker(owner="test").run_once():
            pass
        kept = dict(db.session.execute(select(OutboxCommand.op_id, OutboxCommand.status)).all())
    assert sent["op_id"] not in kept and kept[own_ward["op_id"]] == Status.DONE
    assert _icu_stock(world.app) == icu_before


def test_a_command_kept_for_a_ward_the_nurse_has_since_left_is_not_applied(world: World) -> None:
    """The second check, at sync time: the nurse moved to the ICU between capture and sync."""
    sent = command(world.nurse_id)
    answer = api(world.app.test_client(), "POST", "/api/v1/commands", world.token, json={"device_id": DEVICE_ID, "commands": [sent]})
    assert answer.get_json()["results"][0]["result"] == "accepted"
    with world.app.app_context():
        link = db.session.get(UserLocation, (world.nurse_id, "WARD-3B"))
        db.session.delete(link)
        db.session.add(UserLocation(user_id=world.nurse_id, location_code="WARD-ICU"))
        db.session.commit()
    ledger_before = {n: r for n, r in snapshot(world.app).items() if n.startswith("sandbox_")}
    with world.app.app_context():
        build_worker(owner="test").run_once()
        row = db.session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == sent["op_id"]))
        assert row.status == Status.CONFLICT and row.conflict_kind == "not_permitted", (row.status, row.conflict_kind)
    assert {n: r for n, r in snapshot(world.app).items() if n.startswith("sandbox_")} == ledger_before


def test_a_nurse_sees_nothing_of_another_wards_handheld(world: World) -> None:
    icu_token = device_token(world.app, "icu-handheld-01", OTHER_WARD_NURSE)
    icu_command = command(user_id(world.app, OTHER_WARD_NURSE), location="WARD-ICU-CART",
                          lines=[{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}])
    answer = api(world.app.test_client(), "POST", "/api/v1/commands", icu_token, json={"device_id": "icu-handheld-01", "commands": [icu_command]})
    assert answer.get_json()["results"][0]["result"] == "accepted"
    fragment = {"query_string": {"device_id": "icu-handheld-01"}, "headers": {"HX-Request": "true"}}
    status_query = {"query_string": {"ids": icu_command["op_id"]}}

    nurse = world.app.test_client()
    log_in_demo(nurse, "nurse")
    assert OTHER_WARD_NURSE not in nurse.get("/device/queue", **fragment).get_data(as_text=True)
    assert nurse.get("/api/v1/commands/status", **status_query).get_json()["statuses"][icu_command["op_id"]] == {"status": "unknown"}
    by_token = api(world.app.test_client(), "GET", "/api/v1/commands/status", world.token, **status_query)
    assert by_token.get_json()["statuses"][icu_command["op_id"]] == {"status": "unknown"}

    supervisor = world.app.test_client()  # control: the same questions do find it
    log_in_demo(supervisor, "supervisor")
    assert OTHER_WARD_NURSE in supervisor.get("/device/queue", **fragment).get_data(as_text=True)
    assert supervisor.get("/api/v1/commands/status", **status_query).get_json()["statuses"][icu_command["op_id"]]["status"] == "queued"


def test_registering_another_wards_handheld_does_not_let_a_nurse_act_as_its_users(world: World) -> None:
    device_token(world.app, "icu-handheld-01", OTHER_WARD_NURSE)  # the ICU nurse's handheld
    nurse = world.app.test_client()
    csrf = log_in_demo(nurse, "nurse")  # Ward 3B's nurse, on her own phone, knows the ICU handheld's id
    answer = nurse.post("/api/v1/devices", json={"device_id": "icu-handheld-01", "name": "mine"}, headers={"X-CSRFToken": csrf})
    assert answer.status_code == 409 and "token" not in answer.get_json()


SUPERVISORS_HANDHELD = "sup-handheld-01"


def _supervisors_handheld_with_a_command(world: World) -> dict[str, Any]:
    """The supervisor's handheld, registered by the supervisor, holding one of the supervisor's commands."""
    token = device_token(world.app, SUPERVISORS_HANDHELD, "supervisor")
    own = command(user_id(world.app, "supervisor"))
    answer = api(world.app.test_client(), "POST", "/api/v1/commands", token, json={"device_id": SUPERVISORS_HANDHELD, "commands": [own]})
    assert answer.get_json()["results"][0]["result"] == "accepted"
    return own


def test_a_browser_session_speaks_only_for_its_own_user(world: World) -> None:
    _supervisors_handheld_with_a_command(world)
    nurse = world.app.test_client()
    csrf = log_in_demo(nurse, "nurse")  # Ward 3B's nurse, in her own browser, names the supervisor's handheld
    as_supervisor = command(user_id(world.app, "supervisor"), location="WARD-ICU-CART",
                            lines=[{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}])
    sent = nurse.post("/api/v1/commands", json={"device_id": SUPERVISORS_HANDHELD, "commands": [as_supervisor]},
                      headers={"X-CSRFToken": csrf})
    assert sent.get_json()["results"][0]["result"] == "rejected"


def test_naming_another_handheld_in_a_batch_does_not_open_its_queue(world: World) -> None:
    _supervisors_handheld_with_a_command(world)
    nurse = world.app.test_client()
    csrf = log_in_demo(nurse, "nurse")
    own = command(world.nurse_id)  # one of her own, so that the batch keeps something
    nurse.post("/api/v1/commands", json={"device_id": SUPERVISORS_HANDHELD, "commands": [own]}, headers={"X-CSRFToken": csrf})
    queue = nurse.get("/device/queue", query_string={"device_id": SUPERVISORS_HANDHELD}, headers={"HX-Request": "true"})
    assert "queue-row" not in queue.get_data(as_text=True)


# Every role x each stock command in the ICU (none of these users' wards), through the browser session.
# Written by hand: only nurses are bound to their wards; the role decides the rest.
ICU_COMMANDS = {
    "consume": {"location": "WARD-ICU-CART", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}]},
    "transfer": {"source": "CS-STOCK", "destination": "WARD-ICU-CART", "lines": [{"gtin": GTIN_CANNULA, "quantity": 1}]},
    "count": {"location": "WARD-ICU-CART", "gtin": GTIN_CANNULA, "lot": "IVC20-C260", "counted": 15},
    "scrap": {"location": "WARD-ICU-CART", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}], "reason": "damaged"},
    "quarantine": {"source": "WARD-ICU-CART", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}]},
    "vendor_return": {"source": "WARD-ICU-CART", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "quantity": 1}], "reason": "recalled"},
    "recall": {"gtin": GTIN_CANNULA, "lots": ["IVC20-C260"], "notice": "FSN-TEST"},
}
ICU_ANSWERS = {
    "storekeeper": {"consume": "rejected", "transfer": "accepted", "count": "accepted",
                    "scrap": "accepted", "quarantine": "accepted", "vendor_return": "accepted", "recall": "rejected"},
    "nurse": {"consume": "rejected", "transfer": "rejected", "count": "rejected",
              "scrap": "rejected", "quarantine": "rejected", "vendor_return": "rejected", "recall": "rejected"},
    "auditor": {"consume": "rejected", "transfer": "rejected", "count": "accepted",
                "scrap": "accepted", "quarantine": "rejected", "vendor_return": "rejected", "recall": "rejected"},
    "supervisor": {"consume": "accepted", "transfer": "accepted", "count": "accepted",
                   "scrap": "accepted", "quarantine": "accepted", "vendor_return": "accepted", "recall": "accepted"},
    "admin": {"consume": "rejected", "transfer": "rejected", "count": "rejected",
              "scrap": "rejected", "quarantine": "rejected", "vendor_return": "rejected", "recall": "rejected"},
}


@pytest.mark.parametrize("role", sorted(DEMO_LOGIN))
def test_each_role_acts_in_another_wards_location_only_where_the_table_says(world: World, role: str) -> None:
    assert set(ICU_ANSWERS) == set(DEMO_LOGIN)
    client = world.app.test_client()
    csrf = log_in_demo(client, DEMO_LOGIN[role])
    me = user_id(world.app, DEMO_LOGIN[role])
    sent = {kind: command(me, kind, device_seq=seq, **payload) for seq, (kind, payload) in enumerate(ICU_COMMANDS.items())}
    device = f"{role}-handheld-01"
    answer = client.post("/api/v1/commands", json={"device_id": device, "commands": list(sent.values())},
                         headers={"X-CSRFToken": csrf})
    results = {kind: result for kind, result in zip(sent, answer.get_json()["results"])}
    assert {kind: result["result"] for kind, result in results.items()} == ICU_ANSWERS[role], results
    with world.app.app_context():
        kept = set(db.session.scalars(select(OutboxCommand.op_id).where(OutboxCommand.device_id == device)))
    assert kept == {sent[kind]["op_id"] for kind, answer in ICU_ANSWERS[role].items() if answer == "accepted"}


# A nurse in her own ward (Ward 3B): waste is hers to record; quarantine, returns and recalls are not.
OWN_WARD_WASTE = {
    "scrap": ({"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN_PARACETAMOL, "lot": "PCM-24A", "quantity": 1}], "reason": "expired"}, "accepted"),
    "quarantine": ({"source": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN_PARACETAMOL, "lot": "PCM-24A", "quantity": 1}]}, "rejected"),
    "vendor_return": ({"source": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN_PARACETAMOL, "lot": "PCM-24A", "quantity": 1}],
                       "reason": "expired"}, "rejected"),
    "recall": ({"gtin": GTIN_PARACETAMOL, "lots": ["PCM-24A"], "notice": "FSN-TEST"}, "rejected"),
}


def test_a_nurse_records_waste_in_her_ward_but_neither_quarantines_returns_nor_recalls(world: World) -> None:
    sent = {kind: command(world.nurse_id, kind, device_seq=seq, **payload) for seq, (kind, (payload, _)) in enumerate(OWN_WARD_WASTE.items())}
    answer = api(world.app.test_client(), "POST", "/api/v1/commands", world.token, json={"device_id": DEVICE_ID, "commands": list(sent.values())})
    results = dict(zip(sent, answer.get_json()["results"]))
    assert {kind: result["result"] for kind, result in results.items()} == {kind: want for kind, (_, want) in OWN_WARD_WASTE.items()}, results
    assert "nurse and may not quarantine" in results["quarantine"]["message"]
