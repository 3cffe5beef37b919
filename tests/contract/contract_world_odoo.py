"""The Odoo fixture world: everything a test needs is created in the configured Odoo database under
names unique to the run (products, lots, locations, receipts), so the suite runs against the same
database again and again. Odoo is first set up the way `flask odoo doctor --fix` does it.

Only the world talks to Odoo directly (through the backend's own connection); tests see the
contract alone.
"""

import time
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from contract_world import LABEL_EXPIRY

from offline_sync.backends.contract import OutcomeStatus
from offline_sync.backends.gtin import barcode_forms
from offline_sync.backends.odoo.backend import OdooBackend
from offline_sync.backends.odoo.doctor import doctor
from offline_sync.backends.odoo.settings import OdooSettings
from offline_sync.backends.odoo.versions import UnitBarcodes
from scanners.gtin import check_digit


@cache
def _set_up(settings: OdooSettings) -> None:
    """Once per run: the settings, locations and operation types Wardstock needs (doctor --fix)."""
    problems = [check.message for check in doctor(settings, fix=True) if not check.ok]
    assert not problems, problems


def make_world(environ: Mapping[str, str]) -> "OdooWorld":
    settings = OdooSettings.from_environment(environ)
    _set_up(settings)
    return OdooWorld(settings)


class OdooWorld:
    def __init__(self, settings: OdooSettings) -> None:
        self._settings = settings
        self.backend = OdooBackend(settings)
        self._run = uuid.uuid4().hex[:8]
        self._numbers = iter(range(1, 1_000_000))

    def _call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.backend.session().odoo.call(model, method, *args, **kwargs)

    def unique(self, stem: str) -> str:
        return f"{stem}-{self._run}-{next(self._numbers)}"

    def _gtin(self, prefix: str) -> str:
        """A GTIN-14 with a random body: GS1 prefixes 20-29 are for internal use, never on real goods."""
        body = prefix + str(uuid.uuid4().int)[: 12 - len(prefix)]
        return "0" + body + str(check_digit(body))

    def product(self, *, tracked: bool = True, serial: bool = False) -> str:
        """A storable product: by lot with an expiry (`tracked`), by serial number (`serial`, AI 21), or neither."""
        gtin = self._gtin("20")
        odoo = self.backend.session().odoo
        self._call(
            "product.product",
            "create",
            [
                {
                    "name": self.unique("Test item"),
                    "default_code": self.unique("TST"),
                    "barcode": gtin[1:],
                    "tracking": "serial" if serial else ("lot" if tracked else "none"),
                    "use_expiration_date": tracked,
                    "expiration_time": 730 if tracked else 0,
                    **odoo.version.storable,
                }
            ],
        )
        return gtin

    def box(self, gtin: str, units: float) -> str:
        """A packaging of `units` of the product with a GTIN of its own (indicator 1), where the version
        keeps packagings: a `product.packaging` up to 18, a unit of measure and its barcode on 19."""
        session = self.backend.session()
        product = session.directory.product(gtin)
        body = "120" + str(uuid.uuid4().int)[:10]
        box = body + str(check_digit(body))
        packagings = session.odoo.version.packagings
        if isinstance(packagings, UnitBarcodes):
            name = self.unique(f"Box of {units:g}")
            unit = self._call(
                "uom.uom", "create", [{"name": name, "relative_factor": units, "relative_uom_id": product.uom_id}]
            )[0]
            self._call(packagings.model, "create", [packagings.one_unit(product.id, unit, box)])
        else:
            values = {"name": self.unique("Box"), "product_id": product.id, "qty": units, "barcode": box}
            self._call(packagings.model, "create", [values])
        return box

    def unknown_gtin(self) -> str:
        gtin = self._gtin("29")
        assert not self._call("product.product", "search", [("barcode", "in", barcode_forms(gtin))])
        return gtin

    def lot(self, gtin: str, expiry: date | None = LABEL_EXPIRY) -> str:
        name = self.unique("LOT")
        outcome = self.backend.create_lot(gtin, name, expiry)
        assert outcome.status == OutcomeStatus.APPLIED, outcome.message
        return name

    def recall(self, gtin: str, lot: str) -> None:
        outcome = self.backend.set_lot_recalled(gtin, lot, True)
        assert outcome.status == OutcomeStatus.APPLIED, outcome.message

    def _warehouse_stock(self) -> int:
        return self._call("stock.warehouse", "search_read", [], fields=["lot_stock_id"], order="id", limit=1)[0][
            "lot_stock_id"
        ][0]

    def location(self, *, archived: bool = False) -> str:
        barcode = self.unique("TEST-LOC")
        values = {"name": barcode, "barcode": barcode, "usage": "internal", "location_id": self._warehouse_stock()}
        created = self._call("stock.location", "create", [values])
        if archived:
            self._call("stock.location", "write", created, {"active": False})
        return barcode

    def archive_product(self, gtin: str, *, archived: bool = True) -> None:
        found = self._call("product.product", "search", [("barcode", "=", gtin[1:])], context={"active_test": False})
        self._call("product.product", "write", found, {"active": not archived})

    def archive_location(self, barcode: str) -> None:
        found = self._call("stock.location", "search", [("barcode", "=", barcode)])
        self._call("stock.location", "write", found, {"active": False})

    def _ids(self, gtin: str, lot: str | None, location: str | None = None) -> tuple[int, int | bool, int | None]:
        session = self.backend.session()
        product = session.directory.product(gtin)
        lot_id: int | bool = False
        if lot is not None:
            found = session.directory.lots([product.id], [lot]).get((product.id, lot))
            lot_id = found.id if found else -1  # a lot that does not exist holds nothing
        place = (
            self._call("stock.location", "search", [("barcode", "=", location)], context={"active_test": False})
            if location
            else []
        )
        return product.id, lot_id, place[0] if place else None

    def put(self, gtin: str, lot: str | None, location: str, quantity: float) -> None:
        product, lot_id, place = self._ids(gtin, lot, location)
        values = {"product_id": product, "location_id": place, "inventory_quantity": quantity}
        if lot_id:
            values["lot_id"] = lot_id
        quant = self._call("stock.quant", "create", [values], context={"inventory_mode": True})
        self._call(
            "stock.quant",
            "action_apply_inventory",
            quant,
            context={"inventory_mode": True, "inventory_name": "Test stock"},
        )

    def receipt(self, destination: str, demand: Mapping[str, float]) -> str:
        session = self.backend.session()
        (place,) = session.directory.storage_locations(destination)
        types = session.directory.operation_types()
        vendors = types.vendors_location()
        moves = []
        for gtin, quantity in demand.items():
            product = session.directory.product(gtin)
            move: dict[str, Any] = {
                "product_id": product.id,
                "product_uom": product.uom_id,
                "product_uom_qty": quantity,
                "location_id": vendors,
                "location_dest_id": place.id,
            }
            if session.odoo.version.moves_have_name:
                move["name"] = product.name
            moves.append((0, 0, move))
        picking = {
            "picking_type_id": types.receipt_type(place.warehouse_id),
            "location_id": vendors,
            "location_dest_id": place.id,
            "origin": self.unique("PO"),
            "move_ids": moves,
        }
        saved = self._call("stock.picking", "web_save", [], picking, {"name": {}})
        self._call("stock.picking", "action_confirm", [saved[0]["id"]])
        return saved[0]["name"]

    def on_hand(self, gtin: str, lot: str | None, location: str) -> float:
        product, lot_id, place = self._ids(gtin, lot, location)
        quants = self._call(
            "stock.quant",
            "search_read",
            [("product_id", "=", product), ("location_id", "=", place), ("lot_id", "=", lot_id)],
            fields=["quantity"],
        )
        return sum(quant["quantity"] for quant in quants)

    def moment(self) -> datetime:
        """Odoo dates moves to the whole second: wait for the next one and answer half a second before it,
        so every move so far is dated before the answer and every later move after it."""
        now = datetime.now(UTC).replace(tzinfo=None)
        next_second = now.replace(microsecond=0) + timedelta(seconds=1)
        time.sleep((next_second - now).total_seconds())
        return next_second - timedelta(milliseconds=500)

    def restarted(self) -> OdooBackend:
        return OdooBackend(self._settings)

    def close(self) -> None:
        """Nothing to release: odoorpc keeps no connection open between calls."""
