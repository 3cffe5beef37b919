"""A supervisor resolving a parked command: the choice is checked, applied, and audited."""
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.security.roles import Permission
from app.services import audit
from offline_sync.backends.contract import InventoryBackend
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.resolutions import ResolutionError, Resolved, resolve


def parked(session: Session, limit: int = 200) -> list[OutboxCommand]:
    return list(session.scalars(
        select(OutboxCommand).where(OutboxCommand.status == Status.CONFLICT).order_by(OutboxCommand.id).limit(limit)
    ))


def decide(
    session: Session,
    backend: InventoryBackend,
    op_id: str,
    action: str,
    *,
    supervisor: User,
    reason: str,
    params: Mapping[str, Any],
    address: str,
    now: datetime,
) -> Resolved:
    """Apply `action` to the parked command `op_id`; commits. Raises ResolutionError with a sentence."""
    if not supervisor.can(Permission.RESOLVE_CONFLICTS):
        raise ResolutionError("Only a supervisor can resolve conflicts.")
    params = dict(params)
    if action == "reassign":
        target = session.scalar(select(User).where(User.username == str(params.get("username", "")).strip().lower()))
        if target is None or not target.active:
            raise ResolutionError(f"There is no active user named {params.get('username')!r}.")
        params["user_id"], params["username"] = target.id, target.username
    try:
        result = resolve(session, backend, op_id, action, actor=supervisor.username, reason=reason, params=params, now=now)
    except ResolutionError:
        session.rollback()
        raise
    audit.record(session, "conflict_resolved", supervisor.username, subject=op_id, address=address,
                 choice=action, reason=reason.strip(), params={k: v for k, v in params.items() if k != "user_id"})
    session.commit()
    return result
