"""Bad input gets a clear answer and changes nothing (issue 7, "Bad input").

Table-driven over the device API (a device's bearer token, and a logged-in session with the CSRF
header), the photo upload and the login forms, on SQLite and on PostgreSQL (which refuses what
SQLite lets through: NUL characters, integers over 32 bits, NaN in JSON). For every case: the HTTP
status, a sentence that says what was read or what is expected (for commands, each command's own
reason), and nothing changed: outbox rows, devices, the sandbox ledger after the worker ran, and the
audit log except the one rejection record a refused command leaves.

Lots: a lot on a line was scanned from a label, so it must be what GS1 AI 10 can carry (at most 20
characters of CSET 82, which HIBC lots fit); an inventory lot may be named anything, and a count may
name one from the catalog (the count screen lists the lots expected there), so a count's lot is any
plain text of at most 64 characters, and an unknown one parks at sync instead of creating a lot.
"""
import io
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Device, DeviceUser, LoginThrottle, User
from app.services import devices
from app.services import users as user_service
from app.services.sync import build_worker
from offline_sync.backends.sandbox.models import SandboxLot, SandboxMove, SandboxPicking, SandboxQuant
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.payloads import LABEL_LOT_CHARACTERS, MAX_LABEL_LOT
from tests.postgres import empty_database
from tests.support import csrf_token_from, login, make_app

DEVICE = "bad-input-01"
GTIN = "05012345100012"  # IV cannula 20G in the demo data, lot IVC20-B245 on Ward 3B
UPLOAD_MB = 4  # MAX_UPLOAD_MB for these tests: a realistic 10,000-command batch fits under it
PASSWORD = "wardstock-demo"


@dataclass
class World:
    """One migrated database with the demo loaded, a registered handheld and its users."""

    database: str
    app: Flask
    token: str
    ids: dict[str, int]

    def device(self) -> FlaskClient:
        return self.app.test_client()

    def session(self, username: str = "nurse") -> tuple[FlaskClient, str]:
        client = self.app.test_client()
        assert login(client, username, PASSWORD).status_code == 302
        return client, csrf_token_from(client.get("/").get_data(as_text=True))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(request.param)
    url = empty_database(request, folder, "bad_input")
    app = make_app(url, folder, MAX_UPLOAD_MB=str(UPLOAD_MB), LOGIN_MAX_FAILURES_PER_ADDRESS="1000")
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        user_service.create_user(db.session, username="leaver", display_name="Lee Leaver", role="nurse",
                                 password=PASSWORD, locations=("WARD-3B",), actor="test")
        ids = {user.username: user.id for user in db.session.scalars(select(User))}
        nurse = db.session.get(User, ids["nurse"])
        token = devices.register(db.session, DEVICE, "Zebra TC52", nurse, "127.0.0.1")
        device = db.session.get(Device, DEVICE)
        for username in ("store", "leaver"):  # they have logged in on this handheld too
            devices.link_user(db.session, device, db.session.get(User, ids[username]))
        user_service.set_active(db.session, "leaver", False, actor="admin")  # then left
        db.session.commit()
    yield World(request.param, app, token, ids)
    with app.app_context():
        db.engine.dispose()


def _snapshot(app: Flask) -> dict[str, Any]:
    """Everything bad input must leave alone, after the worker has had its chance to apply it."""
    with app.app_context():
        worker = build_worker(owner="bad-input-test")
        while worker.run_once():
            pass
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))
        return {
            "outbox": count(OutboxCommand),
            "devices": count(Device),
            "device_users": count(DeviceUser),
            "throttles": {row.key: (row.failures, row.locked_until) for row in db.session.scalars(select(LoginThrottle))},
            "quants": sorted(db.session.execute(select(SandboxQuant.id, SandboxQuant.quantity)).all()),
            "moves": count(SandboxMove),
            "pickings": count(SandboxPicking),
            "lots": count(SandboxLot),
            "audit": Counter(db.session.scalars(select(AuditEvent.action))),
        }


@pytest.fixture
def unchanged(world: World) -> Iterator[Callable[..., None]]:
    """Call it after the request: asserts nothing changed but the audit actions named (action → how many)."""
    before = _snapshot(world.app)

    def check(**audited: int) -> None:
        after = _snapshot(world.app)
        assert after["audit"] - before["audit"] == Counter(audited)
        del before["audit"], after["audit"]
        assert after == before

    yield check


# --- device commands ------------------------------------------------------------------------

