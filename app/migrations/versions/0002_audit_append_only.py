"""audit log is append-only: the database refuses UPDATE and DELETE on audit_events

Revision ID: 0002_audit_append_only
Revises: 0001_foundation
"""
from alembic import op

revision = "0002_audit_append_only"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

MESSAGE = "audit_events is append-only"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$;
            CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
            """
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_update ON audit_events; DROP FUNCTION audit_events_append_only();")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_events_no_{verb}")
