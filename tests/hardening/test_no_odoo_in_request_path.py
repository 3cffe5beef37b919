"""No request from a handheld waits on Odoo: with the backend set to Odoo at an address where a
listener counts every connection (and hangs up at once), the catalog, the checks a scan feeds
(commands accepted or refused by ward), status polls, the pages, the receipt list and a photo read
all answer from the local catalog cache, and the listener sees no connection at all. The same app
asked to refresh its catalog does connect there: the listener would have seen a call."""
import io
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from flask import Flask
from PIL import Image

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import User
from app.services import devices
from app.services.sync import refresh_catalog
from tests.support import csrf_token_from, login, make_app


class CountingListener:
    """A TCP port that counts the connections made to it and closes each one at once."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def odoo_listener() -> Iterator[CountingListener]:
    listener = CountingListener()
    yield listener
    listener.close()


@pytest.fixture
def odoo_app(app: Flask, runner, tmp_path: Path, odoo_listener: CountingListener) -> Iterator[Flask]:
    """The demo's catalog cached (from the sandbox), then the same database served with Odoo as its backend."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert runner.invoke(args=["sync", "catalog"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()
    odoo = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, WARDSTOCK_BACKEND="odoo",
                    ODOO_URL=f"http://127.0.0.1:{odoo_listener.port}", ODOO_DB="ws", ODOO_USER="wardstock",
                    ODOO_API_KEY="not-a-real-key", ODOO_TIMEOUT="3")
    yield odoo
    with odoo.app_context():
        db.engine.dispose()


def _token(app: Flask, username: str, device_id: str) -> str:
    with app.app_context():
        user = db.session.query(User).filter_by(username=username).one()
        token = devices.register(db.session, device_id, "no-odoo", user, "127.0.0.1")
        db.session.commit()
        return token


def _command(user_id: int, location: str, gtin: str, lot: str) -> dict:
    return {"op_id": str(uuid.uuid4()), "kind": "consume", "device_seq": 1, "user_id": user_id,
            "captured_at": datetime.now(UTC).isoformat(),
            "payload": {"location": location, "reference": "CASE-1", "lines": [{"gtin": gtin, "lot": lot, "quantity": 1}]}}


def _photo(text: str) -> bytes:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, gs1=True)
    image = Image.fromarray(np.pad(np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=6)), 40, constant_values=255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_handheld_requests_answer_from_the_local_cache_without_calling_odoo(
    odoo_app: Flask, odoo_listener: CountingListener
) -> None:
    assert odoo_app.config["WARDSTOCK_BACKEND"] == "odoo"
    token = _token(odoo_app, "nurse", "no-odoo-handheld")
    bearer = {"Authorization": f"Bearer {token}"}
    device = odoo_app.test_client()

    catalog = device.get("/api/v1/catalog", headers=bearer)
    assert catalog.status_code == 200
    body = catalog.get_json()
    assert body["products"] and body["lots"] and body["locations"] and body["receipts"]
    assert device.get("/api/v1/catalog", headers={**bearer, "If-None-Match": catalog.headers["ETag"]}).status_code == 304

    # What a scan feeds: the product, lot and location the device looked up in that catalog.
    syringe = next(p for p in body["products"] if any(lot["product_id"] == p["id"] for lot in body["lots"]))
    lot = next(lot for lot in body["lots"] if lot["product_id"] == syringe["id"])
    with odoo_app.app_context():
        nurse_id = db.session.query(User).filter_by(username="nurse").one().id
    inside, outside = _command(nurse_id, "WARD-3B-SUPPLY", syringe["gtin"], lot["name"]), _command(
        nurse_id, "WARD-ICU-CART", syringe["gtin"], lot["name"])
    answer = device.post("/api/v1/commands", headers=bearer, json={"device_id": "no-odoo-handheld", "commands": [inside, outside]})
    assert answer.status_code == 200
    results = answer.get_json()["results"]
    assert results[0]["result"] == "accepted"
    assert results[1]["result"] == "rejected" and "WARD-ICU-CART is outside" in results[1]["message"]
    statuses = device.get(f"/api/v1/commands/status?ids={inside['op_id']}", headers=bearer).get_json()["statuses"]
    assert statuses[inside["op_id"]]["status"] == "queued"  # waits for the worker; the request did not
    again = _command(nurse_id, "WARD-3B-SUPPLY", syringe["gtin"], lot["name"])  # the same through the sync exchange
    exchange = device.post("/api/v1/sync", headers=bearer, json={"device_id": "no-odoo-handheld", "commands": [again],
                                                                 "watch": {inside["op_id"]: "pending"}, "catalog": body["version"]})
    assert exchange.status_code == 200
    answer = exchange.get_json()
    assert answer["results"][0]["result"] == "accepted" and answer["statuses"][inside["op_id"]]["status"] == "queued"
    assert answer["catalog"] == {"version": body["version"], "unchanged": True}

    person = odoo_app.test_client()
    assert login(person, "supervisor", DEMO_PASSWORD).status_code == 302
    for path in ("/", "/consume", "/transfer", "/count", "/device/queue", "/sync", "/api/v1/sync/health"):
        assert person.get(path).status_code == 200, path
    receipts = person.get("/receive", headers={"HX-Request": "true"})
    assert receipts.status_code == 200 and "CS/IN/00001" in receipts.get_data(as_text=True)
    read = person.post("/device/photo", data={"photo": (io.BytesIO(_photo("(01)05012345100029(10)SYR10-2501")), "label.png")},
                       headers={"X-CSRFToken": csrf_token_from(person.get("/").get_data(as_text=True))})
    assert read.status_code == 200 and read.get_json()["reads"], read.get_data(as_text=True)

    assert odoo_listener.connections == 0

    with odoo_app.app_context():  # the control: the same app, asked for Odoo, does go there
        assert refresh_catalog() is None
    assert odoo_listener.connections >= 1