def _now(delta: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def _consume(**payload: Any) -> dict[str, Any]:
    return {"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN, "lot": "IVC20-B245", "quantity": 1}], **payload}


def _line(**line: Any) -> dict[str, Any]:
    return _consume(lines=[{"gtin": GTIN, "lot": "IVC20-B245", "quantity": 1, **line}])


def _count(**payload: Any) -> dict[str, Any]:
    return {"location": "WARD-3B-SUPPLY", "gtin": GTIN, "lot": "IVC20-B245", "counted": 3, **payload}


def _command(ids: dict[str, int], user: str = "nurse", kind: str = "consume", payload: Any = None, **envelope: Any) -> dict:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "device_seq": 7, "user_id": ids[user], "captured_at": _now(),
            "payload": _consume() if payload is None else payload, "raw_scans": [f"]d2\x1d01{GTIN}10IVC20-B245"], **envelope}


MISSING = object()


@dataclass(frozen=True)
class Case:
    """A command that must be rejected: the changes to a good one, and words its reason must hold."""

    id: str
    reason: str
    payload: Any = None
    user: str = "nurse"
    kind: str = "consume"
    envelope: tuple[tuple[str, Any], ...] = ()
    audited: bool = True  # a command without a usable op_id leaves no audit record: there is no subject
    by_session: bool = True  # a session can send it as the command's own user (it speaks for no one else)

    def build(self, ids: dict[str, int]) -> dict[str, Any]:
        command = _command(ids, self.user, self.kind, self.payload)
        for name, value in self.envelope:
            if value is MISSING:
                del command[name]
            else:
                command[name] = value
        return command


def env(**fields: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(fields.items())


COMMAND_CASES = [
    # lots: a line's lot comes from a label (GS1 AI 10: at most 20 characters of CSET 82)
    Case("lot-unicode", "'LÖT-7' holds 'Ö' (U+00D6), which no lot barcode can carry", _line(lot="LÖT-7")),
    Case("lot-unicode-dash", "holds '‐' (U+2010)", _line(lot="IVC20‐B245")),
    Case("lot-emoji", "holds '💉'", _line(lot="IVC💉")),
    Case("lot-zero-width", "holds control or invisible characters", _line(lot="IVC20\u200bB245")),
    Case("lot-nul", "holds control or invisible characters", _line(lot="IVC20\x00B245")),
    Case("lot-21-characters", "has 21 characters, but a lot on a label has at most 20", _line(lot="L" * 21)),
    Case("lot-65-characters", "has 65 characters; at most 64", _line(lot="L" * 65)),
    Case("lot-number", "lot must be text, but it is 245", _line(lot=245)),
    Case("count-lot-control", "holds control or invisible characters", _count(lot="LOT\x1d7"), user="store", kind="count"),
    # quantities
    Case("quantity-zero", "Line 1 quantity must be more than 0, but it is 0", _line(quantity=0)),
    Case("quantity-negative", "Line 1 quantity must be more than 0, but it is -3", _line(quantity=-3)),
    Case("quantity-absurd", "Line 1 quantity 1000000000 is more than 1,000,000", _line(quantity=10**9)),
    Case("quantity-huge-float", "is more than 1,000,000", _line(quantity=1e300)),
    Case("quantity-beyond-a-float", "Line 1 quantity 1000000000000000000000000000000000000000… is more than 1,000,000",
         _line(quantity=10**400)),
    Case("quantity-text", "Line 1 quantity must be a number, but it is '2'", _line(quantity="2")),
    Case("quantity-bool", "Line 1 quantity must be a number, but it is True", _line(quantity=True)),
    Case("quantity-missing", "Line 1 quantity must be a number, but it is None", _line(quantity=None)),
    Case("quantity-fraction", "Line 1 quantity 2.5 is not a whole number", _line(quantity=2.5)),
    Case("quantity-list", "Line 1 quantity must be a number, but it is [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ….", _line(quantity=[1] * 5000)),
    Case("counted-negative", "counted must be more than 0, but it is -1", _count(counted=-1), user="store", kind="count"),
    Case("counted-fraction", "counted 0.5 is not a whole number", _count(counted=0.5), user="store", kind="count"),
    Case("seen-on-hand-text", "seen_on_hand must be a number", _count(seen_on_hand="12"), user="store", kind="count"),
    Case("too-many-lines", "at most 200 lines; this one has 201", _consume(lines=[{"gtin": GTIN, "lot": "IVC20-B245", "quantity": 1}] * 201)),
    Case("no-lines", "The command has no lines: scan at least one item", _consume(lines=[])),
    # dates
    Case("captured-1970", "captured_at '1970-01-01T00:00:00+00:00' is more than 60 days ago", envelope=env(captured_at="1970-01-01T00:00:00+00:00")),
    Case("captured-2100", "captured_at '2100-01-01T00:00:00+00:00' is in the future; check the handheld's clock",
         envelope=env(captured_at="2100-01-01T00:00:00+00:00")),
    Case("captured-first-day", "captured_at '0001-01-01T00:00:00+14:00' is not a time a handheld can have captured",
         envelope=env(captured_at="0001-01-01T00:00:00+14:00")),
    Case("captured-last-day", "captured_at '9999-12-31T23:59:59-14:00' is not a time a handheld can have captured",
         envelope=env(captured_at="9999-12-31T23:59:59-14:00")),
    Case("captured-not-a-date", "captured_at must be an ISO 8601 time with its time zone, like 2026-03-31T08:30:00Z, but it is 'last Tuesday'",
         envelope=env(captured_at="last Tuesday")),
    Case("captured-no-time-zone", "names no time zone; send it in UTC", envelope=env(captured_at=datetime.now(UTC).replace(tzinfo=None).isoformat())),
    Case("captured-date-only", "names no time zone", envelope=env(captured_at=datetime.now(UTC).date().isoformat())),
    Case("captured-number", "captured_at must be an ISO 8601 time", envelope=env(captured_at=1767225600)),
    Case("expiry-1970", "Line 1 expiry 1970-01-01 is not a plausible date; check the expiry on the label", _line(expiry="1970-01-01")),
    Case("expiry-not-a-date", "Line 1 expiry must be a date like 2027-03-31, but it is '31/12/2027'", _line(expiry="31/12/2027")),
    # kinds, fields
    Case("kind-unknown", "Unknown command kind 'steal'; expected one of receive, receive_validate", kind="steal"),
    Case("kind-missing", "The command has no kind.", envelope=env(kind=MISSING)),
    Case("field-unknown-envelope", "The command has fields this server does not know: 'priority'", envelope=env(priority="urgent")),
    Case("field-unknown-payload", "payload has fields this server does not know: 'patient'. It takes lines, location, override, reference",
         _consume(patient="Jane Doe")),
    Case("field-unknown-line", "Line 1 has fields this server does not know: 'serial'", _line(serial="SN1")),
    Case("field-unknown-nested", "payload has fields this server does not know: 'note'", _consume(note={"free": ["text"]})),
    Case("payload-missing", "payload must be a JSON object", envelope=env(payload=MISSING)),
    Case("payload-list", "payload must be a JSON object", payload=[_consume()]),
    Case("location-missing", "The command has no location.", {"lines": _consume()["lines"]}),
    Case("location-control", "location 'WARD-3B\\x00' holds control or invisible characters", _consume(location="WARD-3B\x00")),
    Case("location-long", "has 65 characters; at most 64 are allowed", _consume(location="W" * 65)),
    Case("reference-10kb", "has 10000 characters; at most 64", _consume(reference="R" * 10_000)),
    Case("gtin-fullwidth-digits", "gtin must be the 14-digit GTIN from the label, but it is '０５０１２３４５１０００１２'",
         _line(gtin="０５０１２３４５１０００１２")),
    Case("gtin-short", "gtin must be the 14-digit GTIN from the label, but it is '123'", _line(gtin="123")),
    Case("override-text", "override must be an object with the reason, but it is 'please'", _consume(override="please")),
    Case("override-no-reason", "The override has no reason", _consume(override={"requested_by": "Nia"})),
    Case("override-requested-by-list", "requested_by must be the name of who asked, at most 120 characters",
         _consume(override={"reason": "expired, none other", "requested_by": ["Nia"]})),
    Case("override-long-reason", "reason must be at most 200 characters", _consume(override={"reason": "x" * 201})),
    Case("same-source-destination", "The source and the destination are both WARD-3B-SUPPLY",
         {"source": "WARD-3B-SUPPLY", "destination": "WARD-3B-SUPPLY", "lines": _consume()["lines"]}, kind="transfer"),
    Case("backorder-text", "backorder must be true or false", {"receipt": "CS/IN/00001", "backorder": "yes"}, user="store", kind="receive_validate"),
    Case("raw-scans-text", "raw_scans must be a list of at most 200 texts", envelope=env(raw_scans="]d2...")),
    Case("raw-scans-too-long", "raw_scans must be a list of at most 200 texts of 512 characters", envelope=env(raw_scans=["x" * 513])),
    # envelope numbers
    Case("device-seq-negative", "device_seq must be a whole number from 0 to 2147483647, but it is -1", envelope=env(device_seq=-1)),
    Case("device-seq-over-32-bits", "but it is 2147483648", envelope=env(device_seq=2**31)),
    Case("device-seq-text", "but it is '7'", envelope=env(device_seq="7")),
    Case("user-id-text", "user_id must be the number of the user who captured the command, but it is '1'", envelope=env(user_id="1")),
    Case("user-id-bool", "user_id must be the number of the user who captured the command, but it is True", envelope=env(user_id=True)),
    Case("user-id-list", "but it is [1]", envelope=env(user_id=[1])),
    Case("user-id-missing", "but it is None", envelope=env(user_id=MISSING)),
    # op_id: no usable op_id, so no audit record (the answer echoes what was sent)
    Case("op-id-missing", "op_id must be a UUID in lowercase", envelope=env(op_id=MISSING), audited=False),
    Case("op-id-uppercase", "op_id must be a UUID in lowercase, like", envelope=env(op_id=str(uuid.uuid4()).upper()), audited=False),
    Case("op-id-braces", "but it is '{", envelope=env(op_id="{" + str(uuid.uuid4()) + "}"), audited=False),
    Case("op-id-number", "but it is 42", envelope=env(op_id=42), audited=False),
    # who and where
    Case("user-not-on-this-device", "The user who captured this command has not logged in on this device", user="icu.nurse",
         by_session=False),
    Case("user-deactivated", "leaver is disabled", user="leaver", by_session=False),
    Case("location-outside-wards", "nurse may only act on WARD-3B; WARD-ICU is outside", _consume(location="WARD-ICU")),
    Case("location-sub-location-outside", "WARD-ICU-CART is outside", _consume(location="WARD-ICU-CART")),
    Case("location-unknown", "Location NOWHERE is not known here yet", _consume(location="NOWHERE")),
    Case("transfer-into-another-ward", "WARD-ED is outside",
         {"source": "WARD-3B-SUPPLY", "destination": "WARD-ED", "lines": _consume()["lines"]}, kind="transfer"),
    Case("transfer-out-of-another-ward", "WARD-ICU-CART is outside",
         {"source": "WARD-ICU-CART", "destination": "WARD-3B-SUPPLY", "lines": _consume()["lines"]}, kind="transfer"),
    Case("role-may-not-count", "nurse is a nurse and may not count", _count(), kind="count"),
    Case("role-may-not-receive", "nurse is a nurse and may not receive", {"receipt": "CS/IN/00001", "backorder": False}, kind="receive_validate"),
]


BATCH_ROUTES = ("/api/v1/commands", "/api/v1/sync")  # the sync exchange takes commands as the batch route does


@dataclass
class Sender:
    """POST /api/v1/commands (or the sync exchange) as a device (bearer token) or as the logged-in
    nurse's page (session + CSRF)."""

    client: FlaskClient
    headers: dict[str, str]
    via: str = "token"
    path: str = "/api/v1/commands"

    def post(self, body: Any = None, **request: Any):
        if body is not None:
            request["json"] = body
        return self.client.post(self.path, headers={**self.headers, **request.pop("headers", {})}, **request)


@pytest.fixture
def nurse_page(world: World) -> tuple[FlaskClient, str]:
    """A browser logged in as the nurse, and its CSRF token (the login is audited before any test's snapshot)."""
    return world.session()


@pytest.fixture
def supervisor_page(world: World) -> tuple[FlaskClient, str]:
    return world.session("supervisor")


@pytest.fixture(params=[(via, path) for path in BATCH_ROUTES for via in ("token", "session")],
                ids=lambda param: f"{param[0]}-{param[1].rsplit('/', 1)[1]}")
def sender(request: pytest.FixtureRequest, world: World) -> Sender:
    """The handheld's token, or a browser logged in as the user who captured the case's command
    (a session speaks for its own user only); a case about who captured it is the nurse's page."""
    via, path = request.param
    if via == "token":
        return Sender(world.device(), {"Authorization": f"Bearer {world.token}"}, path=path)
    case = request.node.callspec.params.get("case")
    if isinstance(case, Case) and case.by_session:
        client, csrf = world.session(case.user)
    else:
        client, csrf = request.getfixturevalue("nurse_page")
    return Sender(client, {"X-CSRFToken": csrf}, via="session", path=path)


@pytest.mark.parametrize("case", COMMAND_CASES, ids=[case.id for case in COMMAND_CASES])
def test_a_bad_command_is_rejected_with_its_reason_and_changes_nothing(
    world: World, sender: Sender, unchanged: Callable[..., None], case: Case
) -> None:
    command = case.build(world.ids)
    response = sender.post({"device_id": DEVICE, "commands": [command]})
    assert response.status_code == 200, response.get_data(as_text=True)
    [result] = response.get_json()["results"]
    assert result["result"] == "rejected" and result["status"] is None
    reason = case.reason if case.by_session or sender.via == "token" else "has not logged in on this device"
    assert reason in result["message"], result["message"]
    assert result["message"].endswith(".") and len(result["message"]) < 400  # a sentence, never the input echoed whole
    assert result["op_id"] == str(command.get("op_id", ""))[:64]  # the device finds its answer by the op_id it sent
    unchanged(command_rejected=1 if case.audited else 0)


BESIDE_GOOD_ONES = [case for case in COMMAND_CASES if case.id in ("quantity-beyond-a-float", "captured-first-day", "captured-last-day")]


@pytest.mark.parametrize("case", BESIDE_GOOD_ONES, ids=[case.id for case in BESIDE_GOOD_ONES])
def test_a_bad_command_never_sinks_the_good_ones_beside_it(world: World, case: Case) -> None:
    good = [_command(world.ids, device_seq=seq) for seq in (1, 3)]
    batch = [good[0], case.build(world.ids), good[1]]
    response = Sender(world.device(), {"Authorization": f"Bearer {world.token}"}).post({"device_id": DEVICE, "commands": batch})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [r["result"] for r in response.get_json()["results"]] == ["accepted", "rejected", "accepted"]
    with world.app.app_context():
        kept = set(db.session.scalars(select(OutboxCommand.op_id).where(OutboxCommand.op_id.in_([c["op_id"] for c in batch]))))
    assert kept == {good[0]["op_id"], good[1]["op_id"]}


def test_the_rejection_is_audited_with_who_and_why(world: World, unchanged: Callable[..., None]) -> None:
    command = COMMAND_CASES[0].build(world.ids)
    message = Sender(world.device(), {"Authorization": f"Bearer {world.token}"}).post(
        {"device_id": DEVICE, "commands": [command]}).get_json()["results"][0]["message"]
    with world.app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.subject == command["op_id"]))
        assert (event.action, event.actor, event.detail["device"], event.detail["reason"]) == ("command_rejected", "nurse", DEVICE, message)
    unchanged(command_rejected=1)


