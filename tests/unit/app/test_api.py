"""The device API: registration, batches by token or session, idempotent replays, clear rejections."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import AuditEvent, Device, User
from app.services import users as user_service
from offline_sync.outbox.models import OutboxCommand
from tests.support import csrf_token_from, login

DEVICE = "handheld-0001"
GTIN = "05012345100012"  # IV cannula 20G in the demo data


def _user_id(app: Flask, username: str) -> int:
    with app.app_context():
        return db.session.query(User).filter_by(username=username).one().id


def _register(client: FlaskClient, username: str, device: str = DEVICE) -> str:
    login(client, username, "wardstock-demo")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post("/api/v1/devices", json={"device_id": device, "name": "Zebra TC52"}, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    return response.get_json()["token"]


def _command(user_id: int, kind: str = "consume", **payload) -> dict:
    default = {"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN, "lot": "IVC20-B245", "quantity": 2}]}
    return {
        "op_id": str(uuid.uuid4()), "kind": kind, "device_seq": 1, "user_id": user_id,
        "captured_at": datetime.now(UTC).isoformat(), "payload": payload or default,
        "raw_scans": [f"]d2\x1d01{GTIN}10IVC20-B245"],
    }


def _send(client: FlaskClient, token: str, commands: list[dict], device: str = DEVICE):
    return client.post("/api/v1/commands", json={"device_id": device, "commands": commands}, headers={"Authorization": f"Bearer {token}"})


def test_a_device_token_sends_a_batch_and_a_replay_is_a_duplicate(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    command = _command(_user_id(demo, "nurse"))
    first = _send(demo.test_client(), token, [command]).get_json()["results"]
    assert first == [{"op_id": command["op_id"], "result": "accepted", "status": "queued", "message": ""}]
    again = _send(demo.test_client(), token, [command]).get_json()["results"]
    assert again[0]["result"] == "duplicate" and again[0]["status"] == "queued"
    with demo.app_context():
        assert db.session.query(OutboxCommand).count() == 1
        row = db.session.query(OutboxCommand).one()
        assert (row.username, row.lane, row.device_id) == ("nurse", "location:WARD-3B-SUPPLY", DEVICE)
        assert row.raw_scans == command["raw_scans"]
        audited = db.session.query(AuditEvent).filter_by(action="command_accepted").one()
        assert audited.subject == command["op_id"] and audited.actor == "nurse"


def test_the_same_op_id_with_another_payload_is_refused_and_the_kept_one_stays(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    command = _command(_user_id(demo, "nurse"))
    _send(demo.test_client(), token, [command])
    changed = {**command, "payload": {**command["payload"], "lines": [{**command["payload"]["lines"][0], "quantity": 999}]}}
    [result] = _send(demo.test_client(), token, [changed]).get_json()["results"]
    assert result == {"op_id": command["op_id"], "result": "rejected", "status": None, "message": (
        "This op_id was kept before for a different consume command, so this changed one is not kept: "
        "a changed command needs an op_id of its own. Capture it again.")}
    [again] = _send(demo.test_client(), token, [command]).get_json()["results"]  # the very same command is still a replay
    assert (again["result"], again["status"]) == ("duplicate", "queued")
    with demo.app_context():
        assert db.session.query(OutboxCommand).one().payload["lines"][0]["quantity"] == 2
        refused = db.session.query(AuditEvent).filter_by(action="command_rejected").one()
        assert refused.subject == command["op_id"] and refused.detail["reason"] == result["message"]


def test_another_handheld_reusing_an_op_id_is_refused_and_learns_nothing(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    command = _command(_user_id(demo, "nurse"))
    _send(demo.test_client(), token, [command])
    other_token = _register(demo.test_client(), "nurse", device="handheld-0002")
    for sent in (command, {**command, "device_seq": 9}):
        [result] = _send(demo.test_client(), other_token, [sent], device="handheld-0002").get_json()["results"]
        assert result == {"op_id": command["op_id"], "result": "rejected", "status": None, "message": (
            "This op_id belongs to a command from another handheld, so this one is not kept: each handheld makes its own "
            "op_ids. Reload the app and capture it again.")}
    with demo.app_context():
        assert db.session.query(OutboxCommand).one().device_id == DEVICE


def test_commands_captured_outside_a_login_of_their_user_are_refused(demo: Flask, client: FlaskClient) -> None:
    """Issue 19, item 8: the token kept speaking for a user after logout, for commands stamped later
    or back-dated by weeks. What was captured during the login still goes out after it."""
    token = _register(client, "nurse")
    during = _command(_user_id(demo, "nurse"))
    csrf = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    later, back_dated = _command(_user_id(demo, "nurse")), _command(_user_id(demo, "nurse"))
    later["captured_at"] = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    back_dated["captured_at"] = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    results = _send(demo.test_client(), token, [during, later, back_dated]).get_json()["results"]
    assert [r["result"] for r in results] == ["accepted", "rejected", "rejected"]
    for result, sent in zip(results[1:], (later, back_dated)):
        stamp = datetime.fromisoformat(sent["captured_at"]).strftime("%Y-%m-%d %H:%M")
        assert result["message"] == (
            f"nurse was not logged in at {stamp} UTC, when this command says it was captured; a command is kept only when captured "
            "during a login of its user (check the handheld's clock). Log in and capture it again.")


def test_commands_keep_who_captured_them_after_a_shift_change(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    nurse_command = _command(_user_id(demo, "nurse"))
    login(client, "icu.nurse", "wardstock-demo")  # the next shift logs in on the same handheld
    results = _send(demo.test_client(), token, [nurse_command]).get_json()["results"]
    assert results[0]["result"] == "accepted"
    with demo.app_context():
        assert db.session.query(OutboxCommand).one().username == "nurse"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"op_id": "not-a-uuid"}, "op_id must be a UUID"),
        ({"kind": "steal"}, "Unknown command kind 'steal'"),
        ({"payload": {"location": "WARD-3B", "lines": [{"gtin": GTIN, "quantity": -3}]}}, "Line 1 quantity must be more than 0"),
        ({"payload": {"location": "WARD-3B", "lines": [{"gtin": "123", "quantity": 1}]}}, "14-digit GTIN"),
        ({"payload": {"location": "WARD-3B", "lines": []}}, "scan at least one item"),
        ({"payload": {"location": "WARD-ICU", "lines": [{"gtin": GTIN, "quantity": 1}]}}, "WARD-ICU is outside"),
        ({"payload": {"location": "NOWHERE", "lines": [{"gtin": GTIN, "quantity": 1}]}}, "Location NOWHERE is not known"),
        ({"kind": "count", "payload": {"location": "WARD-3B", "gtin": GTIN, "counted": 3}}, "nurse and may not count"),
        ({"captured_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()}, "in the future"),
        ({"captured_at": "yesterday"}, "captured_at must be an ISO 8601 time"),
        ({"user_id": 999}, "has not logged in on this device"),
        ({"raw_scans": "x"}, "raw_scans must be a list"),
    ],
)
def test_bad_commands_are_rejected_one_by_one_with_a_reason(demo: Flask, client: FlaskClient, change: dict, message: str) -> None:
    token = _register(client, "nurse")
    good = _command(_user_id(demo, "nurse"))
    bad = {**_command(_user_id(demo, "nurse")), **change}
    results = _send(demo.test_client(), token, [bad, good]).get_json()["results"]
    assert results[0]["result"] == "rejected" and message in results[0]["message"], results[0]
    assert results[1]["result"] == "accepted"  # one bad command never sinks its batch
    with demo.app_context():
        assert db.session.query(OutboxCommand).count() == 1


def test_no_token_no_session_is_401_json(client: FlaskClient) -> None:
    response = client.post("/api/v1/commands", json={"device_id": DEVICE, "commands": []})
    assert response.status_code == 401 and response.get_json()["error"] == "not_logged_in"
    response = _send(client, "forged-token", [])
    assert response.status_code == 401 and "log in on it to register it again" in response.get_json()["message"]


def test_a_token_only_speaks_for_its_own_device(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    response = _send(demo.test_client(), token, [], device="handheld-9999")
    assert response.status_code == 403


def test_a_logged_in_browser_can_send_with_the_csrf_header(demo: Flask, client: FlaskClient) -> None:
    login(client, "nurse", "wardstock-demo")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    body = {"device_id": DEVICE, "commands": [_command(_user_id(demo, "nurse"))]}
    assert client.post("/api/v1/commands", json=body).status_code == 400  # no CSRF header
    response = client.post("/api/v1/commands", json=body, headers={"X-CSRFToken": token})
    assert response.get_json()["results"][0]["result"] == "accepted"


def test_a_disabled_users_replays_are_rejected_but_kept_ones_stay_duplicates(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    kept, late = _command(_user_id(demo, "nurse")), _command(_user_id(demo, "nurse"))
    _send(demo.test_client(), token, [kept])
    with demo.app_context():
        user_service.set_active(db.session, "nurse", False, actor="admin")
        db.session.commit()
    results = _send(demo.test_client(), token, [kept, late]).get_json()["results"]
    assert [r["result"] for r in results] == ["duplicate", "rejected"]
    assert "nurse is disabled" in results[1]["message"]


def test_status_by_op_id_for_the_device(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    command = _command(_user_id(demo, "nurse"))
    _send(demo.test_client(), token, [command])
    unknown = str(uuid.uuid4())
    response = demo.test_client().get(f"/api/v1/commands/status?ids={command['op_id']},{unknown}", headers={"Authorization": f"Bearer {token}"})
    statuses = response.get_json()["statuses"]
    assert statuses[command["op_id"]]["status"] == "queued" and statuses[unknown] == {"status": "unknown"}


def test_a_thousand_open_commands_are_asked_in_bodies_that_fit(demo: Flask, client: FlaskClient) -> None:
    """Issue 19, item 5: 200 op_ids in a URL are about 7.8 KB and gunicorn refuses over 4 KB (414); the
    handheld asks in the body, 500 at a time, and its requests stay small whatever it has open."""
    token = _register(client, "nurse")
    commands = [{**_command(_user_id(demo, "nurse")), "device_seq": seq} for seq in range(1000)]
    for start in (0, 500):
        assert {r["result"] for r in _send(demo.test_client(), token, commands[start:start + 500]).get_json()["results"]} == {"accepted"}
    asked: dict[str, dict] = {}
    device = demo.test_client()
    for start in (0, 500):
        response = device.post("/api/v1/commands/status", json={"ids": [c["op_id"] for c in commands[start:start + 500]]},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200 and len(response.request.url) < 100
        asked.update(response.get_json()["statuses"])
    assert set(asked) == {c["op_id"] for c in commands} and {s["status"] for s in asked.values()} == {"queued"}
    too_many = device.post("/api/v1/commands/status", json={"ids": [c["op_id"] for c in commands]}, headers={"Authorization": f"Bearer {token}"})
    assert too_many.status_code == 400
    assert too_many.get_json()["message"] == "Ask for at most 500 op_ids at a time; this request has 1000."
    not_a_list = device.post("/api/v1/commands/status", json={"ids": "a,b"}, headers={"Authorization": f"Bearer {token}"})
    assert not_a_list.status_code == 400 and not_a_list.get_json()["message"] == "ids must be a list of op_ids (texts), but it is 'a,b'."
    other = _register(demo.test_client(), "nurse", device="handheld-0002")  # another handheld learns nothing of these
    theirs = device.post("/api/v1/commands/status", json={"ids": [commands[0]["op_id"]]}, headers={"Authorization": f"Bearer {other}"})
    assert theirs.get_json()["statuses"] == {commands[0]["op_id"]: {"status": "unknown"}}


def test_batches_have_a_size_limit(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    response = _send(demo.test_client(), token, [{}] * 501)
    assert response.status_code == 400 and "at most 500" in response.get_json()["message"]


def test_the_openapi_file_is_served_and_names_every_device_route(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]) == {"/devices", "/commands", "/commands/status", "/catalog", "/sync/health", "/sync"}


def test_sync_health_counts_what_is_pending(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    _send(demo.test_client(), token, [_command(_user_id(demo, "nurse")) for _ in range(3)])
    login(client, "supervisor", "wardstock-demo")
    health = client.get("/api/v1/sync/health").get_json()
    assert health["by_status"]["queued"] == 3 and health["workers_alive"] == 0
    assert health["lanes"] == [{"lane": "location:WARD-3B-SUPPLY", "open": 3, "conflicts": 0}]
    page = client.get("/sync").get_data(as_text=True)
    assert "No sync worker is running" in page and "location:WARD-3B-SUPPLY" in page


def test_the_offline_catalog_comes_from_the_cache_with_an_etag(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    device = demo.test_client()
    response = device.get("/api/v1/catalog", headers={"Authorization": f"Bearer {token}"})
    catalog = response.get_json()
    assert {p["gtin"] for p in catalog["products"]} >= {GTIN}
    recalled = [lot["name"] for lot in catalog["lots"] if lot["recalled"]]
    assert recalled == ["SYR10-2502"]
    assert any(loc["barcode"] == "WARD-3B-SUPPLY" for loc in catalog["locations"])
    assert catalog["receipts"][0]["reference"] == "CS/IN/00001"
    again = device.get("/api/v1/catalog", headers={"Authorization": f"Bearer {token}", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_offline_catalog_gives_each_gtin_of_a_product_with_the_units_one_scan_stands_for(
    demo: Flask, client: FlaskClient
) -> None:
    """The demo syringe has its own GTIN and a box of 10's: the cache keeps both, the device gets both."""
    token = _register(client, "nurse")
    catalog = demo.test_client().get("/api/v1/catalog", headers={"Authorization": f"Bearer {token}"}).get_json()

    syringe = [(p["gtin"], p["pack_quantity"]) for p in catalog["products"] if p["code"] == "SYR-10ML"]
    assert syringe == [("05012345100029", 1.0), ("15012345100026", 10.0)]
    assert {p["pack_quantity"] for p in catalog["products"] if p["code"] != "SYR-10ML"} == {1.0}
    product_schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["CatalogProduct"]
    assert set(product_schema["required"]) == set(catalog["products"][0])


