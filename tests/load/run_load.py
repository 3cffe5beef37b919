"""Load test (prints figures; not a test): simulated handhelds against gunicorn with the production
settings (gunicorn.conf.py, WARDSTOCK_ENV=production, behind a TLS proxy as TRUSTED_PROXIES=1 says)
and the sync worker beside it draining the outbox into the training sandbox. Loopback only.

For each number of handhelds: requests/s, p50/p95/p99 latency and errors over the measuring window,
per kind of request (pages and htmx fragments, catalog checks, status polls, command batches), the
CPU each part used and the load average. Afterwards every command a handheld was told "accepted"
(or "duplicate", when its first answer was lost) is counted in the outbox and the audit log: each
must be there exactly once, and nothing else.

    .venv/bin/python tests/load/run_load.py --devices 50,100,200 --seconds 60
    .venv/bin/python tests/load/run_load.py --database-url postgresql://odoo:odoo@127.0.0.1:5432/wsload_run --create-database

Without --database-url it uses a fresh SQLite file. --create-database creates that PostgreSQL
database first and drops it at the end. Options after `--` go to gunicorn (e.g. `-- --workers 3`).
"""
import argparse
import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app import create_app
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.models import AuditEvent, Device, User
from app.services import devices
from app.services.backend import inventory_backend
from app.services.sync import refresh_catalog
from offline_sync.outbox.models import OutboxCommand, Status
from tests.load import machine
from tests.load.client import Connection
from tests.load.handheld import PROTOCOLS, Handheld, Ledger, Recorder
from tests.workload import Workload

BIN = ROOT / ".venv" / "bin"
HANDHELD_USERS = ("nurse", "store", "supervisor", "auditor", "icu.nurse")  # who is logged in on each, in turn
MIX_USERS = ("store", "supervisor", "auditor")  # who captured tests.workload's commands
LOGINS_AT_ONCE = 4


@dataclass(frozen=True)
class Outbox:
    """The outbox at one moment: commands still open (queued, syncing, retrying) and settled ones."""

    open: int
    settled: int  # done, discarded or parked as a conflict: the worker is through with them
    total: int


@dataclass
class Step:
    devices: int
    seconds: float
    recorder: Recorder
    cores: dict[str, float]
    load_average: tuple[float, float, float]
    outbox_before: Outbox
    outbox_after: Outbox

    def latencies(self) -> list[float]:
        return sorted(latency for latencies in self.recorder.latencies.values() for latency in latencies)

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies()) / self.seconds

    @property
    def per_handheld_minute(self) -> float:
        return self.requests_per_second * 60 / self.devices

    @property
    def web_cpu_ms(self) -> float:
        """CPU of the web processes per request, in milliseconds."""
        return self.cores.get("web", 0.0) * 1000 / self.requests_per_second if self.requests_per_second else float("nan")

    @property
    def drained_per_second(self) -> float:
        return (self.outbox_after.settled - self.outbox_before.settled) / self.seconds

    @property
    def accepted_per_second(self) -> float:
        return (self.outbox_after.total - self.outbox_before.total) / self.seconds

    @property
    def errors(self) -> int:
        return sum(self.recorder.errors.values())


@dataclass
class Count:
    told_kept: int  # answered accepted, or duplicate after a lost answer
    accepted_twice: int
    rejected: int
    unanswered: int
    stored: int
    missing: int
    unexpected: int
    audited: int
    audited_twice: int

    @property
    def exact(self) -> bool:
        return (self.told_kept == self.stored == self.audited and not (self.accepted_twice or self.rejected or self.unanswered
                                                                       or self.missing or self.unexpected or self.audited_twice))


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))] if ordered else float("nan")


# --- the server under test ------------------------------------------------------------------------

def production_environment(database_url: str, instance: Path) -> dict[str, str]:
    return {**os.environ, "WARDSTOCK_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
            "WARDSTOCK_INSTANCE": str(instance), "WARDSTOCK_BACKEND": "sandbox", "TRUSTED_PROXIES": "1"}


def prepare_database(app: Flask) -> None:
    """Migrations, demo users and stock, the catalog cache: what `flask db upgrade`, `flask demo load`
    and `flask sync catalog` do."""
    with app.app_context():
        upgrade()
        load_demo(db.session, date.today())  # commits
        refresh_catalog()


