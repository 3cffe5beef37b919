"""The sync worker: claims commands lane by lane, applies them through the backend, records the end.

Exactly once is the backend's idempotency key plus at-least-once here: a command is claimed
under a lease, applied, and its outcome recorded only while the lease is still ours. A worker
that dies mid-way leaves a lease that runs out; the next worker re-sends the command and the
backend answers `duplicate` if the first attempt had reached it (DESIGN §4).
"""
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import Command, InventoryBackend, Outcome, OutcomeStatus
from offline_sync.outbox.dispatch import apply
from offline_sync.outbox.models import OPEN_STATUSES, OutboxCommand, Status, WorkerState
from offline_sync.outbox.resolutions import SYNC_FAILED, automatic, effective_command
from offline_sync.outbox.retry import CircuitBreaker, RetryPolicy
from offline_sync.persistence import utcnow

log = logging.getLogger(__name__)

# The app's say on whether the user who captured a command may still do it: a sentence if not.
Authorizer = Callable[["Claimed", Command], str | None]


@dataclass(frozen=True)
class Claimed:
    """What a worker needs of a claimed row, detached from any session."""

    id: int
    op_id: str
    kind: str
    user_id: int
    username: str
    captured_at: datetime
    payload: dict[str, Any]
    resolution: dict[str, Any]
    attempts: int


def _ready(now: datetime):  # noqa: ANN202 - a SQL condition
    return or_(
        and_(OutboxCommand.status.in_([Status.QUEUED, Status.RETRYING]), OutboxCommand.next_attempt_at <= now),
        and_(OutboxCommand.status == Status.SYNCING, OutboxCommand.lease_expires_at < now),
    )


