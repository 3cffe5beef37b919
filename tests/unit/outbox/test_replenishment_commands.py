"""Ward replenishment commands (issue 15) on the wire: parsed with errors a person can act on, sent to the
backend method that applies them, and held back only by their ward's product line or their transfer."""
import random
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import (
    DeliverReplenishment,
    ItemLine,
    PickReplenishment,
    RequestReplenishment,
    SetParLevel,
)
from offline_sync.outbox.dispatch import apply
from offline_sync.outbox.lanes import depends_on, lane_of, touches_of
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.payloads import PayloadError, parse, parse_capture
from offline_sync.outbox.worker import Worker
from tests.fakes import FakeBackend, conflict_for, down
from tests.unit.outbox.conftest import Clock

OP = "3f2b8c1e-9d4a-4e6b-8f00-1a2b3c4d5e6f"
AT = datetime(2026, 12, 7, 8, 0)
GTIN = "05012345100012"
OTHER = "05012345100067"


def _request(location: str = "WARD-3B", gtin: str = GTIN, quantity: float = 10, card: str = "") -> dict:
    return {"location": location, "gtin": gtin, "quantity": quantity} | ({"card": card} if card else {})


def _pick(transfer: str = "WH/INT/00012", lot: str = "L1") -> dict:
    return {"transfer": transfer, "lines": [{"gtin": GTIN, "lot": lot, "quantity": 4}]}


def test_the_four_kinds_parse_into_their_commands() -> None:
    card = f"BIN:{GTIN}:WARD-3B"
    assert parse_capture("replenish_request", OP, AT, _request(card=card)) == RequestReplenishment(OP, "WARD-3B", GTIN, 10.0, card)
    assert parse_capture("par_level_set", OP, AT, {"location": "WARD-3B", "gtin": GTIN, "minimum": 0, "maximum": 20}) == (
        SetParLevel(OP, "WARD-3B", GTIN, 0.0, 20.0))
    assert parse_capture("replenish_pick", OP, AT, _pick()) == PickReplenishment(OP, "WH/INT/00012", (ItemLine(GTIN, 4.0, "L1"),))
    assert parse_capture("replenish_deliver", OP, AT, {"transfer": "WH/INT/00012", "location": "WARD-3B", "backorder": False}) == (
        DeliverReplenishment(OP, "WH/INT/00012", "WARD-3B", False))


@pytest.mark.parametrize(("kind", "payload", "expected"), [
    ("replenish_request", _request(quantity=0), "quantity must be more than 0"),
    ("replenish_request", _request(quantity=2.5), "quantity 2.5 is not a whole number"),
    ("replenish_request", _request(gtin="123"), "gtin must be the 14-digit GTIN"),
    ("replenish_request", _request() | {"lot": "L1"}, "fields this server does not know: 'lot'"),
    ("par_level_set", {"location": "WARD-3B", "gtin": GTIN, "minimum": 8, "maximum": 5}, "The maximum 5 is below the minimum 8"),
    ("par_level_set", {"location": "WARD-3B", "gtin": GTIN, "minimum": 0, "maximum": 0}, "maximum must be more than 0"),
    ("par_level_set", {"location": "WARD-3B", "gtin": GTIN, "minimum": -1, "maximum": 5}, "minimum must be more than 0"),
    ("replenish_pick", {"transfer": "WH/INT/00012", "lines": []}, "The command has no lines"),
    ("replenish_pick", {"lines": _pick()["lines"]}, "The command has no transfer"),
    ("replenish_deliver", {"transfer": "WH/INT/00012", "location": "WARD-3B"}, "backorder must be true or false"),
    ("replenish_deliver", {"transfer": "WH/INT/00012", "backorder": True}, "The command has no location"),
])
def test_a_malformed_payload_is_refused_with_what_was_wrong(kind: str, payload: dict, expected: str) -> None:
    with pytest.raises(PayloadError, match=expected):
        parse_capture(kind, OP, AT, payload)


