"""Catalog benchmark (prints figures; not a test): the handhelds' catalog as POST /api/v1/sync sends it.

In a fresh database of its own, the catalog cache is filled from a backend of 5,000 products and
20,000 lots (with 100 locations, 20,000 stock rows, 200 receipts and 1,000 par levels), then:

1. full: the first exchange of a handheld with no catalog: the answer's size as sent (JSON) and
   gzipped (as the server sends it to a handheld that accepts gzip), and the time to make it
   (target: at most 2 MB gzipped);
2. delta: one lot recalled in the backend, the next refresh, and the exchange of a handheld that
   held the previous version: the answer's size and time (target: one exchange, at most 2 KB);
3. quiet: a refresh that finds nothing new leaves the version as it was.

    python tests/bench/bench_catalog.py [--database-url URL] [--products 5000] [--lots 20000]
"""
import argparse
import gzip
import os
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask import Flask, jsonify
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.services import device_catalog
from offline_sync import catalog_cache
from offline_sync.backends.contract import Catalog, Location, Lot, ParLevel, Product, Receipt, ReceiptLine, StockLevel
from offline_sync.persistence import utcnow
from tests.fakes import FakeBackend


@dataclass
class Backend(FakeBackend):
    """Everything on the first pull; afterwards only what `changed` holds."""

    whole: Catalog = field(default_factory=lambda: Catalog(as_of=utcnow()))
    changed: Catalog | None = None
    pulls: int = 0

    def catalog(self, since: datetime | None = None) -> Catalog:
        self.pulls += 1
        if since is None:
            return self.whole
        return self.changed or Catalog(as_of=utcnow())


def whole_catalog(products: int, lots: int) -> Catalog:
    locations = tuple(Location(id=1000 + n, barcode=f"WARD-{n:03d}", name=f"Ward {n} supply room", parent_id=None,
                               usage="internal") for n in range(100))
    return Catalog(
        as_of=utcnow(),
        products=tuple(Product(id=n, gtin=f"0501234{n:06d}{n % 10}", name=f"Product {n} sterile single use 10 ml",
                               code=f"P-{n:05d}", unit="Units", tracked_by_lot=True, uses_expiry=True, cost=1.25)
                       for n in range(1, products + 1)),
        lots=tuple(Lot(id=n, product_id=n % products + 1, name=f"L{n:07d}", expiry=date(2027, 1, 1) + timedelta(days=n % 700),
                       alert_date=date(2026, 12, 1) + timedelta(days=n % 700)) for n in range(1, lots + 1)),
        locations=locations,
        receipts=tuple(Receipt(id=n, reference=f"CS/IN/{n:05d}", state="open", destination_id=1000,
                               lines=tuple(ReceiptLine(product_id=(n * 7 + k) % products + 1, expected=10, received=0)
                                           for k in range(5)))
                       for n in range(1, 201)),
        stock=tuple(StockLevel(product_id=n % products + 1, location_id=1000 + n % 100, lot_id=n, quantity=float(n % 50 + 1))
                    for n in range(1, lots + 1)),
        par_levels=tuple(ParLevel(product_id=n % products + 1, location_id=1000 + n % 100, minimum=5, maximum=20)
                         for n in range(1000)),
    )


def body(app: Flask, answer: dict) -> bytes:
    with app.test_request_context():
        return jsonify({"results": [], "statuses": {}, "catalog": answer}).get_data()


def refresh(app: Flask, backend: Backend) -> tuple[int, float]:
    started = time.perf_counter()
    with app.app_context(), db.session.begin():
        changed = catalog_cache.refresh(db.session, backend)
    return changed, time.perf_counter() - started


def exchange(app: Flask, known: str | None) -> tuple[dict, float]:
    started = time.perf_counter()
    with app.app_context():
        answer = device_catalog.changes_since(db.session, known)
        db.session.remove()
    return answer, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--lots", type=int, default=20000)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="wardstock-bench-catalog-"))
    environment = {**os.environ, "WARDSTOCK_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                   "DATABASE_URL": args.database_url or f"sqlite:///{instance / 'catalog.sqlite'}", "WARDSTOCK_INSTANCE": str(instance),
                   "WARDSTOCK_BACKEND": "sandbox"}
    app = create_app(environment)
    with app.app_context():
        upgrade()
    backend = Backend(whole=whole_catalog(args.products, args.lots))
    changed, seconds = refresh(app, backend)
    print(f"first refresh: {changed} rows into the cache in {seconds:.1f} s; load average {os.getloadavg()[0]:.2f}")

    full, seconds = exchange(app, None)
    sent = body(app, full)
    packed = gzip.compress(sent, 6)
    verdict = "met" if len(packed) <= 2 * 1024 * 1024 else "NOT MET"
    print(f"full: {args.products} products, {args.lots} lots: {len(sent) / 1024 / 1024:.2f} MB as JSON, "
          f"{len(packed) / 1024 / 1024:.2f} MB gzipped (target 2 MB: {verdict}); made in {seconds * 1000:.0f} ms")

    held = full["version"]
    lot = backend.whole.lots[1234]
    backend.changed = Catalog(as_of=utcnow(), lots=(replace(lot, recalled=True),))
    changed, seconds = refresh(app, backend)
    delta, made = exchange(app, held)
    sent = body(app, delta)
    verdict = "met" if len(sent) <= 2048 and list(delta.get("changes", {})) == ["lots"] else "NOT MET"
    print(f"delta: one lot recalled: refresh {changed} row in {seconds * 1000:.0f} ms; the next exchange's answer "
          f"{len(sent)} bytes (target one exchange, 2 KB: {verdict}); made in {made * 1000:.1f} ms; version {held} -> {delta['version']}")

    backend.changed = None
    changed, seconds = refresh(app, backend)
    again, _ = exchange(app, delta["version"])
    print(f"quiet: a refresh that finds nothing: {changed} rows, version {delta['version']} -> {again['version']} "
          f"({'unchanged' if again.get('unchanged') else 'CHANGED'}), {len(body(app, again))} bytes")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
