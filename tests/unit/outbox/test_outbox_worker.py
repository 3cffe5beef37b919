"""The worker: order per lane, parking per dependency, retries with backoff, the circuit breaker,
leases that expire, poison commands, and exactly-once through the backend's idempotency."""
import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import ConflictKind
from offline_sync.outbox.models import OutboxCommand, Status, WorkerState
from offline_sync.outbox.retry import CircuitBreaker, RetryPolicy
from offline_sync.outbox.worker import Worker
from tests.fakes import conflict_for, down, raises_for
from tests.unit.outbox.conftest import transfer_payload


def _worker(factory, backend, clock, owner: str = "w1", **options) -> Worker:
    return Worker(factory, backend, owner=owner, clock=clock, rng=random.Random(7), **options)


def _rows(factory: sessionmaker[Session]) -> dict[str, OutboxCommand]:
    with factory() as session:
        return {row.op_id: row for row in session.scalars(select(OutboxCommand))}


def _drain(worker: Worker, rounds: int = 50) -> None:
    for _ in range(rounds):
        if worker.run_once() == 0:
            return


def test_commands_end_done_with_the_backends_references(factory, backend, clock, enqueue) -> None:
    ids = [enqueue() for _ in range(3)]
    _drain(_worker(factory, backend, clock))
    rows = _rows(factory)
    assert [rows[op_id].status for op_id in ids] == [Status.DONE] * 3
    assert rows[ids[0]].refs == {"reference": f"FAKE/{ids[0][:8]}"}
    assert backend.calls == {op_id: 1 for op_id in ids}


def test_one_lane_is_worked_in_arrival_order_in_runs(factory, backend, clock, enqueue) -> None:
    same_lane = [enqueue(payload=transfer_payload(lot=f"L{i}")) for i in range(3)]
    other_lane = enqueue(payload=transfer_payload(source="WARD-ICU", lot="L9"))
    worker = _worker(factory, backend, clock, run_length=2)
    first_round = worker.claim(limit=10)
    assert [[item.op_id for item in run] for run in first_round] == [same_lane[:2], [other_lane]]
    assert worker.claim(limit=10) == []  # the rest of the lane waits behind the claimed run
    for run in first_round:
        worker.work(run)
    _drain(worker)
    assert list(backend.applied) == [*same_lane[:2], other_lane, same_lane[2]]


def test_a_run_stops_at_a_conflict_and_hands_the_rest_back_untried(factory, backend, clock, enqueue) -> None:
    first, short, after = (enqueue(payload=transfer_payload(lot=lot)) for lot in ("L1", "SHORT", "L3"))
    backend.faults.append(conflict_for({short}))
    worker = _worker(factory, backend, clock)
    [run] = worker.claim(limit=10)
    assert [item.op_id for item in run] == [first, short, after]
    worker.work(run)
    rows = _rows(factory)
    assert (rows[first].status, rows[short].status) == (Status.DONE, Status.CONFLICT)
    assert rows[after].status == Status.QUEUED and rows[after].attempts == 0 and after not in backend.calls
    _drain(worker)  # it touches another quant than the parked one: it goes on
    assert _rows(factory)[after].status == Status.DONE and backend.calls[after] == 1


def test_a_run_never_takes_what_an_earlier_command_of_another_lane_holds(factory, backend, clock, enqueue) -> None:
    head = enqueue(payload=transfer_payload(source="CS-STOCK", destination="WARD-3B", lot="L1"))
    # WARD-ICU's transfer into CS-STOCK touches the quant the next CS-STOCK command takes from.
    other = enqueue(payload=transfer_payload(source="WARD-ICU", destination="CS-STOCK", lot="L2"))
    behind = enqueue(payload=transfer_payload(source="CS-STOCK", destination="WARD-3B", lot="L2"))
    runs = _worker(factory, backend, clock).claim(limit=10)
    assert [[item.op_id for item in run] for run in runs] == [[head], [other]]
    assert behind not in {item.op_id for run in runs for item in run}


def test_a_conflict_holds_back_only_what_depends_on_it(factory, backend, clock, enqueue) -> None:
    parked = enqueue(payload=transfer_payload(lot="SHORT"))
    dependent = enqueue(payload=transfer_payload(lot="SHORT"))  # same quant
    independent = enqueue(payload=transfer_payload(lot="OTHER"))  # same lane, other quant
    backend.faults.append(conflict_for({parked}))
    _drain(_worker(factory, backend, clock))
    rows = _rows(factory)
    assert rows[parked].status == Status.CONFLICT
    assert rows[parked].conflict_kind == ConflictKind.INSUFFICIENT_STOCK
    assert rows[parked].conflict_detail == {"on_hand": 1}
    assert rows[dependent].status == Status.QUEUED and dependent not in backend.calls
    assert rows[independent].status == Status.DONE


