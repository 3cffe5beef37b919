"""Writing to the audit log. The caller's transaction commits the event with the change it records."""
from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEvent


def record(session: Session, action: str, actor: str, subject: str = "", address: str = "", **detail: Any) -> AuditEvent:
    event = AuditEvent(action=action, actor=actor, subject=subject, address=address, detail=detail)
    session.add(event)
    return event
