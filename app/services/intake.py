"""Accepting a batch of commands from a device: check each, keep the good ones, say why not for the rest.

Every command gets its own answer (accepted, duplicate or rejected with a sentence); one bad
command never sinks its batch. A command already kept answers `duplicate` with its status,
whatever has changed since: a replay must never be judged twice.
"""
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.services import audit, devices, permissions
from offline_sync.outbox.payloads import PayloadError, parse, parse_captured_at, parse_op_id
from offline_sync.outbox.store import Answer, Envelope, StoreResult, statuses, store

MAX_BATCH = 500
MAX_RAW_SCANS = 200
MAX_RAW_SCAN_LENGTH = 512
OLDEST_CAPTURE = timedelta(days=60)  # a handheld left in a drawer for weeks still syncs
CLOCK_SKEW = timedelta(hours=24)


class IntakeError(ValueError):
    """The batch as a whole cannot be read."""


def _raw_scans(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_RAW_SCANS or not all(
        isinstance(scan, str) and len(scan) <= MAX_RAW_SCAN_LENGTH for scan in value
    ):
        raise PayloadError(f"raw_scans must be a list of at most {MAX_RAW_SCANS} texts of {MAX_RAW_SCAN_LENGTH} characters.")
    return tuple(value)


def _captured_at(value: Any, now: datetime) -> datetime:
    captured = parse_captured_at(value)
    if captured > now + CLOCK_SKEW:
        raise PayloadError(f"captured_at {value} is in the future; check the handheld's clock.")
    if captured < now - OLDEST_CAPTURE:
        raise PayloadError(f"captured_at {value} is more than {OLDEST_CAPTURE.days} days ago; ask a supervisor to enter it by hand.")
    return captured


def _envelope(session: Session, item: Mapping[str, Any], op_id: str, device_id: str, users: Mapping[int, User], now: datetime) -> Envelope:
    kind = item.get("kind")
    if not isinstance(kind, str):
        raise PayloadError("The command has no kind.")
    device_seq = item.get("device_seq")
    if isinstance(device_seq, bool) or not isinstance(device_seq, int) or device_seq < 0:
        raise PayloadError(f"device_seq must be a whole number of 0 or more, but it is {device_seq!r}.")
    user = users.get(item.get("user_id"))  # type: ignore[arg-type]
    if user is None:
        raise PayloadError("The user who captured this command has not logged in on this device; log in again and sync.")
    captured_at = _captured_at(item.get("captured_at"), now)
    command = parse(kind, op_id, captured_at, item.get("payload"))
    refusal = permissions.problem(session, user, kind, command)
    if refusal:
        raise PayloadError(refusal)
    return Envelope(
        op_id=op_id, kind=kind, device_id=device_id, device_seq=device_seq, user_id=user.id, username=user.username,
        captured_at=captured_at, payload=dict(item["payload"]), raw_scans=_raw_scans(item.get("raw_scans")), command=command,
    )


def accept(session: Session, device_id: str, items: Any, session_user: User | None, address: str, now: datetime) -> list[StoreResult]:
    """Check and keep a device's batch; commits. `session_user` is the logged-in user when the
    device sent it with a session rather than its token."""
    if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
        raise IntakeError("commands must be a list.")
    if len(items) > MAX_BATCH:
        raise IntakeError(f"Send at most {MAX_BATCH} commands at a time; this batch has {len(items)}.")
    if session_user is not None:
        device = devices.ensure(session, device_id)
        devices.link_user(session, device, session_user)
    linked = devices.linked_user_ids(session, device_id) | ({session_user.id} if session_user else set())
    users = {user.id: user for user in session.scalars(select(User).where(User.id.in_(linked)))}

    op_ids: list[str | None] = []
    for item in items:
        try:
            op_ids.append(parse_op_id(item.get("op_id") if isinstance(item, Mapping) else None))
        except PayloadError:
            op_ids.append(None)
    known = statuses(session, [op_id for op_id in op_ids if op_id])

    answers: dict[int, StoreResult] = {}
    envelopes: list[tuple[int, Envelope]] = []
    for index, (item, op_id) in enumerate(zip(items, op_ids)):
        if op_id is None:
            answers[index] = StoreResult(str(item.get("op_id") if isinstance(item, Mapping) else "")[:64], Answer.REJECTED,
                                         message="op_id must be a UUID made on the device.")
        elif op_id in known:
            answers[index] = StoreResult(op_id, Answer.DUPLICATE, known[op_id])
        else:
            try:
                envelopes.append((index, _envelope(session, item, op_id, device_id, users, now)))
            except PayloadError as error:
                answers[index] = StoreResult(op_id, Answer.REJECTED, message=str(error))
                actor = users[item["user_id"]].username if item.get("user_id") in users else "unknown"
                audit.record(session, "command_rejected", actor, subject=op_id, address=address, device=device_id, reason=str(error))
    envelopes.sort(key=lambda pair: pair[1].device_seq)  # a shuffled batch is kept in the order it was captured
    accepted = []
    for (index, envelope), result in zip(envelopes, store(session, [envelope for _, envelope in envelopes], now)):
        answers[index] = result
        if result.answer == Answer.ACCEPTED:
            accepted.append({"action": "command_accepted", "actor": envelope.username, "subject": envelope.op_id, "address": address,
                             "detail": {"kind": envelope.kind, "device": device_id, "payload": envelope.payload,
                                        "raw_scans": list(envelope.raw_scans)}})
    audit.record_many(session, accepted)
    session.commit()
    return [answers[index] for index in range(len(items))]
