"""The ways out of the three replenishment conflicts (issue 15): no_par_level (set one and request again),
lot_not_in_store (pick another lot), transfer_closed (request again onto the ward's open transfer); each
may also be discarded."""
import random
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import (
    Command,
    ConflictKind,
    Outcome,
    PickReplenishment,
    RequestReplenishment,
    SetParLevel,
)
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.resolutions import ResolutionError, effective_command, offered, resolve
from offline_sync.outbox.worker import Worker
from tests.fakes import FakeBackend
from tests.unit.outbox.conftest import Clock

GTIN = "05012345100012"
OTHER = "05012345100067"
CLOSED = "WH/INT/00012"


def _park(factory: sessionmaker[Session], backend: FakeBackend, clock: Clock, op_id: str, outcome: Outcome) -> None:
    backend.faults.append(lambda command: outcome if command.op_id == op_id else None)
    Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7)).run_once()
    backend.faults.clear()
    with factory() as session:
        row = session.query(OutboxCommand).filter_by(op_id=op_id).one()
        assert row.status == Status.CONFLICT, row.status


def _resolve(factory: sessionmaker[Session], backend: FakeBackend, clock: Clock, op_id: str, action: str,
             **params: Any) -> OutboxCommand:
    with factory() as session, session.begin():
        resolve(session, backend, op_id, action, actor="sup", reason="as agreed", params=params, now=clock())
    with factory() as session:
        return session.query(OutboxCommand).filter_by(op_id=op_id).one()


def _status(factory: sessionmaker[Session], op_id: str) -> Status:
    with factory() as session:
        return session.query(OutboxCommand).filter_by(op_id=op_id).one().status


def _drain(worker: Worker) -> None:
    for _ in range(20):
        if worker.run_once() == 0:
            return


def _sent(backend: FakeBackend, kind: type) -> list[Command]:
    return [command for command in backend.applied.values() if isinstance(command, kind)]


@pytest.mark.parametrize(("kind", "actions"), [
    ("no_par_level", ["set_par_level", "discard"]),
    ("lot_not_in_store", ["pick_other_lot", "discard"]),
    ("transfer_closed", ["request_again", "discard"]),
])
def test_each_replenishment_conflict_offers_its_way_out_and_discard(kind: str, actions: list[str]) -> None:
    assert [choice.action for choice in offered(kind)] == actions


def test_no_par_level_sets_the_par_level_and_requests_again(factory, backend: FakeBackend, clock: Clock,
                                                             enqueue: Callable[..., str]) -> None:
    op_id = enqueue("replenish_request", {"location": "WARD-3B", "gtin": GTIN, "quantity": 10})
    _park(factory, backend, clock, op_id, Outcome.conflicted(ConflictKind.NO_PAR_LEVEL, "no par level", gtin=GTIN))

    with pytest.raises(ResolutionError, match="minimum up to it"):
        _resolve(factory, backend, clock, op_id, "set_par_level", minimum="12", maximum="8")
    row = _resolve(factory, backend, clock, op_id, "set_par_level", minimum="4", maximum="20")

    (level,) = _sent(backend, SetParLevel)
    assert (level.location, level.gtin, level.minimum, level.maximum) == ("WARD-3B", GTIN, 4.0, 20.0)
    assert level.op_id != op_id
    assert row.status == Status.QUEUED and row.resolution["par_level"] == {"minimum": 4.0, "maximum": 20.0}
    Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7)).run_once()
    assert backend.applied[op_id] == RequestReplenishment(op_id, "WARD-3B", GTIN, 10.0)


