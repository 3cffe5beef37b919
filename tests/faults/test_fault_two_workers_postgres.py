"""Two worker processes on a real PostgreSQL drain one queue: no command is claimed twice,
every effect lands once, and both workers share the work."""
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.demo import load_demo
from app.extensions import db
from app.models import User
from app.services import devices, intake
from app.services.sync import refresh_catalog
from offline_sync.backends.sandbox.models import SandboxPicking
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.persistence import utcnow
from tests.postgres import fresh_database
from tests.support import environ_for_tests, make_app

COMMANDS = 300
ROOT = Path(__file__).resolve().parents[2]
LOTS = [("05012345100029", "SYR10-2501"), ("05012345100036", "GZ-2512"), ("05012345100050", "NS500-02"), ("05012345100012", "IVC20-C260")]
DESTINATIONS = ["WARD-3B-SUPPLY", "WARD-ICU-CART", "WARD-ED-RESUS", "WARD-3B", "WARD-ICU", "WARD-ED"]


def _command(index: int, user_id: int) -> dict:
    """Transfers out of the central store (one lane) and unplanned receipts into the wards (a lane
    each), so that the two workers always have lanes to work side by side."""
    gtin, lot = LOTS[index % len(LOTS)]
    destination = DESTINATIONS[index % len(DESTINATIONS)]
    lines = [{"gtin": gtin, "lot": lot, "quantity": 1}]
    kind, payload = (("transfer", {"source": "CS-STOCK", "destination": destination, "lines": lines}) if index % 2 == 0
                     else ("receive_unplanned", {"destination": destination, "lines": lines}))
    return {"op_id": str(uuid.uuid4()), "kind": kind, "device_seq": index, "user_id": user_id,
            "captured_at": datetime.now(UTC).isoformat(), "payload": payload}


def _wait_until_started(logs: list[Path], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not all(log.exists() and "started" in log.read_text() for log in logs):
        assert time.monotonic() < deadline, "the sync workers did not start: " + " | ".join(log.read_text()[-500:] for log in logs)
        time.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.faults
def test_two_workers_on_postgresql_never_work_the_same_command(postgres_url: str, tmp_path: Path) -> None:
    url = fresh_database(postgres_url, "two_workers")
    app = make_app(url, tmp_path)
    with app.app_context():
        upgrade()
        load_demo(db.session, datetime.now(UTC).date())
        refresh_catalog()
        store = db.session.scalar(select(User).where(User.username == "store"))
        devices.link_user(db.session, devices.ensure(db.session, "pg-device"), store)
        db.session.commit()
        batch = [_command(index, store.id) for index in range(COMMANDS)]
        db.engine.dispose()

    environment = {**os.environ, **environ_for_tests(url, tmp_path), "PYTHONPATH": str(ROOT)}
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    workers = [
        subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "sync", "worker", "--idle", "0.05"],
                         cwd=ROOT, env=environment, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        for log in logs
    ]
    try:
        _wait_until_started(logs)  # else on a busy machine the first one up may drain the queue alone
        with app.app_context():
            store = db.session.scalar(select(User).where(User.username == "store"))
            results = intake.accept(db.session, "pg-device", batch, store, "127.0.0.1", utcnow())
            assert {result.answer for result in results} == {"accepted"}
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                db.session.expire_all()
                if db.session.scalar(select(func.count()).where(OutboxCommand.status != Status.DONE)) == 0:
                    break
                time.sleep(0.5)
            rows = db.session.scalars(select(OutboxCommand)).all()
            assert {row.status for row in rows} == {Status.DONE}
            assert {row.attempts for row in rows} == {1}, "a command was claimed more than once"
            effects = Counter(dict(db.session.execute(
                select(SandboxPicking.origin, func.count()).where(SandboxPicking.origin.like("WS-%")).group_by(SandboxPicking.origin)).all()))
            assert set(effects.values()) == {1} and len(effects) == COMMANDS
            db.engine.dispose()
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
    applied_by = [sum('"applied"' in line or " applied" in line for line in log.read_text().splitlines()) for log in logs]
    assert all(count > 0 for count in applied_by), f"one worker did all the work: {applied_by}"
    print(f"\ntwo workers on PostgreSQL: {applied_by} commands each, none twice")
