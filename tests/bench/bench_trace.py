"""Recall trace and expiry/waste dashboard benchmark (prints figures; not a test).

Its own set-up, in a fresh sandbox database: the demo's locations and users, then 200 products with
100 lots each (20,000 lots), 200,000 done moves among them (receipts, transfers to the wards,
consumption, scraps) with their pickings and quants, and Wardstock's own records of the consumption
and scraps (outbox commands and their `command_lots` rows, with case references). Then:

1. trace: the recall trace of random lots, as the service answers it and as the page (HTML) and the
   CSV answer it through the app: median, p95 and max (target: under 2 s);
2. dashboard: value expiring per ward and value wasted per reason, ward and month, and the page.

    python tests/bench/bench_trace.py [--database-url URL] [--lots 20000] [--moves 200000] [--samples 30]
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade
from sqlalchemy import insert, select

from app import create_app
from app.demo import load_demo
from app.extensions import db
from app.models import User
from app.services import recall_trace, waste_dashboard
from app.services.backend import inventory_backend
from app.services.sync import refresh_catalog
from offline_sync.backends.sandbox.models import (
    PickingKind,
    SandboxLocation,
    SandboxLot,
    SandboxMove,
    SandboxPicking,
    SandboxProduct,
    SandboxQuant,
    State,
)
from offline_sync.outbox.models import CommandLot, OutboxCommand, Status
from scanners.gtin import check_digit
from tests.support import csrf_token_from, login

PRODUCTS = 200
WARD_SHELVES = ("WARD-3B-SUPPLY", "WARD-ICU-CART", "WARD-ED-RESUS")
REASONS = ("expired", "damaged", "recalled", "contaminated", "opened_unused")
CHUNK = 5000


def build(lots: int, moves: int, today: date) -> dict[str, object]:
    """The set-up, in the app context: the ledger's rows and Wardstock's records, inserted in bulk."""
    rng = random.Random(16)
    session = db.session
    place = {location.barcode: location.id for location in session.scalars(select(SandboxLocation))}
    nurse = session.scalar(select(User).where(User.username == "nurse"))
    first_product = (session.scalar(select(SandboxProduct.id).order_by(SandboxProduct.id.desc())) or 0) + 1
    products = [{"id": first_product + n, "barcode": _ean13(730000000000 + n), "name": f"Bench item {n:03d}",
                 "default_code": f"BENCH-{n:03d}", "expiration_time": 730, "alert_time": 60, "standard_price": round(rng.uniform(0.2, 40), 2)}
                for n in range(PRODUCTS)]
    session.execute(insert(SandboxProduct), products)
    first_lot = (session.scalar(select(SandboxLot.id).order_by(SandboxLot.id.desc())) or 0) + 1
    lot_rows = [{"id": first_lot + n, "product_id": products[n % PRODUCTS]["id"], "name": f"BL{n:06d}",
                 "expiration_date": today + timedelta(days=rng.randint(-60, 700)), "recalled": n % 997 == 0}
                for n in range(lots)]
    _insert(session, SandboxLot, lot_rows)

    per_lot = max(4, moves // lots)
    pickings, move_rows, quants, commands, lines = [], [], {}, [], []
    picking_id = (session.scalar(select(SandboxPicking.id).order_by(SandboxPicking.id.desc())) or 0) + 1
    start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=330)
    for lot in lot_rows:
        product_id = lot["product_id"]
        gtin = products[product_id - first_product]["barcode"].zfill(14)
        shelf = rng.choice(WARD_SHELVES)
        when = start + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        received = 10.0 * per_lot
        steps = [("receipt", "VENDORS", "CS-STOCK", received), ("internal", "CS-STOCK", shelf, received / 2)]
        steps += [(rng.choice(("consumption",) * 6 + ("scrap",)), shelf, "PATIENT-USE", 1.0) for _ in range(per_lot - 2)]
        on_shelf, in_store = received / 2, received / 2
        for kind, source, destination, quantity in steps:
            when += timedelta(hours=rng.randint(1, 200))
            op_id = str(uuid.uuid4())
            name = f"BENCH/{kind[:4].upper()}/{picking_id:07d}"
            pickings.append({"id": picking_id, "name": name, "kind": PickingKind(kind), "state": State.DONE, "origin": f"WS-{op_id}",
                             "location_id": place[source], "location_dest_id": place[destination], "date_done": when,
                             "waste_reason": rng.choice(REASONS) if kind == "scrap" else None, "write_date": when})
            move_rows.append({"picking_id": picking_id, "product_id": product_id, "lot_id": lot["id"], "product_uom_qty": quantity,
                              "quantity": quantity, "picked": True, "origin": f"WS-{op_id}", "reference": name,
                              "location_id": place[source], "location_dest_id": place[destination], "state": State.DONE, "date": when})
            picking_id += 1
            if kind in ("consumption", "scrap"):
                on_shelf -= quantity
                wardstock_kind = "consume" if kind == "consumption" else "scrap"
                payload = {"location": shelf, "lines": [{"gtin": gtin, "lot": lot["name"], "quantity": quantity}]}
                payload |= {"reference": f"ENC-{rng.randint(1, 99999):05d}"} if kind == "consumption" else {"reason": pickings[-1]["waste_reason"]}
                commands.append({"op_id": op_id, "kind": wardstock_kind, "device_id": "bench", "device_seq": len(commands) % 2**31,
                                 "user_id": nurse.id, "username": nurse.username, "captured_at": when, "received_at": when,
                                 "lane": f"location:{shelf}", "touches": [], "payload": payload, "raw_scans": [], "status": Status.DONE,
                                 "attempts": 1, "next_attempt_at": when, "last_error": "", "refs": {}, "done_at": when,
                                 "conflict_message": "", "conflict_detail": {}, "resolution": {}})
                lines.append({"op_id": op_id, "kind": wardstock_kind, "gtin": gtin, "lot": lot["name"], "location": shelf,
                              "quantity": quantity, "captured_at": when, "user_id": nurse.id})
        quants[(product_id, place["CS-STOCK"], lot["id"])] = in_store
        quants[(product_id, place[shelf], lot["id"])] = max(on_shelf, 0.0)
    _insert(session, SandboxPicking, pickings)
    _insert(session, SandboxMove, move_rows)
    _insert(session, SandboxQuant, [{"product_id": p, "location_id": loc, "lot_id": lot, "quantity": q} for (p, loc, lot), q in quants.items()])
    _insert(session, OutboxCommand, commands)
    _insert(session, CommandLot, lines)
    session.commit()
    return {"lots": lot_rows, "products": products, "moves": len(move_rows), "commands": len(commands)}


def _ean13(body: int) -> str:
    """An EAN-13 with its check digit, as Odoo keeps a product's barcode."""
    return f"{body:012d}{check_digit(f'{body:012d}')}"


