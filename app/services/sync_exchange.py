"""One sync exchange (POST /api/v1/sync): a handheld sends what it queued, the op_ids whose fate it
does not know yet and the catalog version it holds; it learns each command's answer, what changed
in the statuses it watches and what changed in the catalog, in one round trip.

The commands go through intake.accept, the path POST /api/v1/commands takes, so the exactly-once
guarantees are the same ones. Statuses are read after the commands are kept: a command sent and
watched in the same exchange is found."""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import User
from app.security.roles import Permission
from app.services import device_catalog, intake
from offline_sync.outbox.models import OutboxCommand
from offline_sync.outbox.payloads import OP_ID
from offline_sync.outbox.store import StoreResult

MAX_WATCHED = 500  # as many op_ids as a status poll may name
UNKNOWN = {"status": "unknown"}

# What a status answer carries, rather than whole rows: answers are frequent and payloads are big.
STATUS_COLUMNS = (OutboxCommand.op_id, OutboxCommand.status, OutboxCommand.conflict_kind, OutboxCommand.conflict_message,
                  OutboxCommand.last_error, OutboxCommand.refs, OutboxCommand.attempts)


@dataclass(frozen=True)
class Caller:
    """Who asks: a handheld by its token (`device_id`), or else a logged-in session (`user`)."""

    device_id: str | None
    user: User | None


def _visible(query: Select, caller: Caller) -> Select:
    """Only the commands the caller may see: a handheld its own, a person their own, someone who
    resolves conflicts everyone's."""
    if caller.device_id is not None:
        return query.where(OutboxCommand.device_id == caller.device_id)
    if caller.user is not None and not caller.user.can(Permission.RESOLVE_CONFLICTS):
        return query.where(OutboxCommand.user_id == caller.user.id)
    return query


def _valid(ids: Iterable[str]) -> list[str]:
    return [op_id for op_id in ids if OP_ID.fullmatch(op_id)]


def statuses(session: Session, ids: Iterable[str], caller: Caller) -> dict[str, dict[str, Any]]:
    """The status of each op_id the caller may see; {"status": "unknown"} for the rest."""
    ids = list(dict.fromkeys(ids))
    found = {
        row.op_id: {"status": row.status, "conflict": row.conflict_kind, "message": row.conflict_message or row.last_error,
                    "refs": row.refs, "attempts": row.attempts}
        for row in session.execute(_visible(select(*STATUS_COLUMNS).where(OutboxCommand.op_id.in_(_valid(ids))), caller))
    }
    return {op_id: found.get(op_id, UNKNOWN) for op_id in ids}


def changed_statuses(session: Session, watch: Mapping[str, str], caller: Caller) -> dict[str, dict[str, Any]]:
    """Only the watched op_ids whose status is not the one the handheld last saw. Most exchanges find
    none changed: the statuses alone are read first, the rest only of those that changed."""
    if not watch:
        return {}
    now = dict(session.execute(_visible(select(OutboxCommand.op_id, OutboxCommand.status)
                                        .where(OutboxCommand.op_id.in_(_valid(watch))), caller)).all())
    changed = [op_id for op_id, seen in watch.items() if now.get(op_id, UNKNOWN["status"]) != seen]
    return statuses(session, changed, caller) if changed else {}


def result_json(result: StoreResult) -> dict[str, Any]:
    """One command's answer, as POST /api/v1/commands and POST /api/v1/sync give it."""
    return {"op_id": result.op_id, "result": result.answer.value, "status": result.status.value if result.status else None,
            "message": result.message}


@dataclass(frozen=True)
class Request:
    """An exchange's body, already checked for shape (views/api_sync.py)."""

    device_id: str
    commands: Any  # intake.accept says what is wrong with it
    watch: Mapping[str, str]
    catalog: str | None


def exchange(session: Session, request: Request, caller: Caller, address: str, now: datetime,
             longest_login: timedelta) -> dict[str, Any]:
    """Keep the commands (commits, as intake.accept does), then read the statuses and the catalog.
    Raises intake.IntakeError when the batch as a whole cannot be read; then nothing is kept."""
    results: list[StoreResult] = []
    if request.commands != []:  # nothing to keep: no reason to read the device's users and their logins
        results = intake.accept(session, request.device_id, request.commands, caller.user if caller.device_id is None else None,
                                address, now, longest_login=longest_login)
    return {
        "results": [result_json(result) for result in results],
        "statuses": changed_statuses(session, request.watch, caller),
        "catalog": device_catalog.changes_since(session, request.catalog),
    }