def test_transient_failures_retry_with_growing_jittered_delays(factory, backend, clock, enqueue) -> None:
    op_id = enqueue()
    backend.faults.append(down())
    worker = _worker(factory, backend, clock, breaker=CircuitBreaker(threshold=100))
    delays = []
    for _ in range(5):
        worker.run_once()
        row = _rows(factory)[op_id]
        assert row.status == Status.RETRYING and "Connection refused" in row.last_error
        delays.append((row.next_attempt_at - clock()).total_seconds())
        clock.advance(seconds=delays[-1] + 0.001)
    ceilings = [min(300, 2 * 2**attempt) for attempt in range(1, 6)]
    assert all(0 <= delay <= ceiling for delay, ceiling in zip(delays, ceilings))
    assert len(set(delays)) == 5  # jittered, not lock-step
    backend.faults.clear()
    worker.run_once()
    assert _rows(factory)[op_id].status == Status.DONE


def test_the_circuit_opens_when_the_backend_is_down_and_closes_when_it_is_back(factory, backend, clock, enqueue) -> None:
    ids = [enqueue(payload=transfer_payload(source=f"LOC-{i}", lot=f"L{i}")) for i in range(10)]
    backend.faults.append(down())
    breaker = CircuitBreaker(threshold=3, cooldown=timedelta(seconds=30))
    worker = _worker(factory, backend, clock, breaker=breaker, retry=RetryPolicy(base=timedelta(seconds=1)))
    worker.run_once()
    assert sum(backend.calls.values()) == 3  # the rest of the round was handed back untouched
    assert not breaker.allows(clock())
    with factory() as session:
        assert session.get(WorkerState, "w1").breaker_open_until == breaker.open_until
    assert worker.run_once() == 0 and sum(backend.calls.values()) == 3  # no hammering while open
    clock.advance(seconds=31)
    worker.run_once()  # half-open: one trial call, which fails again
    assert sum(backend.calls.values()) == 4 and not breaker.allows(clock())
    backend.faults.clear()
    clock.advance(minutes=2)
    _drain(worker)
    assert all(row.status == Status.DONE for row in _rows(factory).values())
    assert set(backend.applied) == set(ids)


def test_a_poison_command_is_parked_and_does_not_block_its_neighbours(factory, backend, clock, enqueue) -> None:
    poison = enqueue(payload=transfer_payload(lot="POISON"))
    neighbour = enqueue(payload=transfer_payload(lot="FINE"))
    other_lane = enqueue(payload=transfer_payload(source="WARD-ICU", lot="L9"))
    backend.faults.append(raises_for({poison}))
    worker = _worker(factory, backend, clock, retry=RetryPolicy(max_attempts=3), breaker=CircuitBreaker(threshold=100))
    for _ in range(10):
        worker.run_once()
        clock.advance(minutes=10)
    rows = _rows(factory)
    assert rows[poison].status == Status.CONFLICT and rows[poison].conflict_kind == "sync_failed"
    assert "Gave up after 3 attempts" in rows[poison].conflict_message and "poison" in rows[poison].conflict_message
    assert rows[neighbour].status == Status.DONE and rows[other_lane].status == Status.DONE


def test_a_worker_that_dies_after_applying_is_taken_over_and_applied_once(factory, backend, clock, enqueue) -> None:
    op_id = enqueue()
    dying = _worker(factory, backend, clock, owner="dies", lease=timedelta(seconds=30))
    [[item]] = dying.claim(limit=1)
    from offline_sync.outbox.dispatch import apply
    from offline_sync.outbox.resolutions import effective_command

    apply(backend, effective_command(item.kind, item.op_id, item.captured_at, item.payload, {}))  # reached the backend, then the process died
    survivor = _worker(factory, backend, clock, owner="lives")
    assert survivor.run_once() == 0  # the lease still runs
    clock.advance(seconds=31)
    assert survivor.run_once() == 1
    row = _rows(factory)[op_id]
    assert row.status == Status.DONE and row.attempts == 2
    assert backend.calls[op_id] == 2 and list(backend.applied) == [op_id]  # sent twice, took effect once