@pytest.mark.parametrize(("kind", "payload", "method"), [
    ("replenish_request", _request(), "request_replenishment"),
    ("par_level_set", {"location": "WARD-3B", "gtin": GTIN, "minimum": 2, "maximum": 6}, "set_par_level"),
    ("replenish_pick", _pick(), "pick_replenishment"),
    ("replenish_deliver", {"transfer": "WH/INT/00012", "location": "WARD-3B", "backorder": True}, "deliver_replenishment"),
])
def test_each_kind_goes_to_its_backend_method(kind: str, payload: dict, method: str) -> None:
    called: list[str] = []
    backend = FakeBackend()
    setattr(backend, method, lambda command: called.append(type(command).__name__) or backend._apply(command))
    assert apply(backend, parse(kind, OP, AT, payload)).went_through
    assert called == [type(parse(kind, OP, AT, payload)).__name__]


def test_requests_run_in_their_wards_lane_and_depend_on_their_product_line_only() -> None:
    request = parse("replenish_request", OP, AT, _request())
    assert lane_of(request) == "replenish-ward:WARD-3B"
    assert depends_on("replenish_request", lane_of(request), touches_of(request)) == {f"replenish-ward:WARD-3B|{GTIN}"}
    pick = parse("replenish_pick", OP, AT, _pick())
    deliver = parse("replenish_deliver", OP, AT, {"transfer": "WH/INT/00012", "location": "WARD-3B", "backorder": True})
    assert lane_of(pick) == lane_of(deliver) == "replenish-transfer:WH/INT/00012"
    assert depends_on("replenish_deliver", lane_of(deliver), touches_of(deliver)) == {"replenish-transfer:WH/INT/00012"}


def _statuses(factory: sessionmaker[Session]) -> dict[str, Status]:
    with factory() as session:
        return dict(session.execute(select(OutboxCommand.op_id, OutboxCommand.status)).all())


def _drain(worker: Worker) -> None:
    for _ in range(50):
        if worker.run_once() == 0:
            return


def test_a_parked_request_holds_back_its_product_at_its_ward_and_a_parked_pick_its_transfer(
        factory, backend: FakeBackend, clock: Clock, enqueue: Callable[..., str]) -> None:
    parked = enqueue("replenish_request", _request())  # no par level: parked
    same_product = enqueue("replenish_request", _request(quantity=5))
    other_product = enqueue("replenish_request", _request(gtin=OTHER))
    other_ward = enqueue("replenish_request", _request(location="WARD-ICU"))
    bad_pick = enqueue("replenish_pick", _pick(lot="NOT-IN-STORE"))
    deliver = enqueue("replenish_deliver", {"transfer": "WH/INT/00012", "location": "WARD-3B", "backorder": True})
    other_transfer = enqueue("replenish_pick", _pick(transfer="WH/INT/00013"))
    backend.faults.append(conflict_for({parked, bad_pick}))
    _drain(Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7)))
    statuses = _statuses(factory)
    assert (statuses[parked], statuses[bad_pick]) == (Status.CONFLICT, Status.CONFLICT)
    assert {op_id for op_id, status in statuses.items() if status == Status.QUEUED} == {same_product, deliver}
    assert {other_product, other_ward, other_transfer} <= set(backend.applied)


def test_a_request_waits_behind_an_earlier_delivery_to_its_ward(
        factory, backend: FakeBackend, clock: Clock, enqueue: Callable[..., str]) -> None:
    deliver = enqueue("replenish_deliver", {"transfer": "WH/INT/00012", "location": "WARD-3B", "backorder": False})
    request = enqueue("replenish_request", _request())
    backend.faults.append(down())  # the delivery fails for now and waits to be retried
    worker = Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7))
    _drain(worker)
    assert backend.calls[deliver] == 1 and backend.calls[request] == 0  # not onto the transfer being closed
    backend.faults.clear()
    clock.advance(hours=1)
    _drain(worker)
    assert list(backend.applied) == [deliver, request]
