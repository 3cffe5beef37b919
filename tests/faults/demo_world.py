"""The demo stock that tests/workload.py speaks of, on a backend, and each command's effects in it.

- sandbox: the demo data itself; commands go as the workload makes them.
- odoo: a mirror of the parts of the demo data the workload uses, created in the configured Odoo
  under names unique to the run (products with new GTINs and the demo's lot names, locations with
  new barcodes, open receipts), with ample stock; `translate` rewrites a command's GTINs,
  locations and receipt into the mirror's.

`effects` counts, per op_id, what the backend holds under that command's idempotency key:
transfers and consumption by picking origin `WS-<op_id>`, receipt lines by the `WS-<op_id>`
key on the receipt's moves, counts by the inventory move reference `COUNT-<op_id>`. A command
applied exactly once has 1, a command never applied 0.
"""
import itertools
import random
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import Catalog, Lot, OutcomeStatus, Product
from offline_sync.backends.sandbox import demo
from offline_sync.backends.sandbox.models import SandboxMove, SandboxPicking
from scanners.gtin import check_digit
from tests.workload import CONSUME_LOTS, DESTINATIONS, QUIET_LOCATIONS, TRANSFER_LOTS

CONTRACT = Path(__file__).resolve().parents[1] / "contract"
DEMO_RECEIPT = "CS/IN/00001"
RECEIPT_GTIN = "05012345100067"  # what the workload receives onto DEMO_RECEIPT
LOCATION_KEYS = ("source", "destination", "location")
PICKING_KINDS = ("transfer", "consume")


def demo_catalog() -> Catalog:
    """The sandbox demo's products and lots as a catalog (GTIN-14s), for `Workload` on any backend."""
    products, lots = [], []
    for number, (barcode, code, name, expiries) in enumerate(demo.PRODUCTS, start=1):
        products.append(Product(number, "0" + barcode, name, code, "Units", True, True))
        today = datetime.now(UTC).date()
        lots += [Lot(len(lots) + 1, number, lot, today + timedelta(days=days)) for lot, days in expiries.items()]
    return Catalog(as_of=datetime.now(UTC), products=tuple(products), lots=tuple(lots))


class DemoWorld(Protocol):
    name: str
    source_stock: float | None  # what the central store holds of each lot the mix draws from; None: the demo's own

    def translate(self, command: dict[str, Any]) -> dict[str, Any]: ...

    def effects(self, kinds: Mapping[str, str]) -> Counter[str]: ...


def unknown_gtin() -> str:
    """A GTIN no backend knows: GS1 prefix 29 is for internal use, and the demo and the Odoo mirror use 50 and 20.
    Made here, without asking the backend, so that a device can make one while Odoo is down."""
    body = "29" + f"{random.randrange(10**10):010d}"
    return "0" + body + str(check_digit(body))


class SandboxDemoWorld:
    """The sandbox's own demo data, in the app's database."""

    name = "sandbox"
    source_stock = None

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def translate(self, command: dict[str, Any]) -> dict[str, Any]:
        return command

    def effects(self, kinds: Mapping[str, str]) -> Counter[str]:
        with self.factory() as session:
            pickings = Counter(dict(session.execute(
                select(SandboxPicking.origin, func.count())
                .where(SandboxPicking.backorder_id.is_(None), SandboxPicking.origin.like("WS-%"))
                .group_by(SandboxPicking.origin)).all()))
            moves = Counter(dict(session.execute(
                select(SandboxMove.origin, func.count()).where(SandboxMove.origin.like("WS-%")).group_by(SandboxMove.origin)).all()))
            counts = Counter(dict(session.execute(
                select(SandboxMove.reference, func.count()).where(SandboxMove.reference.like("COUNT-%"))
                .group_by(SandboxMove.reference)).all()))
        received = Counter(origin.split("/")[0] for origin in moves.elements())  # WS-<op_id>/<line>
        return _per_op(kinds, pickings, received, counts)