@contextmanager
def created_postgres_database(url: str) -> Iterator[None]:
    """Create the database `url` names on its server, and drop it afterwards."""
    import psycopg

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{target.database}"')
    try:
        yield
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


@contextmanager
def running_server(environment: dict[str, str], port: int, gunicorn_args: list[str], logs: Path,
                   worker_nice: int) -> Iterator[dict[str, int]]:
    """gunicorn with gunicorn.conf.py and the sync worker beside it (at `worker_nice`), as `make run` starts them."""
    web_log, worker_log = (logs / "gunicorn.log").open("wb"), (logs / "worker.log").open("wb")
    web = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
                            *gunicorn_args, "wsgi:app"], cwd=ROOT, env=environment, stdout=web_log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen(["nice", "-n", str(worker_nice), str(BIN / "flask"), "--app", "wsgi", "sync", "worker"], cwd=ROOT,
                              env=environment, stdout=worker_log, stderr=subprocess.STDOUT)
    try:
        _wait_for_health(port, web)
        yield {"web": web.pid, "sync worker": worker.pid}
    finally:
        for process in (worker, web):
            process.send_signal(signal.SIGTERM)
        for process in (worker, web):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        web_log.close()
        worker_log.close()


def _wait_for_health(port: int, web: subprocess.Popen) -> None:
    async def healthy() -> bool:
        try:
            return (await Connection("127.0.0.1", port).request("GET", "/healthz", {}, timeout=2)).status == 200
        except OSError:
            return False

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start (exit {web.returncode}); see its log")
        if asyncio.run(healthy()):
            return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


# --- the handhelds --------------------------------------------------------------------------------

def workloads(app: Flask, count: int) -> list[Workload]:
    with app.app_context():
        user_ids = {user.username: user.id for user in db.session.scalars(select(User))}
        catalog = inventory_backend().catalog()
    return [Workload(catalog, user_ids, seed=index) for index in range(count)]


def link_mix_users(app: Flask, device_ids: list[str]) -> None:
    """The users whose commands tests.workload makes have each used every handheld during the shift."""
    with app.app_context():
        users = list(db.session.scalars(select(User).where(User.username.in_(MIX_USERS))))
        for device_id in device_ids:
            device = db.session.get(Device, device_id)
            for user in users:
                devices.link(db.session, device, user, "127.0.0.1")
        db.session.commit()


async def start_shift(handhelds: list[Handheld]) -> None:
    gate = asyncio.Semaphore(LOGINS_AT_ONCE)  # Argon2id per login: log in a few at a time, before measuring

    async def log_in(handheld: Handheld) -> None:
        async with gate:
            await handheld.log_in(DEMO_PASSWORD)

    await asyncio.gather(*(log_in(handheld) for handheld in handhelds))


def outbox(app: Flask) -> Outbox:
    with app.app_context():
        by_status = Counter(dict(db.session.execute(select(OutboxCommand.status, func.count()).group_by(OutboxCommand.status)).all()))
        db.session.remove()
    still_open = sum(by_status[status] for status in (Status.QUEUED, Status.SYNCING, Status.RETRYING))
    return Outbox(still_open, sum(by_status.values()) - still_open, sum(by_status.values()))


async def measure(app: Flask, handhelds: list[Handheld], seconds: float, warmup: float, think: float,
                  roots: dict[str, int]) -> Step:
    recorder, stop = Recorder(), asyncio.Event()
    start = time.perf_counter()
    recorder.window = (start + warmup, start + warmup + seconds)
    tasks = [asyncio.create_task(handheld.run(stop, recorder, think)) for handheld in handhelds]
    await asyncio.sleep(warmup)
    before, outbox_before = machine.sample(roots), await asyncio.to_thread(outbox, app)
    await asyncio.sleep(seconds)
    after, outbox_after = machine.sample(roots), await asyncio.to_thread(outbox, app)
    stop.set()
    await asyncio.gather(*tasks)
    return Step(len(handhelds), seconds, recorder, machine.cores_used(before, after, seconds), os.getloadavg(),
                outbox_before, outbox_after)


