"""The migrations build the schema the models describe, on SQLite and on a real PostgreSQL."""
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from tests.support import make_app


def _assert_schema_matches_models() -> None:
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == [], f"models and migrations differ; run `flask db migrate`: {differences}"


def _assert_audit_log_is_append_only() -> None:
    db.session.execute(text("INSERT INTO audit_events (occurred_at, actor, action, subject, address, detail) VALUES (CURRENT_TIMESTAMP, 'a', 'b', '', '', '{}')"))
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()


def _round_trip(database_url: str, instance: Path) -> None:
    app = make_app(database_url, instance)
    with app.app_context():
        upgrade()
        _assert_schema_matches_models()
        _assert_audit_log_is_append_only()
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_sqlite_upgrade_matches_the_models_and_downgrades_cleanly(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path)


@pytest.mark.postgres
def test_postgresql_upgrade_matches_the_models_and_downgrades_cleanly(postgres_url: str, tmp_path: Path) -> None:
    _round_trip(postgres_url, tmp_path)