def test_lot_not_in_store_picks_another_lot_on_the_line_refused_only(factory, backend: FakeBackend, clock: Clock,
                                                                     enqueue: Callable[..., str]) -> None:
    lines = [{"gtin": GTIN, "lot": "IN-STORE", "quantity": 2}, {"gtin": OTHER, "lot": "GONE", "quantity": 3}]
    op_id = enqueue("replenish_pick", {"transfer": CLOSED, "lines": lines})
    _park(factory, backend, clock, op_id,
          Outcome.conflicted(ConflictKind.LOT_NOT_IN_STORE, "none in store", gtin=OTHER, lot="GONE", line=2))

    row = _resolve(factory, backend, clock, op_id, "pick_other_lot", lot="FRESH")

    command = effective_command(row.kind, op_id, row.captured_at, row.payload, row.resolution)
    assert isinstance(command, PickReplenishment)
    assert [(line.gtin, line.lot) for line in command.lines] == [(GTIN, "IN-STORE"), (OTHER, "FRESH")]


def _answers_requests(backend: FakeBackend, reference: str) -> None:
    """Requests land on `reference`; one sent again (the same op_id) is a duplicate there."""
    def answer(command: Command) -> Outcome | None:
        if not isinstance(command, RequestReplenishment):
            return None
        status = Outcome.duplicate if command.op_id in backend.applied else Outcome.applied
        backend.applied.setdefault(command.op_id, command)
        return status("requested", picking=reference)

    backend.faults.append(answer)


def test_transfer_closed_requests_the_rest_once_and_moves_the_pick_and_the_delivery_onto_the_new_transfer(
        factory, backend: FakeBackend, clock: Clock, enqueue: Callable[..., str]) -> None:
    pick = enqueue("replenish_pick", {"transfer": CLOSED, "lines": [{"gtin": GTIN, "lot": "L1", "quantity": 2}]})
    deliver = enqueue("replenish_deliver", {"transfer": CLOSED, "location": "WARD-3B", "backorder": True})
    rest = [{"gtin": GTIN, "quantity": 6}, {"gtin": OTHER, "quantity": 1}]
    closed = Outcome.conflicted(ConflictKind.TRANSFER_CLOSED, "closed", transfer=CLOSED, state="cancelled",
                                location="WARD-3B", lines=rest)
    _answers_requests(backend, "WH/INT/00013")
    backend.faults.append(lambda command: closed if getattr(command, "transfer", None) == CLOSED else None)
    worker = Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7))
    _drain(worker)
    assert (_status(factory, pick), _status(factory, deliver)) == (Status.CONFLICT, Status.QUEUED)  # held behind it

    picked = _resolve(factory, backend, clock, pick, "request_again")
    _drain(worker)  # the pick goes onto the new transfer; the delivery, released, finds the old one closed
    assert (_status(factory, pick), _status(factory, deliver)) == (Status.DONE, Status.CONFLICT)
    delivered = _resolve(factory, backend, clock, deliver, "request_again")
    _drain(worker)

    requests = _sent(backend, RequestReplenishment)
    assert sorted((r.location, r.gtin, r.quantity) for r in requests) == [("WARD-3B", GTIN, 6.0), ("WARD-3B", OTHER, 1.0)]
    assert [backend.calls[r.op_id] for r in requests] == [2, 2]  # the delivery's resolution asked the same: duplicates
    for row in (picked, delivered):
        assert (row.resolution["payload"]["transfer"], row.resolution["replaces"]) == ("WH/INT/00013", CLOSED)
    assert (backend.applied[pick].transfer, backend.applied[deliver].transfer) == ("WH/INT/00013", "WH/INT/00013")


def test_a_transfer_that_no_longer_exists_leaves_nothing_to_request_again(
        factory, backend: FakeBackend, clock: Clock, enqueue: Callable[..., str]) -> None:
    pick = enqueue("replenish_pick", {"transfer": CLOSED, "lines": [{"gtin": GTIN, "lot": "L1", "quantity": 2}]})
    _park(factory, backend, clock, pick, Outcome.conflicted(ConflictKind.TRANSFER_CLOSED, "no such", transfer=CLOSED))
    with pytest.raises(ResolutionError, match="discard this command"):
        _resolve(factory, backend, clock, pick, "request_again")
    assert _resolve(factory, backend, clock, pick, "discard").status == Status.DISCARDED
