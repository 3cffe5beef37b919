"""Writing to the audit log. The caller's transaction commits the event with the change it records."""
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.models import AuditEvent
from offline_sync.persistence import utcnow


def record(session: Session, action: str, actor: str, subject: str = "", address: str = "", **detail: Any) -> AuditEvent:
    event = AuditEvent(action=action, actor=actor, subject=subject, address=address, detail=detail)
    session.add(event)
    return event


def record_many(session: Session, events: Iterable[dict[str, Any]]) -> None:
    """Many events in one INSERT (each a dict of action, actor, subject, address, detail)."""
    rows = [{"occurred_at": utcnow(), "subject": "", "address": "", "detail": {}, **event} for event in events]
    if rows:
        session.execute(insert(AuditEvent), rows)
