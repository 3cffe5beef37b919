"""What a parked waste command or recall holds back: the later commands that take from the same quant
(a scrap's location, a quarantine's or return's source) or recall the same lot, and nothing else."""
import random
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import ConflictKind
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.worker import Worker
from tests.fakes import FakeBackend, conflict_for
from tests.unit.outbox.conftest import Clock

GTIN = "05012345100067"


def _lines(lot: str = "L1") -> list[dict]:
    return [{"gtin": GTIN, "lot": lot, "quantity": 1}]


def _held(factory: sessionmaker[Session], worker: Worker) -> set[str]:
    for _ in range(50):
        if worker.run_once() == 0:
            break
    with factory() as session:
        return set(session.scalars(select(OutboxCommand.op_id).where(OutboxCommand.status == Status.QUEUED)))


def test_a_parked_scrap_holds_back_what_takes_from_its_quant(
    factory: sessionmaker[Session], backend: FakeBackend, clock: Clock, enqueue: Callable[..., str]
) -> None:
    parked = enqueue("scrap", {"location": "WARD-3B", "lines": _lines(), "reason": "damaged"})
    quarantine = enqueue("quarantine", {"source": "WARD-3B", "lines": _lines()})
    returned = enqueue("vendor_return", {"source": "WARD-3B", "lines": _lines(), "reason": "recalled"})
    consume = enqueue("consume", {"location": "WARD-3B", "lines": _lines()})
    other_lot = enqueue("scrap", {"location": "WARD-3B", "lines": _lines("L2"), "reason": "expired"})
    elsewhere = enqueue("quarantine", {"source": "WARD-ICU", "lines": _lines()})
    backend.faults.append(conflict_for({parked}))

    held = _held(factory, Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7)))

    assert held == {quarantine, returned, consume}
    assert {other_lot, elsewhere} <= set(backend.applied)


def test_a_parked_recall_holds_back_later_recalls_of_its_lots_only(
    factory: sessionmaker[Session], backend: FakeBackend, clock: Clock, enqueue: Callable[..., str]
) -> None:
    parked = enqueue("recall", {"gtin": GTIN, "lots": ["L1", "L2"], "notice": "FSN-1"})
    same_lot = enqueue("recall", {"gtin": GTIN, "lots": ["L2"], "notice": "FSN-1 extended"})
    other_lot = enqueue("recall", {"gtin": GTIN, "lots": ["L3"], "notice": "FSN-2"})
    scrap = enqueue("scrap", {"location": "WARD-3B", "lines": _lines(), "reason": "recalled"})
    backend.faults.append(conflict_for({parked}, ConflictKind.UNKNOWN_LOT))

    held = _held(factory, Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7)))

    assert held == {same_lot}
    assert {other_lot, scrap} <= set(backend.applied)
