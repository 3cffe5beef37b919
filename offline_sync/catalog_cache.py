"""A local copy of the backend's catalog: what devices download and what permission checks read,
so no request from a handheld waits on Odoo. The worker refreshes it incrementally."""
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, delete, or_, select, tuple_
from sqlalchemy.orm import Mapped, Session, mapped_column

from offline_sync import catalog_log
from offline_sync.backends.contract import Catalog, InventoryBackend
from offline_sync.catalog_log import Change, chunks
from offline_sync.persistence import Base, utcnow

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
    closed_at: Mapped[datetime | None]  # when this cache first saw it closed (CLOSED_RECEIPTS_KEPT)


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
    version: Mapped[int] = mapped_column(default=0)  # the handhelds' catalog version: up by one per refresh that changed rows
    oldest_version: Mapped[int] = mapped_column(default=0)  # the change log explains every version after this one


CLOSED_STATES = frozenset({"done", "cancel", "cancelled"})
# A closed receipt stays this long after the cache saw it closed, so a handheld that scans it says
# "already closed" rather than "unknown receipt" (static/js/receive.js); then it leaves the catalog.
CLOSED_RECEIPTS_KEPT = timedelta(days=7)


@dataclass(frozen=True)
class Table:
    """A cached table as handhelds see it: its name in the snapshot and how a row is keyed."""

    name: str
    model: type[Base]
    key_columns: tuple[str, ...]

    def key(self, row: Base) -> Any:
        values = tuple(getattr(row, column) for column in self.key_columns)
        return values if len(values) > 1 else values[0]

    def columns(self) -> tuple[Any, ...]:
        return tuple(getattr(self.model, column) for column in self.key_columns)


TABLES = {table.name: table for table in (
    Table("products", CachedProduct, ("id", "gtin")),
    Table("lots", CachedLot, ("id",)),
    Table("locations", CachedLocation, ("id",)),
    Table("receipts", CachedReceipt, ("id",)),
    Table("stock", CachedStock, ("product_id", "location_id", "lot_id")),
    Table("par_levels", CachedParLevel, ("product_id", "location_id")),
    Table("replenishments", CachedReplenishment, ("id",)),
)}
TABLE_OF = {table.model: table for table in TABLES.values()}


def rows_by_key(session: Session, table: Table, keys: Sequence[Any]) -> dict[Any, Base]:
    """The cached rows of `table` with these keys, one query per CHUNK keys."""
    found: dict[Any, Base] = {}
    columns = table.columns()
    for part in chunks(list(keys)):
        where = columns[0].in_(part) if len(columns) == 1 else tuple_(*columns).in_(part)
        found.update((table.key(row), row) for row in session.scalars(select(table.model).where(where)))
    return found


def _pulled(catalog: Catalog, now: datetime) -> list[Base]:
    """The rows the pull holds, as cache rows; lots and stock of what it removes are not added back."""
    gone_products, gone_locations = set(catalog.removed_products), set(catalog.removed_locations)
    return [
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
                               for line in r.lines],
                        closed_at=now if r.state in CLOSED_STATES else None) for r in catalog.receipts),
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


def _merge(session: Session, catalog: Catalog, now: datetime) -> list[Change]:
    """Add or update what the pull holds, comparing with what the cache has (loaded in a few queries,
    not one per row): only rows that really changed are written and logged. A closed replenishment
    leaves the cache; a closed receipt keeps the moment it was first seen closed."""
    by_table: dict[Table, dict[Any, Base]] = defaultdict(dict)
    for row in _pulled(catalog, now):
        table = TABLE_OF[type(row)]
        by_table[table][table.key(row)] = row  # a row pulled twice: the later one
    changes: list[Change] = []
    session.autoflush = False  # compare with the cache as it was, not half-merged
    try:
        for table, rows in by_table.items():
            cached = rows_by_key(session, table, list(rows))
            for key, row in rows.items():
                old = cached.get(key)
                if isinstance(row, CachedReplenishment) and row.state in CLOSED_STATES:
                    if old is not None:
                        session.delete(old)
                        changes.append(Change(table.name, key, deleted=True))
                elif old is None:
                    session.add(row)
                    changes.append(Change(table.name, key, deleted=False))
                else:
                    if isinstance(row, CachedReceipt) and old.closed_at is not None and row.closed_at is not None:
                        row.closed_at = old.closed_at
                    if session.is_modified(session.merge(row)):  # found in the identity map: no query
                        changes.append(Change(table.name, key, deleted=False))
    finally:
        session.autoflush = True
    session.flush()
    return changes


def _remove(session: Session, catalog: Catalog) -> list[Change]:
    """Drop what was archived: a product's every GTIN row, its lots, stock and par levels; a location
    with its stock and par levels (Odoo refuses to archive a location that still holds stock, so those rows are zeros)."""
    products, locations = catalog.removed_products, catalog.removed_locations
    if not products and not locations:
        return []
    wheres = {
        CachedProduct: CachedProduct.id.in_(products),
        CachedLot: CachedLot.product_id.in_(products),
        CachedLocation: CachedLocation.id.in_(locations),
        CachedStock: or_(CachedStock.product_id.in_(products), CachedStock.location_id.in_(locations)),
        CachedParLevel: or_(CachedParLevel.product_id.in_(products), CachedParLevel.location_id.in_(locations)),
    }
    return _delete(session, wheres)


def _delete(session: Session, wheres: dict[type[Base], Any]) -> list[Change]:
    """Delete the rows each condition selects, and say which."""
    changes = []
    for model, where in wheres.items():
        table = TABLE_OF[model]
        keys = [tuple(row) if len(row) > 1 else row[0] for row in session.execute(select(*table.columns()).where(where))]
        if keys:
            session.execute(delete(model).where(where))
            changes += [Change(table.name, key, deleted=True) for key in keys]
    return changes


def _expire_closed_receipts(session: Session, now: datetime) -> list[Change]:
    return _delete(session, {CachedReceipt: CachedReceipt.closed_at < now - CLOSED_RECEIPTS_KEPT})


def refresh(session: Session, backend: InventoryBackend, now: datetime | None = None) -> int:
    """Pull what changed since the last refresh (everything the first time); returns the rows that
    changed. Only then does the version handhelds compare move, by one, with the change log saying
    which rows, in this transaction: a quiet minute costs the handhelds nothing.
    Raises BackendUnavailable when the backend cannot be reached; the cache then stays as it was."""
    now = now or utcnow()
    state = session.get(CatalogState, 1, with_for_update=True) or CatalogState(id=1, as_of=None, version=0, oldest_version=0)
    catalog = backend.catalog(since=state.as_of - OVERLAP if state.as_of else None)
    changes = _merge(session, catalog, now) + _remove(session, catalog) + _expire_closed_receipts(session, now)
    if changes:
        state.version = (state.version or 0) + 1
        catalog_log.record(session, state.version, changes)
        state.oldest_version = catalog_log.prune(session, state.version, state.oldest_version or 0)
    state.as_of = catalog.as_of
    session.add(state)
    return len(changes)


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