def _per_op(kinds: Mapping[str, str], pickings: Counter[str], received: Counter[str], counts: Counter[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for op_id, kind in kinds.items():
        if kind in PICKING_KINDS:
            found[op_id] = pickings[f"WS-{op_id}"]
        elif kind == "receive":
            found[op_id] = received[f"WS-{op_id}"]
        elif kind == "count":
            found[op_id] = counts[f"COUNT-{op_id}"]
        else:
            raise ValueError(f"no effect count for {kind} commands")
    return found


class OdooDemoWorld:
    """A mirror of the workload's demo data in a real Odoo, made through the contract suite's Odoo world."""

    name = "odoo"
    source_stock = 100_000  # per source lot: far more than any run draws

    def __init__(self, environ: Mapping[str, str], receipts: int = 1) -> None:
        if str(CONTRACT) not in sys.path:
            sys.path.insert(0, str(CONTRACT))
        from contract_world_odoo import make_world  # after doctor --fix, like the contract suite

        self.world = make_world(environ)
        self.odoo = self.world.backend.session().odoo
        self.name = f"odoo {self.odoo.version} at {environ['ODOO_URL']} ({environ['ODOO_DB']})"
        self.gtins = {product.gtin: self._product(product) for product in demo_catalog().products}
        used = {"CS-STOCK", "WARD-3B-SUPPLY", *DESTINATIONS, *QUIET_LOCATIONS}  # every place the workload names
        self.locations = {barcode: self.world.location() for barcode in sorted(used)}
        for gtin, lot in set(TRANSFER_LOTS) | set(CONSUME_LOTS):
            self.world.put(self.gtins[gtin], lot, self.locations["CS-STOCK"], self.source_stock)
        demand = {self.gtins["0" + barcode]: quantity for code, quantity in demo.OPEN_RECEIPT
                  for barcode, product_code, _, _ in demo.PRODUCTS if product_code == code}
        self.receipts = [self.world.receipt(self.locations["CS-STOCK"], demand) for _ in range(receipts)]
        self.receipt_ids = self.odoo.call("stock.picking", "search", [("name", "in", self.receipts)])
        self._next_receipt = itertools.cycle(self.receipts)
        self._lock = threading.Lock()

    def _product(self, product: Product) -> str:
        """The product under a new GTIN, with the demo's lots (lot names are unique per product in Odoo)."""
        gtin = self.world.product()
        expiries = next(expiries for barcode, _, _, expiries in demo.PRODUCTS if "0" + barcode == product.gtin)
        for lot, days in expiries.items():
            outcome = self.world.backend.create_lot(gtin, lot, date.today() + timedelta(days=days))
            assert outcome.status == OutcomeStatus.APPLIED, outcome.message
        return gtin

    def translate(self, command: dict[str, Any]) -> dict[str, Any]:
        payload = {key: self._value(key, value) for key, value in command["payload"].items()}
        return {**command, "payload": payload}

    def _value(self, key: str, value: Any) -> Any:
        if key in LOCATION_KEYS:
            return self.locations.get(value, value)
        if key == "gtin":
            return self.gtins.get(value, value)
        if key == "receipt" and value == DEMO_RECEIPT:
            with self._lock:  # receipt lines spread over several receipts, so no receipt grows huge
                return next(self._next_receipt)
        if key == "lines":
            return [{name: self._value(name, item) for name, item in line.items()} for line in value]
        return value

    def effects(self, kinds: Mapping[str, str]) -> Counter[str]:
        pickings: Counter[str] = Counter()
        counts: Counter[str] = Counter()
        for chunk in _chunks([op_id for op_id, kind in kinds.items() if kind in PICKING_KINDS]):
            for picking in self.odoo.call("stock.picking", "search_read",
                                          [("origin", "in", [f"WS-{op_id}" for op_id in chunk]), ("backorder_id", "=", False)],
                                          fields=["origin"]):
                pickings[picking["origin"]] += 1
        places = self.odoo.call("stock.location", "search", [("barcode", "in", list(self.locations.values()))])
        for move in self.odoo.call("stock.move", "search_read",  # Odoo may add " (user)" to the count's reference
                                   [("reference", "=like", "COUNT-%"), "|", ("location_id", "in", places),
                                    ("location_dest_id", "in", places)], fields=["reference"]):
            counts[move["reference"].split()[0]] += 1
        received: Counter[str] = Counter()
        for move in self.odoo.call("stock.move", "search_read", [("picking_id", "in", self.receipt_ids)], fields=["origin"]):
            received.update(token for token in (move["origin"] or "").split() if token.startswith("WS-"))
        return _per_op(kinds, pickings, received, counts)


def _chunks(items: list[str], size: int = 400) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
