"""The one SQLAlchemy declarative base shared by every table of the app's database.

It lives here, below `app/`, because the outbox and the training sandbox's stock ledger
are tables too and `offline_sync` must not import `app` (imports go one way:
views → app → offline_sync / scanners). The app's Flask-SQLAlchemy object is built on it.
"""
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Naive UTC now: SQLite keeps no time zone, so every stored time is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _sqlite_for_several_processes(dbapi_connection: object, _record: object) -> None:
    """SQLite shared by the web processes and the worker: readers never wait for the writer
    (WAL), a writer waits its turn instead of failing (busy_timeout), foreign keys are enforced."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
