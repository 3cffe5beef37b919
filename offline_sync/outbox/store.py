"""Keeping commands from devices: one row per op_id, whatever the device resends.

`store` is called by the app's intake service after it has checked who may do what. A replay
of an op_id already kept answers `duplicate` with the stored status; two requests racing with
the same op_id end with one row (the database's unique constraint decides, and the loser answers
`duplicate`). A replay is the same command from the same handheld: the same op_id with another
kind, user, capture time or payload is refused (the change would be lost silently otherwise), and
so is an op_id another handheld owns, without a word about that handheld's command.
"""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from offline_sync.backends.contract import Command
from offline_sync.outbox.lanes import lane_of, touches_of
from offline_sync.outbox.lot_index import Indexed, index_commands
from offline_sync.outbox.models import OutboxCommand, Status

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}  # the two databases Wardstock runs on


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
    return {
        "op_id": envelope.op_id,
        "kind": envelope.kind,
        "device_id": envelope.device_id,
        "device_seq": envelope.device_seq,
        "user_id": envelope.user_id,
        "username": envelope.username,
        "captured_at": envelope.captured_at,
        "lane": lane_of(envelope.command),
        "touches": touches_of(envelope.command),
        "payload": envelope.payload,
        "raw_scans": list(envelope.raw_scans),
        "status": Status.QUEUED,
        "received_at": now,
        "next_attempt_at": now,
        "attempts": 0,
        "last_error": "",
        "refs": {},
        "conflict_message": "",
        "conflict_detail": {},
        "resolution": {},
    }


@dataclass(frozen=True)
class Kept:
    """What decides whether a command sent again is a replay of the one kept under its op_id."""

    op_id: str
    status: Status
    device_id: str
    kind: str
    user_id: int
    captured_at: datetime | None
    payload: Any

    @classmethod
    def of(cls, envelope: Envelope, status: Status) -> "Kept":
        return cls(envelope.op_id, status, envelope.device_id, envelope.kind, envelope.user_id, envelope.captured_at, envelope.payload)


KEPT_COLUMNS = (OutboxCommand.op_id, OutboxCommand.status, OutboxCommand.device_id, OutboxCommand.kind, OutboxCommand.user_id,
                OutboxCommand.captured_at, OutboxCommand.payload)


def kept(session: Session, op_ids: Iterable[str]) -> dict[str, Kept]:
    rows = session.execute(select(*KEPT_COLUMNS).where(OutboxCommand.op_id.in_(list(op_ids))))
    return {row.op_id: Kept(row.op_id, Status(row.status), row.device_id, row.kind, row.user_id, row.captured_at, row.payload)
            for row in rows}


def replay_answer(first: Kept, sent: Kept) -> StoreResult:
    """`duplicate` with the kept status when `sent` is the kept command again, else refused with a sentence."""
    if sent.device_id != first.device_id:
        return StoreResult(sent.op_id, Answer.REJECTED, message=(
            "This op_id belongs to a command from another handheld, so this one is not kept: each handheld makes "
            "its own op_ids. Reload the app and capture it again."))
    if (sent.kind, sent.user_id, sent.captured_at, sent.payload) != (first.kind, first.user_id, first.captured_at, first.payload):
        return StoreResult(sent.op_id, Answer.REJECTED, message=(
            f"This op_id was kept before for a different {first.kind} command, so this changed one is not kept: "
            "a changed command needs an op_id of its own. Capture it again."))
    return StoreResult(sent.op_id, Answer.DUPLICATE, first.status)


def store(session: Session, envelopes: Sequence[Envelope], now: datetime) -> list[StoreResult]:
    """Add the envelopes not kept yet, and their lines to the lot index; the caller commits (one
    transaction for the batch).

    One INSERT … ON CONFLICT DO NOTHING for the batch, in its order (ingest order is lane order),
    answers which op_ids went in; the others were kept before, or by a request racing this one,
    and answer `duplicate` with their status."""
    first: dict[str, Envelope] = {}  # the same op_id twice in one batch: the first one is kept
    for envelope in envelopes:
        first.setdefault(envelope.op_id, envelope)
    accepted = _insert_new(session, [_row(envelope, now) for envelope in first.values()]) if first else set()
    index_commands(session, (Indexed(e.op_id, e.kind, e.command, e.captured_at, e.user_id)
                             for op_id, e in first.items() if op_id in accepted))
    known = kept(session, set(first) - accepted) if len(accepted) < len(first) else {}
    known.update({op_id: Kept.of(first[op_id], Status.QUEUED) for op_id in accepted})
    results = []
    for envelope in envelopes:
        if envelope.op_id in accepted:
            accepted.discard(envelope.op_id)  # the same op_id twice in one batch: the second is answered as a replay
            results.append(StoreResult(envelope.op_id, Answer.ACCEPTED, Status.QUEUED))
        else:
            results.append(replay_answer(known[envelope.op_id], Kept.of(envelope, Status.QUEUED)))
    return results


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the rows whose op_id is not kept yet, without the ORM's unit of work (ingest is the
    hot path); the op_ids that went in. A row racing another request's waits for it to commit."""
    dialect_insert = INSERTS[session.get_bind().dialect.name]
    statement = dialect_insert(OutboxCommand).on_conflict_do_nothing(index_elements=[OutboxCommand.op_id])
    return set(session.scalars(statement.returning(OutboxCommand.op_id), rows))
