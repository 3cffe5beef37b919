"""Two-bin card to transfer: how long from a card scanned on an online handheld until its request is
on the ward's replenishment transfer in the backend (prints figures; not a test).

    .venv/bin/python tests/bench/bench_replenishment.py [--cards 20] [--json out.json]

It starts Wardstock on a throwaway SQLite database with the demo users, runs the sync worker as
`flask sync worker` runs it (its normal schedule: 1 s idle polls, the catalog every minute), logs the
demo supervisor in on Debian's Chromium at 360x740 and scans one two-bin card at a time, each for
another product × ward location with a par level. A sample runs from the scan's Enter to the moment
the request's command is done in the outbox, i.e. the backend has put it on a transfer (the
worker marks it done only after the backend answered). The device sends at once (online), so the
figure is handheld → server → worker → backend.

Backend: the sandbox, with par levels set on every demo ward location; with ODOO_URL, ODOO_DB,
ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY set, that Odoo, on products and ward locations the
benchmark creates there under names of its own (tests/contract/contract_world_odoo.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from offline_sync.backends.contract import SetParLevel
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.e2e.journey import login, open_workflow, scanner_checked, wait_until
from tests.support import make_app

ODOO_SETTINGS = ("ODOO_URL", "ODOO_DB", "ODOO_USER")


def odoo_configured() -> bool:
    return all(os.environ.get(name) for name in ODOO_SETTINGS) and bool(os.environ.get("ODOO_API_KEY") or os.environ.get("ODOO_PASSWORD"))


def sandbox_pairs(app: Flask, cards: int) -> list[tuple[str, str]]:
    """Par levels on the demo ward locations, one per product × location (the demo store excluded)."""
    from app.services.backend import inventory_backend
    from offline_sync.backends.sandbox.demo import CENTRAL_STORE

    with app.app_context():
        backend = inventory_backend()
        catalog = backend.catalog()
        units = {p.id: p.gtin for p in reversed(catalog.products) if p.pack_quantity == 1}
        wards = sorted(loc.barcode for loc in catalog.locations if loc.usage == "internal" and loc.barcode != CENTRAL_STORE)
        pairs = [(ward, gtin) for ward in wards for gtin in sorted(units.values())][:cards]
        _set_par_levels(backend, pairs)
    return pairs


def odoo_pairs(cards: int) -> list[tuple[str, str]]:
    """Ward locations and products made for this run in the configured Odoo, each pair with a par level."""
    sys.path.insert(0, str(ROOT / "tests" / "contract"))
    from contract_world_odoo import make_world

    world = make_world(os.environ)
    per_ward = 5
    wards = [world.location() for _ in range(-(-cards // per_ward))]
    gtins = [world.product() for _ in range(per_ward)]
    pairs = [(ward, gtin) for ward in wards for gtin in gtins][:cards]
    _set_par_levels(world.backend, pairs)
    return pairs


def _set_par_levels(backend, pairs: list[tuple[str, str]]) -> None:
    for ward, gtin in pairs:
        outcome = backend.set_par_level(SetParLevel(str(uuid.uuid4()), ward, gtin, 5, 25))
        if outcome.status not in ("applied", "duplicate"):
            raise SystemExit(f"par level of {gtin} at {ward} not set: {outcome.message}")


def serve(folder: Path) -> tuple[Flask, str, object]:
    extra = {name: os.environ[name] for name in (*ODOO_SETTINGS, "ODOO_API_KEY", "ODOO_PASSWORD", "ODOO_TRANSPORT") if os.environ.get(name)}
    if odoo_configured():
        extra["WARDSTOCK_BACKEND"] = "odoo"
    app = make_app(f"sqlite:///{folder / 'bench.sqlite'}", folder, **extra)
    with app.app_context():
        from app.demo import load_demo
        from app.extensions import db

        upgrade()
        load_demo(db.session, date.today())  # the demo users (and the sandbox's demo stock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, f"http://127.0.0.1:{server.server_port}", server


def request_done(app: Flask, card: str) -> bool:
    """Whether the request this card made is done: the backend put it on a transfer."""
    from app.extensions import db
    from offline_sync.outbox.models import OutboxCommand, Status

    with app.app_context():
        rows = db.session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "replenish_request")).all()
        found = next((row for row in rows if row.payload.get("card") == card), None)
        if found is not None and found.status == Status.CONFLICT:
            raise SystemExit(f"{card} was parked: {found.conflict_message}")
        return found is not None and found.status == Status.DONE


def measure(app: Flask, base: str, pairs: list[tuple[str, str]], timeout: float) -> list[float]:
    from playwright.sync_api import sync_playwright

    from app.services.sync import refresh_catalog, run

    with app.app_context():
        refresh_catalog()
    stop = threading.Event()
    worker = threading.Thread(target=run, args=(app, stop, 1.0), name="bench-worker")  # `flask sync worker`'s default idle
    worker.start()
    samples: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_context(**PHONE).new_page()
            login(page, base, "supervisor")
            scanner_checked(page)
            open_workflow(page, base, "/replenish")
            for ward, gtin in pairs:
                card = f"BIN:{gtin}:{ward}"
                field = page.locator("#scan-field")
                field.focus()
                page.keyboard.type(card)
                started = time.perf_counter()
                page.keyboard.press("Enter")
                while not request_done(app, card):
                    if time.perf_counter() - started > timeout:
                        raise SystemExit(f"{card}: not on a transfer after {timeout:.0f} s; the page says {page.locator('#result').inner_text()!r}")
                    time.sleep(0.02)
                samples.append(time.perf_counter() - started)
                wait_until(page, "document.getElementById('sync-badge').dataset.pending === '0'")
            browser.close()
    finally:
        stop.set()
        worker.join()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=20, help="cards scanned, one after the other (default 20)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one card may take before the run fails")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}")
    with tempfile.TemporaryDirectory() as folder:
        app, base, server = serve(Path(folder))
        backend = f"Odoo at {os.environ['ODOO_URL']}" if odoo_configured() else "the sandbox"
        pairs = odoo_pairs(args.cards) if odoo_configured() else sandbox_pairs(app, args.cards)
        if len(pairs) < args.cards:
            print(f"only {len(pairs)} product × ward pairs to scan cards for")
        samples = measure(app, base, pairs, args.timeout)
        server.shutdown()
    ordered = sorted(samples)
    figures = {
        "backend": backend,
        "cards": len(samples),
        "median_s": round(statistics.median(ordered), 3),
        "p95_s": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
        "min_s": round(ordered[0], 3),
        "max_s": round(ordered[-1], 3),
    }
    print(f"card scanned on an online handheld -> request on the ward's transfer in {backend}, worker idle poll 1 s: "
          f"{figures['cards']} cards, median {figures['median_s']} s, p95 {figures['p95_s']} s "
          f"(min {figures['min_s']} s, max {figures['max_s']} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
