"""The sandbox's catalog for devices: everything, or what changed since a moment (by `write_date`).

A full catalog holds active products and locations, open receipts and non-zero stock; an
incremental one also holds receipts that closed and quants that emptied since, and the ids of the
products and locations archived since, so a device can drop them. As in Odoo, a lot has no archive
of its own: lots of active products only, sent again when their product is written (so a product
brought back from the archive brings its lots). A change committed while a catalog is read may
carry a `write_date` just before its `as_of`: pull from a little earlier.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager, selectinload

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
from .models import (
    PickingKind,
    SandboxLocation,
    SandboxLot,
    SandboxMove,
    SandboxOrderpoint,
    SandboxPicking,
    SandboxProduct,
    SandboxQuant,
    Stamped,
    State,
    Usage,
)

_PICKING_STATES = {State.DRAFT: "open", State.ASSIGNED: "open", State.DONE: "done", State.CANCEL: "cancelled"}

Row = TypeVar("Row", bound=Stamped)


def read_catalog(session: Session, since: datetime | None, replenish_source: str) -> Catalog:
    """`since` is naive UTC, or None for everything; `replenish_source` is the store's barcode: the internal
    pickings from it to other internal locations are the wards' replenishment transfers."""
    as_of = utcnow()

    def rows(model: type[Row], query: Select[tuple[Row]] | None = None) -> Sequence[Row]:
        query = select(model) if query is None else query
        if since is not None:
            query = query.where(model.write_date > since)
        return session.scalars(query.order_by(model.id)).all()

    products = select(SandboxProduct).options(selectinload(SandboxProduct.packagings))
    lots = select(SandboxLot).join(SandboxLot.product).where(SandboxProduct.active).options(contains_eager(SandboxLot.product))
    if since is not None:
        lots = lots.where((SandboxLot.write_date > since) | (SandboxProduct.write_date > since))
    receipts = (
        select(SandboxPicking)
        .where(SandboxPicking.kind == PickingKind.RECEIPT)
        .options(selectinload(SandboxPicking.moves))
    )
    quants = select(SandboxQuant).join(SandboxQuant.location).where(SandboxLocation.usage == Usage.INTERNAL)
    locations = select(SandboxLocation)
    store = select(SandboxLocation.id).where(SandboxLocation.barcode == replenish_source).scalar_subquery()
    replenishments = (
        select(SandboxPicking)
        .where(SandboxPicking.kind == PickingKind.INTERNAL, SandboxPicking.location_id == store)
        .options(selectinload(SandboxPicking.moves).selectinload(SandboxMove.lot))
    )
    if since is None:
        products = products.where(SandboxProduct.active)
        locations = locations.where(SandboxLocation.active)
        receipts = receipts.where(SandboxPicking.state.in_([State.DRAFT, State.ASSIGNED]))
        replenishments = replenishments.where(SandboxPicking.state.in_([State.DRAFT, State.ASSIGNED]))
        quants = quants.where(SandboxQuant.quantity != 0)
    changed_products, changed_locations = rows(SandboxProduct, products), rows(SandboxLocation, locations)
    return Catalog(
        as_of=as_of,
        products=tuple(entry for product in changed_products if product.active for entry in _products(product)),
        lots=tuple(_lot(lot) for lot in session.scalars(lots.order_by(SandboxLot.id))),
        locations=tuple(_location(location) for location in changed_locations if location.active),
        receipts=tuple(_receipt(picking) for picking in rows(SandboxPicking, receipts)),
        stock=tuple(
            StockLevel(quant.product_id, quant.location_id, quant.lot_id, quant.quantity)
            for quant in rows(SandboxQuant, quants)
        ),
        removed_products=tuple(product.id for product in changed_products if not product.active),
        removed_locations=tuple(location.id for location in changed_locations if not location.active),
        par_levels=tuple(
            ParLevel(rule.product_id, rule.location_id, rule.product_min_qty, rule.product_max_qty)
            for rule in rows(SandboxOrderpoint)
        ),
        replenishments=tuple(_replenishment(picking) for picking in rows(SandboxPicking, replenishments)),
    )


def _products(product: SandboxProduct) -> list[Product]:
    """One entry per GTIN that names the product (a product with none still appears, GTIN empty)."""
    barcodes = [(product.barcode or "", 1.0)] + [(packaging.barcode, packaging.qty) for packaging in product.packagings]
    return [
        Product(
            id=product.id,
            gtin=to_gtin14(barcode) if barcode else "",
            name=product.name,
            code=product.default_code,
            unit=product.uom,
            tracked_by_lot=product.tracked_by_lot,
            uses_expiry=product.use_expiration_date,
            pack_quantity=quantity,
            cost=product.standard_price,
        )
        for barcode, quantity in barcodes
    ]


def _lot(lot: SandboxLot) -> Lot:
    return Lot(id=lot.id, product_id=lot.product_id, name=lot.name, expiry=lot.expiration_date, recalled=lot.recalled,
               alert_date=alert_date(lot.expiration_date, lot.product.alert_time))


def alert_date(expiry: date | None, alert_days: int) -> date | None:
    """As product_expiry sets it: the product's alert days before the expiry (none without either)."""
    return expiry - timedelta(days=alert_days) if expiry is not None and alert_days else None


def _location(location: SandboxLocation) -> Location:
    return Location(
        id=location.id,
        barcode=location.barcode,
        name=location.complete_name,
        parent_id=location.parent_id,
        usage=location.usage,
    )


def _receipt(picking: SandboxPicking) -> Receipt:
    expected: dict[int, float] = {}
    received: dict[int, float] = {}
    for move in picking.moves:
        expected[move.product_id] = expected.get(move.product_id, 0.0) + move.product_uom_qty
        received[move.product_id] = received.get(move.product_id, 0.0) + (move.quantity if move.picked else 0.0)
    return Receipt(
        id=picking.id,
        reference=picking.name,
        state=_PICKING_STATES[State(picking.state)],
        destination_id=picking.location_dest_id,
        lines=tuple(ReceiptLine(product_id, expected[product_id], received[product_id]) for product_id in expected),
    )


def _replenishment(picking: SandboxPicking) -> Replenishment:
    requested: dict[int, float] = defaultdict(float)
    picked: dict[int, float] = defaultdict(float)
    lots: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for move in picking.moves:
        requested[move.product_id] += move.product_uom_qty
        if move.picked:
            picked[move.product_id] += move.quantity
            if move.lot is not None:
                lots[move.product_id][move.lot.name] += move.quantity
    return Replenishment(
        id=picking.id,
        reference=picking.name,
        state=_PICKING_STATES[State(picking.state)],
        source_id=picking.location_id,
        destination_id=picking.location_dest_id,
        lines=tuple(
            ReplenishmentLine(product_id, requested[product_id], picked[product_id], tuple(lots[product_id].items()))
            for product_id in dict.fromkeys([*requested, *picked])
        ),
    )
