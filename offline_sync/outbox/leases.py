"""A worker's leases on the commands it claimed: the fencing token, renewal, and the sandbox's fence.

A claim is identified by the worker's name and the attempt number it wrote (`attempts`): a worker
holds a command only while the row still carries both and is `syncing`. Every write of the end of
an attempt is conditional on that token, so a worker whose lease ran out and was taken over can
no longer record anything. While it works, a heartbeat renews its leases (a frozen process renews
nothing, so its leases run out); before each write to a backend that cannot be fenced (Odoo), the
leases are renewed and the write starts only with at least its own timeout left. A backend that
shares the outbox's database (the sandbox) checks the token in the same transaction as the effect
and records the outcome there too (`LeaseFence`).
"""
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import LeaseLost, Outcome
from offline_sync.outbox.models import OutboxCommand, Status

log = logging.getLogger(__name__)


class Held(Protocol):
    """What identifies one claim of a command (the worker's `Claimed`)."""

    id: int
    op_id: str
    attempts: int


def held_by(owner: str, item: Held) -> list[Any]:
    """The conditions under which `owner` still holds its claim on `item`: the fencing token."""
    return [
        OutboxCommand.id == item.id,
        OutboxCommand.lease_owner == owner,
        OutboxCommand.attempts == item.attempts,
        OutboxCommand.status == Status.SYNCING,
    ]


def renew(session: Session, owner: str, items: Iterable[Held], until: datetime) -> set[int]:
    """Extend the leases still held to `until`; the ids of those still held (the others were lost)."""
    return {
        item.id
        for item in items
        if session.execute(update(OutboxCommand).where(*held_by(owner, item)).values(lease_expires_at=until)).rowcount
    }


@dataclass
class LeaseTerms:
    owner: str
    lease: timedelta
    clock: Callable[[], datetime]


class LeaseKeeper:
    """The heartbeat: renews the leases of the commands still being worked every `every`, in a thread
    of its own, until the block ends. A database that cannot be reached is tried again at the next beat."""

    def __init__(self, factory: sessionmaker[Session], terms: LeaseTerms, items: Sequence[Held], every: timedelta) -> None:
        self.factory, self.terms, self.every = factory, terms, every
        self._working = list(items)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-keeper {terms.owner}", daemon=True)

    def finished(self, item: Held) -> None:
        """`item` is not worked any more: its lease needs no renewal."""
        with self._lock:
            self._working = [working for working in self._working if working.id != item.id]

    def _beat(self) -> None:
        while not self._stop.wait(self.every.total_seconds()):
            with self._lock:
                working = list(self._working)
            if not working:
                continue
            try:
                with self.factory() as session, session.begin():
                    renew(session, self.terms.owner, working, self.terms.clock() + self.terms.lease)
            except OperationalError as error:
                log.warning("leases not renewed this time: %s", error.orig or error)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()


Ending = Callable[[Held, Outcome, datetime], dict[str, Any]]


class LeaseFence:
    """The `Fence` a worker gives a backend that shares the outbox's database: `hold` renews the
    lease under the row's lock (or raises `LeaseLost`), `settle` writes the row's end in the same
    transaction as the effect. `settled` keeps what was written, by op_id, with the outcome it was
    written for: the backend answers another outcome (transient) when that transaction did not commit."""

    def __init__(self, terms: LeaseTerms, items: Sequence[Held], ending: Ending) -> None:
        self.terms, self.ending = terms, ending
        self._items = {item.op_id: item for item in items}
        self.settled: dict[str, tuple[Outcome, dict[str, Any]]] = {}

    def hold(self, session: Session, op_id: str) -> None:
        item = self._items[op_id]
        if not renew(session, self.terms.owner, [item], self.terms.clock() + self.terms.lease):
            raise LeaseLost(f"{self.terms.owner} no longer holds command {op_id}; another worker took it over.")

    def settle(self, session: Session, op_id: str, outcome: Outcome) -> None:
        item = self._items[op_id]
        values = self.ending(item, outcome, self.terms.clock())
        session.execute(
            update(OutboxCommand).where(*held_by(self.terms.owner, item))
            .values(lease_owner=None, lease_expires_at=None, **values)
        )
        self.settled[op_id] = (outcome, values)

    def written(self, op_id: str, outcome: Outcome) -> dict[str, Any] | None:
        """What was recorded with `outcome`'s effect, or None if it was not (the transaction rolled back)."""
        found = self.settled.get(op_id)
        return found[1] if found is not None and found[0] is outcome else None