async def flush(handhelds: list[Handheld]) -> None:
    """Batches still without an answer are sent again until answered, as the PWA's replay does."""
    for handheld in handhelds:
        for _ in range(5):
            if not handheld.unsynced:
                break
            try:
                await handheld.sync()
            except Exception:  # noqa: BLE001 - tried again, then counted as unanswered
                await asyncio.sleep(1)


def count_commands(app: Flask, ledger: Ledger) -> Count:
    told_kept = set(ledger.accepted) | ledger.duplicate
    sent = told_kept | set(ledger.rejected) | ledger.unanswered
    with app.app_context():
        stored = Counter(op_id for op_id in db.session.scalars(select(OutboxCommand.op_id)) if op_id in sent)
        audited = Counter(subject for subject in db.session.scalars(
            select(AuditEvent.subject).where(AuditEvent.action == "command_accepted")) if subject in sent)
    return Count(
        told_kept=len(told_kept), accepted_twice=sum(1 for n in ledger.accepted.values() if n > 1), rejected=len(ledger.rejected),
        unanswered=len(ledger.unanswered), stored=sum(stored.values()), missing=len(told_kept - set(stored)),
        unexpected=len(set(stored) - told_kept), audited=len(audited), audited_twice=sum(1 for n in audited.values() if n > 1),
    )


# --- the report -----------------------------------------------------------------------------------

