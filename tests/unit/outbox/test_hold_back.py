"""What a parked command holds back (issue 19, item 4): exactly the later commands that depend on it
(the same quant as a source, or the same receipt), nothing else, and nothing once it is decided."""
import random
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.resolutions import resolve
from offline_sync.outbox.worker import Worker
from tests.fakes import FakeBackend, conflict_for
from tests.unit.outbox.conftest import Clock, transfer_payload

SHORT = "GLV-M-01"  # the lot 3B is short of


def _consume(location: str, lot: str = SHORT) -> dict:
    return {"location": location, "lines": [{"gtin": "05012345100067", "lot": lot, "quantity": 1}]}


def _transfer(source: str, destination: str, lot: str = SHORT) -> dict:
    return transfer_payload(source=source, destination=destination, lot=lot) | {
        "lines": [{"gtin": "05012345100067", "lot": lot, "quantity": 1}]}


def _statuses(factory: sessionmaker[Session]) -> dict[str, Status]:
    with factory() as session:
        return dict(session.execute(select(OutboxCommand.op_id, OutboxCommand.status)).all())


def _drain(worker: Worker) -> None:
    for _ in range(50):
        if worker.run_once() == 0:
            return


def test_a_parked_consume_holds_back_only_what_takes_from_its_quant(factory, backend: FakeBackend, clock: Clock,
                                                                    enqueue: Callable[..., str]) -> None:
    parked = enqueue("consume", _consume("WARD-3B-SUPPLY"))  # a 3B nurse's consume, short
    cure = enqueue("transfer", _transfer("CS-STOCK", "WARD-3B-SUPPLY"))  # the store sends more into 3B
    to_icu = enqueue("transfer", _transfer("CS-STOCK", "WARD-ICU-CART"))
    icu = enqueue("consume", _consume("WARD-ICU-CART"))  # an ICU nurse uses stock on her own cart
    same_quant = enqueue("consume", _consume("WARD-3B-SUPPLY"))  # depends on the parked one
    out_of_3b = enqueue("transfer", _transfer("WARD-3B-SUPPLY", "WARD-ICU-CART"))  # takes from the short quant too
    icu_again = enqueue("consume", _consume("WARD-ICU-CART"))  # after a held transfer *into* its cart
    other_lot = enqueue("consume", _consume("WARD-3B-SUPPLY", lot="CHX-01"))  # 3B, another quant
    backend.faults.append(conflict_for({parked}))
    worker = Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7))
    _drain(worker)
    statuses = _statuses(factory)
    held = {op_id for op_id, status in statuses.items() if status == Status.QUEUED}
    assert statuses[parked] == Status.CONFLICT
    names = {cure: "cure", to_icu: "to_icu", icu: "icu", same_quant: "same_quant", out_of_3b: "out_of_3b",
             icu_again: "icu_again", other_lot: "other_lot"}
    assert held == {same_quant, out_of_3b}, sorted(names[op_id] for op_id in held)
    assert {cure, to_icu, icu, icu_again, other_lot} <= set(backend.applied)

    backend.faults.clear()
    with factory() as session, session.begin():  # the supervisor: apply anyway (the cure has arrived)
        resolve(session, backend, parked, "apply_anyway", actor="sup", reason="stock arrived", params={}, now=clock())
    _drain(worker)
    assert set(_statuses(factory).values()) == {Status.DONE}
    assert list(backend.applied).index(parked) < list(backend.applied).index(same_quant)  # its dependents after it


def test_what_waits_on_a_parked_receipt_line_is_only_that_receipt(factory, backend: FakeBackend, clock: Clock,
                                                                 enqueue: Callable[..., str]) -> None:
    line = {"gtin": "05012345100067", "lot": SHORT, "quantity": 1}
    parked = enqueue("receive", {"receipt": "CS/IN/00001", "lines": [line]})
    validate = enqueue("receive_validate", {"receipt": "CS/IN/00001", "backorder": True})
    unplanned = enqueue("receive_unplanned", {"destination": "CS-STOCK", "lines": [line]})
    take = enqueue("transfer", _transfer("CS-STOCK", "WARD-3B-SUPPLY"))
    backend.faults.append(conflict_for({parked}))
    _drain(Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7)))
    statuses = _statuses(factory)
    assert (statuses[parked], statuses[validate]) == (Status.CONFLICT, Status.QUEUED)
    assert {unplanned, take} <= set(backend.applied)


def test_a_count_waits_for_a_move_on_its_quant_captured_before_it_that_arrived_after_it(
        factory, backend: FakeBackend, clock: Clock, enqueue: Callable[..., str]) -> None:
    count = enqueue("count", {"location": "WARD-ED-RESUS", "gtin": "05012345100067", "lot": SHORT, "counted": 11,
                              "seen_on_hand": 8})
    clock.advance(seconds=-1)  # another handheld, offline longer, sends a transfer made a second before the count
    late = enqueue("transfer", _transfer("CS-STOCK", "WARD-ED-RESUS"))
    clock.advance(seconds=2)
    _drain(Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7)))
    assert list(backend.applied) == [late, count]
    assert backend.applied[count].captured_before == frozenset({late})  # and the count does not add it
