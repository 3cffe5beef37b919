"""Helpers for the sandbox's own tests: an in-memory ledger with the demo data, and its invariant."""

import sqlite3
from datetime import date
from functools import cache

from sqlalchemy import StaticPool, create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.sandbox.demo import load_demo_stock
from offline_sync.backends.sandbox.models import SandboxLocation, SandboxMove, SandboxQuant, State, Usage
from offline_sync.persistence import Base

SANDBOX_TABLES = [table for name, table in Base.metadata.tables.items() if name.startswith("sandbox_")]


def _in_memory(connection: sqlite3.Connection) -> sessionmaker[Session]:
    engine = create_engine("sqlite://", creator=lambda: connection, poolclass=StaticPool)
    return sessionmaker(engine, expire_on_commit=False)


@cache
def _demo_template(today: date) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    sessions = _in_memory(connection)
    Base.metadata.create_all(sessions.kw["bind"], tables=SANDBOX_TABLES)
    with sessions.begin() as session:
        load_demo_stock(session, today)
    return connection


def demo_sessions(today: date | None = None) -> sessionmaker[Session]:
    """A fresh in-memory sandbox holding the demo data (a copy of one loaded once per day given)."""
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    _demo_template(today or date.today()).backup(connection)
    return _in_memory(connection)


def assert_quants_match_moves(session: Session) -> None:
    """Every internal quant holds exactly the net of the done moves into and out of it, and none is negative."""
    for quant in session.scalars(select(SandboxQuant)):
        moved = 0.0
        for column, sign in ((SandboxMove.location_dest_id, 1), (SandboxMove.location_id, -1)):
            moved += sign * session.scalar(
                select(func.coalesce(func.sum(SandboxMove.quantity), 0.0)).where(
                    column == quant.location_id,
                    SandboxMove.product_id == quant.product_id,
                    SandboxMove.lot_id.is_(None) if quant.lot_id is None else SandboxMove.lot_id == quant.lot_id,
                    SandboxMove.state == State.DONE,
                )
            )
        assert abs(quant.quantity - moved) < 1e-6, (quant.id, quant.quantity, moved)
        assert quant.quantity >= 0
    assert not session.scalars(
        select(SandboxQuant).join(SandboxQuant.location).where(SandboxLocation.usage != Usage.INTERNAL)
    ).all()
