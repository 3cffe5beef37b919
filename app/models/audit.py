"""The append-only audit log: logins, role changes, every stock command and every resolution.

Append-only is enforced twice: the ORM refuses to update or delete an event, and the
migration installs database triggers that refuse UPDATE and DELETE from any client.
"""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from offline_sync.persistence import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # username, kept as text: it outlives the user row
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("Audit events cannot be changed or deleted.")
