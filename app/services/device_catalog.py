"""The catalog a handheld keeps offline, from the local cache (never from Odoo in the request path):
whole (a snapshot), or what changed since the version the handheld holds (offline_sync/catalog_log.py)."""
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from offline_sync import catalog_log
from offline_sync.catalog_cache import (
    TABLES,
    CachedLocation,
    CachedLot,
    CachedParLevel,
    CachedProduct,
    CachedReceipt,
    CachedReplenishment,
    CachedStock,
    CatalogState,
    rows_by_key,
)

# Past this many changed rows a snapshot is about as big as the delta and cheaper to make.
MAX_DELTA_ROWS = 2000


def _product(p: CachedProduct) -> dict[str, Any]:
    return {"id": p.id, "gtin": p.gtin, "name": p.name, "code": p.code, "unit": p.unit, "tracked_by_lot": p.tracked_by_lot,
            "uses_expiry": p.uses_expiry, "pack_quantity": p.pack_quantity, "cost": p.cost}


def _lot(lot: CachedLot) -> dict[str, Any]:
    return {"id": lot.id, "product_id": lot.product_id, "name": lot.name, "expiry": lot.expiry.isoformat() if lot.expiry else None,
            "recalled": lot.recalled, "alert_date": lot.alert_date.isoformat() if lot.alert_date else None}


def _location(loc: CachedLocation) -> dict[str, Any]:
    return {"id": loc.id, "barcode": loc.barcode, "name": loc.name, "parent_id": loc.parent_id, "usage": loc.usage}


def _receipt(r: CachedReceipt) -> dict[str, Any]:
    return {"id": r.id, "reference": r.reference, "state": r.state, "destination_id": r.destination_id, "lines": r.lines}


def _stock(s: CachedStock) -> dict[str, Any]:
    return {"product_id": s.product_id, "location_id": s.location_id, "lot_id": s.lot_id or None, "quantity": s.quantity}


def _par_level(p: CachedParLevel) -> dict[str, Any]:
    return {"product_id": p.product_id, "location_id": p.location_id, "minimum": p.minimum, "maximum": p.maximum}


def _replenishment(r: CachedReplenishment) -> dict[str, Any]:
    # ward replenishment (issue 15): lines are {product_id, requested, picked, lots: [[lot name, quantity], …]}
    return {"id": r.id, "reference": r.reference, "state": r.state, "source_id": r.source_id, "destination_id": r.destination_id,
            "lines": r.lines}


SHOWN: dict[str, Callable[[Any], dict[str, Any]]] = {
    "products": _product, "lots": _lot, "locations": _location, "receipts": _receipt, "stock": _stock,
    "par_levels": _par_level, "replenishments": _replenishment,
}
ORDER = {"products": (CachedProduct.id,), "lots": (CachedLot.id,), "locations": (CachedLocation.id,),
         "receipts": (CachedReceipt.id,), "stock": (), "par_levels": (CachedParLevel.location_id, CachedParLevel.product_id),
         "replenishments": (CachedReplenishment.id,)}


def _on_device(table: str, row: Any) -> bool:
    """An emptied quant stays in the cache but not on the handheld."""
    return table != "stock" or bool(row.quantity)


def _state(session: Session) -> tuple[int, int]:
    """The current version and the oldest the change log answers from (asked on every exchange: two columns, no ORM object)."""
    state = session.execute(select(CatalogState.version, CatalogState.oldest_version).where(CatalogState.id == 1)).first()
    return (state.version or 0, state.oldest_version or 0) if state is not None else (0, 0)


def version(session: Session) -> str:
    return str(_state(session)[0])


def snapshot(session: Session) -> dict[str, Any]:
    return {"version": version(session), **{
        table: [SHOWN[table](row) for row in session.scalars(select(TABLES[table].model).order_by(*ORDER[table]))
                if _on_device(table, row)]
        for table in SHOWN
    }}


def _device_key(table: str, key: Any) -> Any:
    """A row's key as the handheld's copy of the snapshot names it (a stock row without lot: null)."""
    if table == "stock":
        product_id, location_id, lot_id = key
        return [product_id, location_id, lot_id or None]
    return list(key) if isinstance(key, tuple) else key


def _delta(session: Session, known: int, current: int) -> dict[str, dict[str, list]]:
    changes: dict[str, dict[str, list]] = {}
    for table, entries in catalog_log.since(session, known, current).items():
        found = rows_by_key(session, TABLES[table], [key for key, deleted in entries if not deleted])
        upsert, gone = [], []
        for key, deleted in entries:
            row = None if deleted else found.get(key)
            if row is not None and _on_device(table, row):
                upsert.append(SHOWN[table](row))
            else:  # gone, emptied, or deleted since the entry was read
                gone.append(_device_key(table, key))
        changes[table] = {"upsert": upsert, "delete": gone}
    return changes


def changes_since(session: Session, known: str | None) -> dict[str, Any]:
    """What a handheld holding catalog version `known` needs: nothing, the rows changed since, or (a
    handheld with none, older than the change log, or naming a version this server never had) everything."""
    current, oldest = _state(session)
    if known == str(current):
        return {"version": str(current), "unchanged": True}
    held = int(known) if known is not None and known.isdigit() else None
    if held is not None and oldest <= held < current and catalog_log.count_since(session, held, current) <= MAX_DELTA_ROWS:
        return {"version": str(current), "full": False, "changes": _delta(session, held, current)}
    whole = snapshot(session)
    return {"version": whole["version"], "full": True, "snapshot": whole}
