"""What a count must not add to itself: the Wardstock commands on its quant captured before it.

A count says what was on the shelf when it was captured. The backend sees moves when they arrive,
and a sync backlog can bring a move captured before the count after it: added as a move "since the
count", it would make phantom stock (issue 19, item 2). So when the outbox sends a count, it names
the commands on the counted quant captured before it that may have reached the backend after the
count's capture time (`Count.captured_before`), and the backend leaves their moves out. And a
count that reached the outbox before such a command (another handheld was offline longer) waits
for it: applied after the count, its move would land on top of a shelf that already held it.
"""
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import Command, Count, ResolveCount
from offline_sync.outbox.lanes import touches_of
from offline_sync.outbox.models import OutboxCommand, Status

# A command recorded done this long before the count was captured was applied before it by any
# backend clock within this of ours: the backend's own dates leave it out already.
CLOCK_SKEW = timedelta(hours=1)


def captured_before(session: Session, count: Count, row_id: int, captured_at: datetime) -> frozenset[str]:
    """The op_ids of the other commands on the count's quant captured at or before `captured_at`
    (the count's, as stored) that were not yet done by then."""
    [quant] = touches_of(count)
    place_and_product = quant.rsplit("|", 1)[0] + "|"  # narrows in SQL; the whole key is checked below
    rows = session.execute(
        select(OutboxCommand.op_id, OutboxCommand.touches).where(
            OutboxCommand.id != row_id,
            OutboxCommand.captured_at <= captured_at,
            OutboxCommand.status != Status.DISCARDED,
            or_(OutboxCommand.done_at.is_(None), OutboxCommand.done_at >= captured_at - CLOCK_SKEW),
            cast(OutboxCommand.touches, String).contains(place_and_product, autoescape=True),
        )
    )
    return frozenset(op_id for op_id, touches in rows if quant in touches)


def as_of_capture(session: Session, command: Command, row_id: int, captured_at: datetime) -> Command:
    """The command to send, a count naming the commands captured before it (others unchanged)."""
    if isinstance(command, Count):
        return replace(command, captured_before=captured_before(session, command, row_id, captured_at))
    if isinstance(command, ResolveCount):
        return replace(command, count=as_of_capture(session, command.count, row_id, captured_at))
    return command


def counts_behind_earlier_captures(rows: Sequence[Any]) -> set[int]:
    """Of the open rows (id, kind, touches, captured_at; in id order), the counts that must wait:
    a later row on the counted quant was captured at or before the count."""
    on_quant: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for row in rows:
        for touch in row.touches:
            on_quant[touch].append((row.id, row.captured_at))
    return {
        row.id
        for row in rows
        if row.kind == "count"
        and any(other_id > row.id and captured <= row.captured_at
                for touch in row.touches for other_id, captured in on_quant[touch])
    }
