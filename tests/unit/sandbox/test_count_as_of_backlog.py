"""Issue 19, item 2, as reported: with the worker stopped, 3 gloves go CS-STOCK → WARD-ED-RESUS (8 there)
at T and the bay is counted at T+1 s (11 counted, 8 seen); the worker starts. The count settles to what
is on the shelf, 11 (it settled to 14: the transfer, applied after the count's capture time, was added)."""
import random
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.backends.sandbox.demo import load_demo_stock
from offline_sync.backends.sandbox.models import SandboxLocation, SandboxQuant
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.payloads import parse
from offline_sync.outbox.store import Envelope, store
from offline_sync.outbox.worker import Worker
from offline_sync.persistence import Base, utcnow

GLOVES, LOT = "05012345100067", "GLV-M-01"


def _ledger_and_outbox(folder: Path) -> sessionmaker[Session]:
    engine = create_engine(f"sqlite:///{folder / 'one.sqlite'}")
    Base.metadata.create_all(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory.begin() as session:
        load_demo_stock(session, date.today())
    return factory


def _queue(factory: sessionmaker[Session], kind: str, payload: dict, captured_at) -> str:
    op_id = str(uuid.uuid4())
    envelope = Envelope(op_id, kind, "handheld", 0, 1, "nurse", captured_at, payload, (), parse(kind, op_id, captured_at, payload))
    with factory.begin() as session:
        store(session, [envelope], utcnow())
    return op_id


def _on_hand(factory: sessionmaker[Session], barcode: str) -> float:
    with factory() as session:
        return sum(session.scalars(select(SandboxQuant.quantity).join(SandboxLocation, SandboxQuant.location_id == SandboxLocation.id)
                                   .where(SandboxLocation.barcode == barcode, SandboxQuant.product.has(barcode=GLOVES[1:]))))


def test_a_count_made_during_a_sync_backlog_settles_to_what_is_on_the_shelf(tmp_path: Path) -> None:
    factory = _ledger_and_outbox(tmp_path)
    assert _on_hand(factory, "WARD-ED-RESUS") == 8
    moment = utcnow()  # after the demo stock's own moves; the worker is stopped: both wait in the outbox
    _queue(factory, "transfer", {"source": "CS-STOCK", "destination": "WARD-ED-RESUS",
                                 "lines": [{"gtin": GLOVES, "lot": LOT, "quantity": 3}]}, moment)
    count = _queue(factory, "count", {"location": "WARD-ED-RESUS", "gtin": GLOVES, "lot": LOT, "counted": 11,
                                      "seen_on_hand": 8}, moment + timedelta(seconds=0.2))
    time.sleep(0.3)  # the worker starts after the count was made: the transfer reaches the ledger after it
    worker = Worker(factory, SandboxBackend(factory), owner="w", count_tolerance=5, rng=random.Random(1))
    for _ in range(10):
        if worker.run_once() == 0:
            break
    with factory() as session:
        row = session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == count))
    assert row.status == Status.DONE, (row.status, row.conflict_message)
    assert _on_hand(factory, "WARD-ED-RESUS") == 11
