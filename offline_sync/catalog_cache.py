"""A local copy of the backend's catalog: what devices download and what permission checks read,
so no request from a handheld waits on Odoo. The worker refreshes it incrementally."""
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, delete, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from offline_sync.backends.contract import Catalog, InventoryBackend
from offline_sync.persistence import Base

# A record committed while the previous pull was being read can carry a write date just before
# that pull's as_of; pulling again from a little earlier costs a few repeats and loses nothing.
OVERLAP = timedelta(minutes=1)


class CachedProduct(Base):
    """One row per GTIN naming a product: its own, and each box's with the units one scan stands for."""

    __tablename__ = "catalog_products"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # the backend's id
    gtin: Mapped[str] = mapped_column(String(14), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))
    tracked_by_lot: Mapped[bool]
    uses_expiry: Mapped[bool]
    pack_quantity: Mapped[float] = mapped_column(default=1.0)
    cost: Mapped[float] = mapped_column(default=0.0)  # of one unit, for the value of waste and expiring stock


class CachedLot(Base):
    __tablename__ = "catalog_lots"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(64))
    expiry: Mapped[date | None]
    recalled: Mapped[bool]
    alert_date: Mapped[date | None]  # from this day the lot is expiring soon


class CachedLocation(Base):
    __tablename__ = "catalog_locations"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    barcode: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None]
    usage: Mapped[str] = mapped_column(String(16))


class CachedReceipt(Base):
    __tablename__ = "catalog_receipts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    reference: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))
    destination_id: Mapped[int]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class CachedStock(Base):
    __tablename__ = "catalog_stock"

    product_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    location_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    lot_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # 0: no lot
    quantity: Mapped[float]


class CachedParLevel(Base):
    """A product's minimum and maximum at a ward location (issue 15)."""

    __tablename__ = "catalog_par_levels"

    product_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    location_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    minimum: Mapped[float]
    maximum: Mapped[float]


class CachedReplenishment(Base):
    """A replenishment transfer from the store to a ward (issue 15); `lines` as the device reads them."""

    __tablename__ = "catalog_replenishments"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    reference: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int]
    destination_id: Mapped[int]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class CatalogState(Base):
    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[datetime | None]  # how far the backend has been read: the next pull starts here
    changed_at: Mapped[datetime | None]  # when a pull last changed something: the handhelds' version


def _merge(session: Session, catalog: Catalog) -> int:
    """Add or update what the pull holds; lots and stock of what it removes are not added back."""
    gone_products, gone_locations = set(catalog.removed_products), set(catalog.removed_locations)
    rows: list[Base] = [
        *(CachedProduct(id=p.id, gtin=p.gtin, name=p.name, code=p.code, unit=p.unit,
                        tracked_by_lot=p.tracked_by_lot, uses_expiry=p.uses_expiry, pack_quantity=p.pack_quantity,
                        cost=p.cost)
          for p in catalog.products),
        *(CachedLot(id=lot.id, product_id=lot.product_id, name=lot.name, expiry=lot.expiry, recalled=lot.recalled,
                    alert_date=lot.alert_date)
          for lot in catalog.lots if lot.product_id not in gone_products),
        *(CachedLocation(id=loc.id, barcode=loc.barcode, name=loc.name, parent_id=loc.parent_id, usage=loc.usage)
          for loc in catalog.locations),
        *(CachedReceipt(id=r.id, reference=r.reference, state=r.state, destination_id=r.destination_id,
                        lines=[{"product_id": line.product_id, "expected": line.expected, "received": line.received}
                               for line in r.lines]) for r in catalog.receipts),
        *(CachedStock(product_id=s.product_id, location_id=s.location_id, lot_id=s.lot_id or 0, quantity=s.quantity)
          for s in catalog.stock if s.product_id not in gone_products and s.location_id not in gone_locations),
        *(CachedParLevel(product_id=p.product_id, location_id=p.location_id, minimum=p.minimum, maximum=p.maximum)
          for p in catalog.par_levels if p.product_id not in gone_products and p.location_id not in gone_locations),
        *(CachedReplenishment(id=r.id, reference=r.reference, state=r.state, source_id=r.source_id,
                              destination_id=r.destination_id,
                              lines=[{"product_id": line.product_id, "requested": line.requested, "picked": line.picked,
                                      "lots": [[name, quantity] for name, quantity in line.lots]} for line in r.lines])
          for r in catalog.replenishments),
    ]
    changed = 0
    for row in rows:
        merged = session.merge(row)
        changed += merged in session.new or session.is_modified(merged)
    return changed


def _remove(session: Session, catalog: Catalog) -> int:
    """Drop what was archived: a product's every GTIN row, its lots, stock and par levels; a location
    with its stock and par levels (Odoo refuses to archive a location that still holds stock, so those rows are zeros)."""
    products, locations = catalog.removed_products, catalog.removed_locations
    if not products and not locations:
        return 0
    statements = [
        delete(CachedProduct).where(CachedProduct.id.in_(products)),
        delete(CachedLot).where(CachedLot.product_id.in_(products)),
        delete(CachedLocation).where(CachedLocation.id.in_(locations)),
        delete(CachedStock).where(or_(CachedStock.product_id.in_(products), CachedStock.location_id.in_(locations))),
        delete(CachedParLevel).where(
            or_(CachedParLevel.product_id.in_(products), CachedParLevel.location_id.in_(locations))
        ),
    ]
    return sum(session.execute(statement).rowcount for statement in statements)


def refresh(session: Session, backend: InventoryBackend) -> int:
    """Pull what changed since the last refresh (everything the first time); returns the rows that
    changed. The version handhelds compare moves only then, so a quiet minute costs them nothing.
    Raises BackendUnavailable when the backend cannot be reached; the cache then stays as it was."""
    state = session.get(CatalogState, 1) or CatalogState(id=1, as_of=None, changed_at=None)
    catalog = backend.catalog(since=state.as_of - OVERLAP if state.as_of else None)
    changed = _merge(session, catalog) + _remove(session, catalog)
    if changed or state.changed_at is None:
        state.changed_at = catalog.as_of
    state.as_of = catalog.as_of
    session.add(state)
    return changed


def location_by_barcode(session: Session, barcode: str) -> CachedLocation | None:
    return session.scalar(select(CachedLocation).where(CachedLocation.barcode == barcode))


def location_path(session: Session, location: CachedLocation) -> list[str]:
    """Barcodes from the location up to the top: a ward includes its sub-locations."""
    path, seen = [], set()
    current: CachedLocation | None = location
    while current is not None and current.id not in seen:
        seen.add(current.id)
        path.append(current.barcode)
        current = session.get(CachedLocation, current.parent_id) if current.parent_id else None
    return path
