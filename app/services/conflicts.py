"""A supervisor resolving a parked command: the choice is checked, applied, and audited."""
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import User
from app.security.roles import Permission
from app.services import audit
from offline_sync.backends.contract import InventoryBackend
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.resolutions import ResolutionError, Resolved, resolve

PAGE_SIZE = 50


@dataclass(frozen=True)
class InboxPage:
    """One page of parked commands, oldest first, and where it sits among all of them."""

    rows: list[OutboxCommand]
    number: int  # from 1
    pages: int
    total: int


def parked(session: Session, page: int = 1, page_size: int = PAGE_SIZE) -> InboxPage:
    """Page `page` of the parked commands (a page past the end shows the last one)."""
    waiting = OutboxCommand.status == Status.CONFLICT
    total = session.scalar(select(func.count()).select_from(OutboxCommand).where(waiting)) or 0
    pages = max(1, math.ceil(total / page_size))
    number = min(max(1, page), pages)
    rows = list(session.scalars(
        select(OutboxCommand).where(waiting).order_by(OutboxCommand.id).offset((number - 1) * page_size).limit(page_size)
    ))
    return InboxPage(rows, number, pages, total)


def command(session: Session, op_id: str) -> OutboxCommand | None:
    """Any command by its op_id, parked or not: a decision is checked against the row itself, never a page of the inbox."""
    return session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == op_id))


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
        raise ResolutionError(gettext("Only a supervisor can resolve conflicts."))
    params = dict(params)
    if action == "reassign":
        target = session.scalar(select(User).where(User.username == str(params.get("username", "")).strip().lower()))
        if target is None or not target.active:
            raise ResolutionError(gettext("There is no active user named %(username)s.", username=repr(params.get('username'))))
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
