"""A simulated handheld: it logs in and registers like the PWA does, then, with a think time between
requests, opens the pages its home screen offers and keeps its offline catalog, its outbox and the
status of what it sent in step with the server (scans are looked up on the device in the catalog it
keeps). A batch that got no answer is sent again, same op_ids, as the PWA's replay does. What each
command was told goes in a `Ledger`, to be counted against the server's outbox afterwards.

Two protocols, same think time and same mix of slots (pages 25, catalog 35, status 25, commands 15):
- "exchange" (today's PWA): every background slot is one POST /api/v1/sync that carries the
  commands (on a commands slot), the op_ids still watched with the status last seen, and the catalog
  version held; the answer's catalog changes are applied to the catalog kept here.
- "legacy" (before issue 18): GET /api/v1/catalog with If-None-Match, GET /api/v1/commands/status,
  POST /api/v1/commands, each a request of its own."""
import asyncio
import gzip
import json
import random
import re
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.load.client import Connection, Response
from tests.support import csrf_token_from
from tests.workload import Workload

HOME_LINK = re.compile(r'<a class="(?:tile|navlink)[^"]*"[^>]*href="(/[^"]*)"')
FRAGMENTS = {"/receive": "", "/device/queue": "?device_id={device_id}"}  # pages htmx also asks for a block of
ACTIONS = ("page", "catalog", "status", "commands")
WEIGHTS = (25, 35, 25, 15)
PROTOCOLS = ("exchange", "legacy")
CATALOG_TABLES = {  # the snapshot's tables and how a row is keyed, as POST /api/v1/sync's deletes name them
    "products": ("id", "gtin"), "lots": ("id",), "locations": ("id",), "receipts": ("id",),
    "stock": ("product_id", "location_id", "lot_id"), "par_levels": ("product_id", "location_id"), "replenishments": ("id",),
}
STATUS_IDS = 20
SETTLED = ("done", "discarded", "conflict")  # a handheld stops asking about these


class LoadError(Exception):
    """The server answered something a handheld cannot use."""


@dataclass
class Ledger:
    """Every command's answers, for the count against the outbox."""

    accepted: Counter[str] = field(default_factory=Counter)  # op_id → times told "accepted" (must be 1)
    duplicate: set[str] = field(default_factory=set)
    rejected: dict[str, str] = field(default_factory=dict)
    unanswered: set[str] = field(default_factory=set)  # sent, no answer yet (the batch is sent again)


@dataclass
class Recorder:
    """Latencies and errors of the requests that start inside the measuring window."""

    window: tuple[float, float] = (0.0, 0.0)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    catalog_bytes: Counter[str] = field(default_factory=Counter)  # "full" / "delta": bytes of catalog answers
    catalog_answers: Counter[str] = field(default_factory=Counter)  # "full" / "delta" / "unchanged"

    def measuring(self, started: float) -> bool:
        return self.window[0] <= started < self.window[1]

    def catalog(self, started: float, shape: str, size: int) -> None:
        if self.measuring(started):
            self.catalog_answers[shape] += 1
            self.catalog_bytes[shape] += size

    def add(self, kind: str, started: float, seconds: float, error: str | None) -> None:
        if not self.measuring(started):
            return
        self.latencies.setdefault(kind, []).append(seconds)
        if error:
            self.errors[f"{kind}: {error}"] += 1


