"""Finding what a device scanned in Odoo: products by GTIN, locations by barcode, lots by name, and
the operation types Wardstock uses.

Products, locations and operation types change rarely and are read again and again, so a
`Directory` keeps them for `max_age` seconds (a miss always asks Odoo, so a GTIN linked or a
location created a moment ago is found). Lots are always read fresh: their expiry and recall
status are what the checks are about.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..gtin import barcode_forms, is_gtin
from . import refusals
from .connection import Connection
from .conventions import CONSUMPTION_LOCATION, CONSUMPTION_TYPE
from .records import (
    LOCATION_SPEC,
    LOT_SPEC,
    LocationRecord,
    LotRecord,
    ProductRecord,
    packaging_barcode_domain,
    product_spec,
)

Value = TypeVar("Value")


class _Cache(Generic[Value]):
    def __init__(self, max_age: float, clock: Callable[[], float]) -> None:
        self._max_age, self._clock = max_age, clock
        self._entries: dict[str, tuple[float, Value]] = {}

    def get(self, key: str) -> Value | None:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and self._clock() - entry[0] < self._max_age else None

    def put(self, key: str, value: Value) -> None:
        self._entries[key] = (self._clock(), value)


@dataclass(frozen=True)
class OperationTypes:
    """Per warehouse id: the receipt, internal-transfer and Ward Consumption types (with the latter's destination),
    and the stock location (the store ward refills come from unless REPLENISH_SOURCE names another)."""

    receipts: dict[int, int]
    internal: dict[int, int]
    consumption: dict[int, tuple[int, int]]
    vendors: int | None
    stores: dict[int, int]

    def receipt_type(self, warehouse_id: int | None) -> int:
        return _for_warehouse(self.receipts, warehouse_id, "receipt operation type")

    def internal_type(self, warehouse_id: int | None) -> int:
        return _for_warehouse(self.internal, warehouse_id, "Internal Transfers operation type")

    def consumption_type(self, warehouse_id: int | None) -> tuple[int, int]:
        """The Ward Consumption type and its destination (the Patient Consumption location)."""
        return _for_warehouse(
            self.consumption, warehouse_id, f"{CONSUMPTION_TYPE} operation type leading to {CONSUMPTION_LOCATION}"
        )

    def store(self, warehouse_id: int | None) -> int:
        return _for_warehouse(self.stores, warehouse_id, "warehouse stock location")

    def vendors_location(self) -> int:
        if self.vendors is None:
            raise refusals.not_set_up("vendors location")
        return self.vendors


def _for_warehouse(types: dict[int, Value], warehouse_id: int | None, what: str) -> Value:
    """The warehouse's own type, else any (a location outside every warehouse still needs one)."""
    if warehouse_id in types:
        return types[warehouse_id]
    if types:
        return next(iter(types.values()))
    raise refusals.not_set_up(what)


class Directory:
    def __init__(self, odoo: Connection, max_age: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._odoo = odoo
        self._products: _Cache[ProductRecord] = _Cache(max_age, clock)
        self._locations: _Cache[LocationRecord] = _Cache(max_age, clock)
        self._types: _Cache[OperationTypes] = _Cache(max_age, clock)

    # ---- products ---------------------------------------------------------------------

    def products(self, gtins: Iterable[str]) -> dict[str, ProductRecord]:
        """The product each GTIN names, read in one call for those not known yet; refuses an unknown one."""
        wanted = list(dict.fromkeys(gtins))
        for gtin in wanted:
            if not is_gtin(gtin):
                raise refusals.invalid_gtin(gtin)
        missing = [gtin for gtin in wanted if self._products.get(gtin) is None]
        if missing:
            forms = sorted({form for gtin in missing for form in barcode_forms(gtin)})
            version = self._odoo.version
            rows = self._search(
                "product.product",
                ["|", ("barcode", "in", forms), packaging_barcode_domain(version, forms)],
                product_spec(version),
            )
            found = [ProductRecord.parse(row, version) for row in rows]
            for gtin in missing:
                forms_of = set(barcode_forms(gtin))
                match = next((product for product in found if forms_of & set(product.barcodes)), None)
                if match is not None:
                    self._products.put(gtin, match)
        result = {}
        for gtin in wanted:
            product = self._products.get(gtin)
            if product is None:
                raise refusals.unknown_product(gtin)
            result[gtin] = product
        return result

    def product(self, gtin: str) -> ProductRecord:
        return self.products([gtin])[gtin]

    # ---- locations --------------------------------------------------------------------

    def storage_locations(self, *barcodes: str) -> list[LocationRecord]:
        """Active internal locations, the only kind a user may scan as a place where stock lies (one call for the unknown)."""
        missing = [barcode for barcode in barcodes if self._locations.get(barcode) is None]
        if missing:
            rows = self._search("stock.location", [("barcode", "in", missing)], LOCATION_SPEC, {"active_test": False})
            for row in rows:
                self._locations.put(row["barcode"], LocationRecord.parse(row))
        found = []
        for barcode in barcodes:
            location = self._locations.get(barcode)
            if location is None:
                raise refusals.location_unknown(barcode)
            if not location.active:
                raise refusals.location_unknown(barcode, location.name, "archived")
            if location.usage != "internal":
                raise refusals.location_unknown(barcode, location.name, "not storage")
            found.append(location)
        return found

    def location(self, location_id: int) -> LocationRecord:
        """A location by its id (a warehouse's stock location, which may have no barcode); one call the first time."""
        location = self._locations.get(f"#{location_id}")
        if location is None:
            rows = self._search("stock.location", [("id", "=", location_id)], LOCATION_SPEC, {"active_test": False})
            if not rows:
                raise refusals.location_unknown(f"#{location_id}")
            location = LocationRecord.parse(rows[0])
            self._locations.put(f"#{location_id}", location)
        return location

    # ---- operation types --------------------------------------------------------------

    def operation_types(self) -> OperationTypes:
        types = self._types.get("all")
        if types is None:
            types = self._read_operation_types()
            self._types.put("all", types)
        return types

    def _read_operation_types(self) -> OperationTypes:
        warehouses = self._search("stock.warehouse", [], {"in_type_id": {}, "int_type_id": {}, "lot_stock_id": {}})
        consumption = self._search(
            "stock.picking.type",
            [("name", "=", CONSUMPTION_TYPE), ("code", "=", "internal"), ("default_location_dest_id", "!=", False)],
            {"warehouse_id": {}, "default_location_dest_id": {}},
        )
        vendors = self._odoo.call("stock.location", "search", [("usage", "=", "supplier")], limit=1, order="id")
        return OperationTypes(
            receipts={w["id"]: w["in_type_id"] for w in warehouses if w["in_type_id"]},
            internal={w["id"]: w["int_type_id"] for w in warehouses if w["int_type_id"]},
            consumption={
                t["warehouse_id"]: (t["id"], t["default_location_dest_id"]) for t in consumption if t["warehouse_id"]
            },
            vendors=vendors[0] if vendors else None,
            stores={w["id"]: w["lot_stock_id"] for w in warehouses if w["lot_stock_id"]},
        )

    # ---- lots (never cached) ------------------------------------------------------------

    def lots(self, product_ids: Iterable[int], names: Iterable[str]) -> dict[tuple[int, str], LotRecord]:
        products, wanted = sorted(set(product_ids)), sorted(set(names))
        if not products or not wanted:
            return {}
        rows = self._search("stock.lot", [("product_id", "in", products), ("name", "in", wanted)], LOT_SPEC)
        lots = (LotRecord.parse(row, self._odoo.tz) for row in rows)
        return {(lot.product_id, lot.name): lot for lot in lots}

    def _search(
        self, model: str, domain: list[Any], spec: dict[str, Any], context: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        kwargs = {"context": context} if context else {}
        return self._odoo.call(model, "web_search_read", domain, spec, **kwargs)["records"]
