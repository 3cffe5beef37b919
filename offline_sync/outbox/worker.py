"""The sync worker: claims commands lane by lane, applies them through the backend, records the end.

Exactly once is the backend's idempotency key plus at-least-once here: a command is claimed
under a lease, applied, and its outcome recorded only while the lease is still ours (leases.py:
renewed while working, checked before each write, and on the sandbox checked and recorded in the
effect's own transaction). A worker that dies or freezes mid-way leaves a lease that runs out;
the next worker re-sends the command and the backend, which looks for the op_id before any write,
answers `duplicate` if the first attempt had reached it (DESIGN §4).
"""
import logging
import random
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import (
    Command,
    Count,
    Fenced,
    InventoryBackend,
    Outcome,
    OutcomeStatus,
    ResolveCount,
)
from offline_sync.outbox.capture import as_of_capture, counts_behind_earlier_captures
from offline_sync.outbox.dispatch import apply_run
from offline_sync.outbox.lanes import depends_on
from offline_sync.outbox.leases import LeaseFence, LeaseKeeper, LeaseTerms, held_by, renew
from offline_sync.outbox.models import OPEN_STATUSES, OutboxCommand, Status, WorkerState
from offline_sync.outbox.resolutions import SYNC_FAILED, automatic, effective_command
from offline_sync.outbox.retry import CircuitBreaker, RetryPolicy
from offline_sync.persistence import utcnow

log = logging.getLogger(__name__)
DATABASE_WAIT_SECONDS = 5

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


def _ready(now: datetime):
    return or_(
        and_(OutboxCommand.status.in_([Status.QUEUED, Status.RETRYING]), OutboxCommand.next_attempt_at <= now),
        and_(OutboxCommand.status == Status.SYNCING, OutboxCommand.lease_expires_at < now),
    )


def claimable_runs(session: Session, now: datetime, limit: int, run_length: int) -> list[list[int]]:
    """Runs that may go now, oldest first, `limit` commands in all: the head of a lane that is free to move
    (nothing earlier of its lane unfinished, nothing it touches touched by an earlier unfinished command,
    nothing it depends on held by a parked one), followed by up to `run_length - 1` commands right behind
    it in that lane that are ready too and touch nothing held outside the run. A run is applied in order,
    so a backend may take it in one round trip. The bound is on commands, not runs: a worker takes no
    more than it works in one round, and leaves the rest to the other workers.

    A parked command holds back exactly what depends on it (`lanes.depends_on`: the same quant as a
    source, or the same receipt), and so does a command held back that way, by its own sources only.
    Neither blocks its lane nor anything else: a transfer into a short location goes, another ward's
    consumption goes. Every other unfinished command keeps the later ones that touch what it touches
    (either end of a transfer) behind it, and the rest of its lane in arrival order. A count that
    arrived before a command on its quant captured before it waits for that command (capture.py)."""
    rows = session.execute(
        select(
            OutboxCommand.id, OutboxCommand.kind, OutboxCommand.lane, OutboxCommand.touches, OutboxCommand.status,
            OutboxCommand.next_attempt_at, OutboxCommand.lease_expires_at, OutboxCommand.captured_at,
        )
        .where(OutboxCommand.status.in_(OPEN_STATUSES))
        .order_by(OutboxCommand.id)
    ).all()
    waiting_counts = counts_behind_earlier_captures(rows)
    parked: set[str] = set()  # what parked commands, and those held back by them, depend on
    busy_lanes: set[str] = set()
    holders: dict[str, str | None] = {}  # what an earlier unfinished command touches → the lane of its run, or None
    runs: dict[str, list[int]] = {}  # lane → its run, while the run may still grow
    chosen: list[list[int]] = []
    taken = 0
    for row in rows:
        if row.id in waiting_counts:  # it holds nothing meanwhile: what comes after it was captured after it
            runs.pop(row.lane, None)
            continue
        needs = depends_on(row.kind, row.lane, row.touches)
        if row.status == Status.CONFLICT or needs & parked:
            parked |= needs
            runs.pop(row.lane, None)  # a run is consecutive: it ends here
            continue
        ready = (row.status in (Status.QUEUED, Status.RETRYING) and row.next_attempt_at <= now) or (
            row.status == Status.SYNCING and row.lease_expires_at is not None and row.lease_expires_at < now
        )
        run = runs.pop(row.lane, None)
        if run is not None:  # right behind a run of its lane: joins it, or ends it
            joins = ready and len(run) < run_length and all(holders.get(t, row.lane) == row.lane for t in row.touches)
            waits_on_earlier = not joins
            if joins and taken < limit:
                run.append(row.id)
                runs[row.lane] = run
                taken += 1
        else:
            waits_on_earlier = any(t in holders for t in row.touches)
            if ready and row.lane not in busy_lanes and not waits_on_earlier and taken < limit:
                runs[row.lane] = [row.id]
                chosen.append(runs[row.lane])
                taken += 1
        if not waits_on_earlier:  # one waiting on another lane's command lets its own lane's others pass
            busy_lanes.add(row.lane)
        in_run = row.lane in runs and runs[row.lane][-1] == row.id
        for touch in row.touches:
            if not in_run:
                holders[touch] = None
            else:
                holders.setdefault(touch, row.lane)
    return chosen