def _body(text_: str, content_type: str = "application/json") -> dict[str, Any]:
    return {"data": text_.encode(), "headers": {"Content-Type": content_type}}


def _realistic_batch(world: World, size: int) -> dict[str, Any]:
    return {"device_id": DEVICE, "commands": [_command(world.ids) for _ in range(size)]}


BATCH_CASES = [
    ("not-json-content-type", lambda w: _body('{"device_id": "bad-input-01", "commands": []}', "text/plain"), 415,
     "Send an object with device_id and commands as JSON (Content-Type: application/json); this request has Content-Type text/plain."),
    ("form-encoded", lambda w: {"data": {"device_id": DEVICE}}, 415, "this request has Content-Type application/x-www-form-urlencoded"),
    ("no-body", lambda w: {}, 415, "this request has no Content-Type"),
    ("broken-json", lambda w: _body('{"device_id": "bad-input-01", "commands": ['), 400, "The body is not valid JSON ("),
    ("not-utf8", lambda w: {**_body(""), "data": b'{"device_id": "\xff\xfe"}'}, 400, "The body is not valid JSON"),
    ("nan-quantity", lambda w: _body(json.dumps({"device_id": DEVICE, "commands": [_command(w.ids)]}).replace('"quantity": 1', '"quantity": NaN')),
     400, "The body is not valid JSON (NaN is not a JSON number)"),
    ("infinity", lambda w: _body('{"device_id": "bad-input-01", "commands": [], "x": -Infinity}'), 400, "-Infinity is not a JSON number"),
    ("nested-100000-deep", lambda w: _body("[" * 100_000 + "]" * 100_000), 400, "The body is JSON nested too deeply to read"),
    ("json-list", lambda w: {"json": [_command(w.ids)]}, 400, "The body is a JSON list, not an object"),
    ("json-string", lambda w: {"json": "commands"}, 400, "The body is a JSON text, not an object"),
    ("json-null", lambda w: _body("null"), 400,
     "The body is the JSON value null, not an object; send an object with device_id and commands."),
    ("json-number", lambda w: _body("42"), 400, "The body is a JSON number, not an object"),
    ("commands-object", lambda w: {"json": {"device_id": DEVICE, "commands": {"0": _command(w.ids)}}}, 400, "commands must be a list."),
    ("commands-missing", lambda w: {"json": {"device_id": DEVICE}}, 400, "commands must be a list."),
    ("device-id-missing", lambda w: {"json": {"commands": []}}, 400, "device_id must be 8 to 64 letters, digits, dashes or underscores."),
    ("device-id-unicode", lambda w: {"json": {"device_id": "hándheld-01", "commands": []}}, 400, "device_id must be 8 to 64 letters"),
    ("501-commands", lambda w: {"json": _realistic_batch(w, 501)}, 400,
     "Send at most 500 commands at a time; this batch has 501."),
    ("10000-commands", lambda w: {"json": _realistic_batch(w, 10_000)}, 400, "Send at most 500 commands at a time; this batch has 10000."),
    ("over-max-content-length", lambda w: _body(json.dumps({"device_id": DEVICE, "commands": [], "pad": "x" * (UPLOAD_MB * 1024 * 1024)})),
     413, f"This request is {UPLOAD_MB:.1f} MB; the server takes at most {UPLOAD_MB} MB. Send fewer commands at a time."),
]


