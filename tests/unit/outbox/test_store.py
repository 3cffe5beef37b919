"""Keeping commands: one row per op_id, in the order the batch was captured, on both databases,
and when two requests carry the same op_id at the same moment."""
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.payloads import parse
from offline_sync.outbox.store import Answer, Envelope, StoreResult, store
from offline_sync.persistence import Base, utcnow
from tests.postgres import fresh_database
from tests.unit.outbox.conftest import transfer_payload


def envelope(op_id: str, device_seq: int, now: datetime) -> Envelope:
    payload = transfer_payload()
    return Envelope(op_id=op_id, kind="transfer", device_id="device-0001", device_seq=device_seq, user_id=1, username="sam",
                    captured_at=now, payload=payload, raw_scans=("]d2010501234510001210L1",),
                    command=parse("transfer", op_id, now, payload))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'outbox.sqlite'}")
    else:
        engine = create_engine(fresh_database(request.getfixturevalue("postgres_url"), "store"))
    Base.metadata.create_all(engine)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def rows(factory: sessionmaker[Session]) -> list[tuple[str, int]]:
    with factory() as session:
        return [tuple(row) for row in session.execute(select(OutboxCommand.op_id, OutboxCommand.device_seq).order_by(OutboxCommand.id))]


def test_a_batch_is_kept_once_in_its_order_and_a_replay_answers_duplicate(factory: sessionmaker[Session]) -> None:
    now = utcnow()
    first, second, third = (str(uuid.uuid4()) for _ in range(3))
    batch = [envelope(first, 1, now), envelope(second, 2, now), envelope(first, 1, now)]  # the same op_id twice
    with factory() as session, session.begin():
        results = store(session, batch, now)
    assert results == [StoreResult(first, Answer.ACCEPTED, Status.QUEUED), StoreResult(second, Answer.ACCEPTED, Status.QUEUED),
                       StoreResult(first, Answer.DUPLICATE, Status.QUEUED)]
    with factory() as session, session.begin():
        session.execute(OutboxCommand.__table__.update().where(OutboxCommand.op_id == second).values(status=Status.DONE))
    with factory() as session, session.begin():
        replay = store(session, [envelope(second, 2, now), envelope(third, 3, now)], now)
    assert replay == [StoreResult(second, Answer.DUPLICATE, Status.DONE), StoreResult(third, Answer.ACCEPTED, Status.QUEUED)]
    assert rows(factory) == [(first, 1), (second, 2), (third, 3)]


@pytest.mark.parametrize("factory", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_requests_racing_with_the_same_op_id_keep_one_row(factory: sessionmaker[Session]) -> None:
    """The second waits for the first's transaction, then answers duplicate: no error, no second row."""
    now = utcnow()
    op_id = str(uuid.uuid4())
    answers: list[list[StoreResult]] = []
    with factory() as first:
        first.begin()
        assert store(first, [envelope(op_id, 1, now)], now)[0].answer == Answer.ACCEPTED

        def second() -> None:
            with factory() as session, session.begin():
                answers.append(store(session, [envelope(op_id, 1, now)], now))

        racer = threading.Thread(target=second)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive(), "the second request should wait for the first to commit"
        first.commit()
    racer.join(timeout=10)
    assert answers == [[StoreResult(op_id, Answer.DUPLICATE, Status.QUEUED)]]
    assert rows(factory) == [(op_id, 1)]


def test_a_kept_op_id_with_another_payload_or_from_another_handheld_is_refused(factory: sessionmaker[Session]) -> None:
    now = utcnow()
    op_id = str(uuid.uuid4())
    kept = envelope(op_id, 1, now)
    with factory() as session, session.begin():
        store(session, [kept], now)
    changed_payload = {**kept.payload, "lines": [{**kept.payload["lines"][0], "quantity": 999}]}
    changed = replace(kept, payload=changed_payload, command=parse("transfer", op_id, now, changed_payload))
    elsewhere = replace(kept, device_id="device-0002")
    with factory() as session, session.begin():
        answers = store(session, [changed, elsewhere, kept], now)
    assert [(a.answer, a.status) for a in answers] == [(Answer.REJECTED, None), (Answer.REJECTED, None), (Answer.DUPLICATE, Status.QUEUED)]
    assert "a changed command needs an op_id of its own" in answers[0].message
    assert "belongs to a command from another handheld" in answers[1].message
    with factory() as session:
        assert session.scalar(select(OutboxCommand.payload)) == kept.payload
