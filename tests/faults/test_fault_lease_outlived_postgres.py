"""A worker that outlives its lease never makes another worker apply a command again (issue 19, item 1).

On a real PostgreSQL, with the sandbox ledger in the outbox's database and leases of a few seconds:
- a lock held on `sandbox_picking` for longer than the lease stalls two workers: each command still
  lands once (the stalled worker's transaction holds its command's row, so no other worker can claim it);
- a worker process frozen with SIGSTOP in the middle of its sandbox transaction, past its lease,
  while a second worker runs, then continued with SIGCONT: nothing doubles.
"""
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.worker import Worker
from tests.faults.lease_world import GLOVES, SYRINGES, enqueue, lease_database, pickings_per_op, transfer

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(seconds=3)
WARDS = ["WARD-3B-SUPPLY", "WARD-ICU-CART", "WARD-ED-RESUS"]


def _worker(factory: sessionmaker[Session], owner: str) -> Worker:
    return Worker(factory, SandboxBackend(factory), owner=owner, lease=LEASE)


@contextmanager
def _running(workers: list[Worker]) -> Iterator[None]:
    stop = threading.Event()
    threads = [threading.Thread(target=worker.run, args=(stop, 0.05), name=worker.owner) for worker in workers]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)


def _wait_until_done(factory: sessionmaker[Session], op_ids: list[str], seconds: float = 90) -> dict[str, Status]:
    deadline = time.monotonic() + seconds
    while True:
        with factory() as session:
            statuses = dict(session.execute(select(OutboxCommand.op_id, OutboxCommand.status).where(OutboxCommand.op_id.in_(op_ids))).all())
        if set(statuses.values()) == {Status.DONE} or time.monotonic() > deadline:
            return statuses
        time.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.faults
def test_a_stall_longer_than_the_lease_applies_each_command_once(postgres_url: str) -> None:
    url, factory = lease_database(postgres_url, "lease_stall")
    op_ids = enqueue(factory, [transfer(SYRINGES, "SYR10-2501", WARDS[n % 3]) for n in range(10)])
    locker = create_engine(url).connect()
    stall = locker.begin()
    locker.execute(text("LOCK TABLE sandbox_picking IN EXCLUSIVE MODE"))  # reads pass, new pickings wait
    first, second = _worker(factory, "first"), _worker(factory, "second")
    with _running([first]):
        time.sleep(0.5)  # the first claims the lane and stalls on the lock
        with _running([second]):
            time.sleep(LEASE.total_seconds() + 5)  # the stall outlasts the first one's lease
            stall.commit()
            statuses = _wait_until_done(factory, op_ids)
    locker.close()
    assert set(statuses.values()) == {Status.DONE}, statuses
    applied = pickings_per_op(factory, op_ids)
    assert set(applied.values()) == {1}, f"applied more than once: {[op for op, n in applied.items() if n != 1]}"


def _state(process: subprocess.Popen) -> str:
    return Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _wait_frozen(process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while _state(process) != "T":
        assert process.poll() is None and time.monotonic() < deadline, f"the worker did not freeze: {log.read_text()}"
        time.sleep(0.05)


@pytest.mark.postgres
@pytest.mark.faults
def test_a_worker_frozen_mid_transaction_past_its_lease_doubles_nothing(postgres_url: str, tmp_path: Path) -> None:
    url, factory = lease_database(postgres_url, "lease_freeze")
    store_lane = enqueue(factory, [transfer(SYRINGES, "SYR10-2501", WARDS[n % 3]) for n in range(5)])
    other_lane = enqueue(factory, [transfer(GLOVES, "GLV-M-01", "WARD-3B-SUPPLY", source="WARD-ED-RESUS") for _ in range(3)])
    log = tmp_path / "frozen.log"
    frozen = subprocess.Popen([sys.executable, "-m", "tests.faults.frozen_worker", url, "sandbox-before-commit",
                               str(LEASE.total_seconds())], cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        _wait_frozen(frozen, log)
        with _running([_worker(factory, "second")]):
            time.sleep(LEASE.total_seconds() + 4)  # the frozen one's lease runs out while the second one works
            frozen.send_signal(signal.SIGCONT)
            assert frozen.wait(timeout=60) == 0, log.read_text()
            statuses = _wait_until_done(factory, store_lane + other_lane)
    finally:
        if frozen.poll() is None:
            frozen.send_signal(signal.SIGCONT)
            frozen.kill()
    assert set(statuses.values()) == {Status.DONE}, statuses
    applied = pickings_per_op(factory, store_lane + other_lane)
    assert set(applied.values()) == {1}, f"applied more than once: {[op for op, n in applied.items() if n != 1]}\n{log.read_text()}"