@pytest.mark.parametrize(("case", "request_of", "status", "message"), BATCH_CASES, ids=[case[0] for case in BATCH_CASES])
def test_a_batch_that_cannot_be_read_is_refused_whole_and_changes_nothing(
    world: World, sender: Sender, unchanged: Callable[..., None], case: str, request_of: Callable, status: int, message: str
) -> None:
    response = sender.post(**request_of(world))
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    answer = response.get_json()
    assert set(answer) == {"error", "message"} and message in answer["message"], answer
    unchanged()


@pytest.mark.parametrize("path", BATCH_ROUTES)
def test_another_devices_token_is_refused(world: World, unchanged: Callable[..., None], path: str) -> None:
    response = Sender(world.device(), {"Authorization": f"Bearer {world.token}"}, path=path).post(
        {"device_id": "someone-elses-01", "commands": [_command(world.ids)]})
    assert response.status_code == 403 and response.get_json()["message"] == "This token belongs to another device."
    unchanged()


@pytest.mark.parametrize("path", BATCH_ROUTES)
def test_a_session_without_the_csrf_header_is_refused(world: World, nurse_page: tuple, unchanged: Callable[..., None], path: str) -> None:
    client, _ = nurse_page
    response = client.post(path, json={"device_id": DEVICE, "commands": [_command(world.ids)]})
    assert response.status_code == 400 and "reload it and sync again" in response.get_json()["message"]
    unchanged()


