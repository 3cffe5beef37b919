"""A worker frozen (SIGSTOP) between its call to a real Odoo and the record of its outcome, past its
lease, while a second worker takes the command over: Odoo holds the command once (issue 19, item 1).

Wardstock cannot add a constraint to Odoo, so this rests on the lease rules (no write starts with less
lease left than ODOO_TIMEOUT; a late record is fenced out) and on the key every Odoo write looks for
first. Runs when ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY or ODOO_PASSWORD are set; skipped loudly
otherwise. The outbox is on PostgreSQL, as for several workers in production."""
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.odoo.backend import OdooBackend
from offline_sync.backends.odoo.settings import OdooSettings
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.worker import Worker
from tests.faults.lease_world import enqueue, lease_database, transfer
from tests.faults.test_fault_lease_outlived_postgres import _wait_frozen

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "tests" / "contract"
ODOO_TIMEOUT = 10  # seconds: the lease is twice that, as the configuration requires


def _status(factory: sessionmaker[Session], op_id: str) -> Status:
    with factory() as session:
        return session.scalar(select(OutboxCommand.status).where(OutboxCommand.op_id == op_id))


@pytest.mark.postgres
@pytest.mark.faults
def test_a_worker_frozen_between_its_odoo_call_and_its_record_doubles_nothing_in_odoo(postgres_url: str, tmp_path: Path) -> None:
    try:
        settings = replace(OdooSettings.from_environment(os.environ), timeout=ODOO_TIMEOUT)
    except ValueError as error:
        pytest.skip(f"ODOO NOT CONFIGURED, the frozen worker not checked against a real Odoo: {error}")
    if str(CONTRACT) not in sys.path:
        sys.path.insert(0, str(CONTRACT))
    from contract_world_odoo import make_world

    world = make_world(os.environ)
    gtin, source, destination = world.product(), world.location(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, source, 10)
    url, factory = lease_database(postgres_url, "lease_odoo")
    [op_id] = enqueue(factory, [transfer(gtin, lot, destination, 2, source=source)])
    lease = timedelta(seconds=2 * ODOO_TIMEOUT)
    log = tmp_path / "frozen.log"
    frozen = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.frozen_worker", url, "odoo-after-call", str(lease.total_seconds())],
        cwd=ROOT, env={**os.environ, "ODOO_TIMEOUT": str(ODOO_TIMEOUT)}, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    try:
        _wait_frozen(frozen, log, seconds=120)  # Odoo created and validated the picking; nothing recorded yet
        time.sleep(lease.total_seconds() + 1)
        second = Worker(factory, OdooBackend(settings), owner="second", lease=lease, write_timeout=timedelta(seconds=ODOO_TIMEOUT))
        deadline = time.monotonic() + 180
        while _status(factory, op_id) != Status.DONE and time.monotonic() < deadline:  # a busy Odoo may time out: retried
            second.run_once()
            time.sleep(0.5)
        frozen.send_signal(signal.SIGCONT)  # the frozen one records its outcome now: it must be fenced out
        assert frozen.wait(timeout=120) == 0, log.read_text()
    finally:
        if frozen.poll() is None:
            frozen.send_signal(signal.SIGCONT)
            frozen.kill()
    with factory() as session:
        row = session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == op_id))
    assert row.status == Status.DONE and row.attempts >= 2, (row.status, row.attempts, row.last_error, log.read_text())
    pickings = world._call("stock.picking", "search_count", [("origin", "=", f"WS-{op_id}")])
    assert pickings == 1, f"Odoo holds {pickings} pickings for one transfer\n{log.read_text()}"
    assert (world.on_hand(gtin, lot, source), world.on_hand(gtin, lot, destination)) == (8, 2)
