"""Keeping commands from devices: one row per op_id, whatever the device resends.

`store` is called by the app's intake service after it has checked who may do what. A replay
of an op_id already kept answers `duplicate` with the stored status; two requests racing with
the same op_id end with one row (the database's unique constraint decides).
"""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from offline_sync.backends.contract import Command
from offline_sync.outbox.lanes import lane_of, touches_of
from offline_sync.outbox.models import OutboxCommand, Status


@dataclass(frozen=True)
class Envelope:
    """A command as a device sent it, already parsed and checked."""

    op_id: str
    kind: str
    device_id: str
    device_seq: int
    user_id: int
    username: str
    captured_at: datetime
    payload: dict[str, Any]
    raw_scans: tuple[str, ...]
    command: Command


class Answer(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class StoreResult:
    op_id: str
    answer: Answer
    status: Status | None = None  # the stored status (accepted or duplicate)
    message: str = ""


def _row(envelope: Envelope, now: datetime) -> dict[str, Any]:
    return dict(
        op_id=envelope.op_id,
        kind=envelope.kind,
        device_id=envelope.device_id,
        device_seq=envelope.device_seq,
        user_id=envelope.user_id,
        username=envelope.username,
        captured_at=envelope.captured_at,
        lane=lane_of(envelope.command),
        touches=touches_of(envelope.command),
        payload=envelope.payload,
        raw_scans=list(envelope.raw_scans),
        status=Status.QUEUED,
        received_at=now,
        next_attempt_at=now,
        attempts=0,
        last_error="",
        refs={},
        conflict_message="",
        conflict_detail={},
        resolution={},
    )


def statuses(session: Session, op_ids: Iterable[str]) -> dict[str, Status]:
    rows = session.execute(select(OutboxCommand.op_id, OutboxCommand.status).where(OutboxCommand.op_id.in_(list(op_ids))))
    return {op_id: Status(status) for op_id, status in rows}


def store(session: Session, envelopes: Sequence[Envelope], now: datetime) -> list[StoreResult]:
    """Add the envelopes not kept yet; the caller commits (one transaction for the batch).

    The new rows go in with one flush; only if another request raced us with one of the same
    op_ids does it fall back to one savepoint per row, to tell which were already there."""
    known = statuses(session, (envelope.op_id for envelope in envelopes))
    first: dict[str, Envelope] = {}  # the same op_id twice in one batch: the first one is kept
    for envelope in envelopes:
        if envelope.op_id not in known:
            first.setdefault(envelope.op_id, envelope)
    fresh = list(first.values())
    try:
        with session.begin_nested():
            if fresh:  # one executemany, without the ORM's unit of work: ingest is the hot path
                session.execute(insert(OutboxCommand), [_row(envelope, now) for envelope in fresh])
    except IntegrityError:
        for envelope in fresh:
            try:
                with session.begin_nested():
                    session.execute(insert(OutboxCommand), [_row(envelope, now)])
            except IntegrityError:  # the same op_id arrived through another request meanwhile
                known[envelope.op_id] = statuses(session, [envelope.op_id])[envelope.op_id]
    accepted = {envelope.op_id for envelope in fresh} - set(known)
    results = []
    for envelope in envelopes:
        if envelope.op_id in accepted:
            accepted.discard(envelope.op_id)  # the same op_id twice in one batch: the second is a duplicate
            results.append(StoreResult(envelope.op_id, Answer.ACCEPTED, Status.QUEUED))
        else:
            results.append(StoreResult(envelope.op_id, Answer.DUPLICATE, known.get(envelope.op_id, Status.QUEUED)))
    return results