def test_a_session_batch_of_rejects_registers_no_device(world: World, nurse_page: tuple, unchanged: Callable[..., None]) -> None:
    client, csrf = nurse_page
    command = _command(world.ids, payload=_line(quantity=-1))
    response = client.post("/api/v1/commands", json={"device_id": "never-seen-01", "commands": [command]}, headers={"X-CSRFToken": csrf})
    assert response.get_json()["results"][0]["result"] == "rejected"
    unchanged(command_rejected=1)  # no devices row, no device_users link for a device that kept nothing


def test_the_same_op_id_twice_in_one_batch_is_kept_once(world: World, unchanged: Callable[..., None]) -> None:
    first = _command(world.ids)
    second = {**first, "payload": _line(quantity=5)}  # a different payload under the same op_id
    before = _snapshot(world.app)
    device = Sender(world.device(), {"Authorization": f"Bearer {world.token}"})
    results = device.post({"device_id": DEVICE, "commands": [first, second, first]}).get_json()["results"]
    assert [(r["op_id"], r["result"], r["status"]) for r in results] == [(first["op_id"], "accepted", "queued"),
                                                                      (first["op_id"], "rejected", None),
                                                                      (first["op_id"], "duplicate", "queued")]
    assert "a changed command needs an op_id of its own" in results[1]["message"]
    after = _snapshot(world.app)
    assert after["outbox"] == before["outbox"] + 1
    assert after["audit"] - before["audit"] == Counter(command_accepted=1, command_rejected=1)
    assert after["moves"] == before["moves"] + 1  # the harness sees a change: the one kept command was applied, once
    with world.app.app_context():
        row = db.session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == first["op_id"]))
        assert row.status == Status.DONE and row.payload["lines"][0]["quantity"] == 1


