"""A supervisor's recall notice, entered in the browser: checked like a handheld's command and kept in
the same outbox (the sync worker marks the lots recalled in the backend, exactly once), and audited.
The flag reaches every handheld with its next catalog sync, and the lot is refused there offline."""
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.services import audit, permissions
from offline_sync.outbox.models import OutboxCommand
from offline_sync.outbox.payloads import PayloadError, parse_capture
from offline_sync.outbox.store import Answer, Envelope, kept, store

SERVER_DEVICE = "server"  # the device id of commands a person enters in the browser
LOT_SEPARATORS = re.compile(r"[\s,;]+")


class RecallError(ValueError):
    """The notice cannot be kept; the message says what to change."""


@dataclass(frozen=True)
class RecallNotice:
    op_id: str
    gtin: str
    lots: tuple[str, ...]  # empty: every lot of the product
    notice: str


def lots_from_text(text: str) -> tuple[str, ...]:
    """The lot numbers typed or scanned into one field, one per line or separated by commas, each once."""
    return tuple(dict.fromkeys(lot for lot in LOT_SEPARATORS.split(text.strip()) if lot))


def enter(session: Session, supervisor: User, notice: RecallNotice, address: str, now: datetime) -> str:
    """Keep the recall command (a resent form, same op_id, keeps nothing twice); commits. Returns the op_id."""
    payload = {"gtin": notice.gtin, "lots": list(notice.lots), "notice": notice.notice}
    try:
        command = parse_capture("recall", notice.op_id, now, payload)
    except PayloadError as error:
        raise RecallError(str(error)) from None
    refusal = permissions.problem(session, supervisor, "recall", command)
    if refusal:
        raise RecallError(refusal)
    first = kept(session, [notice.op_id]).get(notice.op_id)
    if first is not None:  # the same form sent again (a double tap, a reload): kept already
        if (first.kind, first.user_id, first.payload) == ("recall", supervisor.id, payload):
            return notice.op_id
        raise RecallError(gettext("This form was sent before with other values; reload the page to enter another recall."))
    envelope = Envelope(op_id=notice.op_id, kind="recall", device_id=SERVER_DEVICE, device_seq=0, user_id=supervisor.id,
                        username=supervisor.username, captured_at=now, payload=payload, raw_scans=(), command=command)
    [result] = store(session, [envelope], now)
    if result.answer == Answer.REJECTED:
        session.rollback()
        raise RecallError(result.message)
    if result.answer == Answer.ACCEPTED:
        audit.record(session, "recall_entered", supervisor.username, subject=notice.op_id, address=address,
                     gtin=notice.gtin, lots=list(notice.lots) or "all", notice=notice.notice)
    session.commit()
    return notice.op_id


def recent(session: Session, limit: int = 20) -> Sequence[OutboxCommand]:
    """The latest recall notices, newest first, with their sync status."""
    return session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "recall")
                           .order_by(OutboxCommand.id.desc()).limit(limit)).all()
