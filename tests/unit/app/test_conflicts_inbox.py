"""The supervisor's inbox pages through every parked command, and a decision works for any of them
(issue 19, item 6: 205 parked, the inbox showed 200 and deciding the 205th said it was not waiting)."""
import re
import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.services.conflicts import PAGE_SIZE
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.resolutions import OFFERED
from offline_sync.persistence import utcnow
from tests.support import csrf_token_from
from views.conflicts import NEED_LABELS

PARKED = 205
CARD = re.compile(r'<article class="card conflict" id="c-([0-9a-f-]{36})"')


def _park(app: Flask, how_many: int, kind: str = "consume") -> list[str]:
    op_ids = [str(uuid.uuid4()) for _ in range(how_many)]
    now = utcnow()
    with app.app_context():
        db.session.add_all(OutboxCommand(
            op_id=op_id, kind=kind, device_id="inbox-0001", device_seq=seq, user_id=1, username="nurse1",
            captured_at=now, lane="location:WARD-3B-SUPPLY", touches=[], received_at=now, next_attempt_at=now,
            payload={"location": "WARD-3B-SUPPLY", "lines": [{"gtin": "05012345100012", "lot": "L1", "quantity": 5}]},
            status=Status.CONFLICT, conflict_kind="insufficient_stock", conflict_message="Not enough stock.",
        ) for seq, op_id in enumerate(op_ids))
        db.session.commit()
    return op_ids


def test_the_inbox_pages_through_every_parked_command(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in("supervisor")
    op_ids = _park(app, PARKED)
    shown: list[str] = []
    pages = -(-PARKED // PAGE_SIZE)
    for page in range(1, pages + 1):
        html = client.get(f"/conflicts?page={page}").get_data(as_text=True)
        assert f"Page {page} of {pages} · {PARKED} waiting" in html
        shown += CARD.findall(html)
    assert shown == op_ids  # each once, oldest first
    assert "Next page" not in html and "Previous page" in html


def test_the_last_parked_command_can_be_decided(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in("supervisor")
    last = _park(app, PARKED)[-1]
    csrf = csrf_token_from(client.get("/conflicts").get_data(as_text=True))
    response = client.post("/conflicts/resolve", data={"op_id": last, "action": "discard", "reason": "duplicate scan", "csrf_token": csrf},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "Discarded: nothing of it reaches the inventory." in html, html
    with app.app_context():
        assert db.session.query(OutboxCommand).filter_by(op_id=last).one().status == Status.DISCARDED
    again = client.post("/conflicts/resolve", data={"op_id": last, "action": "discard", "reason": "again", "csrf_token": csrf},
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "supervisor1 already decided this command at" in again and "“Discard this command" in again


def test_waste_beyond_what_is_on_hand_is_not_offered_apply_anyway(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    """A scrap cannot take stock below zero, so 'apply anyway' would only park it again."""
    client = logged_in("supervisor")
    (consume,) = _park(app, 1)
    (scrap,) = _park(app, 1, kind="scrap")
    html = client.get("/conflicts").get_data(as_text=True)
    cards = {op_id: html.split(f'id="c-{op_id}"')[1].split("</article>")[0] for op_id in (consume, scrap)}
    assert 'value="apply_anyway"' in cards[consume]
    assert 'value="apply_anyway"' not in cards[scrap] and 'value="discard"' in cards[scrap]
    csrf = csrf_token_from(html)
    refused = client.post("/conflicts/resolve", data={"op_id": scrap, "action": "apply_anyway", "reason": "r", "csrf_token": csrf},
                          headers={"HX-Request": "true"})
    with app.app_context():
        assert db.session.query(OutboxCommand).filter_by(op_id=scrap).one().status == Status.CONFLICT, refused.get_data(as_text=True)


def test_every_answer_a_decision_asks_for_has_a_label_on_the_card() -> None:
    asked = {need for choices in OFFERED.values() for choice in choices for need in choice.needs}
    assert asked - set(NEED_LABELS) == set()
