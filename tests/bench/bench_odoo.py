"""Odoo backend benchmark (prints figures; not a test).

    ODOO_URL=http://127.0.0.1:8017 ODOO_DB=ws17 ODOO_USER=admin ODOO_PASSWORD=admin \\
        .venv/bin/python tests/bench/bench_odoo.py [--rounds 5] [--products 5000] [--lots-per-product 4]

1. operations: HTTP requests and wall time per stock operation with a warm directory (as a running
   worker has it), and for the same command sent again (the duplicate answer), median of --rounds;
   and a run of 10 (5 transfers, 5 consumptions from one location) sent as the worker sends a run.
2. catalog: a full pull with at least --products bench products and --products x --lots-per-product
   lots in the database (created by this script in batches the first time, found again after), then
   an incremental pull with nothing changed since.
The database must be one the script may write into (it sets Odoo up as `doctor --fix` does).
`--json FILE` also writes the figures there; tests/bench/odoo_table.py puts several such files
(17, 18, 19…) side by side as the README's table.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "contract")]

from contract_world import LABEL_EXPIRY, op
from contract_world_odoo import OdooWorld, make_world
from odoo_operations import every_operation

from offline_sync.backends.contract import Consume, ItemLine, OutcomeStatus, Transfer
from offline_sync.backends.odoo.backend import OdooBackend
from offline_sync.backends.odoo.dates import expiry_to_odoo
from offline_sync.backends.odoo.settings import OdooSettings
from scanners.gtin import check_digit

BENCH_CODE = "BENCH-"
PRODUCT_BATCH, LOT_BATCH = 1000, 2000


def timed(backend: OdooBackend, send: Callable[[], Any]) -> tuple[int, float, Any]:
    before, started = backend.requests, time.perf_counter()
    result = send()
    return backend.requests - before, (time.perf_counter() - started) * 1000, result


Figures = dict[str, dict[str, float]]  # operation → calls, ms, again_calls, again_ms (medians)


def operations(world: OdooWorld, rounds: int) -> Figures:
    samples: dict[str, list[tuple[int, float, int, float]]] = {}
    for _ in range(rounds):
        for row in every_operation(world):
            expected = ("conflict", "conflict") if row.name == "count, overtaken" else ("applied", "duplicate")
            assert (row.first.status, row.again.status) == expected, (row.name, row.first.message, row.again.message)
            samples.setdefault(row.name, []).append((row.calls, row.ms, row.again_calls, row.again_ms))
        samples.setdefault(RUN, []).append(run_of_ten(world))
    figures = {
        name: dict(zip(("calls", "ms", "again_calls", "again_ms"), map(statistics.median, zip(*rows, strict=True))))
        for name, rows in samples.items()
    }
    print(f"\nStock operations, warm directory, median of {rounds} (HTTP requests, milliseconds)")
    print(f"{'operation':26} {'calls':>5} {'ms':>8}   {'again':>5} {'ms':>8}")
    for name, row in figures.items():
        print(f"{name:26} {row['calls']:5.0f} {row['ms']:8.1f}   {row['again_calls']:5.0f} {row['again_ms']:8.1f}")
    return figures


RUN = "run of 10 (issue_run)"


def run_of_ten(world: OdooWorld) -> tuple[int, float, int, float]:
    """Five transfers and five consumptions from one location in one `issue_run`, then the same run again."""
    backend = world.backend
    gtin, ward, shelf = world.product(), world.location(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 50)
    backend.transfer(Transfer(op(), ward, shelf, (ItemLine(gtin, 1, lot),)))  # warms the directory
    run: list[Transfer | Consume] = []
    for _ in range(5):
        run += [Transfer(op(), ward, shelf, (ItemLine(gtin, 1, lot),)), Consume(op(), ward, (ItemLine(gtin, 1, lot),))]
    calls, wall, first = timed(backend, lambda: backend.issue_run(run))
    again_calls, again_wall, again = timed(backend, lambda: backend.issue_run(run))
    assert [o.status for o in first] == [OutcomeStatus.APPLIED] * 10, [o.message for o in first]
    assert [o.status for o in again] == [OutcomeStatus.DUPLICATE] * 10, [o.message for o in again]
    return calls, wall, again_calls, again_wall


def ensure_catalog_data(world: OdooWorld, products: int, lots_per_product: int) -> None:
    """Bench products BENCH-00001… (GTINs 21…) with their lots, created in batches where missing."""
    call = world.backend.session().odoo.call
    storable = world.backend.session().odoo.version.storable
    existing = {
        row["default_code"]
        for row in call(
            "product.product", "search_read", [("default_code", "=like", f"{BENCH_CODE}%")], fields=["default_code"]
        )
    }
    missing = [n for n in range(1, products + 1) if f"{BENCH_CODE}{n:05d}" not in existing]
    started = time.perf_counter()
    for start in range(0, len(missing), PRODUCT_BATCH):
        values = []
        for n in missing[start : start + PRODUCT_BATCH]:
            body = f"21{n:010d}"
            values.append(
                {
                    "name": f"Bench item {n:05d}",
                    "default_code": f"{BENCH_CODE}{n:05d}",
                    "barcode": body + str(check_digit(body)),
                    "tracking": "lot",
                    "use_expiration_date": True,
                    "expiration_time": 730,
                    **storable,
                }
            )
        call("product.product", "create", values)
    made_products = time.perf_counter() - started
    ids = {
        row["default_code"]: row["id"]
        for row in call(
            "product.product", "search_read", [("default_code", "=like", f"{BENCH_CODE}%")], fields=["default_code"]
        )
    }
    named = {row["name"] for row in call("stock.lot", "search_read", [("name", "=like", "BL-%")], fields=["name"])}
    expiry = expiry_to_odoo(LABEL_EXPIRY, world.backend.session().odoo.tz)
    rows = [
        [f"BL-{n:05d}-{k}", str(ids[f"{BENCH_CODE}{n:05d}"]), expiry]
        for n in range(1, products + 1)
        for k in range(1, lots_per_product + 1)
        if f"BL-{n:05d}-{k}" not in named
    ]
    started = time.perf_counter()
    for start in range(0, len(rows), LOT_BATCH):
        loaded = call(
            "stock.lot", "load", ["name", "product_id/.id", "expiration_date"], rows[start : start + LOT_BATCH]
        )
        assert not [m for m in loaded["messages"] if m.get("type") == "error"], loaded["messages"][:3]
    made_lots = time.perf_counter() - started
    print(
        f"\nSet-up: {len(missing)} products created in {made_products:.1f} s, {len(rows)} lots in {made_lots:.1f} s "
        f"(batches of {PRODUCT_BATCH} and {LOT_BATCH}; nothing is created when they exist)"
    )


def catalog(settings: OdooSettings) -> Figures:
    """A full pull, then an incremental one with nothing changed in the window it reads (30 s back)."""
    quiet = 31
    print(f"(waiting {quiet} s: the incremental pull reads 30 s back, and nothing may have changed there)")
    time.sleep(quiet)
    backend = OdooBackend(settings)
    backend.session().directory.operation_types()  # a running worker has these
    calls, wall, full = timed(backend, backend.catalog)
    print("\nCatalog")
    print(
        f"full pull          {calls} calls {wall / 1000:6.2f} s: {len(full.products)} product GTINs, {len(full.lots)} lots, "
        f"{len(full.locations)} locations, {len(full.receipts)} open receipts, {len(full.stock)} stock levels"
    )
    quiet_calls, quiet_wall, since = timed(backend, lambda: backend.catalog(full.as_of))
    changed = len(since.products) + len(since.lots) + len(since.locations) + len(since.receipts) + len(since.stock)
    print(f"incremental, none  {quiet_calls} calls {quiet_wall / 1000:6.2f} s: {changed} records")
    return {
        "catalog, full pull": {"calls": calls, "ms": wall, "gtins": len(full.products), "lots": len(full.lots)},
        "catalog, incremental, nothing changed": {"calls": quiet_calls, "ms": quiet_wall},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--lots-per-product", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the figures to this file (for odoo_table.py)")
    arguments = parser.parse_args()
    os.environ.setdefault("ODOO_TIMEOUT", "600")  # a batch of thousands of lots takes longer than a command
    world = make_world(os.environ)
    backend = world.backend
    print(
        f"Odoo {backend.session().odoo.version.major} at {backend.settings.url}, database {backend.settings.database}"
    )
    print(f"Signing in: {backend.requests} HTTP requests (version, login, the user's context), once per worker")
    load_before = os.getloadavg()[0]
    figures = operations(world, arguments.rounds)
    ensure_catalog_data(world, arguments.products, arguments.lots_per_product)
    figures |= catalog(OdooSettings.from_environment(os.environ))
    if arguments.json:
        settings = backend.settings
        summary = {
            "version": backend.session().odoo.version.major,
            "transport": settings.transport,
            "measured": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "rounds": arguments.rounds,
            "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],  # 1-minute load average, start and end
            "operations": figures,
        }
        arguments.json.write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
