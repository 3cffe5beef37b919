"""Accepting a batch of commands from a device: check each, keep the good ones, say why not for the rest.

Every command gets its own answer (accepted, duplicate or rejected with a sentence); one bad
command never sinks its batch. A command already kept answers `duplicate` with its status,
whatever has changed since: a replay must never be judged twice. A replay is the same command from
the same handheld; another one under a kept op_id is refused (offline_sync.outbox.store). The same
op_id twice in one batch is kept once, the later one answered as a replay of it. A batch whose commands are all rejected changes
nothing but the audit log (one `command_rejected` each).
"""
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import in_language_of
from app.models import User
from app.services import audit, devices, logins, permissions
from offline_sync.outbox.models import Status
from offline_sync.outbox.payloads import PayloadError, parse_capture, parse_captured_at, parse_op_id, shown
from offline_sync.outbox.store import Answer, Envelope, Kept, StoreResult, kept, replay_answer, store

MAX_BATCH = 500
MAX_RAW_SCANS = 200
MAX_RAW_SCAN_LENGTH = 512
MAX_DEVICE_SEQ = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL
ENVELOPE_FIELDS = frozenset({"op_id", "kind", "device_seq", "user_id", "captured_at", "payload", "raw_scans"})
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
        raise PayloadError(f"captured_at {shown(value)} is in the future; check the handheld's clock.")
    if captured < now - OLDEST_CAPTURE:
        raise PayloadError(f"captured_at {shown(value)} is more than {OLDEST_CAPTURE.days} days ago; ask a supervisor to enter it by hand.")
    return captured


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _captured_by(item: Mapping[str, Any], users: Mapping[int, User]) -> User | None:
    user_id = item.get("user_id")
    return users.get(user_id) if _whole_number(user_id) else None


def _envelope(session: Session, item: Mapping[str, Any], op_id: str, device_id: str, users: Mapping[int, User],
              logged_in: logins.LoginWindows, now: datetime) -> Envelope:
    unknown = sorted(str(name) for name in item if name not in ENVELOPE_FIELDS)
    if unknown:
        raise PayloadError(gettext("The command has fields this server does not know: %(fields)s; reload the app and capture it again.",
                                   fields=", ".join(shown(name) for name in unknown[:5])))
    kind = item.get("kind")
    if not isinstance(kind, str):
        raise PayloadError(gettext("The command has no kind."))
    device_seq = item.get("device_seq")
    if not _whole_number(device_seq) or not 0 <= device_seq <= MAX_DEVICE_SEQ:
        raise PayloadError(gettext("device_seq must be a whole number from 0 to %(maximum)s, but it is %(value)s.", maximum=MAX_DEVICE_SEQ, value=shown(device_seq)))
    if not _whole_number(item.get("user_id")):
        raise PayloadError(gettext("user_id must be the number of the user who captured the command, but it is %(value)s.",
                                   value=shown(item.get('user_id'))))
    user = _captured_by(item, users)
    if user is None:
        raise PayloadError(gettext("The user who captured this command has not logged in on this device; log in again and sync."))
    captured_at = _captured_at(item.get("captured_at"), now)
    with in_language_of(user):  # a handheld sending by token alone may have no session: the capturer's own language
        if not logged_in.covers(user.id, captured_at):
            raise PayloadError(logins.outside(user, captured_at))
        command = parse_capture(kind, op_id, captured_at, item.get("payload"))
        refusal = permissions.problem(session, user, kind, command)
    if refusal:
        raise PayloadError(refusal)
    return Envelope(
        op_id=op_id, kind=kind, device_id=device_id, device_seq=device_seq, user_id=user.id, username=user.username,
        captured_at=captured_at, payload=dict(item["payload"]), raw_scans=_raw_scans(item.get("raw_scans")), command=command,
    )


def _as_sent(item: Mapping[str, Any], op_id: str, device_id: str) -> Kept:
    """A command sent again, read only as far as telling a replay from another command needs."""
    try:
        captured_at = parse_captured_at(item.get("captured_at"))
    except PayloadError:
        captured_at = None
    return Kept(op_id, Status.QUEUED, device_id, item.get("kind"), item.get("user_id"), captured_at, item.get("payload"))


