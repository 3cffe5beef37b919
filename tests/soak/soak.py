"""Soak (issue 7): mixed device traffic for a while, with faults injected on a schedule - Odoo
stopped and started, the sync worker and the web server killed with SIGKILL and restarted,
Wardstock's PostgreSQL stopped for a few seconds - then proof that every command a device was
told "accepted" ended done or parked, once: in the outbox exactly once, and in the backend one
effect per done command (counted by its idempotency key) and none for a parked one.

    python tests/soak/soak.py --minutes 30 --devices 6 --odoo-url http://127.0.0.1:8017 --odoo-db ws17 \\
        --odoo-user admin --odoo-password admin \\
        --odoo-stop-cmd 'kill $(cat /opt/odoo/17/odoo.pid)' --odoo-start-cmd 'VERSIONS=17 /opt/odoo/start-all.sh'

Without an Odoo (no --odoo-url nor ODOO_URL) it runs on the training sandbox, where there is no
Odoo to stop: those steps are skipped and the output says so. Wardstock's own database is always
a throwaway PostgreSQL server (tests/postgres.py), so it can be stopped without touching any other.
Exits 1 if a check fails.
"""
import argparse
import os
import random
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import requests
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.demo import load_demo
from app.extensions import db
from app.models import User
from app.services.backend import session_factory
from app.services.sync import refresh_catalog
from offline_sync.outbox.models import OutboxCommand, Status
from tests.faults.demo_world import DemoWorld, OdooDemoWorld, SandboxDemoWorld, demo_catalog, unknown_gtin
from tests.postgres import find_bin_dir, running_postgres
from tests.soak.device import Device, Ledger
from tests.soak.processes import Service, postgres_outage, shell
from tests.workload import DESTINATIONS, TRANSFER_LOTS, Workload

