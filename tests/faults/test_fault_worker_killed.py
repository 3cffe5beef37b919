"""kill -9 the sync worker at random moments while it drains 500 mixed commands into the
sandbox, restart it each time, and show every command ended exactly once: each op_id's
effect is counted in the ledger through the idempotency keys the backend stores."""
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.demo import load_demo
from app.extensions import db
from app.models import User
from app.services import devices, intake
from app.services.backend import inventory_backend
from app.services.sync import refresh_catalog
from offline_sync.backends.sandbox.models import SandboxMove, SandboxPicking
from offline_sync.outbox.models import FINAL_STATUSES, OutboxCommand, Status
from offline_sync.persistence import utcnow
from tests.support import environ_for_tests, make_app
from tests.workload import Workload

COMMANDS = 500
KILLS = 6
ROOT = Path(__file__).resolve().parents[2]

def _start_worker(environment: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "sync", "worker", "--idle", "0.05"],
        cwd=ROOT, env=environment, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )


@pytest.mark.faults
def test_worker_killed_at_random_moments_applies_every_command_exactly_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wardstock.sqlite'}"
    app = make_app(url, tmp_path)
    rng = random.Random(20261122)
    op_ids: dict[str, str] = {}
    with app.app_context():
        upgrade()
        load_demo(db.session, datetime.now(timezone.utc).date())
        refresh_catalog()
        users = {user.username: user for user in db.session.scalars(select(User))}
        workload = Workload(inventory_backend().catalog(), {name: user.id for name, user in users.items()}, seed=20261122)
        device = devices.ensure(db.session, "fault-device")
        for user in users.values():  # each of them logged in on the handheld at some point
            devices.link_user(db.session, device, user)
        for batch_start in range(0, COMMANDS, 50):
            batch = [workload.command(index) for index in range(batch_start, batch_start + 50)]
            op_ids.update({item["op_id"]: item["kind"] for item in batch})
            results = intake.accept(db.session, "fault-device", batch, users["supervisor"], "127.0.0.1", utcnow())
            assert all(result.answer == "accepted" for result in results), [r.message for r in results if r.message][:3]

    environment = {**os.environ, **environ_for_tests(url, tmp_path), "SYNC_LEASE_SECONDS": "1", "PYTHONPATH": str(ROOT)}
    log = tmp_path / "worker.log"
    worker = _start_worker(environment, log)
    kills = 0
    deadline = time.monotonic() + 240
    with app.app_context():
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(0.3, 1.5))
            db.session.expire_all()
            open_count = db.session.scalar(select(func.count()).where(OutboxCommand.status.not_in(FINAL_STATUSES)))
            if open_count == 0:
                break
            if kills < KILLS:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                kills += 1
                worker = _start_worker(environment, log)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

        rows = {row.op_id: row for row in db.session.scalars(select(OutboxCommand))}
        unfinished = [(row.kind, row.status, row.conflict_message) for row in rows.values() if row.status != Status.DONE]
        assert kills == KILLS, f"the drain finished before all kills ({kills}); make it longer"
        assert unfinished == [], f"{len(unfinished)} commands did not end done: {unfinished[:3]}"
        assert len(rows) == COMMANDS

        picking_origins = dict(db.session.execute(
            select(SandboxPicking.origin, func.count()).where(SandboxPicking.backorder_id.is_(None)).group_by(SandboxPicking.origin)).all())
        move_keys = dict(db.session.execute(select(SandboxMove.origin, func.count()).group_by(SandboxMove.origin)).all())
        count_refs = dict(db.session.execute(select(SandboxMove.reference, func.count()).group_by(SandboxMove.reference)).all())
        for op_id, kind in op_ids.items():
            effects = {
                "transfer": picking_origins.get(f"WS-{op_id}", 0),
                "consume": picking_origins.get(f"WS-{op_id}", 0),
                "receive": move_keys.get(f"WS-{op_id}/0", 0),  # the key of its first line
                "count": count_refs.get(f"COUNT-{op_id}", 0),
            }[kind]
            assert effects == 1, f"{kind} {op_id} has {effects} effects in the ledger"
        retried = sum(row.attempts > 1 for row in rows.values())
        print(f"\nkill -9 x{kills}: {len(rows)} commands done, {retried} of them re-sent after a kill, every effect once")
