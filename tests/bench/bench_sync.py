"""Sync benchmark (prints figures; not a test).

1. drain: 1,000 mixed commands (transfers, consumption, receipt lines, counts) queued, then
   drained by one worker into the sandbox: commands/s and backend calls per command.
2. ingest: the device API under 20 concurrent devices posting batches of 10 over loopback to
   gunicorn with production settings: commands/s accepted, and a count afterwards that none
   was lost or doubled.
3. odoo drain (when ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY are set):
   the same mix drained into that real Odoo, on products, lots and locations the benchmark
   creates for itself: commands/s and HTTP requests to Odoo per command.

    python tests/bench/bench_sync.py [--database-url URL] [--commands 1000] [--devices 20] [--odoo-commands 1000]

Without --database-url it uses a fresh SQLite file.
"""
import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.demo import load_demo
from app.extensions import db
from app.models import User
from app.services import devices, intake
from app.services.backend import inventory_backend
from app.services.sync import build_worker, refresh_catalog
from offline_sync.outbox.models import OutboxCommand
from offline_sync.persistence import utcnow
from tests.workload import Workload


class CountingBackend:
    """Counts calls into the real backend, per command."""

    def __init__(self, inner: object) -> None:
        self.inner, self.calls = inner, 0

    def __getattr__(self, name: str):
        method = getattr(self.inner, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return method(*args, **kwargs)

        return counted


def workload(app) -> Workload:
    with app.app_context():
        user_ids = {user.username: user.id for user in db.session.scalars(select(User))}
        return Workload(inventory_backend().catalog(), user_ids)


def drain(app, count: int) -> None:
    mix = workload(app)
    with app.app_context():
        users = {user.username: user for user in db.session.scalars(select(User))}
        device = devices.ensure(db.session, "bench-drain")
        for user in users.values():
            devices.link_user(db.session, device, user)
        commands = [mix.command(index) for index in range(count)]
        for start in range(0, count, 250):
            intake.accept(db.session, "bench-drain", commands[start:start + 250], None, "bench", utcnow())  # as with its token
        worker = build_worker(owner="bench")
        counting = CountingBackend(worker.backend)
        worker.backend = counting
        started = time.perf_counter()
        while worker.run_once():
            pass
        elapsed = time.perf_counter() - started
        statuses = Counter(status for (status,) in db.session.execute(select(OutboxCommand.status).where(OutboxCommand.device_id == "bench-drain")))
        print(f"drain  {count} commands into {worker.backend.inner.name}: {elapsed:.2f} s, {count / elapsed:.0f} commands/s, "
              f"{counting.calls / count:.2f} backend calls per command, outcomes {dict(statuses)}")


def _post(port: int, token: str, body: bytes) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/api/v1/commands", body, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    payload = json.loads(response.read() or b"{}")
    connection.close()
    return response.status, payload


def ingest(app, environment: dict[str, str], devices_count: int, batches: int, batch_size: int) -> None:
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


def odoo_drain(count: int, threads: int) -> None:
    """Drain `count` mixed commands into the configured Odoo through a bare outbox (no web app), by
    `threads` workers in threads of this process, as SYNC_THREADS runs them."""
    sys.path.insert(0, str(ROOT / "tests" / "contract"))
    from contract_world_odoo import make_world
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from offline_sync.backends.odoo.backend import OdooBackend
    from offline_sync.outbox.payloads import parse
    from offline_sync.outbox.store import Envelope, store
    from offline_sync.outbox.worker import Worker
    from offline_sync.persistence import Base

    world = make_world(os.environ)
    gtins = [world.product() for _ in range(4)]
    lots = [world.lot(gtin) for gtin in gtins]
    source, destinations = world.location(), [world.location() for _ in range(3)]
    for gtin, lot in zip(gtins, lots):
        world.put(gtin, lot, source, count)
    receipt = world.receipt(source, {gtins[0]: count})
    count_sites = [world.location() for _ in range(count // 10 + 1)]  # each count on a quant of its own
    rng, items = random.Random(3), []
    for index in range(count):
        pick = rng.randrange(4)
        line = [{"gtin": gtins[pick], "lot": lots[pick], "quantity": 1}]
        kind, payload = [
            ("transfer", {"source": source, "destination": rng.choice(destinations), "lines": line}),
            ("consume", {"location": source, "lines": line, "reference": f"CASE-{index}"}),
            ("receive", {"receipt": receipt, "lines": [{"gtin": gtins[0], "lot": world.unique("LOT"), "quantity": 1,
                                                        "expiry": "2030-01-31"}]}),
            ("count", {"location": count_sites[index // 10], "gtin": gtins[pick], "lot": lots[pick], "counted": 3}),
        ][(0, 0, 0, 0, 1, 1, 2, 2, 2, 3)[index % 10]]
        items.append((kind, payload))
    engine = create_engine(f"sqlite:///{tempfile.mkdtemp()}/outbox.sqlite")
    Base.metadata.create_all(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    now = utcnow()
    envelopes = []
    for index, (kind, payload) in enumerate(items):
        op_id = str(uuid.uuid4())
        envelopes.append(Envelope(op_id, kind, "bench-odoo", index, 1, "bench", now, payload, (), parse(kind, op_id, now, payload)))
    with factory() as session, session.begin():
        store(session, envelopes, now)
    claim_lock = threading.Lock()
    backends = [world.backend] + [OdooBackend(world.backend.settings) for _ in range(threads - 1)]
    workers = [Worker(factory, backend, owner=f"bench-odoo-{n}", claim_lock=claim_lock) for n, backend in enumerate(backends)]
    before = world.backend.requests

    def drain_with(worker: Worker) -> None:
        while worker.run_once() or _pending(factory):  # the rest may be with other threads, or wait behind them
            time.sleep(0.02)

    started = time.perf_counter()
    running = [threading.Thread(target=drain_with, args=(worker,)) for worker in workers]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    elapsed = time.perf_counter() - started
    sent = sum(backend.requests for backend in backends) - before
    with factory() as session:
        statuses = Counter(status for (status,) in session.execute(select(OutboxCommand.status)))
        kinds = Counter(kind for kind, _ in items)
    print(f"odoo   {count} commands ({dict(kinds)}) into Odoo {world.backend.session().odoo.version} at {os.environ['ODOO_URL']}, "
          f"{threads} sync thread(s): {elapsed:.1f} s, {count / elapsed:.1f} commands/s, {sent / count:.2f} requests to Odoo "
          f"per command (signing in included), outcomes {dict(statuses)}")


def _pending(factory) -> bool:
    """Whether commands are still waiting or being worked (parked ones are not)."""
    from offline_sync.outbox.models import Status

    waiting = (Status.QUEUED, Status.RETRYING, Status.SYNCING)
    with factory() as session:
        return bool(session.scalar(select(func.count()).select_from(OutboxCommand).where(OutboxCommand.status.in_(waiting))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--batches", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--odoo-commands", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1, help="sync threads for the Odoo drain (SYNC_THREADS)")
    parser.add_argument("--only-odoo", action="store_true", help="skip the sandbox drain and the ingest")
    args = parser.parse_args()
    if os.environ.get("ODOO_URL"):
        odoo_drain(args.odoo_commands, args.threads)
    else:
        print("odoo   SKIPPED: set ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD (or ODOO_API_KEY) to drain into a real Odoo")
    if args.only_odoo:
        return
    instance = Path(tempfile.mkdtemp(prefix="wardstock-bench-"))
    environment = {**os.environ, "WARDSTOCK_ENV": "development", "WARDSTOCK_INSTANCE": str(instance), "SECRET_KEY": "bench",
                   "DATABASE_URL": args.database_url or f"sqlite:///{instance / 'bench.sqlite'}", "LOG_LEVEL": "WARNING"}
    app = create_app(environment)
    with app.app_context():
        upgrade()
        load_demo(db.session, datetime.now(UTC).date())
        refresh_catalog()
    print(f"database {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}, backend {app.config['WARDSTOCK_BACKEND']}")
    drain(app, args.commands)
    ingest(app, environment, args.devices, args.batches, args.batch_size)


if __name__ == "__main__":
    main()
