"""Two supervisors deciding one parked command at the same moment (issue 19, item 3): exactly one
decision is taken and audited; the other is told who decided what. On SQLite and PostgreSQL, each
supervisor in a session of their own that has just shown the inbox (the copy that went stale)."""
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, User
from app.services import conflicts
from app.services import users as user_service
from app.services.backend import inventory_backend
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.resolutions import ResolutionError
from offline_sync.persistence import utcnow
from tests.postgres import empty_database
from tests.support import make_app

ROUNDS = 6
GTIN = "05012345100012"


@dataclass
class World:
    app: Flask
    supervisors: tuple[str, str]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(request.param)
    url = empty_database(request, folder, "decisions")
    app = make_app(url, folder)
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        user_service.create_user(db.session, username="sam", display_name="Sam Second", role="supervisor",
                                 password="wardstock-demo", locations=(), actor="test")
        db.session.commit()
    yield World(app, ("supervisor", "sam"))
    with app.app_context():
        db.engine.dispose()


def _park(app: Flask) -> str:
    """A consumption parked for lack of stock, as the worker leaves it."""
    op_id = str(uuid.uuid4())
    with app.app_context():
        nurse = db.session.scalar(select(User).where(User.username == "nurse"))
        now = utcnow()
        db.session.add(OutboxCommand(
            op_id=op_id, kind="consume", device_id="decisions-01", device_seq=1, user_id=nurse.id, username="nurse",
            captured_at=now - timedelta(minutes=5), lane="location:WARD-3B-SUPPLY", touches=[],
            payload={"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN, "lot": "IVC20-B245", "quantity": 10000}]},
            status=Status.CONFLICT, conflict_kind="insufficient_stock", conflict_message="Only 40 on hand.",
            received_at=now, next_attempt_at=now,
        ))
        db.session.commit()
    return op_id


def _decide_at_once(world: World, op_id: str) -> dict[str, Exception | str]:
    """Both supervisors open the inbox, then decide together: one 'apply anyway', the other 'discard'."""
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, Exception | str] = {}

    def supervisor(username: str, action: str) -> None:
        with world.app.app_context():
            shown = conflicts.parked(db.session, page=1, page_size=10_000)
            assert op_id in {row.op_id for row in shown.rows}
            user = db.session.scalar(select(User).where(User.username == username))
            barrier.wait()
            try:
                outcomes[username] = conflicts.decide(
                    db.session, inventory_backend(), op_id, action, supervisor=user, reason=f"{username} decided",
                    params={}, address="127.0.0.1", now=utcnow()).message
            except ResolutionError as error:
                outcomes[username] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=supervisor, args=(name, action))
               for name, action in zip(world.supervisors, ("apply_anyway", "discard"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_decisions_at_once_exactly_one_wins_and_the_other_hears_who(world: World, round_: int) -> None:
    op_id = _park(world.app)
    outcomes = _decide_at_once(world, op_id)
    refused = {name: outcome for name, outcome in outcomes.items() if isinstance(outcome, ResolutionError)}
    decided = {name: outcome for name, outcome in outcomes.items() if isinstance(outcome, str)}
    assert len(decided) == 1 and len(refused) == 1, outcomes
    [winner] = decided
    [message] = map(str, refused.values())
    with world.app.app_context():
        row = db.session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == op_id))
        audited = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "conflict_resolved", AuditEvent.subject == op_id))
    assert audited == 1
    assert row.resolution["by"] == winner
    assert row.status == (Status.QUEUED if winner == "supervisor" else Status.DISCARDED)
    label = "Apply anyway" if winner == "supervisor" else "Discard this command"
    assert message.startswith(f"{winner} already decided this command at ") and label in message, message
    assert message.endswith("Reload the inbox.")