def test_a_count_may_name_a_catalog_lot_in_any_script_and_an_unknown_one_parks(world: World) -> None:
    """Not every lot comes from a label: a count names the lots the catalog expects there, whatever
    their inventory names. An unknown one is kept and parked for a supervisor, never created."""
    command = _command(world.ids, user="store", kind="count", payload=_count(lot="Ärztemuster-7", counted=0))
    before = _snapshot(world.app)
    device = Sender(world.device(), {"Authorization": f"Bearer {world.token}"})
    [result] = device.post({"device_id": DEVICE, "commands": [command]}).get_json()["results"]
    assert result["result"] == "accepted", result
    after = _snapshot(world.app)
    assert (after["lots"], after["quants"], after["moves"]) == (before["lots"], before["quants"], before["moves"])
    with world.app.app_context():
        row = db.session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == command["op_id"]))
        assert row.status == Status.CONFLICT and "Ärztemuster-7" in row.conflict_message


def test_the_label_lot_rule_is_the_scanners_rule() -> None:
    from biip.gs1_application_identifiers import GS1ApplicationIdentifier

    from scanners.gs1 import CSET82

    assert LABEL_LOT_CHARACTERS == CSET82 and len(CSET82) == 82
    assert GS1ApplicationIdentifier.extract("10").format == f"N2+X..{MAX_LABEL_LOT}"