def _insert(session, model, rows: list[dict]) -> None:
    for first in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[first:first + CHUNK])


def timed(work) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def figures(name: str, seconds: list[float], target: float | None = None) -> None:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    verdict = "" if target is None else ("  OK" if ordered[-1] < target else f"  OVER the {target:g} s target")
    print(f"{name:<28} n={len(seconds):<4} median {statistics.median(ordered) * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   "
          f"max {ordered[-1] * 1000:8.1f} ms{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--lots", type=int, default=20_000)
    parser.add_argument("--moves", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="wardstock-bench-trace-"))
    environment = {**os.environ, "WARDSTOCK_ENV": "development", "WARDSTOCK_INSTANCE": str(instance), "SECRET_KEY": "bench",
                   "WARDSTOCK_BACKEND": "sandbox", "DATABASE_URL": args.database_url or f"sqlite:///{instance / 'bench.sqlite'}",
                   "LOG_LEVEL": "WARNING"}
    app = create_app(environment)
    today = datetime.now(UTC).date()
    with app.app_context():
        upgrade()
        load_demo(db.session, today)
        began = time.perf_counter()
        built = build(args.lots, args.moves, today)
        print(f"set-up: {len(built['lots'])} lots of {len(built['products'])} products, {built['moves']} moves, "
              f"{built['commands']} Wardstock commands in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        refresh_catalog()
        print(f"catalog cache filled in {time.perf_counter() - began:.1f} s")

        rng = random.Random(7)
        sample = rng.sample(built["lots"], args.samples)
        gtins = {p["id"]: p["barcode"].zfill(14) for p in built["products"]}
        backend = inventory_backend()
        service_times, uses = [], 0
        for lot in sample:
            seconds = timed(lambda lot=lot: service_times.append(recall_trace.trace(db.session, backend, gtins[lot["product_id"]], lot["name"])))
            uses += len(service_times[-1].uses)
            service_times[-1] = seconds
        figures("trace (service)", service_times, 2.0)
        print(f"{'':<28} {uses / len(sample):.1f} consumption records per lot on average")
        figures("expiring per ward", [timed(lambda: waste_dashboard.expiring(db.session, today)) for _ in range(5)])
        figures("wasted per reason/month", [timed(lambda: waste_dashboard.wasted(db.session, today - timedelta(days=365))) for _ in range(5)])

    client = app.test_client()
    login(client, "supervisor", "wardstock-demo")
    csrf_token_from(client.get("/").get_data(as_text=True))
    page_times, csv_times = [], []
    for lot in sample[:10]:
        query = {"gtin": gtins[lot["product_id"]], "lot": lot["name"]}
        page_times.append(timed(lambda query=query: _ok(client.get("/recalls/trace", query_string=query))))
        csv_times.append(timed(lambda query=query: _ok(client.get("/recalls/trace.csv", query_string=query))))
    figures("trace page (HTML)", page_times, 2.0)
    figures("trace CSV", csv_times, 2.0)
    figures("dashboard page", [timed(lambda: _ok(client.get("/expiry/dashboard"))) for _ in range(3)])


def _ok(response) -> None:
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:300])


if __name__ == "__main__":
    main()
