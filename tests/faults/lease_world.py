"""An outbox and a sandbox ledger in one fresh PostgreSQL database, without the web app: for the
lease tests, whose workers (threads here, or a process of their own: frozen_worker.py) share it."""
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

import offline_sync.outbox.models  # noqa: F401 - the outbox's tables
from offline_sync.backends.sandbox.demo import load_demo_stock
from offline_sync.backends.sandbox.models import SandboxPicking
from offline_sync.outbox.payloads import parse
from offline_sync.outbox.store import Envelope, store
from offline_sync.persistence import Base, utcnow
from tests.postgres import fresh_database

GLOVES = "05012345100067"  # 30 of lot GLV-M-01 in CS-STOCK, 8 at WARD-ED-RESUS
SYRINGES = "05012345100029"  # 300 of lot SYR10-2501 in CS-STOCK


def lease_database(server_url: str, prefix: str) -> tuple[str, sessionmaker[Session]]:
    url = fresh_database(server_url, prefix)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory.begin() as session:
        load_demo_stock(session, date.today())
    return url, factory


def transfer(gtin: str, lot: str, destination: str, quantity: float = 1, source: str = "CS-STOCK") -> tuple[str, dict]:
    return "transfer", {"source": source, "destination": destination, "lines": [{"gtin": gtin, "lot": lot, "quantity": quantity}]}


def enqueue(factory: sessionmaker[Session], commands: Iterable[tuple[str, dict]], captured_at: datetime | None = None) -> list[str]:
    """Queue the commands as one device sent them; their op_ids, in order."""
    envelopes = []
    for sequence, (kind, payload) in enumerate(commands):
        op_id, at = str(uuid.uuid4()), captured_at or datetime.now(UTC)
        envelopes.append(Envelope(op_id, kind, "lease-device", sequence, 1, "store", at, payload, (), parse(kind, op_id, at, payload)))
    with factory.begin() as session:
        store(session, envelopes, utcnow())
    return [envelope.op_id for envelope in envelopes]


def pickings_per_op(factory: sessionmaker[Session], op_ids: Iterable[str]) -> Counter[str]:
    """How many pickings each transfer's key names in the ledger: 1 is exactly once."""
    with factory() as session:
        found = Counter(dict(session.execute(
            select(SandboxPicking.origin, func.count()).where(SandboxPicking.origin.like("WS-%"))
            .group_by(SandboxPicking.origin)).all()))
    return Counter({op_id: found[f"WS-{op_id}"] for op_id in op_ids})

