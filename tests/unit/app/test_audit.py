"""The audit log is append-only: the ORM refuses changes, and so does the database itself."""
import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from app.models import AuditEvent
from app.models.audit import AuditLogIsAppendOnly
from app.services import audit
from app.services import users as user_service


def _one_event(app: Flask) -> int:
    with app.app_context():
        event = audit.record(db.session, "login", "sam", address="10.0.0.5", method="password")
        db.session.commit()
        return event.id


def test_an_event_records_who_what_and_when(app: Flask) -> None:
    event_id = _one_event(app)
    with app.app_context():
        event = db.session.get(AuditEvent, event_id)
        assert (event.actor, event.action, event.address, event.detail) == ("sam", "login", "10.0.0.5", {"method": "password"})
        assert event.occurred_at is not None


def test_the_orm_refuses_to_change_or_delete_an_event(app: Flask) -> None:
    event_id = _one_event(app)
    with app.app_context():
        event = db.session.get(AuditEvent, event_id)
        event.actor = "someone else"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEvent, event_id))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.commit()


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"])
def test_the_database_refuses_to_change_or_delete_an_event(app: Flask, statement: str) -> None:
    _one_event(app)
    with app.app_context():
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.query(AuditEvent).count() == 1


def test_user_creation_and_role_changes_are_audited(app: Flask) -> None:
    with app.app_context():
        user_service.create_user(db.session, username="sam", display_name="Sam", role="storekeeper", password="long enough", actor="admin")
        user_service.set_role(db.session, "sam", "supervisor", actor="admin")
        db.session.commit()
        events = [(e.action, e.actor, e.subject, e.detail.get("role")) for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert events == [("user_created", "admin", "sam", "storekeeper"), ("role_changed", "admin", "sam", "supervisor")]
