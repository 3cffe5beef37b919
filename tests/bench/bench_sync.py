"""Sync benchmark (prints figures; not a test).

1. drain: 1,000 mixed commands (transfers, consumption, receipt lines, counts) queued, then
   drained by one worker into the backend: commands/s and backend calls per command.
2. ingest: the device API under 20 concurrent devices posting batches of 10 over loopback to
   gunicorn with production settings: commands/s accepted, and a count afterwards that none
   was lost or doubled.

    python tests/bench/bench_sync.py [--database-url URL] [--commands 1000] [--devices 20]

Without --database-url it uses a fresh SQLite file. The backend is the sandbox unless
WARDSTOCK_BACKEND=odoo and the ODOO_* variables are set.
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.demo import load_demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import User  # noqa: E402
from app.services import devices, intake  # noqa: E402
from app.services.backend import inventory_backend  # noqa: E402
from app.services.sync import build_worker, refresh_catalog  # noqa: E402
from offline_sync.outbox.models import OutboxCommand  # noqa: E402
from offline_sync.persistence import utcnow  # noqa: E402
from tests.workload import Workload  # noqa: E402


class CountingBackend:
    """Counts calls into the real backend, per command."""

    def __init__(self, inner: object) -> None:
        self.inner, self.calls = inner, 0

    def __getattr__(self, name: str):  # noqa: ANN204
        method = getattr(self.inner, name)

        def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.calls += 1
            return method(*args, **kwargs)

        return counted


def workload(app) -> Workload:  # noqa: ANN001
    with app.app_context():
        user_ids = {user.username: user.id for user in db.session.scalars(select(User))}
        return Workload(inventory_backend().catalog(), user_ids)


def drain(app, count: int) -> None:  # noqa: ANN001
    mix = workload(app)
    with app.app_context():
        users = {user.username: user for user in db.session.scalars(select(User))}
        device = devices.ensure(db.session, "bench-drain")
        for user in users.values():
            devices.link_user(db.session, device, user)
        commands = [mix.command(index) for index in range(count)]
        for start in range(0, count, 250):
            intake.accept(db.session, "bench-drain", commands[start:start + 250], users["supervisor"], "bench", utcnow())
        worker = build_worker(owner="bench")
        counting = CountingBackend(worker.backend)
        worker.backend = counting
        rpc = getattr(worker.backend.inner, "rpc_calls", None)
        started = time.perf_counter()
        while worker.run_once():
            pass
        elapsed = time.perf_counter() - started
        statuses = Counter(status for (status,) in db.session.execute(select(OutboxCommand.status).where(OutboxCommand.device_id == "bench-drain")))
        print(f"drain  {count} commands into {worker.backend.inner.name}: {elapsed:.2f} s, {count / elapsed:.0f} commands/s, "
              f"{counting.calls / count:.2f} backend calls per command, outcomes {dict(statuses)}")
        if rpc is not None:
            print(f"       {rpc() / count:.2f} RPC calls per command")


def _post(port: int, token: str, body: bytes) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/api/v1/commands", body, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    payload = json.loads(response.read() or b"{}")
    connection.close()
    return response.status, payload


def ingest(app, environment: dict[str, str], devices_count: int, batches: int, batch_size: int) -> None:  # noqa: ANN001
    mixes = [workload(app) for _ in range(devices_count)]
    with app.app_context():
        users = {user.username: user for user in db.session.scalars(select(User))}
        tokens = []
        for index in range(devices_count):
            tokens.append(devices.register(db.session, f"bench-device-{index:03d}", "bench", users["supervisor"], "bench"))
            device = devices.ensure(db.session, f"bench-device-{index:03d}")
            for user in users.values():
                devices.link_user(db.session, device, user)
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(OutboxCommand))
    port = 18765
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "4", "--threads", "4",
         "--worker-class", "gthread", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=environment,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        latencies: list[float] = []
        results: Counter[str] = Counter()
        lock = threading.Lock()

        def device(index: int) -> None:
            for batch_number in range(batches):
                commands = [mixes[index].command(batch_number * batch_size + n) for n in range(batch_size)]
                body = json.dumps({"device_id": f"bench-device-{index:03d}", "commands": commands}).encode()
                started = time.perf_counter()
                status, payload = _post(port, tokens[index], body)
                with lock:
                    latencies.append(time.perf_counter() - started)
                    results.update([f"http {status}"] + [r["result"] for r in payload.get("results", [])])

        threads = [threading.Thread(target=device, args=(index,)) for index in range(devices_count)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    sent = devices_count * batches * batch_size
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(OutboxCommand)) - before
    latencies.sort()
    print(f"ingest {devices_count} devices x {batches} batches x {batch_size}: {sent / elapsed:.0f} commands/s accepted, "
          f"batch p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms; "
          f"answers {dict(results)}; sent {sent}, stored {stored} ({'none lost or doubled' if stored == sent == results['accepted'] else 'MISMATCH'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--batches", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=10)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="wardstock-bench-"))
    environment = {**os.environ, "WARDSTOCK_ENV": "development", "WARDSTOCK_INSTANCE": str(instance), "SECRET_KEY": "bench",
                   "DATABASE_URL": args.database_url or f"sqlite:///{instance / 'bench.sqlite'}", "LOG_LEVEL": "WARNING"}
    app = create_app(environment)
    with app.app_context():
        upgrade()
        load_demo(db.session, datetime.now(timezone.utc).date())
        refresh_catalog()
    print(f"database {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}, backend {app.config['WARDSTOCK_BACKEND']}")
    drain(app, args.commands)
    ingest(app, environment, args.devices, args.batches, args.batch_size)


if __name__ == "__main__":
    main()
