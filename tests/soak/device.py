"""A simulated handheld: registers (logged in as each user who will capture on it), then sends
batches and polls their status the way the PWA's replay does (DESIGN §6): a network error or a
5xx keeps the batch and sends it again, same op_ids, after a backoff; a 2xx answer is final."""
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from app.demo import DEMO_PASSWORD
from tests.support import csrf_token_from

CAPTURING_USERS = ("store", "auditor", "supervisor")  # the users the workload's commands name
TIMEOUT = 30


@dataclass
class Ledger:
    """What every device sent and was told, shared by all devices."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    kinds: dict[str, str] = field(default_factory=dict)  # op_id -> kind, for every command sent
    answers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # op_id -> answers, in order
    messages: dict[str, str] = field(default_factory=dict)  # op_id -> the rejection's sentence
    deliberate_conflicts: set[str] = field(default_factory=set)
    errors: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    resends: int = 0  # requests sent again after an error (a batch: with the same op_ids)
    replayed_batches: int = 0  # sent again on purpose after an answer (a lost answer, as far as the device knows)
    status_polls: int = 0
    unanswered: set[str] = field(default_factory=set)  # still without an answer when the run ended

    def sent(self, batch: list[dict[str, Any]], conflicting: set[str]) -> None:
        with self.lock:
            self.kinds.update({item["op_id"]: item["kind"] for item in batch})
            self.deliberate_conflicts |= conflicting

    def answered(self, results: list[dict[str, Any]]) -> None:
        with self.lock:
            for result in results:
                self.answers[result["op_id"]].append(result["result"])
                if result["result"] == "rejected":
                    self.messages[result["op_id"]] = result.get("message") or ""

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1


def _error_kind(error: Exception) -> str:
    text = str(error)
    for marker in ("Connection refused", "Read timed out", "Connection reset", "Connection aborted", "RemoteDisconnected"):
        if marker in text:
            return f"{type(error).__name__}: {marker}"
    return type(error).__name__


class Device(threading.Thread):
    def __init__(self, number: int, base_url: str, next_batch: Callable[[random.Random], tuple[list[dict[str, Any]], set[str]]],
                 ledger: Ledger, stop_sending: threading.Event, give_up: threading.Event, seed: int, pause: float) -> None:
        super().__init__(name=f"device-{number}", daemon=True)
        self.device_id = f"soak-device-{number:03d}"
        # Odd-numbered handhelds speak the sync exchange (POST /api/v1/sync), the others the batch route
        # and status polls: the same guarantees must hold on both.
        self.exchange = number % 2 == 1
        self.catalog_version: str | None = None
        self.base_url, self.next_batch, self.ledger = base_url, next_batch, ledger
        self.stop_sending, self.give_up = stop_sending, give_up
        self.pause = pause  # the longest wait between two batches
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.token = ""
        self.device_seq = 0
        self.history: list[list[dict[str, Any]]] = []
        self.failure: BaseException | None = None

    # ---- registration --------------------------------------------------------------

    def register(self) -> None:
        """Log in as each capturing user and register (showing the token once there is one), as the PWA does:
        the first gets a token, the next ones are linked to the handheld."""
        for username in CAPTURING_USERS:
            self._retrying(lambda name=username: self._register_as(requests.Session(), name))

    def _register_as(self, browser: requests.Session, username: str) -> requests.Response:
        token = csrf_token_from(browser.get(f"{self.base_url}/login", timeout=TIMEOUT).text)
        login = browser.post(f"{self.base_url}/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token},
                             allow_redirects=False, timeout=TIMEOUT)
        if login.status_code != 302:
            return login
        token = csrf_token_from(browser.get(f"{self.base_url}/", timeout=TIMEOUT).text)
        headers = {"X-CSRFToken": token} | ({"Authorization": f"Bearer {self.token}"} if self.token else {})
        answer = browser.post(f"{self.base_url}/api/v1/devices", json={"device_id": self.device_id, "name": "soak handheld"},
                              headers=headers, timeout=TIMEOUT)
        if answer.status_code == 201:  # registered, with a new token (200: the next user linked, the token stays)
            self.token = answer.json()["token"]
        elif answer.status_code != 200:
            raise RuntimeError(f"{username} could not register {self.device_id}: {answer.status_code} {answer.text[:200]}")
        return answer

    def _retrying(self, call: Callable[[], requests.Response], expected: tuple[int, ...] = (200, 201)) -> requests.Response | None:
        """Call until a 2xx (or a 4xx, which sending again would not change); None if told to give up first."""
        attempt = 0
        while True:
            try:
                response = call()
            except (requests.RequestException, AssertionError) as error:  # AssertionError: a page without its form (a 5xx page)
                self.ledger.error(_error_kind(error))
            else:
                if response.status_code in expected or 400 <= response.status_code < 500:
                    return response
                self.ledger.error(f"HTTP {response.status_code}")
            if self.give_up.is_set():
                return None
            attempt += 1
            with self.ledger.lock:
                self.ledger.resends += 1
            time.sleep(self.rng.uniform(0.2, min(10.0, 0.5 * 2 ** attempt)))

    # ---- traffic -------------------------------------------------------------------

    def run(self) -> None:
        try:
            self.register()
            while not self.stop_sending.is_set():
                batch, conflicting = self.next_batch(self.rng)
                for item in batch:
                    item["device_seq"] = self.device_seq
                    self.device_seq += 1
                self.ledger.sent(batch, conflicting)
                self.send(batch)
                if self.history and self.rng.random() < 0.05:  # an answer the device never saw: the batch again, shuffled
                    again = list(self.rng.choice(self.history))
                    self.rng.shuffle(again)
                    with self.ledger.lock:
                        self.ledger.replayed_batches += 1
                    self.send(again)
                self.history.append(batch)
                if self.rng.random() < 0.3:
                    self.poll_status()
                self.stop_sending.wait(self.rng.uniform(self.pause / 4, self.pause))
        except BaseException as error:  # noqa: BLE001 - reported by the soak, not lost in a thread
            self.failure = error

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def send(self, batch: list[dict[str, Any]]) -> None:
        body: dict[str, Any] = {"device_id": self.device_id, "commands": batch}
        path = "/api/v1/commands"
        if self.exchange:
            path = "/api/v1/sync"
            body |= {"watch": {}, "catalog": self.catalog_version}
        with self.ledger.lock:
            self.ledger.batches += 1
        response = self._retrying(lambda: self.http.post(f"{self.base_url}{path}", json=body,
                                                         headers=self._headers(), timeout=TIMEOUT))
        if response is not None and response.status_code == 200 and self.exchange:
            self.catalog_version = response.json()["catalog"]["version"]
        if response is None:
            with self.ledger.lock:
                self.ledger.unanswered |= {item["op_id"] for item in batch}
        elif response.status_code != 200:
            self.ledger.error(f"HTTP {response.status_code} {response.text[:120]}")
        else:
            self.ledger.answered(response.json()["results"])

    def poll_status(self) -> None:
        recent = [item["op_id"] for batch in self.history[-10:] for item in batch][:100]
        try:
            if self.exchange:
                response = self.http.post(f"{self.base_url}/api/v1/sync", json={
                    "device_id": self.device_id, "commands": [], "watch": dict.fromkeys(recent, "queued"),
                    "catalog": self.catalog_version}, headers=self._headers(), timeout=TIMEOUT)
            else:
                response = self.http.get(f"{self.base_url}/api/v1/commands/status", params={"ids": ",".join(recent)},
                                         headers=self._headers(), timeout=TIMEOUT)
        except requests.RequestException as error:
            self.ledger.error(f"status poll: {_error_kind(error)}")
            return
        with self.ledger.lock:
            self.ledger.status_polls += 1
        if response.status_code != 200:
            self.ledger.error(f"status poll: HTTP {response.status_code}")
