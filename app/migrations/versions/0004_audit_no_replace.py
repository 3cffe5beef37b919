"""audit log: SQLite's REPLACE (INSERT OR REPLACE, upserts by id) is refused too

SQLite's REPLACE deletes the conflicting row without firing DELETE triggers, so an event could be
rewritten past 0002's triggers. An insert that names an existing id is refused before it runs.
PostgreSQL has no REPLACE, and 0002 already refuses its upserts' UPDATE.

Revision ID: 0004_audit_no_replace
Revises: 0003_outbox
"""
from alembic import op

revision = "0004_audit_no_replace"
down_revision = "0003_outbox"
branch_labels = None
depends_on = None

MESSAGE = "audit_events is append-only"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events "
            "WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_events_no_replace")