def _audit_refusal(session: Session, result: StoreResult, item: Mapping[str, Any], users: Mapping[int, User],
                   address: str, device_id: str) -> None:
    if result.answer == Answer.REJECTED:
        user = _captured_by(item, users)
        audit.record(session, "command_rejected", user.username if user else "unknown", subject=result.op_id, address=address,
                     device=device_id, reason=result.message)


def accept(session: Session, device_id: str, items: Any, session_user: User | None, address: str, now: datetime,
           longest_login: timedelta = timedelta(hours=12)) -> list[StoreResult]:
    """Check and keep a device's batch; commits. `session_user` is the logged-in user when the
    device sent it with a session rather than its token; `longest_login` is the longest a login lasts."""
    if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
        raise IntakeError(gettext("commands must be a list."))
    if len(items) > MAX_BATCH:
        raise IntakeError(gettext("Send at most %(maximum)s commands at a time; this batch has %(count)s.", maximum=MAX_BATCH, count=len(items)))
    # A session speaks for its own user only; a device's token for the users who logged in on it.
    linked = {session_user.id} if session_user is not None else devices.linked_user_ids(session, device_id)
    users = {user.id: user for user in session.scalars(select(User).where(User.id.in_(linked)))}
    logged_in = logins.windows(session, set(users), now - OLDEST_CAPTURE, longest_login)

    op_ids: list[str | PayloadError] = []
    for item in items:
        try:
            if not isinstance(item, Mapping):
                raise PayloadError(gettext("Each command must be a JSON object, but this one is %(value)s.", value=shown(item)))
            op_ids.append(parse_op_id(item.get("op_id")))
        except PayloadError as error:
            op_ids.append(error)
    known = kept(session, [op_id for op_id in op_ids if isinstance(op_id, str)])

    answers: dict[int, StoreResult] = {}
    envelopes: list[tuple[int, Envelope]] = []
    taken: set[str] = set()
    again: list[tuple[int, str]] = []  # an op_id already taken in this batch: answered as a replay of it, never stored
    for index, (item, op_id) in enumerate(zip(items, op_ids)):
        if isinstance(op_id, PayloadError):
            sent = item.get("op_id") if isinstance(item, Mapping) else None
            answers[index] = StoreResult("" if sent is None else str(sent)[:64], Answer.REJECTED, message=str(op_id))
        elif op_id in known:
            answers[index] = replay_answer(known[op_id], _as_sent(item, op_id, device_id))
            _audit_refusal(session, answers[index], item, users, address, device_id)
        elif op_id in taken:
            again.append((index, op_id))
        else:
            try:
                envelopes.append((index, _envelope(session, item, op_id, device_id, users, logged_in, now)))
                taken.add(op_id)
            except PayloadError as error:
                answers[index] = StoreResult(op_id, Answer.REJECTED, message=str(error))
                _audit_refusal(session, answers[index], item, users, address, device_id)
    envelopes.sort(key=lambda pair: pair[1].device_seq)  # a shuffled batch is kept in the order it was captured
    accepted = []
    for (index, envelope), result in zip(envelopes, store(session, [envelope for _, envelope in envelopes], now)):
        answers[index] = result
        _audit_refusal(session, result, items[index], users, address, device_id)  # lost a race to another command
        if result.answer == Answer.ACCEPTED:
            accepted.append({"action": "command_accepted", "actor": envelope.username, "subject": envelope.op_id, "address": address,
                             "detail": {"kind": envelope.kind, "device": device_id, "payload": envelope.payload,
                                        "raw_scans": list(envelope.raw_scans)}})
    first = {envelope.op_id: Kept.of(envelope, answers[index].status) for index, envelope in envelopes}
    for index, op_id in again:
        answers[index] = replay_answer(first[op_id], _as_sent(items[index], op_id, device_id))
        _audit_refusal(session, answers[index], items[index], users, address, device_id)
    audit.record_many(session, accepted)
    if session_user is not None and accepted:  # a device first seen through a session, once it keeps something
        device = devices.ensure(session, device_id)
        if not device.token_hash:  # a handheld with a token links its users only through it (POST /devices)
            devices.link_user(session, device, session_user)
    session.commit()
    return [answers[index] for index in range(len(items))]