def test_a_late_outcome_from_a_worker_that_lost_its_lease_is_not_recorded(factory, backend, clock, enqueue) -> None:
    op_id = enqueue()
    slow = _worker(factory, backend, clock, owner="slow", lease=timedelta(seconds=30))
    [[item]] = slow.claim(limit=1)
    clock.advance(seconds=31)
    fast = _worker(factory, backend, clock, owner="fast")
    backend.faults.append(conflict_for({op_id}))
    fast.run_once()  # takes over and parks it
    backend.faults.clear()
    slow.work([item])  # the slow one finally answers "applied"
    assert _rows(factory)[op_id].status == Status.CONFLICT  # the fast one's record stands


def test_workers_in_threads_of_one_process_apply_each_command_once_in_lane_order(factory, backend, clock, enqueue) -> None:
    lanes = {f"LOC-{n}": [enqueue(payload=transfer_payload(source=f"LOC-{n}", lot=f"L{i}")) for i in range(12)] for n in range(4)}
    claim_lock = threading.Lock()
    workers = [_worker(factory, backend, clock, owner=f"t{n}", run_length=3, claim_lock=claim_lock) for n in range(3)]
    threads = [threading.Thread(target=_drain, args=(worker, 200)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(row.status == Status.DONE for row in _rows(factory).values())
    assert set(backend.calls.values()) == {1}
    order = list(backend.applied)
    for sent in lanes.values():
        assert sorted(sent, key=order.index) == sent  # each location's moves reached the backend in order


def test_the_outbox_database_out_of_reach_does_not_end_the_worker(factory, backend, clock, enqueue, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    import offline_sync.outbox.worker as worker_module

    op_id = enqueue()
    worker = _worker(factory, backend, clock)
    stop = threading.Event()
    outages = iter([OperationalError("SELECT 1", {}, Exception("connection is bad"))] * 2)

    def round_or_outage() -> None:
        if (outage := next(outages, None)) is not None:
            raise outage
        if op_id in backend.applied:
            stop.set()

    monkeypatch.setattr(worker_module, "DATABASE_WAIT_SECONDS", 0)
    worker.run(stop, idle_seconds=0, before_round=round_or_outage)  # returns once the command went through
    assert _rows(factory)[op_id].status == Status.DONE


def test_a_claim_takes_at_most_its_batch_of_commands_and_leaves_the_rest_to_other_workers(factory, backend, clock, enqueue) -> None:
    for n in range(4):
        for i in range(5):
            enqueue(payload=transfer_payload(source=f"LOC-{n}", lot=f"L{n}-{i}"))  # nothing shared between lanes
    first = _worker(factory, backend, clock, owner="first", batch=8).claim(limit=8)
    second = _worker(factory, backend, clock, owner="second", batch=8).claim(limit=8)
    assert sum(map(len, first)) == 8 and sum(map(len, second)) == 8
    assert not {item.op_id for run in first for item in run} & {item.op_id for run in second for item in run}


def test_a_worker_whose_lease_was_taken_over_sends_nothing_more(factory, backend, clock, enqueue) -> None:
    op_id = enqueue()
    slow = _worker(factory, backend, clock, owner="slow", lease=timedelta(seconds=30))
    [[item]] = slow.claim(limit=1)
    clock.advance(seconds=31)  # slow stalled past its lease
    fast = _worker(factory, backend, clock, owner="fast")
    assert fast.run_once() == 1
    slow.work([item])  # it wakes up: its lease is checked before the write, and it writes nothing
    assert backend.calls[op_id] == 1 and _rows(factory)[op_id].attempts == 2


def test_a_write_is_not_started_with_less_lease_left_than_its_own_timeout(factory, backend, clock, enqueue) -> None:
    op_id = enqueue()
    worker = _worker(factory, backend, lambda: clock.now, lease=timedelta(seconds=30), write_timeout=timedelta(seconds=10))
    [[item]] = worker.claim(limit=1)
    stalls = iter([0, 25])  # renewing the lease took 25 s (a database stall): 5 s would be left for the write

    def stalling_clock():
        clock.advance(seconds=next(stalls, 0))
        return clock.now

    worker.clock = stalling_clock
    worker.work([item])
    row = _rows(factory)[op_id]
    assert op_id not in backend.calls and row.status == Status.QUEUED and row.attempts == 0  # handed back untried


def test_a_lease_shorter_than_the_write_timeout_is_refused(factory, backend, clock) -> None:
    with pytest.raises(ValueError, match="too short"):
        _worker(factory, backend, clock, lease=timedelta(seconds=10), write_timeout=timedelta(seconds=10))
