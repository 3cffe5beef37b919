"""Budgets of the PWA on a phone-sized Chromium, printed as figures (not a timed test).

    .venv/bin/python tests/bench/bench_pwa.py [--scans 60] [--cpu-slowdown 4] [--json out.json]

It starts Wardstock on a throwaway SQLite database with the demo data, logs in as the demo nurse
in Debian's Chromium at 360x740, and measures:

- JavaScript shipped on the first load of the consume screen, gzipped (what the page loads, and
  what the service worker precaches), excluding the camera's wasm. Budget: 150 KB.
- scan-to-feedback on the device path: from the end of a wedge scan (Enter) to the painted,
  colour-coded result, read from the Performance API measure "scan-to-feedback" that
  static/js/feedback.js records, over N scans (ok, refused, duplicate), with Chromium's CPU
  slowed down to resemble a handheld. Budget: 100 ms.

Exits 1 when a budget is exceeded, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import statistics
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade
from werkzeug.serving import make_server

from tests.support import make_app

CHROMIUM = "/usr/bin/chromium"
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
JS_BUDGET_KB = 150
SCAN_BUDGET_MS = 100


def serve_demo(folder: Path) -> tuple[str, object]:
    app = make_app(f"sqlite:///{folder / 'bench.sqlite'}", folder)
    with app.app_context():
        from app.demo import load_demo
        from app.extensions import db
        from app.services.sync import refresh_catalog

        upgrade()
        load_demo(db.session, date.today())
        refresh_catalog()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def wait_until(page, expression: str, tries: int = 150) -> None:
    for _ in range(tries):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise RuntimeError(f"timed out waiting for {expression}")


def login(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_text("Log in with username and password").tap()
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill("wardstock-demo")
    page.get_by_role("button", name="Log in", exact=True).tap()
    page.wait_for_url(f"{base}/")


def javascript_weight(browser, base: str) -> dict[str, float]:
    """Scripts the consume screen loads on a fresh device, and what the service worker precaches."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    login(page, base)
    loaded: dict[str, bytes] = {}

    def keep(response) -> None:
        if response.request.resource_type == "script" and response.ok:
            with contextlib.suppress(Exception):  # a body the browser already dropped
                loaded[response.url] = response.body()

    fresh = browser.new_context(**PHONE)  # a first load: nothing cached, no service worker yet
    fresh_page = fresh.new_page()
    fresh_page.context.add_cookies(context.cookies())
    fresh_page.on("response", keep)
    fresh_page.goto(f"{base}/consume")
    wait_until(fresh_page, "document.querySelector('[data-workflow][data-ready=true]')")
    fresh_page.wait_for_load_state("networkidle")
    sw = fresh_page.request.get(f"{base}/sw.js").text()
    precached = json.loads(sw[sw.index("const PRECACHE = ") + len("const PRECACHE = "):].split(";", 1)[0])
    shell_js = {url: fresh_page.request.get(f"{base}{url}").body() for url in precached if url.endswith(".js")}
    shell_js["/sw.js"] = sw.encode()
    wasm = fresh_page.request.get(f"{base}/static/vendor/zxing_reader.wasm").body()
    fresh.close()
    context.close()
    return {
        "first_load_scripts": len(loaded),
        "first_load_js_raw_kb": sum(map(len, loaded.values())) / 1024,
        "first_load_js_gzip_kb": sum(map(gz, loaded.values())) / 1024,
        "precached_js_gzip_kb": sum(map(gz, shell_js.values())) / 1024,
        "camera_wasm_gzip_kb (excluded)": gz(wasm) / 1024,
    }


def scan_to_feedback(browser, base: str, scans: int, slowdown: float) -> dict[str, float]:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    login(page, base)
    page.goto(f"{base}/consume")
    wait_until(page, "document.querySelector('[data-workflow][data-ready=true][data-catalog=loaded]')")
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    field = page.locator("#scan-field")
    field.focus()
    page.keyboard.type("WARD-3B-SUPPLY")
    page.keyboard.press("Enter")
    labels = [
        "0105012345100012" + "10IVC20-B245",  # ok
        "0105012345100036" + "10GZ-2406",  # ok
        "0105012345100043" + "10PCM-24A",  # expired: refused with a FEFO hint
        "]d20105012345100029" + "10SYR10-2502",  # recalled: refused
        "0105012345100050" + "10NS500-01~3012",  # with a count after a replacement GS
    ]
    page.evaluate("performance.clearMeasures('scan-to-feedback')")
    for index in range(scans):
        page.keyboard.insert_text(labels[index % len(labels)])
        page.keyboard.press("Enter")
        page.wait_for_timeout(1300 if index % len(labels) == len(labels) - 1 else 50)  # past the duplicate guard
    page.wait_for_timeout(300)
    durations = page.evaluate("performance.getEntriesByName('scan-to-feedback').map(e => e.duration)")
    context.close()
    if not durations:
        raise RuntimeError("no scan-to-feedback measures were recorded")
    ordered = sorted(durations)
    return {
        "scans_measured": len(durations),
        "cpu_slowdown": slowdown,
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max_ms": ordered[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=int, default=60)
    parser.add_argument("--cpu-slowdown", type=float, default=4.0, help="Chromium CPU throttling rate (1 = this machine)")
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    if not Path(CHROMIUM).exists() or not (ROOT / "static" / "vendor" / "idb.js").exists():
        print("needs /usr/bin/chromium and `make static`", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        base, server = serve_demo(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
                weight = javascript_weight(browser, base)
                timing = scan_to_feedback(browser, base, options.scans, options.cpu_slowdown)
                unthrottled = scan_to_feedback(browser, base, max(10, options.scans // 3), 1.0)
                browser.close()
        finally:
            server.shutdown()
    results = {"javascript": weight, "scan_to_feedback": timing, "scan_to_feedback_unthrottled": unthrottled}
    print("JavaScript (gzip -9), camera wasm excluded:")
    for name, value in weight.items():
        print(f"  {name:<34} {value:8.1f}")
    for title, figures in (("Scan to feedback, device path", timing), ("Same, CPU not slowed", unthrottled)):
        print(f"{title}:")
        for name, value in figures.items():
            print(f"  {name:<34} {value:8.1f}")
    over = []
    if weight["first_load_js_gzip_kb"] > JS_BUDGET_KB or weight["precached_js_gzip_kb"] > JS_BUDGET_KB:
        over.append(f"JavaScript over {JS_BUDGET_KB} KB")
    if timing["p95_ms"] > SCAN_BUDGET_MS:
        over.append(f"scan-to-feedback p95 over {SCAN_BUDGET_MS} ms")
    print("Budgets:", "; ".join(over) if over else f"met (JS <= {JS_BUDGET_KB} KB gzipped, scan-to-feedback p95 <= {SCAN_BUDGET_MS} ms)")
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