PENDING = (Status.QUEUED, Status.SYNCING, Status.RETRYING)
PARKED = Status.CONFLICT
CONFLICTS_PER_BATCH = 0.1  # batches with a deliberately conflicting command (unknown lot or product): ~3 % of commands


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--minutes", type=float, default=30.0, help="how long devices send traffic")
    parser.add_argument("--devices", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pause", type=float, default=4.0, help="longest wait of a device between two batches (1-6 commands)")
    parser.add_argument("--odoo-url", default=os.environ.get("ODOO_URL"))
    parser.add_argument("--odoo-db", default=os.environ.get("ODOO_DB"))
    parser.add_argument("--odoo-user", default=os.environ.get("ODOO_USER"))
    parser.add_argument("--odoo-password", default=os.environ.get("ODOO_PASSWORD"))
    parser.add_argument("--odoo-stop-cmd", help="shell command that stops the Odoo server (it runs outside this repository)")
    parser.add_argument("--odoo-start-cmd", help="shell command that starts it again and returns once it listens")
    parser.add_argument("--odoo-restarts", type=int, default=2)
    parser.add_argument("--odoo-down-seconds", type=float, default=45.0)
    parser.add_argument("--worker-kills", type=int, default=3)
    parser.add_argument("--web-kills", type=int, default=1)
    parser.add_argument("--db-outages", type=int, default=1)
    parser.add_argument("--db-down-seconds", type=float, default=10.0)
    parser.add_argument("--restart-after", type=float, default=5.0, help="seconds a killed process stays down")
    parser.add_argument("--lease-seconds", type=int, default=30, help="SYNC_LEASE_SECONDS: when a dead worker's claim is taken over")
    parser.add_argument("--drain-timeout", type=float, default=900.0, help="seconds to wait for the queue to empty after traffic")
    parser.add_argument("--receipts", type=int, default=10, help="open receipts the receipt lines spread over (Odoo)")
    parser.add_argument("--folder", type=Path, help="where logs go (default: a new temporary folder)")
    args = parser.parse_args(argv)
    if args.odoo_url and not (args.odoo_db and args.odoo_user and args.odoo_password):
        parser.error("with an Odoo URL, give --odoo-db, --odoo-user and --odoo-password (or ODOO_DB, ODOO_USER, ODOO_PASSWORD)")
    if args.odoo_url and args.odoo_restarts and not (args.odoo_stop_cmd and args.odoo_start_cmd):
        parser.error("to restart Odoo, give --odoo-stop-cmd and --odoo-start-cmd (or --odoo-restarts 0)")
    return args


# ---- the run's record ---------------------------------------------------------------


@dataclass
class Journal:
    started: float = field(default_factory=time.monotonic)
    faults: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stamp(self) -> str:
        return f"{datetime.now(UTC):%H:%M:%S}Z (+{time.monotonic() - self.started:6.1f} s)"

    def fault(self, text: str) -> None:
        line = f"{self.stamp()} {text}"
        with self.lock:
            self.faults.append(line)
        print(f"  fault  {line}", flush=True)

    def note(self, text: str) -> None:
        with self.lock:
            self.notes.append(text)
        print(f"  note   {text}", flush=True)


# ---- traffic ------------------------------------------------------------------------


class Traffic:
    """Batches for the devices: the conflict-free workload (one sequence shared by all devices, so no
    quant is counted twice), now and then a command that must be parked (a lot or a product Odoo does
    not know), each on a quant of its own so that it holds back nothing else."""

    def __init__(self, world: DemoWorld, user_ids: dict[str, int], seed: int) -> None:
        self.world, self.user_ids = world, user_ids
        # The mix counts down the demo's stock; the Odoo mirror holds far more.
        self.workload = Workload(demo_catalog(), user_ids, seed=seed, stock=world.source_stock or None)
        self.index = 0
        self.lock = threading.Lock()

    def batch(self, rng: random.Random) -> tuple[list[dict[str, Any]], set[str]]:
        with self.lock:
            start, self.index = self.index, self.index + rng.randint(1, 6)
            batch = [self.world.translate(self.workload.command(index)) for index in range(start, self.index)]
        if rng.random() >= CONFLICTS_PER_BATCH:
            return batch, set()
        item = self.conflicting(rng)
        return [*batch, item], {item["op_id"]}

    def conflicting(self, rng: random.Random) -> dict[str, Any]:
        """A transfer out of the central store of a lot, or a product, that does not exist."""
        gtin, lot = TRANSFER_LOTS[0]
        if rng.random() < 0.5:
            lot = f"NOLOT-{uuid.uuid4().hex[:12]}"  # a label lot has at most 20 characters
        else:
            gtin, lot = unknown_gtin(), "ANY-LOT"
        command = {"op_id": str(uuid.uuid4()), "kind": "transfer", "device_seq": 0, "user_id": self.user_ids["store"],
                   "captured_at": datetime.now(UTC).isoformat(),
                   "payload": {"source": "CS-STOCK", "destination": DESTINATIONS[0], "lines": [{"gtin": gtin, "lot": lot, "quantity": 1}]}}
        return self.world.translate(command)


# ---- faults -------------------------------------------------------------------------


@dataclass
class Fault:
    at: float  # seconds after traffic started
    name: str
    action: Callable[[], None]


def schedule(args: argparse.Namespace, seconds: float, actions: dict[str, Callable[[], None]], rng: random.Random) -> list[Fault]:
    """The faults in turn (odoo, worker, db, web, ...), spread evenly over 10-85 % of the run, with some jitter."""
    wanted = {"odoo": args.odoo_restarts, "worker": args.worker_kills, "db": args.db_outages, "web": args.web_kills}
    order: list[str] = []
    while any(wanted.values()):
        for name in ("odoo", "worker", "db", "web"):
            if wanted[name]:
                order.append(name)
                wanted[name] -= 1
    if not order:
        return []
    step = 0.75 * seconds / len(order)
    return [Fault(0.10 * seconds + step * (number + rng.uniform(0.0, 0.4)), name, actions[name]) for number, name in enumerate(order)]


# ---- the soak -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def wait_until_down(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
        except requests.RequestException:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{url} still answers {seconds:.0f} s after it was told to stop")


class Soak:
    def __init__(self, args: argparse.Namespace, database_url: str, pg_bin: Path, folder: Path) -> None:
        self.args, self.database_url, self.pg_bin, self.folder = args, database_url, pg_bin, folder
        self.journal = Journal()
        self.rng = random.Random(args.seed)
        self.odoo = bool(args.odoo_url)
        odoo_env = {"WARDSTOCK_BACKEND": "odoo", "ODOO_URL": args.odoo_url, "ODOO_DB": args.odoo_db,
                    "ODOO_USER": args.odoo_user, "ODOO_PASSWORD": args.odoo_password,
                    # a lease must be at least twice ODOO_TIMEOUT (app/config.py)
                    "ODOO_TIMEOUT": str(max(1, args.lease_seconds // 2))} if self.odoo else {"WARDSTOCK_BACKEND": "sandbox"}
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}, **odoo_env,
                    "WARDSTOCK_ENV": "development", "WARDSTOCK_INSTANCE": str(folder), "SECRET_KEY": "soak-secret",
                    "DATABASE_URL": database_url, "LOG_LEVEL": "INFO", "SYNC_LEASE_SECONDS": str(args.lease_seconds),
                    "PYTHONPATH": str(ROOT)}
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.web = Service("web", [str(ROOT / ".venv/bin/gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
                                   "--log-level", "warning", "wsgi:app"], ROOT, self.env, folder / "web.log")
        self.worker = Service("worker", [sys.executable, "-m", "flask", "--app", "wsgi", "sync", "worker", "--idle", "0.5"],
                              ROOT, self.env, folder / "worker.log")
        self.app = create_app(self.env)
        self.ledger = Ledger()
        self.crashed_devices: list[str] = []

    # ---- set-up ---------------------------------------------------------------------

    def prepare(self) -> tuple[DemoWorld, dict[str, int]]:
        with self.app.app_context():
            upgrade()
            load_demo(db.session, datetime.now(UTC).date())
            if self.odoo:
                world: DemoWorld = OdooDemoWorld(self.env, receipts=self.args.receipts)
            else:
                refresh_catalog()
                world = SandboxDemoWorld(session_factory())
            user_ids = {user.username: user.id for user in db.session.scalars(select(User))}
            db.engine.dispose()
        return world, user_ids

    # ---- faults ---------------------------------------------------------------------

    def _kill_and_restart(self, service: Service) -> None:
        service.kill()
        self.journal.fault(f"{service.name} killed with SIGKILL")
        time.sleep(self.args.restart_after)
        service.start()
        self.journal.fault(f"{service.name} started again")

    def _odoo_restart(self) -> None:
        shell(self.args.odoo_stop_cmd)
        self.journal.fault("Odoo stop command run")
        wait_until_down(self.args.odoo_url, 60)
        self.journal.fault("Odoo no longer answers")
        time.sleep(self.args.odoo_down_seconds)
        shell(self.args.odoo_start_cmd)
        self.journal.fault("Odoo started again (listening)")

    def _db_outage(self) -> None:
        self.journal.fault(f"Wardstock PostgreSQL stopping for {self.args.db_down_seconds:.0f} s")
        postgres_outage(self.database_url, self.pg_bin, self.args.db_down_seconds)
        self.journal.fault("Wardstock PostgreSQL started again")

    def actions(self) -> dict[str, Callable[[], None]]:
        return {"worker": lambda: self._kill_and_restart(self.worker), "web": lambda: self._kill_and_restart(self.web),
                "db": self._db_outage, "odoo": self._odoo_restart}

    def _in_thread(self, fault: Fault) -> threading.Thread:
        def run() -> None:
            try:
                fault.action()
            except Exception as error:  # noqa: BLE001 - a fault that could not be injected is reported, not hidden
                self.journal.fault(f"{fault.name} FAILED: {error}")

        thread = threading.Thread(target=run, name=f"fault-{fault.name}", daemon=True)
        thread.start()
        return thread

    def watchdog(self) -> None:
        """Restart a process that died by itself, as a service manager would; each such exit is reported."""
        for service in (self.web, self.worker):
            code = service.exited_by_itself()
            if code is not None:
                self.journal.fault(f"{service.name} EXITED BY ITSELF (code {code}); restarted by the watchdog in 2 s")
                time.sleep(2)
                service.start()

    # ---- the run ----------------------------------------------------------------------

    def run(self) -> int:
        world, user_ids = self.prepare()
        print(f"backend {world.name}; Wardstock database {self.database_url.split('?')[0]}; logs in {self.folder}", flush=True)
        if not self.odoo and self.args.odoo_restarts:
            self.journal.note("sandbox backend: there is no Odoo to stop, and the sandbox has no switch to make it unavailable "
                              f"(it lives in Wardstock's own database): the {self.args.odoo_restarts} Odoo stop/start steps are SKIPPED")
            self.args.odoo_restarts = 0
        self.web.start()
        self.worker.start()
        wait_for_http(f"{self.base_url}/login", 60)
        traffic = Traffic(world, user_ids, self.args.seed)
        stop_sending, give_up = threading.Event(), threading.Event()
        devices = [Device(number, self.base_url, traffic.batch, self.ledger, stop_sending, give_up,
                          self.args.seed * 1000 + number, self.args.pause)
                   for number in range(self.args.devices)]
        seconds = self.args.minutes * 60
        faults = schedule(self.args, seconds, self.actions(), self.rng)
        print(f"traffic for {seconds:.0f} s from {len(devices)} devices; faults planned at "
              + (", ".join(f"+{fault.at:.0f} s {fault.name}" for fault in faults) or "none"), flush=True)
        self.journal.started = time.monotonic()
        for device in devices:
            device.start()
        injected: list[threading.Thread] = []
        next_progress = 60.0
        while (elapsed := time.monotonic() - self.journal.started) < seconds:
            while faults and faults[0].at <= elapsed:
                injected.append(self._in_thread(faults.pop(0)))
            self.watchdog()
            if elapsed >= next_progress:
                self.progress()
                next_progress += 60
            time.sleep(0.5)
        stop_sending.set()
        for thread in injected:
            while thread.is_alive():
                self.watchdog()
                thread.join(0.5)
        traffic_end = time.monotonic()
        for device in devices:  # each finishes the batch in hand (retrying it) within a minute
            device.join(60 - min(59, time.monotonic() - traffic_end))
        give_up.set()
        for device in devices:
            device.join(30)
            if device.failure is not None:
                self.crashed_devices.append(device.name)
                self.journal.note(f"{device.name} FAILED: {''.join(traceback.format_exception(device.failure))}")
        self.journal.note(f"traffic stopped at {self.journal.stamp()}")
        drained = self.drain()
        self.worker.stop()
        return self.verify(world, drained)

    def progress(self) -> None:
        try:
            with self.app.app_context():
                counts = Counter(status for (status,) in db.session.execute(select(OutboxCommand.status)))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - the database may be the fault right now
            counts = Counter({f"unreadable ({type(error).__name__})": 1})
        print(f"  {self.journal.stamp()} sent {len(self.ledger.kinds)}, outbox {dict(counts)}, "
              f"device errors {sum(self.ledger.errors.values())}", flush=True)

    def drain(self) -> float | None:
        """Seconds until nothing is pending any more (parked commands wait for a person), or None on timeout."""
        started = next_progress = time.monotonic()
        while time.monotonic() - started < self.args.drain_timeout:
            self.watchdog()
            if time.monotonic() >= next_progress:
                self.progress()
                next_progress += 60
            with self.app.app_context():
                pending = db.session.scalar(select(db.func.count()).where(OutboxCommand.status.in_(PENDING)))
                db.session.remove()
            if pending == 0:
                return time.monotonic() - started
            time.sleep(1)
        return None

    # ---- the proof ------------------------------------------------------------------

    def verify(self, world: DemoWorld, drained: float | None) -> int:
        ledger = self.ledger
        with self.app.app_context():
            rows = {row.op_id: row for row in db.session.scalars(select(OutboxCommand))}
            db.session.remove()
        answered = {op_id: answers for op_id, answers in ledger.answers.items()}
        accepted = {op_id for op_id, answers in answered.items() if "accepted" in answers}
        kept = {op_id for op_id, answers in answered.items() if {"accepted", "duplicate"} & set(answers)}
        rejected = {op_id for op_id, answers in answered.items() if answers and set(answers) == {"rejected"}}
        accepted_twice = sorted(op_id for op_id, answers in answered.items() if answers.count("accepted") > 1)
        done = {op_id for op_id, row in rows.items() if row.status == Status.DONE}
        parked = {op_id for op_id, row in rows.items() if row.status == PARKED}
        effects = world.effects({op_id: rows[op_id].kind for op_id in kept & rows.keys()})

        failures: list[str] = []

        def check(ok: bool, text: str, examples: list[Any]) -> None:
            print(f"  [{'ok' if ok else 'FAIL'}] {text}" + ("" if ok else f": {len(examples)}, e.g. {examples[:5]}"))
            if not ok:
                failures.append(text)

        print("\nchecks")
        check(not (missing := sorted(kept - rows.keys())), "every command answered accepted or duplicate is in the outbox", missing)
        check(not accepted_twice, "no command was answered accepted twice (a replay is a duplicate)", accepted_twice)
        check(not (stored_rejects := sorted(rejected & rows.keys())), "no rejected command is in the outbox", stored_rejects)
        check(not (unfinished := sorted((op_id, rows[op_id].status) for op_id in kept & rows.keys() if op_id not in done | parked)),
              "every accepted command ended done or parked", unfinished)
        check(not (wrong_done := sorted((op_id, rows[op_id].kind, effects[op_id]) for op_id in kept & done if effects[op_id] != 1)),
              f"every done command has exactly one effect in {world.name}", wrong_done)
        check(not (wrong_parked := sorted((op_id, rows[op_id].kind, effects[op_id]) for op_id in kept & parked if effects[op_id])),
              "no parked command has an effect", wrong_parked)
        check(not (conflicts_done := sorted(ledger.deliberate_conflicts & done)),
              "every deliberately conflicting command was parked, not applied", conflicts_done)
        check(not (stray := sorted(rows.keys() - ledger.kinds.keys())), "the outbox holds only commands the devices sent", stray)
        check(not self.crashed_devices, "every simulated device ran to the end", self.crashed_devices)
        check(drained is not None, f"the queue drained within {self.args.drain_timeout:.0f} s after traffic stopped", [])
        failed_devices = [device for device in ledger.errors if device.startswith("HTTP 4")]
        check(not failed_devices, "no batch was refused as a whole (4xx)", failed_devices)

        unexpected_parks = Counter((rows[op_id].kind, rows[op_id].conflict_kind) for op_id in parked - ledger.deliberate_conflicts)
        lags = [(row.done_at - row.received_at).total_seconds() for row in rows.values() if row.done_at is not None]
        load = os.getloadavg()
        print("\nsummary")
        print(f"  backend {world.name}; {self.args.devices} devices for {self.args.minutes:g} min; seed {self.args.seed}")
        print(f"  commands sent {len(ledger.kinds)} in {ledger.batches} batches ({ledger.replayed_batches} replayed on purpose), "
              f"kinds {dict(Counter(ledger.kinds.values()))}")
        print(f"  answers: accepted {len(accepted)}, duplicate-only {len(kept - accepted)}, rejected {len(rejected)}, "
              f"never answered {len(ledger.unanswered - answered.keys())}; status polls {ledger.status_polls}")
        print(f"  outbox {len(rows)}: done {len(done)}, parked {len(parked)} "
              f"({len(parked & ledger.deliberate_conflicts)} of {len(ledger.deliberate_conflicts & kept)} deliberate conflicts accepted), "
              f"other {len(rows) - len(done) - len(parked)}")
        if rejected:
            print(f"  rejections: {dict(Counter(ledger.messages[op_id][:100] for op_id in rejected))}")
        print(f"  parked by kind: {dict(Counter(rows[op_id].conflict_kind for op_id in parked))}")
        if unexpected_parks:
            print(f"  NOTE parked without being meant to conflict: {dict(unexpected_parks)}")
        print(f"  retries: {ledger.resends} requests re-sent by devices; {sum(row.attempts > 1 for row in rows.values())} commands "
              f"tried more than once by the worker (max attempts {max((row.attempts for row in rows.values()), default=0)})")
        print(f"  device errors by kind: {dict(ledger.errors) or 'none'}")
        print(f"  lag received -> done: max {max(lags, default=0):.1f} s, median {sorted(lags)[len(lags) // 2] if lags else 0:.1f} s; "
              f"drain after traffic: {f'{drained:.1f} s' if drained is not None else 'TIMED OUT'}")
        exits = [(service.name, code) for service in (self.web, self.worker) for _, code in service.unexpected_exits]
        print(f"  processes that exited by themselves (restarted by the watchdog): {exits or 'none'}")
        print("  faults:")
        for line in self.journal.faults:
            print(f"    {line}")
        for line in self.journal.notes:
            print(f"  note: {line}")
        print(f"  load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)")
        print(f"\nSOAK {'PASSED' if not failures else 'FAILED: ' + '; '.join(failures)}")
        return 0 if not failures else 1


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    pg_bin = find_bin_dir()
    if pg_bin is None:
        print("no PostgreSQL server binaries (initdb, pg_ctl) found: install postgresql to run the soak", file=sys.stderr)
        return 2
    folder = args.folder or Path(tempfile.mkdtemp(prefix="wardstock-soak-"))
    folder.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped soak still stops its processes and its server
    with running_postgres(pg_bin) as url:
        soak = Soak(args, url, pg_bin, folder)
        try:
            return soak.run()
        finally:
            soak.worker.stop()
            soak.web.stop()


if __name__ == "__main__":
    sys.exit(main())
