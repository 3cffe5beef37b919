"""POST /api/v1/sync: commands, watched statuses and catalog changes in one exchange, with the
guarantees of POST /api/v1/commands (the same intake path)."""
import gzip
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.services.sync import refresh_catalog
from offline_sync.backends.sandbox.models import SandboxLot
from offline_sync.outbox.models import OutboxCommand, Status
from tests.unit.app.test_api import DEVICE, _command, _register, _user_id


def _sync(client: FlaskClient, token: str, commands: list[dict] | None = None, watch: dict[str, str] | None = None,
          catalog: str | None = None, device: str = DEVICE) -> dict[str, Any]:
    response = client.post("/api/v1/sync", json={"device_id": device, "commands": commands or [], "watch": watch or {},
                                                 "catalog": catalog}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_commands_watch_and_catalog_in_one_exchange(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    command = _command(_user_id(demo, "nurse"))
    answer = _sync(demo.test_client(), token, [command], watch={command["op_id"]: "pending"})
    assert answer["results"] == [{"op_id": command["op_id"], "result": "accepted", "status": "queued", "message": ""}]
    assert answer["statuses"] == {command["op_id"]: {"status": "queued", "conflict": None, "message": "", "refs": {},
                                                     "attempts": 0}}
    catalog = answer["catalog"]
    assert catalog["full"] is True
    assert catalog["snapshot"] == demo.test_client().get("/api/v1/catalog", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert catalog["version"] == catalog["snapshot"]["version"]


def test_a_replayed_exchange_gives_the_same_answers_and_keeps_once(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    commands = [_command(_user_id(demo, "nurse")) for _ in range(3)]
    first = _sync(demo.test_client(), token, commands)["results"]
    again = _sync(demo.test_client(), token, commands)["results"]
    assert [r["result"] for r in first] == ["accepted"] * 3
    assert [(r["op_id"], r["result"], r["status"]) for r in again] == [(c["op_id"], "duplicate", "queued") for c in commands]
    with demo.app_context():
        assert db.session.query(OutboxCommand).count() == 3
        assert db.session.query(AuditEvent).filter_by(action="command_accepted").count() == 3


def test_only_statuses_that_changed_are_answered_and_unknown_ids_say_so(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    done, queued = _command(_user_id(demo, "nurse")), _command(_user_id(demo, "nurse"))
    _sync(demo.test_client(), token, [done, queued])
    with demo.app_context():
        db.session.query(OutboxCommand).filter_by(op_id=done["op_id"]).update({"status": Status.DONE})
        db.session.commit()
    missing = "00000000-0000-4000-8000-000000000000"
    statuses = _sync(demo.test_client(), token, watch={done["op_id"]: "queued", queued["op_id"]: "queued",
                                                       missing: "queued"})["statuses"]
    assert set(statuses) == {done["op_id"], missing}
    assert statuses[done["op_id"]]["status"] == "done" and statuses[missing] == {"status": "unknown"}


def test_another_handhelds_commands_are_unknown_to_it(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    command = _command(_user_id(demo, "nurse"))
    _sync(demo.test_client(), token, [command])
    other = _register(demo.test_client(), "supervisor", device="handheld-0002")
    statuses = _sync(demo.test_client(), other, watch={command["op_id"]: "queued"}, device="handheld-0002")["statuses"]
    assert statuses == {command["op_id"]: {"status": "unknown"}}


def test_a_bad_watch_or_catalog_is_refused_and_keeps_nothing(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    command = _command(_user_id(demo, "nurse"))
    headers = {"Authorization": f"Bearer {token}"}
    for body, code in (({"watch": ["x"]}, "bad_watch"), ({"watch": {f"id-{n}": "queued" for n in range(501)}}, "too_many_ids"),
                       ({"catalog": 7}, "bad_catalog"), ({"commands": "all"}, "bad_batch")):
        response = demo.test_client().post("/api/v1/sync", json={"device_id": DEVICE, "commands": [command], **body}, headers=headers)
        assert (response.status_code, response.get_json()["error"]) == (400, code), body
    with demo.app_context():
        assert db.session.query(OutboxCommand).count() == 0


def test_the_catalog_is_unchanged_then_one_recalled_lot_arrives_as_a_small_delta(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    held = _sync(demo.test_client(), token)["catalog"]["version"]
    assert _sync(demo.test_client(), token, catalog=held)["catalog"] == {"version": held, "unchanged": True}
    with demo.app_context():
        lot = db.session.scalar(select(SandboxLot).where(SandboxLot.name == "IVC20-B245"))
        lot.recalled = True
        db.session.commit()
        refresh_catalog()
    response = demo.test_client().post("/api/v1/sync", json={"device_id": DEVICE, "commands": [], "watch": {}, "catalog": held},
                                       headers={"Authorization": f"Bearer {token}"})
    catalog = response.get_json()["catalog"]
    assert catalog["full"] is False and int(catalog["version"]) == int(held) + 1
    assert list(catalog["changes"]) == ["lots"]
    [changed] = catalog["changes"]["lots"]["upsert"]
    assert (changed["name"], changed["recalled"]) == ("IVC20-B245", True)
    assert len(response.get_data()) <= 2048


def test_a_full_catalog_is_sent_gzipped_to_a_handheld_that_accepts_it(demo: Flask, client: FlaskClient) -> None:
    token = _register(client, "nurse")
    body = {"device_id": DEVICE, "commands": [], "watch": {}, "catalog": None}
    plain = demo.test_client().post("/api/v1/sync", json=body, headers={"Authorization": f"Bearer {token}"})
    packed = demo.test_client().post("/api/v1/sync", json=body, headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert json.loads(gzip.decompress(packed.get_data())) == plain.get_json()
    assert len(packed.get_data()) < len(plain.get_data()) / 3
