"""A live Wardstock server and a real Chromium (Debian's, driven by Playwright) at phone size."""
import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
LANDSCAPE = {**PHONE, "viewport": {"width": 740, "height": 360}}
ORIENTATIONS = {"portrait": PHONE, "landscape": LANDSCAPE}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Without these, Chromium spends its start-up reaching for Google's services this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def phone(browser) -> Iterator[object]:
    context = browser.new_context(**PHONE)
    page = watch_errors(context.new_page())
    yield page
    context.close()


@pytest.fixture(params=list(ORIENTATIONS))
def any_phone(browser, request) -> Iterator[object]:
    """The same journey on a phone held upright (360×740) and sideways (740×360), with touch;
    `page.orientation` names which, for the screenshots."""
    context = browser.new_context(**ORIENTATIONS[request.param])
    page = watch_errors(context.new_page())
    page.orientation = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def watch_errors(page):  # a Playwright page, returned
    """Collect the page's console errors and uncaught exceptions in `page.console_errors`."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # type: ignore[attr-defined]
    return page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(autouse=True)
def _static_vendor_present() -> None:
    vendor = Path(__file__).resolve().parents[2] / "static" / "vendor" / "htmx.min.js"
    if not vendor.exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: {vendor} missing; run `make static` (npm) first")


@pytest.fixture
def demo_server(app: Flask, live_server: str) -> str:
    """The live server with the demo users, stock and catalog loaded."""
    from app.demo import load_demo
    from app.extensions import db
    from app.services.sync import refresh_catalog

    with app.app_context():
        load_demo(db.session, date.today())
        refresh_catalog()
    return live_server


class Handheld:
    """A phone whose browser keeps its profile on disk (IndexedDB, service worker, cookies), so it
    can be killed like a tab the system reclaims and opened again with what it had stored."""

    def __init__(self, browser, profile: Path) -> None:
        self._browser_type = browser.browser_type
        self.profile = profile
        self.context = None

    def open(self):  # a Playwright page
        self.context = self._browser_type.launch_persistent_context(
            str(self.profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **PHONE
        )
        return watch_errors(self.context.pages[0] if self.context.pages else self.context.new_page())

    def kill(self) -> None:
        """SIGKILL the browser process of this profile: no unload, no flush, no goodbye."""
        os.kill(self._browser_pid(), signal.SIGKILL)
        with contextlib.suppress(Exception):  # Playwright reports the browser it lost: that is the point
            self.context.close()
        self.context = None

    def _browser_pid(self) -> int:
        marker = f"--user-data-dir={self.profile}".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker in arguments and not any(a.startswith(b"--type=") for a in arguments):
                return int(entry.name)
        raise AssertionError(f"no browser process runs the profile {self.profile}")

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None


@pytest.fixture
def handheld(browser, tmp_path: Path) -> Iterator[Handheld]:
    phone = Handheld(browser, tmp_path / "profile")
    yield phone
    phone.close()