def _ms(ordered: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    p50, p95, p99 = (percentile(ordered, fraction) * 1000 for fraction in (.5, .95, .99))
    return p50, p95, p99


def _load(step: Step) -> str:
    return " ".join(f"{value:.2f}" for value in step.load_average)


def step_report(step: Step) -> str:
    every = step.latencies()
    p50, p95, p99 = _ms(every)
    cores = ", ".join(f"{name} {value:.2f}" for name, value in step.cores.items())
    lines = [(f"{step.devices:4d} handhelds: {len(every) / step.seconds:6.1f} requests/s, p50 {p50:5.1f} ms, p95 {p95:6.1f} ms, "
              f"p99 {p99:6.1f} ms, {step.errors} errors in {len(every)} requests; load average {_load(step)}; cores: {cores}"),
             (f"      {step.per_handheld_minute:.1f} requests per handheld per minute; web CPU {step.web_cpu_ms:.2f} ms per request; "
              f"outbox: {step.accepted_per_second:.1f} commands/s accepted, {step.drained_per_second:.1f}/s drained by the worker, "
              f"{step.outbox_after.open} open at the end of the step ({step.outbox_after.open - step.outbox_before.open:+d})")]
    if step.recorder.catalog_answers:
        lines.append("      catalog answers: " + ", ".join(
            f"{shape} {n} ({step.recorder.catalog_bytes[shape] / n / 1024:.1f} KB each)" if step.recorder.catalog_bytes[shape] else f"{shape} {n}"
            for shape, n in sorted(step.recorder.catalog_answers.items())))
    for kind, latencies in sorted(step.recorder.latencies.items()):
        p50, p95, p99 = _ms(sorted(latencies))
        lines.append(f"      {kind:<13} {len(latencies) / step.seconds:6.1f}/s  p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms")
    lines += [f"      error: {error} x{n}" for error, n in step.recorder.errors.most_common(10)]
    return "\n".join(lines)


def summary_table(database: str, protocol: str, steps: list[Step]) -> str:
    lines = [(f"{'database':<10} {'protocol':<9} {'handhelds':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
              f"{'req/hh/min':>10} {'web CPU ms/req':>14} {'drained/s':>9} {'open at end':>11}  load average")]
    for step in steps:
        every = step.latencies()
        p50, p95, p99 = _ms(every)
        lines.append(f"{database:<10} {protocol:<9} {step.devices:>9} {len(every) / step.seconds:>7.1f} {p50:>7.1f} {p95:>7.1f} "
                     f"{p99:>7.1f} {step.errors:>6} {step.per_handheld_minute:>10.1f} {step.web_cpu_ms:>14.2f} "
                     f"{step.drained_per_second:>9.1f} {step.outbox_after.open:>11}  {_load(step)}")
    return "\n".join(lines)


def count_report(count: Count) -> str:
    verdict = "each exactly once, nothing else" if count.exact else "MISMATCH"
    return (f"commands: {count.told_kept} told kept (accepted, or duplicate after a lost answer), {count.stored} in the outbox, "
            f"{count.audited} accepted in the audit log; missing {count.missing}, unexpected {count.unexpected}, "
            f"accepted twice {count.accepted_twice}, audited twice {count.audited_twice}, rejected {count.rejected}, "
            f"never answered {count.unanswered}: {verdict}")


def drain_report(app: Flask) -> str:
    with app.app_context():
        statuses = Counter(db.session.scalars(select(OutboxCommand.status)))
    return f"outbox when the load stopped (worker draining into the sandbox meanwhile): {dict(statuses)}"


# --- the run --------------------------------------------------------------------------------------

@dataclass
class Options:
    devices: list[int]
    seconds: float = 60.0
    warmup: float = 5.0
    think: float = 0.5
    database_url: str | None = None
    create_database: bool = False
    port: int = 0  # 0: a free one
    gunicorn_args: tuple[str, ...] = ()
    worker_nice: int = 10
    protocol: str = "exchange"


@dataclass
class Result:
    steps: list[Step]
    count: Count
    database: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(options: Options, out: Callable[[str], None] = print) -> Result:
    port = options.port or free_port()
    instance = Path(tempfile.mkdtemp(prefix="wardstock-load-"))
    database_url = options.database_url or f"sqlite:///{instance / 'load.sqlite'}"
    environment = production_environment(database_url, instance)
    with created_postgres_database(database_url) if options.create_database else nullcontext():
        app = create_app(environment)
        prepare_database(app)
        database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
        run_id = secrets.token_hex(3)
        total = max(options.devices)
        mixes = workloads(app, total)
        ledger = Ledger()
        handhelds = [Handheld(index, "127.0.0.1", port, HANDHELD_USERS[index % len(HANDHELD_USERS)], mixes[index],
                              ledger, device_id=f"load-{run_id}-{index:04d}", protocol=options.protocol) for index in range(total)]
        steps = []
        with running_server(environment, port, list(options.gunicorn_args), instance, options.worker_nice) as roots:
            out(f"protocol {options.protocol}, database {database}, gunicorn.conf.py {' '.join(options.gunicorn_args)}, sync worker at nice {options.worker_nice}, "
                f"think time {options.think} s, "
                f"{options.seconds:.0f} s per step after {options.warmup:.0f} s warm-up; logs in {instance}")

            async def shift() -> None:
                await start_shift(handhelds)
                link_mix_users(app, [handheld.device_id for handheld in handhelds])
                for count in options.devices:
                    step = await measure(app, handhelds[:count], options.seconds, options.warmup, options.think, roots)
                    steps.append(step)
                    out(step_report(step))
                await flush(handhelds)

            asyncio.run(shift())
            count = count_commands(app, ledger)
            out(count_report(count))
            out(drain_report(app))
            out(summary_table(database, options.protocol, steps))
        with app.app_context():
            db.engine.dispose()
    return Result(steps, count, database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", default="50,100,200", help="handhelds per step, comma-separated")
    parser.add_argument("--seconds", type=float, default=60.0, help="measuring window per step")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before each window")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause of a handheld between requests, seconds")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--create-database", action="store_true", help="create that PostgreSQL database, drop it afterwards")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--worker-nice", type=int, default=10,
                        help="niceness of the sync worker: handhelds' answers first, the outbox drains in the gaps")
    parser.add_argument("--protocol", choices=PROTOCOLS, default="exchange",
                        help="exchange: POST /api/v1/sync; legacy: catalog, status and commands requests of their own (before issue 18)")
    parser.add_argument("gunicorn_args", nargs="*", help="after --: options for gunicorn")
    args = parser.parse_args()
    result = run(Options([int(n) for n in args.devices.split(",")], args.seconds, args.warmup, args.think, args.database_url,
                         args.create_database, args.port, tuple(args.gunicorn_args), args.worker_nice, args.protocol))
    failed = not result.count.exact or any(step.errors for step in result.steps)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
