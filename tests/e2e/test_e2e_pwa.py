"""The PWA as Lighthouse would look at it, checked by the tests themselves: a valid manifest with
its icons, a service worker that controls the page, the app loading offline, tap targets of at
least 48 px, no console errors. Also the helpers the workflow journeys share (demo data, wedge
scans, the sync worker run in-process, stock read back from the sandbox)."""
import json
import struct
import time
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e
DEMO_PASSWORD = "wardstock-demo"
GS = "\x1d"


# --- helpers shared by the journeys --------------------------------------------------------


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


def wait_until(page, expression: str, timeout: float = 15000) -> object:  # noqa: ANN001
    """Poll a JavaScript expression until it is truthy. (page.wait_for_function evaluates strings
    inside the page, which our CSP rightly forbids; page.evaluate goes through the debugger.)"""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


def login(page, base: str, username: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/login")
    page.get_by_text("Log in with username and password").tap()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).tap()
    page.wait_for_url(f"{base}/")


def open_workflow(page, base: str, path: str) -> None:  # noqa: ANN001
    """Open a workflow page and wait until the service worker controls it and the catalog is in IndexedDB."""
    page.goto(f"{base}{path}")
    try:
        wait_until(page, "navigator.serviceWorker.controller !== null", 15000)
    except AssertionError:
        state = page.evaluate(
            "navigator.serviceWorker.getRegistration().then(r => r ? [r.installing?.state, r.waiting?.state, r.active?.state] : 'none')"
        )
        raise AssertionError(f"no service worker controls {path}: registration {state}") from None
    page.wait_for_selector("[data-workflow][data-ready=true][data-catalog=loaded]", timeout=15000)
    # …and until this screen is kept for offline use (a page that loaded before the worker took
    # control is fetched again by it).
    try:
        wait_until(page, "caches.open('pages').then(c => c.match(location.pathname)).then(Boolean)", 15000)
    except AssertionError:
        state = page.evaluate("""() => Promise.all([caches.keys(), caches.open('pages').then(c => c.keys()).then(k => k.map(r => r.url)),
            navigator.serviceWorker.getRegistration().then(r => [r.installing?.state, r.waiting?.state, r.active?.state, r.active?.scriptURL]),
            !!navigator.serviceWorker.controller])""")
        raise AssertionError(f"{path} not cached: {state}") from None


def reload_offline(page) -> None:  # noqa: ANN001
    page.reload()
    page.wait_for_selector("[data-workflow][data-ready=true]", timeout=15000)


def wedge(page, text: str) -> None:  # noqa: ANN001
    """Type a scan into the focused scan field as a keyboard-wedge scanner does, Enter at the end.
    GS (\\x1d) cannot be typed as a key; it is inserted as text, as some scanner drivers do."""
    field = page.locator("#scan-field")
    field.focus()
    for index, part in enumerate(text.split(GS)):
        if index:
            page.keyboard.insert_text(GS)
        if part:
            page.keyboard.type(part)
    page.keyboard.press("Enter")


def result_text(page) -> str:  # noqa: ANN001
    return page.locator("#result").inner_text()


def expect_result(page, *texts: str, level: str | None = None) -> str:  # noqa: ANN001
    """Wait until the result panel shows every text (and the level); returns what it shows."""
    from playwright.sync_api import expect

    panel = page.locator("#result")
    for text in texts:
        expect(panel).to_contain_text(text)
    if level:
        expect(panel).to_have_attribute("data-level", level)
    return panel.inner_text()


def gs1(gtin: str, lot: str, expiry: date | None = None, count: int | None = None, sep: str = "~") -> str:
    """A GS1 element string as printed on the demo labels, lot first (so a separator follows it)."""
    text = f"01{gtin}10{lot}"
    if expiry or count:
        text += sep
    if expiry:
        text += f"17{expiry:%y%m%d}"
    if count:
        text += f"30{count}"
    return text


