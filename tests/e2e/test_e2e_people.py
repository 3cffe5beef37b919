"""Go-live, in a real Chromium: an administrator imports 200 users from CSV (three bad lines are
reported and nothing is imported, then the fixed file goes in whole), creates a nurse with a badge;
the nurse logs in by badge and PIN on a handheld; disabled, she is refused at once on every web
process (two gunicorn processes and the test server, one database)."""
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from tests.e2e.conftest import PHONE, screenshot, watch_errors
from tests.e2e.journey import login
from tests.hardening.security_support import load_demo
from tests.hardening.test_lockout_across_processes import _free_port, _wait_until_up

PROJECT = Path(__file__).resolve().parents[2]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "has_touch": True}
HEADER = "username,display_name,role,wards,badge,pin,password\n"
BAD_LINES = {  # index in the file's users → a line that must be refused, and the line number it is on
    17: "staff017,Staff 17,nurse,WARD-3B,BADGE:7017,12,\n",  # a PIN of two digits
    88: "staff088,Staff 88,surgeon,WARD-3B,BADGE:7088,7088,\n",  # no such role
    150: "staff001,Staff 1 again,nurse,WARD-3B,BADGE:7150,7150,\n",  # the username of line 3
}


def _csv(bad: bool) -> bytes:
    lines = [f"staff{n:03d},Staff {n},nurse,WARD-3B,BADGE:7{n:03d},{7000 + n},\n" for n in range(200)]
    if bad:
        for index, line in BAD_LINES.items():
            lines[index] = line
    return (HEADER + "".join(lines)).encode()


def _user_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def desktop(browser) -> Iterator[object]:
    context = browser.new_context(**DESKTOP)
    page = watch_errors(context.new_page())
    yield page
    context.close()


@pytest.fixture
def two_gunicorns(app: Flask, tmp_path: Path) -> Iterator[list[str]]:
    """Two more web processes on the test server's own database."""
    environ = {**os.environ, "WARDSTOCK_ENV": "development", "SECRET_KEY": "people-e2e-key", "LOG_LEVEL": "WARNING",
               "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "WARDSTOCK_INSTANCE": str(tmp_path)}
    ports = [_free_port(), _free_port()]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    servers = [subprocess.Popen([gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=PROJECT,
                                env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for port in ports]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, server in zip(urls, servers):
            _wait_until_up(url, server, time.monotonic() + 90)
        yield urls
    finally:
        for server in servers:
            server.send_signal(signal.SIGINT)
        for server in servers:
            server.wait(timeout=30)


def _badge_login(page, base: str, badge: str, pin: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Badge").type(badge)
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Log in with badge").tap()


def test_go_live_import_create_badge_login_and_disable(app: Flask, live_server: str, desktop, browser, two_gunicorns: list[str]) -> None:
    load_demo(app)
    before = _user_count(app)
    admin = desktop
    login(admin, live_server, "admin")
    assert [link for link in admin.locator("[data-link]").evaluate_all("links => links.map(l => l.dataset.link)")] == [
        "sync", "devices", "people", "labels", "wards"]
    screenshot(admin, "people-admin-home")

    # 1. The file with three bad lines: every error by its line number, nothing imported.
    admin.goto(f"{live_server}/people/import")
    admin.set_input_files("#file", files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": _csv(bad=True)}])
    admin.get_by_role("button", name="Dry run").click()
    admin.wait_for_selector("[data-errors]")
    rows = admin.locator(".import-errors tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["19", "90", "152"], rows
    assert "4 to 8 digits" in rows[0] and "surgeon" in rows[1] and "line 3" in rows[2]
    assert admin.get_by_role("button", name="Import").count() == 0
    screenshot(admin, "people-import-dry-run-errors")
    assert _user_count(app) == before

    # 2. The fixed file: the dry run says what it would do, then the import keeps all 200.
    admin.goto(f"{live_server}/people/import")
    admin.set_input_files("#file", files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": _csv(bad=False)}])
    admin.get_by_role("button", name="Dry run").click()
    admin.wait_for_selector("[data-would-create='200']")
    assert admin.locator(".import-plan tbody tr").count() == 200
    admin.get_by_label("Reason (kept in the audit log with your name)").fill("go-live: ward 3B staff list")
    admin.get_by_role("button", name="Import 200 users").click()
    admin.wait_for_selector("[data-imported='200']", timeout=120000)
    assert admin.locator(".import-progress progress").last.get_attribute("value") == "200"
    screenshot(admin, "people-import-done")
    assert _user_count(app) == before + 200

    # 3. A nurse with a badge, generated here to be printed.
    admin.goto(f"{live_server}/people/new")
    badge = admin.get_by_label("Badge barcode").input_value()
    assert badge.startswith("BADGE:")
    admin.get_by_label("Username").fill("zoe")
    admin.get_by_label("Name shown on screen").fill("Zoe Nurse")
    admin.get_by_label("Role").select_option("nurse")
    admin.get_by_label("Wards").fill("WARD-3B")
    admin.get_by_label("PIN for the badge").fill("4321")
    admin.get_by_label("Reason (kept in the audit log with your name)").fill("new starter, ward 3B")
    screenshot(admin, "people-new-nurse")
    admin.get_by_role("button", name="Create the user").click()
    admin.wait_for_url(f"{live_server}/people/zoe")
    screenshot(admin, "people-nurse-created")

    # 4. She logs in by badge and PIN on handhelds served by each web process.
    handhelds = []
    for base in (live_server, *two_gunicorns):
        context = browser.new_context(**PHONE)
        phone = watch_errors(context.new_page())
        _badge_login(phone, base, badge, "4321")
        phone.wait_for_url(f"{base}/")
        assert "Consume" in phone.locator(".tile").all_inner_texts()
        handhelds.append((context, phone, base))
    screenshot(handhelds[1][1], "people-nurse-badge-login-handheld")

    # 5. Disabled in the browser: refused at once on every web process, her open sessions and a new login alike.
    admin.goto(f"{live_server}/people/zoe")
    admin.locator("[data-form=active]").get_by_label("Reason (kept in the audit log with your name)").fill("left the hospital")
    admin.get_by_role("button", name="Disable this user").click()
    admin.wait_for_selector(".person-state:text('disabled')")
    screenshot(admin, "people-nurse-disabled")
    for context, phone, base in handhelds:
        answer = phone.request.get(f"{base}/", max_redirects=0)
        assert answer.status == 302 and answer.headers["location"].startswith("/login"), (base, answer.status)
        _badge_login(phone, base, badge, "4321")
        phone.wait_for_selector(".field-error, .flash-error")
        assert phone.url.startswith(f"{base}/login"), (base, phone.url)
        if base == two_gunicorns[0]:
            screenshot(phone, "people-disabled-nurse-refused")
        context.close()
    assert admin.console_errors == []