# --- other API routes -----------------------------------------------------------------------

def test_device_registration_refuses_a_bad_name_and_changes_nothing(
    world: World, nurse_page: tuple, unchanged: Callable[..., None]
) -> None:
    client, csrf = nurse_page
    for name, found in (("Zebra\x00TC52", "NUL"), ("x" * 121, "121 characters"), (["Zebra"], "a list")):
        response = client.post("/api/v1/devices", json={"device_id": "new-handheld-01", "name": name}, headers={"X-CSRFToken": csrf})
        assert response.status_code == 400, found
        assert response.get_json()["message"] == "name must be plain text of at most 120 characters, like 'Zebra TC52 ward 3B'."
    response = client.post("/api/v1/devices", data="[" * 50_000, headers={"X-CSRFToken": csrf, "Content-Type": "application/json"})
    assert response.status_code == 400 and "nested too deeply" in response.get_json()["message"]
    unchanged()


@pytest.mark.parametrize("device_id", ["\x00", "ü" * 70, "a" * 65])
def test_the_queue_page_refuses_a_device_id_no_handheld_has(
    world: World, supervisor_page: tuple, device_id: str, unchanged: Callable[..., None]
) -> None:
    client, _ = supervisor_page
    response = client.get("/device/queue", query_string={"device_id": device_id}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "device_id must be 8 to 64 letters, digits, dashes or underscores" in response.get_data(as_text=True)
    unchanged()


def test_status_of_garbage_ids_is_unknown(world: World, unchanged: Callable[..., None]) -> None:
    ids = ["not-a-uuid", "\x00", "ü" * 300, str(uuid.uuid4()).upper()]
    response = world.device().get("/api/v1/commands/status", query_string={"ids": ",".join(ids)},
                                   headers={"Authorization": f"Bearer {world.token}"})
    assert response.status_code == 200
    assert response.get_json()["statuses"] == {op_id: {"status": "unknown"} for op_id in ids}
    unchanged()


# --- photo upload ---------------------------------------------------------------------------

def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (640, 480), 255).save(buffer, "JPEG")
    return buffer.getvalue()


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height), 1).save(buffer, "PNG")  # 400 megapixels in ~90 kB
    return buffer.getvalue()


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _file(data: bytes, field: str = "photo", name: str = "label.jpg", content_type: str = "image/jpeg") -> dict[str, Any]:
    return {"data": {field: (io.BytesIO(data), name, content_type)}, "content_type": "multipart/form-data"}


PHOTO_CASES = [
    ("over-max-content-length", lambda: _file(b"\xff\xd8" + b"\0" * (UPLOAD_MB * 1024 * 1024 + 1000)), 413,
     f"The photo is {UPLOAD_MB:.1f} MB; the server takes at most {UPLOAD_MB} MB. Take it again at a lower resolution"),
    ("truncated-jpeg", lambda: _file(_jpeg()[:600]), 400, "expected a complete image, but found a damaged or cut-off image. Take the photo again."),
    ("pdf-as-jpeg", lambda: _file(PDF, name="label.pdf"), 400, "expected a photo (JPEG, PNG or WebP), but found"),
    ("zero-bytes", lambda: _file(b""), 400, "expected a photo (JPEG, PNG or WebP), but found an empty file. Take the photo again."),
    ("decompression-bomb", lambda: _file(_png(20_000, 20_000), name="bomb.png", content_type="image/png"), 400,
     "expected an image of at most 50 megapixels, but found far more pixels than that"),
    ("wrong-field", lambda: _file(_jpeg(), field="file"), 400,
     "Send the photo as a file in the form field 'photo'; this request has a file in the field 'file'."),
    ("text-field", lambda: {"data": {"photo": "a photo"}}, 400, "this request has only text fields."),
    ("raw-body", lambda: {"data": _jpeg(), "content_type": "image/jpeg"}, 400, "this request has a body of type image/jpeg."),
]