def run_sync_worker(app: Flask) -> int:
    """The server's sync worker, in-process, until it finds nothing more to do."""
    from app.services.sync import build_worker

    done = 0
    with app.app_context():
        worker = build_worker("e2e-test")
        while (worked := worker.run_once()) > 0:
            done += worked
    return done


def on_hand(app: Flask, location: str, lot: str) -> float:
    from app.services.backend import inventory_backend

    with app.app_context():
        catalog = inventory_backend().catalog()
        loc = next(x for x in catalog.locations if x.barcode == location)
        found = next((x for x in catalog.lots if x.name == lot), None)
        return sum(s.quantity for s in catalog.stock if s.location_id == loc.id and found and s.lot_id == found.id)


def outbox_rows(app: Flask, kind: str | None = None) -> list:
    from sqlalchemy import select

    from app.extensions import db
    from offline_sync.outbox.models import OutboxCommand

    with app.app_context():
        query = select(OutboxCommand).order_by(OutboxCommand.id)
        if kind:
            query = query.where(OutboxCommand.kind == kind)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def lot_expiry(app: Flask, lot: str) -> date:
    from app.services.backend import inventory_backend

    with app.app_context():
        return next(x.expiry for x in inventory_backend().catalog().lots if x.name == lot)


def wait_synced(page, timeout: float = 15000) -> None:  # noqa: ANN001
    """Wait until this handheld has nothing left to send (the badge shows 0 pending)."""
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '0'", timeout)


def badge(page) -> dict:  # noqa: ANN001
    return page.eval_on_selector("#sync-badge", "b => ({...b.dataset, text: b.innerText})")