class Handheld:
    def __init__(self, index: int, host: str, port: int, username: str, workload: Workload, ledger: Ledger,
                 device_id: str, protocol: str = "exchange") -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, not {protocol!r}")
        self.device_id, self.protocol = device_id, protocol
        self.username = username
        self.rng = random.Random(index)
        self.connection = Connection(host, port)
        self.origin = f"https://{host}:{port}"
        # As the TLS proxy in front would say (TRUSTED_PROXIES=1); loopback addresses, one per handheld.
        self.proxy_headers = {"X-Forwarded-For": f"127.1.{index // 250}.{index % 250 + 1}", "X-Forwarded-Proto": "https"}
        self.workload, self.ledger = workload, ledger
        self.cookie = ""
        self.token = ""
        self.pages: list[str] = []
        self.etag = ""
        self.seq = 0
        self.unsynced: list[dict] = []
        self.watched: deque[str] = deque(maxlen=STATUS_IDS)
        self.last_seen: dict[str, str] = {}  # exchange: op_id → status last seen, for the watched ones
        self.catalog_version: str | None = None
        self.tables: dict[str, dict[tuple, dict]] = {}  # exchange: the catalog kept here, by table and key
        self.recorder: Recorder | None = None
        self.started = 0.0

    # --- plumbing -------------------------------------------------------------------------------

    async def _send(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"",
                    cookie: bool = True) -> Response:
        all_headers = {**self.proxy_headers, **(headers or {})}
        if cookie and self.cookie:
            all_headers["Cookie"] = f"session={self.cookie}"
        response = await self.connection.request(method, path, all_headers, body)
        if "session" in response.cookies:
            self.cookie = response.cookies["session"]
        return response

    async def _api(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Response:
        """As the PWA's sync does: the device's token, without the session cookie."""
        return await self._send(method, path, {"Authorization": f"Bearer {self.token}", **(headers or {})}, body, cookie=False)

    @staticmethod
    def _expect(response: Response, *statuses: int) -> Response:
        if response.status not in statuses:
            raise LoadError(f"HTTP {response.status}")
        return response

    # --- start of shift ------------------------------------------------------------------------

    async def log_in(self, password: str) -> None:
        """Log in with a password, read the home screen's links, register for a bearer token."""
        page = self._expect(await self._send("GET", "/login"), 200)
        form = urlencode({"csrf_token": csrf_token_from(page.text()), "username": self.username, "password": password})
        answer = await self._send("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                                     "Referer": f"{self.origin}/login"}, form.encode())
        if answer.status != 302 or answer.headers.get("location", "").endswith("/login"):
            raise LoadError(f"{self.username} could not log in (HTTP {answer.status})")
        home = self._expect(await self._send("GET", "/"), 200).text()
        self.pages = ["/", *dict.fromkeys(HOME_LINK.findall(home))]
        self.token = secrets.token_urlsafe(32)  # made on the handheld, as the PWA does
        body = json.dumps({"device_id": self.device_id, "name": f"load {self.username}"}).encode()
        self._expect(await self._send("POST", "/api/v1/devices", {
            "Content-Type": "application/json", "X-CSRFToken": csrf_token_from(home), "Referer": f"{self.origin}/",
            "Authorization": f"Bearer {self.token}"}, body), 201)

    # --- the shift -----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, recorder: Recorder, think: float) -> None:
        self.recorder = recorder
        await asyncio.sleep(self.rng.uniform(0, think))  # handhelds do not start in step
        while not stop.is_set():
            action = self.rng.choices(ACTIONS, WEIGHTS)[0]
            if action == "status" and not self.watched:
                action = "catalog"
            if self.protocol == "exchange" and action in ("catalog", "status"):
                action = "exchange"
            started = self.started = time.perf_counter()
            error = None
            kind = action
            try:
                kind = await getattr(self, action)()
            except Exception as problem:  # noqa: BLE001 - whatever goes wrong is counted, the shift goes on
                error = str(problem) if isinstance(problem, LoadError) else type(problem).__name__
            recorder.add(kind, started, time.perf_counter() - started, error)
            await asyncio.sleep(min(self.rng.expovariate(1 / think), 5 * think) if think else 0)

    async def page(self) -> str:
        path = self.rng.choice(self.pages)
        if path in FRAGMENTS and self.rng.random() < 0.5:
            self._expect(await self._send("GET", path + FRAGMENTS[path].format(device_id=self.device_id),
                                          {"HX-Request": "true"}), 200)
            return "fragment"
        response = self._expect(await self._send("GET", path), 200)
        if b'name="password"' in response.body:
            raise LoadError("the session ended: the login page came back")
        return "page"

    async def exchange(self) -> str:
        """A background sync: nothing to send, the watched op_ids and the catalog version."""
        await self.sync()
        return "sync"

    async def catalog(self) -> str:
        headers = {"If-None-Match": self.etag} if self.etag else None
        response = self._expect(await self._api("GET", "/api/v1/catalog", headers), 200, 304)
        if response.status == 200:
            self.etag = response.headers.get("etag", "")
            json.loads(response.body)
            return "catalog full"
        return "catalog"

    async def status(self) -> str:
        ids = ",".join(self.watched)
        response = self._expect(await self._api("GET", f"/api/v1/commands/status?ids={ids}"), 200)
        statuses = json.loads(response.body)["statuses"]
        unknown = [op_id for op_id in self.watched if statuses.get(op_id, {}).get("status") in (None, "unknown")]
        if unknown:
            raise LoadError(f"{len(unknown)} accepted command(s) unknown to the server")
        for op_id in [op_id for op_id, found in statuses.items() if found["status"] in SETTLED]:
            self.watched.remove(op_id)
        return "status"

    async def commands(self) -> str:
        if not self.unsynced:
            size = self.rng.randint(1, 5)
            self.unsynced = [self.workload.command(self.seq + n) for n in range(size)]
            self.seq += size
        await self.sync()
        return "commands"

    async def sync(self) -> None:
        """Send the outbox batch; on no answer it stays, to be sent again with the same op_ids."""
        op_ids = [command["op_id"] for command in self.unsynced]
        self.ledger.unanswered.update(op_ids)
        if self.protocol == "legacy":
            body = json.dumps({"device_id": self.device_id, "commands": self.unsynced}).encode()
            response = self._expect(await self._api("POST", "/api/v1/commands", {"Content-Type": "application/json"}, body), 200)
            self._results(op_ids, json.loads(response.body)["results"])
            return
        watch = {op_id: self.last_seen.get(op_id, "pending") for op_id in self.watched}
        body = json.dumps({"device_id": self.device_id, "commands": self.unsynced, "watch": watch,
                           "catalog": self.catalog_version}).encode()
        response = self._expect(await self._api("POST", "/api/v1/sync", {"Content-Type": "application/json",
                                                                         "Accept-Encoding": "gzip"}, body), 200)
        answer = json.loads(_decoded(response))
        self._results(op_ids, answer["results"])
        self._statuses(answer["statuses"])
        self._catalog(answer["catalog"], len(response.body))

    def _statuses(self, statuses: dict[str, dict]) -> None:
        unknown = [op_id for op_id, found in statuses.items() if found["status"] == "unknown"]
        if unknown:
            raise LoadError(f"{len(unknown)} accepted command(s) unknown to the server")
        for op_id, found in statuses.items():
            self.last_seen[op_id] = found["status"]
            if found["status"] in SETTLED and op_id in self.watched:
                self.watched.remove(op_id)
        self.last_seen = {op_id: self.last_seen[op_id] for op_id in self.watched if op_id in self.last_seen}

    def _catalog(self, catalog: dict, size: int) -> None:
        """Apply the catalog answer to the catalog kept here, as the PWA does."""
        if catalog.get("unchanged"):
            shape = "unchanged"
        elif catalog.get("full"):
            shape = "full"
            snapshot = catalog["snapshot"]
            self.tables = {table: {_key(row, key): row for row in snapshot[table]} for table, key in CATALOG_TABLES.items()}
        else:
            shape = "delta"
            for table, change in catalog["changes"].items():
                rows, key = self.tables.setdefault(table, {}), CATALOG_TABLES[table]
                for gone in change["delete"]:
                    rows.pop(tuple(gone) if isinstance(gone, list) else (gone,), None)
                for row in change["upsert"]:
                    rows[_key(row, key)] = row
        self.catalog_version = catalog["version"]
        if self.recorder is not None:
            self.recorder.catalog(self.started, shape, size)

    def _results(self, op_ids: list[str], results: list[dict]) -> None:
        self.unsynced = []
        self.ledger.unanswered.difference_update(op_ids)
        rejected = 0
        for result in results:
            if result["result"] == "accepted":
                self.ledger.accepted[result["op_id"]] += 1
                self.watched.append(result["op_id"])
            elif result["result"] == "duplicate":
                self.ledger.duplicate.add(result["op_id"])
            else:
                self.ledger.rejected[result["op_id"]] = result["message"]
                rejected += 1
        if rejected:
            raise LoadError(f"{rejected} command(s) rejected")


def _key(row: dict, columns: tuple[str, ...]) -> tuple:
    return tuple(row[column] for column in columns)


def _decoded(response: Response) -> bytes:
    if response.headers.get("content-encoding") == "gzip":
        return gzip.decompress(response.body)
    return response.body
