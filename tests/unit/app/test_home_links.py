"""Each role's home links to every page it may open (built from its permissions), with counts:
parked conflicts, stale commands and the inventory server's state, active users."""
import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.persistence import utcnow

# Written by hand from the README's roles.
LINKS = {
    "storekeeper": ["labels"],
    "nurse": [],
    "auditor": ["sync"],
    "supervisor": ["conflicts", "sync", "devices", "labels", "wards"],
    "admin": ["sync", "devices", "people", "labels", "wards"],
}


def _links(page: str) -> list[str]:
    return re.findall(r'data-link="([a-z_]+)"', page)


@pytest.mark.parametrize("role", sorted(LINKS))
def test_each_role_sees_the_links_it_may_open_and_each_opens(role: str, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in(role)
    page = client.get("/").get_data(as_text=True)
    assert _links(page) == LINKS[role]
    for href in re.findall(r'data-link="[a-z_]+" href="([^"]+)"', page):
        assert client.get(href).status_code == 200, href
    if role == "admin":
        assert "no stock workflows" not in page


def _command(status: Status, received_minutes_ago: int) -> OutboxCommand:
    received = utcnow() - timedelta(minutes=received_minutes_ago)
    return OutboxCommand(
        op_id=str(uuid.uuid4()), kind="consume", device_id="home-0001", device_seq=received_minutes_ago, user_id=1,
        username="nurse1", captured_at=received, lane="location:WARD-3B-SUPPLY", touches=[], received_at=received,
        next_attempt_at=received, payload={"location": "WARD-3B-SUPPLY", "lines": []}, status=status,
        conflict_kind="insufficient_stock" if status == Status.CONFLICT else None,
    )


def test_the_supervisors_home_counts_parked_and_stale_commands(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    with app.app_context():
        db.session.add_all([_command(Status.CONFLICT, 1), _command(Status.CONFLICT, 2), _command(Status.CONFLICT, 3),
                            _command(Status.QUEUED, 30), _command(Status.RETRYING, 11), _command(Status.QUEUED, 1)])
        db.session.commit()
    page = logged_in("supervisor").get("/").get_data(as_text=True)
    conflicts = page[page.index('data-link="conflicts"'):].split("</a>")[0]
    assert "3 parked" in conflicts and "home-count-alert" in conflicts
    sync = page[page.index('data-link="sync"'):].split("</a>")[0]
    assert "2 stale" in sync and "no sync worker running" in sync


def test_nothing_parked_is_not_an_alert(logged_in: Callable[..., FlaskClient]) -> None:
    page = logged_in("supervisor").get("/").get_data(as_text=True)
    conflicts = page[page.index('data-link="conflicts"'):].split("</a>")[0]
    assert "0 parked" in conflicts and "home-count-alert" not in conflicts
