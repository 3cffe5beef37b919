"""An outbox on its own SQLite file, no Flask: the offline_sync package stands alone."""
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

import offline_sync.outbox.models  # noqa: F401
from offline_sync.outbox.payloads import parse
from offline_sync.outbox.store import Envelope, store
from offline_sync.persistence import Base, utcnow
from tests.fakes import FakeBackend


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.sqlite'}")
    Base.metadata.create_all(engine)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


def transfer_payload(source: str = "CS-STOCK", destination: str = "WARD-3B", lot: str = "L1", quantity: float = 1) -> dict:
    return {"source": source, "destination": destination, "lines": [{"gtin": "05012345100012", "lot": lot, "quantity": quantity}]}


@pytest.fixture
def enqueue(factory: sessionmaker[Session], clock: Clock) -> Callable[..., str]:
    """Queue one command (a transfer unless told otherwise); returns its op_id."""
    sequence = iter(range(1_000_000))

    def add(kind: str = "transfer", payload: dict | None = None, op_id: str | None = None) -> str:
        op_id = op_id or str(uuid.uuid4())
        payload = payload or transfer_payload()
        envelope = Envelope(
            op_id=op_id, kind=kind, device_id="device-0001", device_seq=next(sequence), user_id=1, username="sam",
            captured_at=clock(), payload=payload, raw_scans=(), command=parse(kind, op_id, clock(), payload),
        )
        with factory() as session, session.begin():
            store(session, [envelope], clock())
        return op_id

    return add
