"""The catalog a device keeps offline, read from Odoo: everything, or what changed since a moment.

Each model is read in one `web_search_read` (nested fields instead of further calls, many2ones as
bare ids). A full pull holds open receipts and non-zero stock at internal locations. An
incremental pull reads what was written since `since` less `overlap` (Odoo stamps `write_date`
with the start of a transaction that may commit after we read, and its clock is not ours), so a
device may get a record again but never misses one:
- products (their template or packagings too) and locations by `write_date`, archived ones
  included: those go to `removed_products` / `removed_locations`, so a device drops them;
- lots by their own `write_date` or their product's, of active products only: a lot has no archive
  of its own (`stock.lot` has no `active` field in 17, 18 or 19), it leaves the catalog with its
  product and comes back with it when the product is restored;
- receipts and stock through the moves written since: the receipts they belong to, whatever their
  state, so a device drops closed ones; and the current on-hand of every product/lot/location they
  touched, zero included, because Odoo deletes empty quants rather than writing them.
With nothing changed that is five calls (products, lots, locations, moves, reordering rules): JSON-RPC
reads one model per call and these share no change stamp. Archived records cost no call of their own: an
incremental read of products and locations runs with `active_test` off and reads `active` (both models have
it in 17, 18 and 19), and splits the answer.

Ward replenishment (issue 15) adds one call to every pull, the reordering rules with a maximum (par
levels; by `write_date` when incremental). Its transfers, the internal pickings from the store, come in
the same call as the receipts: open ones in a full pull, those whose moves changed in an incremental one.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from offline_sync.backends.contract import (
    Catalog,
    Location,
    Lot,
    ParLevel,
    Product,
    Receipt,
    ReceiptLine,
    Replenishment,
    ReplenishmentLine,
    StockLevel,
)
from offline_sync.persistence import utcnow

from ..gtin import to_gtin14
from .dates import to_odoo
from .records import LOCATION_SPEC, LOT_SPEC, LocationRecord, LotRecord, ProductRecord, product_spec
from .session import Session

RECEIPT_STATES = {"done": "done", "cancel": "cancelled"}  # every other state is open (replenishments' too)
PICKING_SPEC: dict[str, Any] = {  # receipts and replenishment transfers
    "name": {},
    "state": {},
    "picking_type_code": {},
    "location_id": {},
    "location_dest_id": {},
    "move_ids": {
        "fields": {
            "product_id": {},
            "product_uom_qty": {},
            "quantity": {},
            "picked": {},
            "state": {},
            "move_line_ids": {"fields": {"quantity": {}, "picked": {}, "lot_id": {"fields": {"name": {}}}}},
        }
    },
}
PAR_LEVEL_SPEC: dict[str, Any] = {"product_id": {}, "location_id": {}, "product_min_qty": {}, "product_max_qty": {}}
Slot = tuple[int, int, int | None]  # product, location, lot


def read_catalog(session: Session, since: datetime | None, overlap: timedelta, replenish_source: str = "") -> Catalog:
    as_of = utcnow().replace(microsecond=0)
    stamp = to_odoo(since - overlap) if since is not None else None
    version = session.odoo.version
    storable = [(field, "=", value) for field, value in version.storable.items()]
    consumption = {destination for _, destination in session.directory.operation_types().consumption.values()}
    archived_too = {"active_test": False} if stamp is not None else {}
    products, removed_products = _split(
        ProductRecord.parse(row, version)
        for row in _search(
            session,
            "product.product",
            storable + _written_since(stamp, "", "product_tmpl_id.", f"{version.packagings.field}."),
            product_spec(version),
            archived_too,
        )
    )
    lots = _search(
        session, "stock.lot", [("product_id.active", "=", True)] + _written_since(stamp, "", "product_id."), LOT_SPEC
    )
    kept_locations = ["|", ("usage", "in", ["internal", "supplier"]), ("id", "in", sorted(consumption))]
    locations, removed_locations = _split(
        LocationRecord.parse(row)
        for row in _search(
            session, "stock.location", kept_locations + _written_since(stamp, ""), LOCATION_SPEC, archived_too
        )
    )
    stores = _stores(session, replenish_source)
    if stamp is None:
        open_pickings = [
            ("state", "not in", ["done", "cancel"]),
            "|",
            ("picking_type_code", "=", "incoming"),
            "&", ("picking_type_code", "=", "internal"), ("location_id", "in", stores),
        ]
        picked = _search(session, "stock.picking", open_pickings, PICKING_SPEC)
        stock = _stock(session, [("location_id.usage", "=", "internal"), ("quantity", "!=", 0)], None)
    else:
        picked, stock = _changed_through_moves(session, stamp, set(stores))
    receipts = [row for row in picked if row["picking_type_code"] == "incoming"]
    par_levels = _search(
        session,
        "stock.warehouse.orderpoint",
        [("product_max_qty", ">", 0), ("location_id.usage", "=", "internal")] + _written_since(stamp, ""),
        PAR_LEVEL_SPEC,
    )
    return Catalog(
        as_of=as_of,
        products=tuple(entry for product in products for entry in _products(product)),
        lots=tuple(_lot(LotRecord.parse(row, session.odoo.tz)) for row in lots),
        locations=tuple(_location(location, consumption) for location in locations),
        receipts=tuple(_receipt(row) for row in receipts),
        stock=stock,
        par_levels=tuple(
            ParLevel(row["product_id"], row["location_id"], row["product_min_qty"], row["product_max_qty"])
            for row in par_levels
        ),
        replenishments=tuple(_replenishment(row) for row in picked if row["picking_type_code"] == "internal"),
        removed_products=tuple(product.id for product in removed_products),
        removed_locations=tuple(location.id for location in removed_locations),
    )


def _stores(session: Session, replenish_source: str) -> list[int]:
    """The stores ward refills come from: REPLENISH_SOURCE's location, else every warehouse's stock location
    (both known to the directory: no call once it is warm)."""
    if replenish_source:
        return [location.id for location in session.directory.storage_locations(replenish_source)]
    return sorted(set(session.directory.operation_types().stores.values()))


Active = TypeVar("Active", ProductRecord, LocationRecord)


def _split(records: Iterable[Active]) -> tuple[list[Active], list[Active]]:
    """Active records, and archived ones (read only by an incremental pull)."""
    active: list[Active] = []
    archived: list[Active] = []
    for record in records:
        (active if record.active else archived).append(record)
    return active, archived


def _written_since(stamp: str | None, *paths: str) -> list[Any]:
    """Records written since `stamp` themselves, or through one of the related `paths` ("" = the record)."""
    if stamp is None:
        return []
    return ["|"] * (len(paths) - 1) + [(f"{path}write_date", ">=", stamp) for path in paths]


def _search(
    session: Session, model: str, domain: list[Any], spec: dict[str, Any], context: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    kwargs = {"context": context} if context else {}
    return session.odoo.call(model, "web_search_read", domain, spec, **kwargs)["records"]


def _changed_through_moves(
    session: Session, stamp: str, stores: set[int]
) -> tuple[list[dict[str, Any]], tuple[StockLevel, ...]]:
    """The receipts and replenishment transfers whose moves changed since `stamp`, and the stock they changed."""
    moves = _search(
        session,
        "stock.move",
        _written_since(stamp, ""),
        {
            "state": {},
            "picking_id": {"fields": {"picking_type_code": {}, "location_id": {}}},
            "move_line_ids": {
                "fields": {
                    "product_id": {},
                    "lot_id": {},
                    "location_id": {"fields": {"usage": {}}},
                    "location_dest_id": {"fields": {"usage": {}}},
                }
            },
        },
    )
    picking_ids = sorted(
        {
            picking["id"]
            for picking in (m["picking_id"] for m in moves)
            if picking
            and (
                picking["picking_type_code"] == "incoming"
                or (picking["picking_type_code"] == "internal" and picking["location_id"] in stores)
            )
        }
    )
    slots = {
        (line["product_id"], place["id"], line["lot_id"] or None)
        for move in moves
        if move["state"] == "done"
        for line in move["move_line_ids"]
        for place in (line["location_id"], line["location_dest_id"])
        if place["usage"] == "internal"
    }
    picked = _search(session, "stock.picking", [("id", "in", picking_ids)], PICKING_SPEC) if picking_ids else []
    if not slots:
        return picked, ()
    domain = [("product_id", "in", sorted({s[0] for s in slots})), ("location_id", "in", sorted({s[1] for s in slots}))]
    return picked, _stock(session, domain, slots)


def _stock(session: Session, domain: list[Any], slots: set[Slot] | None) -> tuple[StockLevel, ...]:
    """On-hand per product/location/lot (quants of several packages or owners added up); with `slots`,
    exactly those, zero where Odoo has no quant left."""
    quantities: dict[Slot, float] = defaultdict(float)
    if slots is not None:
        quantities.update(dict.fromkeys(slots, 0.0))
    for quant in _search(
        session, "stock.quant", domain, {"product_id": {}, "location_id": {}, "lot_id": {}, "quantity": {}}
    ):
        slot = (quant["product_id"], quant["location_id"], quant["lot_id"] or None)
        if slots is None or slot in slots:
            quantities[slot] += quant["quantity"]
    return tuple(
        StockLevel(product, location, lot, quantity)
        for (product, location, lot), quantity in sorted(quantities.items(), key=_slot_order)
    )


def _slot_order(entry: tuple[Slot, float]) -> tuple[int, int, int]:
    (product, location, lot), _ = entry
    return product, location, lot or 0


def _products(product: ProductRecord) -> Iterable[Product]:
    """One entry per GTIN that names the product, with the units it stands for (a product with none
    still appears, GTIN empty)."""
    named = [(product.barcode, 1.0)] if product.barcode else []
    named += [(packaging.barcode, packaging.quantity) for packaging in product.packagings]
    entries = [(gtin, quantity) for barcode, quantity in named if (gtin := to_gtin14(barcode))] or [("", 1.0)]
    for gtin, quantity in entries:
        yield Product(
            id=product.id,
            gtin=gtin,
            name=product.name,
            code=product.code,
            unit=product.uom,
            tracked_by_lot=product.tracked,
            uses_expiry=product.uses_expiry,
            pack_quantity=quantity,
            cost=product.cost,
        )


def _lot(lot: LotRecord) -> Lot:
    return Lot(id=lot.id, product_id=lot.product_id, name=lot.name, expiry=lot.expiry, recalled=lot.recalled,
               alert_date=lot.alert_date)


def _location(location: LocationRecord, consumption: set[int]) -> Location:
    usage = "consumption" if location.id in consumption else location.usage
    return Location(
        id=location.id, barcode=location.barcode, name=location.name, parent_id=location.parent_id, usage=usage
    )


def _receipt(row: dict[str, Any]) -> Receipt:
    expected: dict[int, float] = defaultdict(float)
    received: dict[int, float] = defaultdict(float)
    for move in row["move_ids"]:
        if move["state"] == "cancel":
            continue
        expected[move["product_id"]] += move["product_uom_qty"]
        received[move["product_id"]] += move["quantity"] if move["picked"] else 0.0
    return Receipt(
        id=row["id"],
        reference=row["name"],
        state=RECEIPT_STATES.get(row["state"], "open"),
        destination_id=row["location_dest_id"],
        lines=tuple(ReceiptLine(product, expected[product], received[product]) for product in expected),
    )


def _replenishment(row: dict[str, Any]) -> Replenishment:
    requested: dict[int, float] = defaultdict(float)
    picked: dict[int, float] = defaultdict(float)
    lots: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for move in row["move_ids"]:
        if move["state"] == "cancel":
            continue
        requested[move["product_id"]] += move["product_uom_qty"]
        for line in move["move_line_ids"]:
            if line["picked"] or move["state"] == "done":
                picked[move["product_id"]] += line["quantity"]
                if line["lot_id"]:
                    lots[move["product_id"]][line["lot_id"]["name"]] += line["quantity"]
    return Replenishment(
        id=row["id"],
        reference=row["name"],
        state=RECEIPT_STATES.get(row["state"], "open"),
        source_id=row["location_id"],
        destination_id=row["location_dest_id"],
        lines=tuple(
            ReplenishmentLine(product, requested[product], picked[product], tuple(lots[product].items()))
            for product in requested
        ),
    )