def claimable_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Ids that may run now, oldest first: one per lane, none behind an unfinished command of
    its lane, none touching what an earlier unfinished or parked command touches."""
    rows = session.execute(
        select(
            OutboxCommand.id, OutboxCommand.lane, OutboxCommand.touches, OutboxCommand.status,
            OutboxCommand.next_attempt_at, OutboxCommand.lease_expires_at,
        )
        .where(OutboxCommand.status.in_(OPEN_STATUSES))
        .order_by(OutboxCommand.id)
    ).all()
    busy_lanes: set[str] = set()
    held: set[str] = set()
    chosen: list[int] = []
    for row in rows:
        ready = (row.status in (Status.QUEUED, Status.RETRYING) and row.next_attempt_at <= now) or (
            row.status == Status.SYNCING and row.lease_expires_at is not None and row.lease_expires_at < now
        )
        waits_on_earlier = not held.isdisjoint(row.touches)
        if ready and row.lane not in busy_lanes and not waits_on_earlier:
            chosen.append(row.id)
            if len(chosen) >= limit:
                break
        # A parked command, or one waiting behind a parked one, holds only what it touches;
        # anything else also keeps the rest of its lane in arrival order.
        if row.status != Status.CONFLICT and not waits_on_earlier:
            busy_lanes.add(row.lane)
        held.update(row.touches)
    return chosen


class Worker:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        backend: InventoryBackend,
        *,
        owner: str,
        authorize: Authorizer | None = None,
        lease: timedelta = timedelta(minutes=2),
        retry: RetryPolicy = RetryPolicy(),
        breaker: CircuitBreaker | None = None,
        batch: int = 20,
        count_tolerance: float | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.backend = backend
        self.owner = owner
        self.authorize = authorize
        self.lease = lease
        self.retry = retry
        self.breaker = breaker or CircuitBreaker()
        self.batch = batch
        self.count_tolerance = count_tolerance
        self.clock = clock
        self.rng = rng or random.Random()

    # ---- one round -------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim what may run now and work it; returns how many commands were worked."""
        now = self.clock()
        if not self.breaker.allows(now):
            self._heartbeat()
            return 0
        claimed = self.claim(1 if self.breaker.half_open(now) else self.batch)
        for item in claimed:
            if not self.breaker.allows(self.clock()):
                self._release(item)  # the backend went down mid-round: hand the rest back untouched
                continue
            self.work(item)
        self._heartbeat()
        return len(claimed)

    def run(self, stop: threading.Event, idle_seconds: float = 1.0) -> None:
        log.info("sync worker %s started", self.owner)
        while not stop.is_set():
            if self.run_once() == 0:
                stop.wait(idle_seconds)
        log.info("sync worker %s stopped", self.owner)

    # ---- steps -----------------------------------------------------------------------

    def claim(self, limit: int) -> list[Claimed]:
        now = self.clock()
        with self.session_factory() as session, session.begin():
            candidates = claimable_ids(session, now, limit)
            if not candidates:
                return []
            rows = session.scalars(
                select(OutboxCommand)
                .where(OutboxCommand.id.in_(candidates), _ready(now))
                .order_by(OutboxCommand.id)
                .with_for_update(skip_locked=True)  # PostgreSQL: rows another worker is claiming are passed over
            ).all()
            for row in rows:
                row.status = Status.SYNCING
                row.lease_owner = self.owner
                row.lease_expires_at = now + self.lease
                row.attempts += 1
            return [
                Claimed(row.id, row.op_id, row.kind, row.user_id, row.username, row.captured_at,
                        dict(row.payload), dict(row.resolution or {}), row.attempts)
                for row in rows
            ]

    def work(self, item: Claimed) -> None:
        extra = {"op_id": item.op_id}
        try:
            command = effective_command(item.kind, item.op_id, item.captured_at, item.payload, item.resolution)
        except ValueError as error:
            log.error("command cannot be read: %s", error, extra=extra)
            self._park(item, SYNC_FAILED, f"This command cannot be read any more: {error}", {})
            return
        refusal = self.authorize(item, command) if self.authorize else None
        if refusal:
            self._park(item, "not_permitted", refusal, {"user": item.username})
            return
        try:
            outcome = apply(self.backend, command)
        except Exception as error:  # a bug or an unforeseen answer: retried, then parked, never lost
            log.exception("backend raised on %s", item.kind, extra=extra)
            outcome = Outcome.transient(f"Unexpected error: {type(error).__name__}: {error}")
        self.record(item, outcome)

    def record(self, item: Claimed, outcome: Outcome) -> None:
        now = self.clock()
        extra = {"op_id": item.op_id}
        if outcome.status in (OutcomeStatus.APPLIED, OutcomeStatus.DUPLICATE):
            self.breaker.record_success()
            self._finish(item, status=Status.DONE, done_at=now, refs=dict(outcome.refs), last_error="")
            log.info("%s %s", item.kind, outcome.status, extra=extra)
        elif outcome.status == OutcomeStatus.CONFLICT:
            self.breaker.record_success()  # the backend answered: it is up
            settled = None if item.resolution else automatic(str(outcome.conflict), outcome.detail, self.count_tolerance, now)
            if settled:
                self._finish(item, status=Status.QUEUED, next_attempt_at=now, resolution=settled,
                             conflict_kind=str(outcome.conflict), conflict_message=outcome.message, conflict_detail=dict(outcome.detail))
                log.info("%s settled without a person: %s", item.kind, settled["reason"], extra=extra)
            else:
                self._park(item, str(outcome.conflict), outcome.message, dict(outcome.detail))
        elif item.attempts >= self.retry.max_attempts:
            self._park(item, SYNC_FAILED, f"Gave up after {item.attempts} attempts: {outcome.message}", {})
        else:
            self.breaker.record_failure(now)
            self._finish(
                item, status=Status.RETRYING, next_attempt_at=now + self.retry.delay(item.attempts, self.rng),
                last_error=outcome.message,
            )
            self._note_error(outcome.message, now)
            log.warning("%s will be retried (attempt %d): %s", item.kind, item.attempts, outcome.message, extra=extra)

    # ---- writing -----------------------------------------------------------------------

    def _finish(self, item: Claimed, **values: Any) -> bool:
        """Write the end of an attempt, only while this worker still holds the lease."""
        with self.session_factory() as session, session.begin():
            changed = session.execute(
                update(OutboxCommand)
                .where(OutboxCommand.id == item.id, OutboxCommand.lease_owner == self.owner,
                       OutboxCommand.status == Status.SYNCING)
                .values(lease_owner=None, lease_expires_at=None, **values)
            ).rowcount
        if not changed:
            log.warning("lease lost before the outcome was recorded; another worker re-sends it", extra={"op_id": item.op_id})
        return bool(changed)

    def _park(self, item: Claimed, kind: str, message: str, detail: dict[str, Any]) -> None:
        self._finish(item, status=Status.CONFLICT, conflict_kind=kind, conflict_message=message, conflict_detail=detail)
        log.warning("%s parked as %s: %s", item.kind, kind, message, extra={"op_id": item.op_id})

    def _release(self, item: Claimed) -> None:
        self._finish(item, status=Status.RETRYING, attempts=item.attempts - 1, next_attempt_at=self.breaker.open_until)

    def _note_error(self, message: str, now: datetime) -> None:
        with self.session_factory() as session, session.begin():
            state = session.get(WorkerState, self.owner) or WorkerState(owner=self.owner)
            state.last_error, state.last_error_at = message[:2000], now
            session.add(state)

    def _heartbeat(self) -> None:
        with self.session_factory() as session, session.begin():
            state = session.get(WorkerState, self.owner) or WorkerState(owner=self.owner)
            state.heartbeat_at = self.clock()
            state.breaker_open_until = self.breaker.open_until
            session.add(state)