@pytest.mark.parametrize(("case", "request_of", "status", "message"), PHOTO_CASES, ids=[case[0] for case in PHOTO_CASES])
def test_a_bad_photo_upload_gets_a_json_sentence_and_changes_nothing(
    world: World, nurse_page: tuple, unchanged: Callable[..., None], case: str, request_of: Callable, status: int, message: str
) -> None:
    client, csrf = nurse_page
    response = client.post("/device/photo", headers={"X-CSRFToken": csrf}, **request_of())
    assert response.status_code == status and response.is_json, response.get_data(as_text=True)[:200]
    assert message in response.get_json()["message"], response.get_json()
    unchanged()


def test_a_photo_without_the_csrf_header_gets_a_json_sentence(world: World, nurse_page: tuple, unchanged: Callable[..., None]) -> None:
    client, _ = nurse_page
    response = client.post("/device/photo", **_file(_jpeg()))
    assert response.status_code == 400
    assert response.get_json() == {"error": "csrf", "message": "The page is out of date; reload it and take the photo again."}
    unchanged()


# --- HTML login forms -----------------------------------------------------------------------

LOGIN_CASES = [
    # (form, fields, message on the page, audit actions recorded)
    ("password", {"username": "n" * 10_000, "password": "x"}, "Field cannot be longer than 64 characters.", {}),
    ("password", {"username": "nurse", "password": "p" * 10_000}, "Field cannot be longer than 256 characters.", {}),
    ("password", {"username": "nürse", "password": PASSWORD}, "Wrong username or password. Check both and try again.", {"login_failed": 1}),
    ("password", {"username": "nurse\x00", "password": PASSWORD}, "Type or scan it again: it contains a control character.", {}),
    ("password", {"username": "nurse", "password": PASSWORD + "\x00"}, "Wrong username or password. Check both and try again.", {"login_failed": 1}),
    ("password", {"username": "", "password": ""}, "This field is required.", {}),
    ("badge", {"badge-badge": "B" * 10_000, "badge-pin": "2001"}, "Field cannot be longer than 64 characters.", {}),
    ("badge", {"badge-badge": "BADGE:2001\x00", "badge-pin": "2001"}, "Type or scan it again: it contains a control character.", {}),
    ("badge", {"badge-badge": "BADGE:2001", "badge-pin": "２００１"}, "That badge and PIN do not match.", {"login_failed": 1}),
]


@pytest.mark.parametrize(("form", "fields", "message", "audited"), LOGIN_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(LOGIN_CASES)])
def test_a_bad_login_form_is_answered_on_the_page_and_changes_nothing_else(
    world: World, form: str, fields: dict[str, str], message: str, audited: dict[str, int]
) -> None:
    client = world.app.test_client()
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    before = _snapshot(world.app)
    response = client.post("/login" if form == "password" else "/login/badge", data={**fields, "csrf_token": csrf})
    assert response.status_code == 401
    assert message in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session
    after = _snapshot(world.app)
    assert after["audit"] - before["audit"] == Counter(audited)
    if not audited:  # refused by the form itself: not even a failure counted against the name
        assert after["throttles"] == before["throttles"]
    for key in ("outbox", "devices", "device_users", "quants", "moves", "pickings", "lots"):
        assert after[key] == before[key], key


def test_raw_scans_keep_their_control_characters(world: World) -> None:
    """A raw scan is kept as the scanner sent it (GS separators, even NUL), on PostgreSQL too."""
    raw = [f"]d2\x1d01{GTIN}10IVC20-B245\x1d", "\x00\x04binary"]
    command = _command(world.ids, raw_scans=raw)
    device = Sender(world.device(), {"Authorization": f"Bearer {world.token}"})
    [result] = device.post({"device_id": DEVICE, "commands": [command]}).get_json()["results"]
    assert result["result"] == "accepted", result
    with world.app.app_context():
        assert db.session.scalar(select(OutboxCommand.raw_scans).where(OutboxCommand.op_id == command["op_id"])) == raw


def test_what_the_screens_send_at_the_limits_is_accepted(world: World) -> None:
    """The strictness stops at what a handheld can send: a 20-character lot of GS1 punctuation, an
    override with a multi-line reason asked by a 120-character display name, a whole quantity as 2.0."""
    lot = "!\"%&'()*+,-./:;<=>?_"
    override = {"reason": "Only lot on the ward.\nPatient waiting.", "requested_by": "N" * 120}
    commands = [_command(world.ids, payload=_line(lot=lot, quantity=2.0)), _command(world.ids, payload=_consume(override=override))]
    device = Sender(world.device(), {"Authorization": f"Bearer {world.token}"})
    results = device.post({"device_id": DEVICE, "commands": commands}).get_json()["results"]
    assert [result["result"] for result in results] == ["accepted", "accepted"], results
