"""Login brute force across web processes: two gunicorn servers on one SQLite file count failed
logins together, and a lock made through one holds on the other (the counters live in the database)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from app.extensions import db
from app.services import users as user_service
from tests.support import PASSWORD, make_app

PROJECT = Path(__file__).resolve().parents[2]
MAX_FAILURES = 5
LOCKED = "Too many failed attempts"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in time")


@pytest.fixture(scope="module")
def two_servers(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """Two gunicorn processes (one worker each) on one SQLite database holding users sam and kim
    (one for each test, so the tests share the servers but not their counters)."""
    tmp_path = tmp_path_factory.mktemp("lockout")
    database = tmp_path / "shared.sqlite"
    shutil.copy(template_db, database)
    app = make_app(f"sqlite:///{database}", tmp_path)
    with app.app_context():
        for name in ("sam", "kim"):
            user_service.create_user(db.session, username=name, display_name=name, role="storekeeper", password=PASSWORD, actor="test")
        db.session.commit()
        db.engine.dispose()
    environ = {
        **os.environ, "WARDSTOCK_ENV": "development", "SECRET_KEY": "lockout-test-key", "DATABASE_URL": f"sqlite:///{database}",
        "WARDSTOCK_INSTANCE": str(tmp_path), "LOGIN_MAX_FAILURES_PER_USER": str(MAX_FAILURES), "LOG_LEVEL": "WARNING",
    }
    ports = [_free_port(), _free_port()]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    servers = [
        subprocess.Popen([gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=PROJECT, env=environ,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 60
        for url, server in zip(urls, servers):
            _wait_until_up(url, server, deadline)
        yield urls[0], urls[1], database
    finally:
        for server in servers:
            server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for server in servers:
            server.wait(timeout=30)


def _try_login(base_url: str, username: str, password: str) -> requests.Response:
    """A fresh browser: its own cookie and CSRF token, then the login form."""
    with requests.Session() as browser:
        token = CSRF.search(browser.get(f"{base_url}/login", timeout=10).text).group(1)
        return browser.post(f"{base_url}/login", data={"username": username, "password": password, "csrf_token": token},
                            allow_redirects=False, timeout=30)


def _throttle(database: Path, username: str) -> tuple[int, str | None]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT failures, locked_until FROM login_throttles WHERE key = :key"),
                                     {"key": f"user:{username}"}).one()
            return row.failures, row.locked_until
    finally:
        engine.dispose()


def test_failures_through_two_processes_count_together_and_the_lock_holds_on_both(two_servers: tuple[str, str, Path]) -> None:
    first, second, database = two_servers
    for server in (first, second, first, second):
        assert _try_login(server, "sam", "wrong password").status_code == 401
    assert _throttle(database, "sam") == (MAX_FAILURES - 1, None)  # neither process alone reached the limit

    last = _try_login(second, "sam", "wrong password")
    assert last.status_code == 401
    assert _throttle(database, "sam")[1] is not None

    for server in (first, second):  # the right password does not get in through either process now
        refused = _try_login(server, "sam", PASSWORD)
        assert refused.status_code == 401 and LOCKED in refused.text, refused.text[:500]
    assert _try_login(first, "kim", PASSWORD).status_code == 302  # control: another user still logs in


def test_simultaneous_failures_on_both_processes_are_all_counted(two_servers: tuple[str, str, Path]) -> None:
    first, second, database = two_servers
    attempts = [first, second] * 2
    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        statuses = list(pool.map(lambda server: _try_login(server, "kim", "wrong password").status_code, attempts))
    assert statuses == [401] * len(attempts)  # no 500 from two processes writing at once
    assert _throttle(database, "kim") == (len(attempts), None)  # none lost to a race
    assert _try_login(first, "kim", "wrong password").status_code == 401
    assert _throttle(database, "kim")[1] is not None
    refused = _try_login(second, "kim", PASSWORD)
    assert refused.status_code == 401 and LOCKED in refused.text
