"""Which of Wardstock's own commands touched a lot: the `command_lots` index, one row per scanned line.

The outbox adds a command's rows when it stores the command (`index_commands`), and replaces them when
a supervisor's resolution changes what the command does (`reindex`), so the recall trace reads what
was sent, not only what was scanned. `lines_for_lot` answers with each line's command: its status, who
captured it and, for consumption, the case reference it was used for.
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import (
    Command,
    Consume,
    Count,
    Quarantine,
    Recall,
    Receive,
    ResolveCount,
    Scrap,
    Transfer,
    UnplannedReceipt,
    VendorReturn,
)
from offline_sync.outbox.models import CommandLot, OutboxCommand
from offline_sync.outbox.payloads import PayloadError, parse


def _lines(command: Command) -> list[tuple[str, str, str, float]]:
    """(gtin, lot, location, quantity) of each line; a recall's lots with no location or quantity."""
    match command:
        case Consume() | Scrap():
            return [(line.gtin, line.lot or "", command.location, line.quantity) for line in command.lines]
        case Transfer() | Quarantine() | VendorReturn():
            return [(line.gtin, line.lot or "", command.source, line.quantity) for line in command.lines]
        case UnplannedReceipt():
            return [(line.gtin, line.lot or "", command.destination, line.quantity) for line in command.lines]
        case Receive():
            return [(line.gtin, line.lot or "", command.receipt, line.quantity) for line in command.lines]
        case Count():
            return [(command.gtin, command.lot or "", command.location, command.counted)]
        case ResolveCount():
            return _lines(command.count)
        case Recall():
            return [(command.gtin, lot, "", 0.0) for lot in command.lots]
    return []  # a receipt's validation names no lot


def rows_of(op_id: str, kind: str, command: Command, captured_at: datetime, user_id: int) -> list[dict[str, Any]]:
    return [
        {"op_id": op_id, "kind": kind, "gtin": gtin, "lot": lot, "location": location, "quantity": quantity,
         "captured_at": captured_at, "user_id": user_id}
        for gtin, lot, location, quantity in _lines(command)
    ]


def rows_of_payload(op_id: str, kind: str, payload: Any, captured_at: datetime, user_id: int) -> list[dict[str, Any]]:
    """The rows of a stored payload; none for one that no longer reads as a command."""
    try:
        command = parse(kind, op_id, captured_at, payload)
    except PayloadError:
        return []
    return rows_of(op_id, kind, command, captured_at, user_id)


@dataclass(frozen=True)
class Indexed:
    op_id: str
    kind: str
    command: Command
    captured_at: datetime
    user_id: int


def index_commands(session: Session, commands: Iterable[Indexed]) -> None:
    """Add the lines of newly stored commands; the caller commits with the commands themselves."""
    rows = [row for c in commands for row in rows_of(c.op_id, c.kind, c.command, c.captured_at, c.user_id)]
    if rows:
        session.execute(insert(CommandLot), rows)


def reindex(session: Session, row: OutboxCommand, kind: str, command: Command) -> None:
    """A resolution changed the command (another lot, a smaller quantity, another kind): its lines anew."""
    session.execute(delete(CommandLot).where(CommandLot.op_id == row.op_id))
    index_commands(session, [Indexed(row.op_id, kind, command, row.captured_at, row.user_id)])


@dataclass(frozen=True)
class LotLine:
    """One line of a Wardstock command on the lot, with what the trace shows of its command."""

    op_id: str
    kind: str
    gtin: str
    lot: str
    location: str
    quantity: float
    captured_at: datetime
    user_id: int
    username: str
    status: str  # the outbox status: done, queued, conflict, discarded…
    reference: str  # a consumption's case reference ("" for other kinds)


def lines_for_lot(session: Session, gtin: str, lot: str) -> Sequence[LotLine]:
    """Every stored command line on the product's lot, oldest capture first (an indexed lookup)."""
    query = (
        select(CommandLot, OutboxCommand.username, OutboxCommand.status, OutboxCommand.payload)
        .join(OutboxCommand, OutboxCommand.op_id == CommandLot.op_id)
        .where(CommandLot.gtin == gtin, CommandLot.lot == lot)
        .order_by(CommandLot.captured_at, CommandLot.id)
    )
    return [
        LotLine(line.op_id, line.kind, line.gtin, line.lot, line.location, line.quantity, line.captured_at,
                line.user_id, username, str(status), _reference(payload))
        for line, username, status, payload in session.execute(query)
    ]


def _reference(payload: Mapping[str, Any] | None) -> str:
    value = (payload or {}).get("reference")
    return value if isinstance(value, str) else ""
