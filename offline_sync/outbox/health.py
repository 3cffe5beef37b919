"""What the sync is doing, for supervisors and monitoring: counts, ages, retries, the last error."""
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from offline_sync.outbox.models import OPEN_STATUSES, OutboxCommand, Status, WorkerState

WORKER_GONE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class LaneSummary:
    lane: str
    open: int
    conflicts: int


@dataclass(frozen=True)
class Health:
    by_status: dict[str, int]
    oldest_pending_seconds: float | None
    retrying: int
    retry_attempts: int
    lanes: list[LaneSummary]
    workers_alive: int
    backend_circuit_open: bool
    last_error: str
    last_error_at: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def summary(session: Session, now: datetime) -> Health:
    by_status = {str(status): 0 for status in Status}
    by_status.update({status: count for status, count in session.execute(
        select(OutboxCommand.status, func.count()).group_by(OutboxCommand.status))})
    pending = [Status.QUEUED, Status.SYNCING, Status.RETRYING]
    oldest = session.scalar(select(func.min(OutboxCommand.received_at)).where(OutboxCommand.status.in_(pending)))
    retrying, attempts = session.execute(
        select(func.count(), func.coalesce(func.sum(OutboxCommand.attempts), 0)).where(OutboxCommand.status == Status.RETRYING)
    ).one()
    lanes = [
        LaneSummary(lane, total, conflicts)
        for lane, total, conflicts in session.execute(
            select(OutboxCommand.lane, func.count(), func.sum(case((OutboxCommand.status == Status.CONFLICT, 1), else_=0)))
            .where(OutboxCommand.status.in_(OPEN_STATUSES))
            .group_by(OutboxCommand.lane)
            .order_by(func.count().desc())
            .limit(50)
        )
    ]
    workers = session.scalars(select(WorkerState)).all()
    alive = [worker for worker in workers if now - worker.heartbeat_at <= WORKER_GONE_AFTER]
    latest = max((w for w in workers if w.last_error_at), key=lambda w: w.last_error_at, default=None)
    return Health(
        by_status=by_status,
        oldest_pending_seconds=(now - oldest).total_seconds() if oldest else None,
        retrying=retrying,
        retry_attempts=int(attempts),
        lanes=lanes,
        workers_alive=len(alive),
        backend_circuit_open=any(w.breaker_open_until and w.breaker_open_until > now for w in alive),
        last_error=latest.last_error if latest else "",
        last_error_at=latest.last_error_at.isoformat() if latest else None,
    )
