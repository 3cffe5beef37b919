"""The PWA as Lighthouse would look at it, checked by the tests themselves: a valid manifest with
its icons, a service worker that controls the page, the app loading offline, tap targets of at
least 48 px, no console errors."""
import json
import struct

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.journey import login, real_errors, small_targets, wait_until

pytestmark = pytest.mark.e2e


# --- the checks ----------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_manifest_is_valid_and_installable(demo_server: str, phone) -> None:
    page = phone
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


def test_service_worker_controls_the_page_and_the_app_loads_offline(demo_server: str, phone) -> None:
    page = phone
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


def test_pages_vary_on_hx_request_and_fragments_are_blocks(demo_server: str, phone) -> None:
    page = phone
    login(page, demo_server, "store")
    whole = page.request.get(f"{demo_server}/receive")
    fragment = page.request.get(f"{demo_server}/receive", headers={"HX-Request": "true"})
    assert "HX-Request" in whole.headers["vary"] and "HX-Request" in fragment.headers["vary"]
    assert "<html" in whole.text() and "<html" not in fragment.text() and "CS/IN/00001" in fragment.text()


def test_tap_targets_are_at_least_48px_on_every_screen(demo_server: str, phone) -> None:
    page = phone
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


def test_the_service_worker_is_served_from_the_root_with_a_versioned_precache(demo_server: str, phone) -> None:
    page = phone
    response = page.request.get(f"{demo_server}/sw.js")
    assert response.ok and response.headers["cache-control"] == "no-cache"
    source = response.text()
    assert "__VERSION__" not in source and "__PRECACHE__" not in source
    for url in ("/static/vendor/zxing_reader.wasm", "/static/vendor/idb.js", "/static/js/gs1.js", "/device/offline"):
        assert f'"{url}"' in source, f"{url} is not precached"

