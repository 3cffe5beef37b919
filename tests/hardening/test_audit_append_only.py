"""The audit log is append-only at the database level, whatever SQL a client sends: what
tests/unit/app/test_audit.py and test_migrations.py leave out (UPDATE, TRUNCATE and upserts on
PostgreSQL; REPLACE, which deletes the row it replaces, on SQLite)."""
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from tests.support import make_app

COLUMNS = "(id, occurred_at, actor, action, subject, address, detail)"
FORGED = "(1, CURRENT_TIMESTAMP, 'forged', 'nothing happened', '', '', '{}')"
POSTGRES_STATEMENTS = [
    "UPDATE audit_events SET actor = 'forged'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
    f"INSERT INTO audit_events {COLUMNS} VALUES {FORGED} ON CONFLICT (id) DO UPDATE SET actor = 'forged'",
]
SQLITE_STATEMENTS = [
    f"INSERT INTO audit_events {COLUMNS} VALUES {FORGED} ON CONFLICT (id) DO UPDATE SET actor = 'forged'",
    f"INSERT OR REPLACE INTO audit_events {COLUMNS} VALUES {FORGED}",
    f"REPLACE INTO audit_events {COLUMNS} VALUES {FORGED}",
]


def _events() -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(text("SELECT id, actor FROM audit_events ORDER BY id"))]


def _refused(statement: str) -> None:
    db.session.execute(text(f"INSERT INTO audit_events {COLUMNS} VALUES (1, CURRENT_TIMESTAMP, 'sam', 'login', '', '', '{{}}')"))
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert _events() == [(1, "sam")]


@pytest.fixture
def postgres_app(postgres_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(postgres_url, tmp_path)
    with app.app_context():
        upgrade()
        yield app
        db.session.rollback()
        downgrade(revision="base")  # the server is shared by the run's PostgreSQL tests: leave it empty
        db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("statement", POSTGRES_STATEMENTS)
def test_postgresql_refuses_every_way_of_changing_an_event(postgres_app: Flask, statement: str) -> None:
    _refused(statement)


@pytest.mark.parametrize("statement", SQLITE_STATEMENTS)
def test_sqlite_refuses_every_way_of_changing_an_event(app: Flask, statement: str) -> None:
    with app.app_context():
        _refused(statement)
