"""The outbox tables: one row per command a device sent, and one per running worker.

A command row is never deleted. It leaves the queue only by an explicit end: `done` (applied,
or found already applied) or `discarded` by a person (recorded in `resolution`). DESIGN §3.
"""
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from offline_sync.persistence import Base, utcnow


class Status(StrEnum):
    QUEUED = "queued"
    SYNCING = "syncing"  # claimed by a worker under a lease
    RETRYING = "retrying"  # a transient failure; next try at next_attempt_at
    CONFLICT = "conflict"  # parked for a person
    DONE = "done"
    DISCARDED = "discarded"


OPEN_STATUSES = (Status.QUEUED, Status.SYNCING, Status.RETRYING, Status.CONFLICT)
FINAL_STATUSES = (Status.DONE, Status.DISCARDED)


class OutboxCommand(Base):
    __tablename__ = "outbox_commands"
    __table_args__ = (
        Index("ix_outbox_commands_claim", "status", "next_attempt_at"),
        Index("ix_outbox_commands_lane", "lane", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # ingest order: a lane is worked in this order
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    device_seq: Mapped[int]
    user_id: Mapped[int]  # who was logged in when it was captured, never who synced it
    username: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    lane: Mapped[str] = mapped_column(String(200))
    # Keys of what this command touches (a quant, a receipt): a parked command holds back only
    # the later commands that share one of them.
    touches: Mapped[list[str]] = mapped_column(JSON, default=list)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    raw_scans: Mapped[list[str]] = mapped_column(JSON, default=list)

    status: Mapped[Status] = mapped_column(String(12), default=Status.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    refs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the backend's references once applied
    done_at: Mapped[datetime | None]

    conflict_kind: Mapped[str | None] = mapped_column(String(32))
    conflict_message: Mapped[str] = mapped_column(Text, default="")
    conflict_detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resolution: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # who, when, what, why


class CommandLot(Base):
    """One scanned line of a stored command, by product and lot: which of Wardstock's own commands touched a
    lot (the recall trace's consumption, with the case reference on the command) is an indexed lookup.
    `location` is where the line took stock from or put it: a consumption's or scrap's location, a
    transfer's, quarantine's or return's source, an unplanned receipt's destination, a receipt's reference."""

    __tablename__ = "command_lots"
    __table_args__ = (Index("ix_command_lots_gtin_lot", "gtin", "lot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    op_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    gtin: Mapped[str] = mapped_column(String(14))
    lot: Mapped[str] = mapped_column(String(64))  # "" for a product without lots
    location: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[float]
    captured_at: Mapped[datetime]
    user_id: Mapped[int]


class WorkerState(Base):
    """What each worker last reported: for the health page, and to tell a live worker from a dead one."""

    __tablename__ = "outbox_workers"

    owner: Mapped[str] = mapped_column(String(80), primary_key=True)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    breaker_open_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None]
