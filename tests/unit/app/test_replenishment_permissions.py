"""Who may send the ward replenishment commands, checked when a handheld's batch is accepted:
nurses ask for their own wards, storekeepers also pick and deliver, supervisors also set par levels."""
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.unit.app.test_api import GTIN, _command, _register, _send, _user_id

REQUEST = {"kind": "replenish_request", "payload": {"location": "WARD-3B-SUPPLY", "gtin": GTIN, "quantity": 20, "card": ""}}
REQUEST_ICU = {"kind": "replenish_request", "payload": {"location": "WARD-ICU-CART", "gtin": GTIN, "quantity": 20, "card": ""}}
PAR_LEVEL = {"kind": "par_level_set", "payload": {"location": "WARD-3B-SUPPLY", "gtin": GTIN, "minimum": 10, "maximum": 30}}
PICK = {"kind": "replenish_pick", "payload": {"transfer": "WH/INT/00001", "lines": [{"gtin": GTIN, "lot": "IVC20-B245", "quantity": 5}]}}
DELIVER = {"kind": "replenish_deliver", "payload": {"transfer": "WH/INT/00001", "location": "WARD-3B-SUPPLY", "backorder": True}}
ALL = {"request": REQUEST, "request_other_ward": REQUEST_ICU, "par_level": PAR_LEVEL, "pick": PICK, "deliver": DELIVER}

# (role's demo user, command) -> the refusal's words, or None when accepted. Written out by hand.
EXPECTED = {
    "nurse": {"request": None, "request_other_ward": "WARD-ICU-CART is outside", "par_level": "may not set par levels",
              "pick": "may not deliver replenishment", "deliver": "may not deliver replenishment"},
    "store": {"request": None, "request_other_ward": None, "par_level": "may not set par levels", "pick": None, "deliver": None},
    "supervisor": {"request": None, "request_other_ward": None, "par_level": None, "pick": None, "deliver": None},
    "auditor": {"request": "may not request replenishment", "request_other_ward": "may not request replenishment",
                "par_level": "may not set par levels", "pick": "may not deliver replenishment", "deliver": "may not deliver replenishment"},
}


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_role_may_send_exactly_its_replenishment_commands(demo: Flask, client: FlaskClient, username: str) -> None:
    token = _register(client, username)
    user_id = _user_id(demo, username)
    names = list(ALL)
    commands = [{**_command(user_id), **ALL[name]} for name in names]
    results = _send(demo.test_client(), token, commands).get_json()["results"]
    for name, result in zip(names, results, strict=True):
        refusal = EXPECTED[username][name]
        if refusal is None:
            assert result["result"] == "accepted", (username, name, result)
        else:
            assert result["result"] == "rejected" and refusal in result["message"], (username, name, result)
