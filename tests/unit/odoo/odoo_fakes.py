"""A fake Odoo for unit tests: a `Transport` that answers each (model, method) from a table and
records every call, plus the records of a small hospital store to answer lookups with."""

import copy
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from offline_sync.backends.odoo.backend import OdooBackend
from offline_sync.backends.odoo.errors import OdooUnavailable
from offline_sync.backends.odoo.json2 import body_for
from offline_sync.backends.odoo.settings import OdooSettings
from offline_sync.backends.odoo.transport import SignedIn

SETTINGS = OdooSettings("http://odoo.invalid:8069", "ward", "wardstock", "secret")

CANNULA = "05012345100012"  # GTIN-14 on the label; Odoo keeps 5012345100012
SYRINGE = "05012345100029"  # untracked
WARD, STORE, ARCHIVED = "WARD-3B", "CS-STOCK", "OLD-SHELF"
WARD_ID, STORE_ID, CONSUMED_ID, VENDORS_ID = 20, 8, 30, 4

Answer = Any | Callable[[list[Any], dict[str, Any]], Any]


class FakeOdoo:
    """`answer(model, method, result)`; a result may be a function of (args, kwargs), or an exception to raise.
    Every call is also checked to be expressible over JSON-2 (named arguments only)."""

    def __init__(self, version: str = "17.0", tz: str | None = None) -> None:
        self.version, self.tz = version, tz
        self.requests = 0
        self.calls: list[tuple[str, str, list[Any], dict[str, Any]]] = []
        self._answers: dict[tuple[str, str], Answer] = {}
        self.login_error: Exception | None = None

    def answer(self, model: str, method: str, result: Answer) -> "FakeOdoo":
        self._answers[model, method] = result
        return self

    def login(self) -> SignedIn:
        self.requests += 1
        if self.login_error is not None:
            raise self.login_error
        return SignedIn(self.version, 2, self.tz)

    def call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        self.requests += 1
        self.calls.append((model, method, copy.deepcopy(args), copy.deepcopy(kwargs)))
        body_for(method, args, kwargs)  # every call the backend makes can also travel over JSON-2
        if (model, method) not in self._answers:
            raise AssertionError(f"unexpected call {model}.{method}({args}, {kwargs})")
        answer = self._answers[model, method]
        if isinstance(answer, Exception):
            raise answer
        return copy.deepcopy(answer(args, kwargs) if callable(answer) else answer)

    def methods(self) -> list[str]:
        return [f"{model}.{method}" for model, method, _, _ in self.calls]

    def args_of(self, model: str, method: str) -> list[Any]:
        """The positional arguments of the last such call."""
        return next(args for m, meth, args, _ in reversed(self.calls) if (m, meth) == (model, method))

    def kwargs_of(self, model: str, method: str) -> dict[str, Any]:
        return next(kwargs for m, meth, _, kwargs in reversed(self.calls) if (m, meth) == (model, method))


def records(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"length": len(rows), "records": rows}


def product_row(
    product_id: int,
    barcode: str,
    *,
    tracked: bool = True,
    packagings: tuple[tuple[str, float], ...] = (),
    active: bool = True,
) -> dict[str, Any]:
    """A product; `packagings` are (barcode, units in one box)."""
    return {
        "id": product_id,
        "display_name": f"Product {product_id}",
        "active": active,
        "default_code": f"P{product_id}",
        "barcode": barcode,
        "uom_id": {"id": 1, "display_name": "Units", "factor": 1.0},
        "tracking": "lot" if tracked else "none",
        "use_expiration_date": tracked,
        # Both versions' shapes: 17/18 read `packaging_ids`, 19 its units' barcodes (versions.py).
        "packaging_ids": [{"id": 100 + n, "barcode": code, "qty": qty} for n, (code, qty) in enumerate(packagings)],
        "product_uom_ids": [
            {"id": 100 + n, "barcode": code, "uom_id": {"id": 50 + n, "factor": qty}}
            for n, (code, qty) in enumerate(packagings)
        ],
    }


PRODUCTS = [product_row(7, CANNULA[1:]), product_row(9, SYRINGE[1:], tracked=False)]


def location_row(location_id: int, barcode: str, *, active: bool = True, usage: str = "internal") -> dict[str, Any]:
    return {
        "id": location_id,
        "barcode": barcode,
        "complete_name": f"WH/{barcode}",
        "usage": usage,
        "active": active,
        "location_id": 8,
        "warehouse_id": 1,
    }


LOCATIONS = [location_row(WARD_ID, WARD), location_row(STORE_ID, STORE), location_row(21, ARCHIVED, active=False)]


def lot_row(
    lot_id: int, name: str, expiry: date | None, product_id: int = 7, note: str | bool = False
) -> dict[str, Any]:
    return {
        "id": lot_id,
        "name": name,
        "product_id": product_id,
        "expiration_date": f"{expiry:%Y-%m-%d} 00:00:00" if expiry else False,
        "note": note,
    }


FRESH = date.today() + timedelta(days=300)


def _matching(rows: list[dict[str, Any]], key: str) -> Callable[[list[Any], dict[str, Any]], Any]:
    """Answer a `web_search_read` whose domain names `key` values with `in`: the rows holding one of them."""

    def search(args: list[Any], _kwargs: dict[str, Any]) -> dict[str, Any]:
        wanted = {value for term in args[0] if isinstance(term, (list, tuple)) and term[1] == "in" for value in term[2]}
        return records([row for row in rows if row.get(key) in wanted or not wanted])

    return search


def store(fake: FakeOdoo, *, consumption: bool = True) -> FakeOdoo:
    """Answers for what the directory reads: products, locations, warehouses and operation types."""
    fake.answer("product.product", "web_search_read", _matching(PRODUCTS, "barcode"))
    fake.answer("stock.location", "web_search_read", _matching(LOCATIONS, "barcode"))
    fake.answer("stock.warehouse", "web_search_read", records([{"id": 1, "in_type_id": 1, "int_type_id": 5, "lot_stock_id": 8}]))
    types = [{"id": 9, "warehouse_id": 1, "default_location_dest_id": CONSUMED_ID}] if consumption else []
    fake.answer("stock.picking.type", "web_search_read", records(types))
    fake.answer("stock.location", "search", [VENDORS_ID])
    return fake


def backend_on(fake: FakeOdoo) -> OdooBackend:
    return OdooBackend(SETTINGS, transport=lambda _settings: fake)


def warm(backend: OdooBackend, fake: FakeOdoo, *gtins: str) -> None:
    """Fill the directory as a running worker has it, then forget those calls."""
    directory = backend.session().directory
    directory.products(gtins or (CANNULA,))
    directory.storage_locations(WARD, STORE)
    directory.operation_types()
    fake.calls.clear()
    fake.requests = 0


def unavailable(message: str = "Odoo at http://odoo.invalid:8069 refuses connections.") -> OdooUnavailable:
    return OdooUnavailable(message)