def _parked(kind: str, message: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"status": Status.CONFLICT, "conflict_kind": kind, "conflict_message": message, "conflict_detail": detail}


class Worker:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        backend: InventoryBackend,
        *,
        owner: str,
        authorize: Authorizer | None = None,
        lease: timedelta = timedelta(minutes=2),
        write_timeout: timedelta = timedelta(0),
        heartbeat: timedelta | None = None,
        retry: RetryPolicy = RetryPolicy(),
        breaker: CircuitBreaker | None = None,
        batch: int = 20,
        run_length: int = 10,
        claim_lock: AbstractContextManager[Any] | None = None,
        count_tolerance: float | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.backend = backend
        self.owner = owner
        self.authorize = authorize
        if lease <= write_timeout:
            raise ValueError(f"A lease of {lease} is too short for writes that may take {write_timeout}.")
        self.lease = lease
        # No write starts with less lease left than it may take (DESIGN §4: a lease outlived is a double).
        self.write_timeout = write_timeout
        self.heartbeat = heartbeat or lease / 3
        self.retry = retry
        self.breaker = breaker or CircuitBreaker()
        self.batch = batch
        self.run_length = run_length
        # Workers that are threads of one process share it: SQLite cannot make two claims exclusive.
        self.claim_lock = claim_lock or threading.Lock()
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
        half_open = self.breaker.half_open(now)
        runs = self.claim(1, run_length=1) if half_open else self.claim(self.batch)
        for run in runs:
            if not self.breaker.allows(self.clock()):
                self._hand_back(run, self.breaker.open_until)  # the backend went down mid-round
                continue
            self.work(run)
        self._heartbeat()
        return sum(len(run) for run in runs)

    def run(
        self, stop: threading.Event, idle_seconds: float = 1.0, before_round: Callable[[], object] | None = None
    ) -> None:
        """Rounds until `stop` is set. The app's own database out of reach (a restart, a failover)
        does not end the worker: it waits and tries again; what it held is re-sent when its lease ends."""
        log.info("sync worker %s started", self.owner)
        while not stop.is_set():
            try:
                if before_round is not None:
                    before_round()
                worked = self.run_once()
            except OperationalError as error:
                log.warning("the outbox database cannot be reached; trying again in %d s: %s", DATABASE_WAIT_SECONDS,
                            error.orig or error)
                stop.wait(DATABASE_WAIT_SECONDS)
                continue
            if worked == 0:
                stop.wait(idle_seconds)
        log.info("sync worker %s stopped", self.owner)

    # ---- steps -----------------------------------------------------------------------

    def claim(self, limit: int, run_length: int | None = None) -> list[list[Claimed]]:
        """Runs of up to `limit` commands in all (see `claimable_runs`), leased to this worker."""
        now = self.clock()
        with self.claim_lock, self.session_factory() as session, session.begin():
            candidates = claimable_runs(session, now, limit, run_length or self.run_length)
            if not candidates:
                return []
            locked = {
                row.id: row
                for row in session.scalars(
                    select(OutboxCommand)
                    .where(OutboxCommand.id.in_([id_ for run in candidates for id_ in run]), _ready(now))
                    .with_for_update(skip_locked=True)  # PostgreSQL: rows another worker is claiming are passed over
                )
            }
            runs: list[list[Claimed]] = []
            for candidate in candidates:
                run = []
                for id_ in candidate:  # a run stops where another worker got in first
                    if id_ not in locked:
                        break
                    row = locked[id_]
                    row.status = Status.SYNCING
                    row.lease_owner = self.owner
                    row.lease_expires_at = now + self.lease
                    row.attempts += 1
                    run.append(Claimed(row.id, row.op_id, row.kind, row.user_id, row.username, row.captured_at,
                                       dict(row.payload), dict(row.resolution or {}), row.attempts))
                if run:
                    runs.append(run)
            return runs

    def work(self, run: list[Claimed]) -> None:
        """Apply a run in order. It stops at the first command that cannot be sent or does not go
        through; the commands after it are handed back untried, to wait for it as their lane does.
        Its leases are renewed while it is worked; a backend that shares the outbox's database
        records each outcome with its effect, under the lease (`LeaseFence`)."""
        sendable: list[tuple[Claimed, Command]] = []
        for item in run:
            command = self._command(item)
            if command is None:
                break
            sendable.append((item, command))
        terms = LeaseTerms(self.owner, self.lease, self.clock)
        fence = LeaseFence(terms, run, self.ending) if isinstance(self.backend, Fenced) else None
        with LeaseKeeper(self.session_factory, terms, run, self.heartbeat) as keeper:
            outcomes = self._apply(sendable, fence)
            for (item, _), outcome in zip(sendable, outcomes):
                keeper.finished(item)
                self.record(item, outcome, fence.written(item.op_id, outcome) if fence else None)
        tried = len(outcomes) + (1 if len(outcomes) == len(sendable) < len(run) else 0)
        self._hand_back(run[tried:], self.clock())

    def _command(self, item: Claimed) -> Command | None:
        """The command to send, or None when it is parked instead: unreadable, or not permitted any more."""
        try:
            command = effective_command(item.kind, item.op_id, item.captured_at, item.payload, item.resolution)
        except ValueError as error:
            log.error("command cannot be read: %s", error, extra={"op_id": item.op_id})
            self._park(item, SYNC_FAILED, f"This command cannot be read any more: {error}", {})
            return None
        refusal = self.authorize(item, command) if self.authorize else None
        if refusal:
            self._park(item, "not_permitted", refusal, {"user": item.username})
            return None
        if isinstance(command, Count | ResolveCount):
            with self.session_factory() as session:
                return as_of_capture(session, command, item.id, item.captured_at)
        return command

    def _apply(self, sendable: list[tuple[Claimed, Command]], fence: LeaseFence | None) -> list[Outcome]:
        if not sendable:
            return []
        items = {command.op_id: item for item, command in sendable}
        commands = [command for _, command in sendable]
        try:
            if fence is not None:
                with self.backend.fenced(fence):  # type: ignore[attr-defined] - checked by isinstance(Fenced)
                    return apply_run(self.backend, commands)
            return apply_run(self.backend, commands, lambda stretch: self._may_write([items[c.op_id] for c in stretch]))
        except Exception as error:  # a bug or an unforeseen answer: retried, then parked, never lost
            log.exception("backend raised on %s", type(commands[0]).__name__, extra={"op_id": commands[0].op_id})
            return [Outcome.transient(f"Unexpected error: {type(error).__name__}: {error}")]

    def _may_write(self, items: list[Claimed]) -> bool:
        """Renew the leases of what is about to be sent; True when all are still held with at least
        the write's own timeout left, so that the write ends (or times out) before any lease does."""
        start = self.clock()
        with self.session_factory() as session, session.begin():
            held = renew(session, self.owner, items, start + self.lease)
        if len(held) < len(items):
            log.warning("lease lost before sending; another worker sends it", extra={"op_id": items[0].op_id})
            return False
        if start + self.lease - self.clock() < self.write_timeout:
            log.warning("too little lease left to start a write; handed back", extra={"op_id": items[0].op_id})
            return False
        return True

    def ending(self, item: Claimed, outcome: Outcome, now: datetime) -> dict[str, Any]:
        """The row's values once `outcome` is recorded for this attempt."""
        if outcome.went_through:
            return {"status": Status.DONE, "done_at": now, "refs": dict(outcome.refs), "last_error": ""}
        if outcome.status == OutcomeStatus.CONFLICT:
            settled = None if item.resolution else automatic(str(outcome.conflict), outcome.detail, self.count_tolerance, now)
            if settled:
                return {"status": Status.QUEUED, "next_attempt_at": now, "resolution": settled,
                        "conflict_kind": str(outcome.conflict), "conflict_message": outcome.message,
                        "conflict_detail": dict(outcome.detail)}
            return _parked(str(outcome.conflict), outcome.message, dict(outcome.detail))
        if item.attempts >= self.retry.max_attempts:
            return _parked(SYNC_FAILED, f"Gave up after {item.attempts} attempts: {outcome.message}", {})
        return {"status": Status.RETRYING, "next_attempt_at": now + self.retry.delay(item.attempts, self.rng),
                "last_error": outcome.message}

    def record(self, item: Claimed, outcome: Outcome, written: dict[str, Any] | None = None) -> None:
        """Record the end of an attempt (unless the backend already did, with its effect: `written`)."""
        now = self.clock()
        values = written if written is not None else self.ending(item, outcome, now)
        if written is None:
            self._finish(item, **values)
        extra = {"op_id": item.op_id}
        if outcome.status != OutcomeStatus.TRANSIENT:
            self.breaker.record_success()  # the backend answered: it is up
        if outcome.went_through:
            log.info("%s %s", item.kind, outcome.status, extra=extra)
        elif values["status"] == Status.CONFLICT:
            log.warning("%s parked as %s: %s", item.kind, values["conflict_kind"], values["conflict_message"], extra=extra)
        elif values["status"] == Status.QUEUED:
            log.info("%s settled without a person: %s", item.kind, values["resolution"]["reason"], extra=extra)
        else:
            self.breaker.record_failure(now)
            self._note_error(outcome.message, now)
            log.warning("%s will be retried (attempt %d): %s", item.kind, item.attempts, outcome.message, extra=extra)

    # ---- writing -----------------------------------------------------------------------

    def _finish(self, item: Claimed, **values: Any) -> bool:
        """Write the end of an attempt, only while this worker still holds the lease."""
        with self.session_factory() as session, session.begin():
            changed = session.execute(
                update(OutboxCommand).where(*held_by(self.owner, item))
                .values(lease_owner=None, lease_expires_at=None, **values)
            ).rowcount
        if not changed:
            log.warning("lease lost before the outcome was recorded; another worker re-sends it", extra={"op_id": item.op_id})
        return bool(changed)

    def _park(self, item: Claimed, kind: str, message: str, detail: dict[str, Any]) -> None:
        self._finish(item, **_parked(kind, message, detail))
        log.warning("%s parked as %s: %s", item.kind, kind, message, extra={"op_id": item.op_id})

    def _hand_back(self, run: list[Claimed], at: datetime | None) -> None:
        """Give claimed commands back untried: as they were, ready again at `at`."""
        for item in run:
            self._finish(item, status=Status.QUEUED if item.attempts == 1 else Status.RETRYING,
                         attempts=item.attempts - 1, next_attempt_at=at or self.clock())

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