def test_a_shuffled_batch_is_kept_in_capture_order(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    commands = []
    for seq in (3, 1, 2):
        command = _command(_user_id(demo, "nurse"))
        command["device_seq"] = seq
        commands.append(command)
    results = _send(demo.test_client(), token, commands).get_json()["results"]
    assert [r["op_id"] for r in results] == [c["op_id"] for c in commands]  # answers in request order
    with demo.app_context():
        stored = [row.device_seq for row in db.session.query(OutboxCommand).order_by(OutboxCommand.id)]
    assert stored == [1, 2, 3]


def test_the_next_user_is_linked_with_the_handhelds_token_which_stays(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    login(client, "supervisor", "wardstock-demo")  # the next shift, on the same handheld
    csrf = csrf_token_from(client.get("/").get_data(as_text=True))
    linked = client.post("/api/v1/devices", json={"device_id": DEVICE, "name": "Zebra TC52"},
                         headers={"X-CSRFToken": csrf, "Authorization": f"Bearer {token}"})
    assert linked.status_code == 200 and "token" not in linked.get_json()
    results = _send(demo.test_client(), token, [_command(_user_id(demo, "nurse")), _command(_user_id(demo, "supervisor"))])
    assert [r["result"] for r in results.get_json()["results"]] == ["accepted", "accepted"]
    with demo.app_context():
        assert db.session.query(AuditEvent).filter_by(action="device_user_linked", actor="supervisor").count() == 1


def test_a_handheld_id_with_a_live_token_is_not_registered_again_without_it(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    stranger = demo.test_client()  # knows the handheld's id, not its token
    login(stranger, "icu.nurse", "wardstock-demo")
    csrf = csrf_token_from(stranger.get("/").get_data(as_text=True))
    refused = stranger.post("/api/v1/devices", json={"device_id": DEVICE, "name": "mine"}, headers={"X-CSRFToken": csrf})
    assert refused.status_code == 409 and "does not carry its token" in refused.get_json()["message"]
    assert _send(demo.test_client(), token, [_command(_user_id(demo, "nurse"))]).status_code == 200  # untouched


def test_a_revoked_handheld_is_registered_afresh_with_only_the_new_user(demo: Flask, client: FlaskClient) -> None:
    old_token = _register(client, "nurse")
    with demo.app_context():
        device = db.session.get(Device, DEVICE)
        device.revoked = True
        db.session.commit()
    new_token = _register(demo.test_client(), "icu.nurse")
    assert _send(demo.test_client(), old_token, [_command(_user_id(demo, "nurse"))]).status_code == 401
    [result] = _send(demo.test_client(), new_token, [_command(_user_id(demo, "nurse"))]).get_json()["results"]
    assert result["result"] == "rejected" and "has not logged in on this device" in result["message"]


def test_a_handheld_registers_with_its_own_token_and_may_send_it_again(demo: Flask, client: FlaskClient) -> None:
    own = "k" * 16 + "0123456789abcdefghijklmnopqrstuv"  # made on the handheld
    login(client, "nurse", "wardstock-demo")
    csrf = csrf_token_from(client.get("/").get_data(as_text=True))
    headers = {"X-CSRFToken": csrf, "Authorization": f"Bearer {own}"}
    first = client.post("/api/v1/devices", json={"device_id": DEVICE, "name": "Zebra TC52"}, headers=headers)
    again = client.post("/api/v1/devices", json={"device_id": DEVICE, "name": "Zebra TC52"}, headers=headers)  # the answer was lost
    assert (first.status_code, again.status_code) == (201, 200) and "token" not in first.get_json()
    [result] = _send(demo.test_client(), own, [_command(_user_id(demo, "nurse"))]).get_json()["results"]
    assert result["result"] == "accepted"
    short = client.post("/api/v1/devices", json={"device_id": "handheld-0002", "name": "x"},
                        headers={"X-CSRFToken": csrf, "Authorization": "Bearer short"})
    assert short.status_code == 400 and "at least 32 random characters" in short.get_json()["message"]


def test_the_database_out_of_reach_is_a_503_the_handheld_retries(demo: Flask, client: FlaskClient, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    from app.services import devices

    token = _register(client, "nurse")

    def unreachable(*_args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(devices, "by_token", unreachable)
    answer = _send(demo.test_client(), token, [_command(_user_id(demo, "nurse"))])
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "10"
    assert "cannot reach its database" in answer.get_json()["message"]