def small_targets(page) -> list[str]:  # noqa: ANN001
    """Visible buttons, links and form controls smaller than 48 px in height (or width for buttons)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('button, a, input, select, textarea, summary, label.button, [role=button]')]
        .filter(el => el.offsetParent !== null && !el.closest('.visually-hidden') && !el.matches('.visually-hidden')
                && getComputedStyle(el).visibility !== 'hidden')
        .filter(el => !(el.tagName === 'A' && el.closest('p, li, figcaption, .help')))  /* links inside text */
        .filter(el => !(el.tagName === 'INPUT' && ['radio', 'checkbox', 'hidden'].includes(el.type)))
        .map(el => [el, el.getBoundingClientRect()])
        .filter(([el, r]) => r.height < 48 || (el.tagName === 'BUTTON' && r.width < 48))
        .map(([el, r]) => `${el.tagName.toLowerCase()} '${(el.innerText || el.name || el.id).trim().slice(0, 30)}' ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


@pytest.fixture
def offline_phone(browser) -> Iterator[object]:  # noqa: ANN001
    """Like `phone`, with the context at hand (to go offline) and console errors collected."""
    from tests.e2e.conftest import PHONE

    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def real_errors(page) -> list[str]:  # noqa: ANN001
    """Console errors, except the network failures a deliberately offline browser logs."""
    offline_noise = ("net::ERR_INTERNET_DISCONNECTED", "Failed to fetch", "Failed to load resource")
    return [e for e in page.console_errors if not any(noise in e for noise in offline_noise)]


# --- the checks ----------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_manifest_is_valid_and_installable(demo_server: str, offline_phone) -> None:  # noqa: ANN001
    page = offline_phone
    login(page, demo_server, "nurse")
    href = page.get_attribute("link[rel=manifest]", "href")
    response = page.request.get(f"{demo_server}{href}")
    assert response.ok and response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    for field in ("name", "short_name", "start_url", "scope", "display", "icons", "theme_color", "background_color", "id"):
        assert manifest.get(field), f"manifest has no {field}"
    assert manifest["display"] in ("standalone", "fullscreen", "minimal-ui")
    sizes = {}
    for icon in manifest["icons"]:
        icon_response = page.request.get(f"{demo_server}{icon['src']}")
        assert icon_response.ok, icon["src"]
        if icon["type"] == "image/png":
            width, height = _png_size(icon_response.body())
            assert f"{width}x{height}" == icon["sizes"], icon["src"]
            sizes.setdefault(icon.get("purpose", "any"), set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"] and "512x512" in sizes["maskable"]
    assert page.get_attribute("meta[name=theme-color]", "content") == manifest["theme_color"]


def test_service_worker_controls_the_page_and_the_app_loads_offline(demo_server: str, offline_phone) -> None:  # noqa: ANN001
    page = offline_phone
    login(page, demo_server, "nurse")
    wait_until(page, "navigator.serviceWorker.controller !== null", 15000)
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{demo_server}/"
    # The home page asks the worker to keep the screens this user may need offline.
    wait_until(page, "caches.open('pages').then(c => Promise.all(['/', '/consume', '/device/queue'].map(u => c.match(u)))).then(r => r.every(Boolean))", 15000)
    page.context.set_offline(True)
    page.reload()
    assert page.get_by_role("heading", name="Hello, Nia Nurse (Ward 3B)").is_visible()
    page.goto(f"{demo_server}/consume")
    assert page.locator("[data-workflow=consume]").is_visible()
    page.goto(f"{demo_server}/device/queue")
    assert page.get_by_role("heading", name="My queue").is_visible()
    page.goto(f"{demo_server}/never-visited")
    assert page.get_by_role("heading", name="No network").is_visible()
    screenshot(page, "offline-fallback")
    # Offline, the cached page answers a plain request for its URL, but an htmx request for the same
    # URL does not get it: the page was stored with Vary: HX-Request and the cache honours it.
    whole = page.evaluate("() => fetch('/device/queue').then(r => r.text()).catch(e => 'failed')")
    fragment = page.evaluate("() => fetch('/device/queue', {headers: {'HX-Request': 'true'}}).then(r => r.text()).catch(e => 'failed')")
    assert "<html" in whole and fragment == "failed"
    page.context.set_offline(False)
    assert real_errors(page) == []


def test_pages_vary_on_hx_request_and_fragments_are_blocks(demo_server: str, offline_phone) -> None:  # noqa: ANN001
    page = offline_phone
    login(page, demo_server, "store")
    whole = page.request.get(f"{demo_server}/receive")
    fragment = page.request.get(f"{demo_server}/receive", headers={"HX-Request": "true"})
    assert "HX-Request" in whole.headers["vary"] and "HX-Request" in fragment.headers["vary"]
    assert "<html" in whole.text() and "<html" not in fragment.text() and "CS/IN/00001" in fragment.text()


def test_tap_targets_are_at_least_48px_on_every_screen(demo_server: str, offline_phone) -> None:  # noqa: ANN001
    page = offline_phone
    for user, paths in {
        "nurse": ["/", "/consume", "/transfer", "/device/queue", "/device/scanner"],
        "store": ["/receive", "/count"],
        "supervisor": ["/conflicts"],
    }.items():
        login(page, demo_server, user)
        for path in paths:
            page.goto(f"{demo_server}{path}")
            page.wait_for_load_state("networkidle")
            assert small_targets(page) == [], f"{path}: {small_targets(page)}"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path} scrolls sideways ({width}px)"
        page.get_by_role("button", name="Log out").tap()
        page.wait_for_url("**/login")
    assert real_errors(page) == []


def test_the_service_worker_is_served_from_the_root_with_a_versioned_precache(demo_server: str, offline_phone) -> None:  # noqa: ANN001
    page = offline_phone
    response = page.request.get(f"{demo_server}/sw.js")
    assert response.ok and response.headers["cache-control"] == "no-cache"
    source = response.text()
    assert "__VERSION__" not in source and "__PRECACHE__" not in source
    for url in ("/static/vendor/zxing_reader.wasm", "/static/vendor/idb.js", "/static/js/gs1.js", "/device/offline"):
        assert f'"{url}"' in source, f"{url} is not precached"

