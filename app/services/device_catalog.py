"""The catalog a handheld keeps offline, from the local cache (never from Odoo in the request path)."""
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from offline_sync.catalog_cache import (
    CachedLocation,
    CachedLot,
    CachedParLevel,
    CachedProduct,
    CachedReceipt,
    CachedReplenishment,
    CachedStock,
    CatalogState,
)


def version(session: Session) -> str:
    state = session.get(CatalogState, 1)
    return state.changed_at.isoformat() if state and state.changed_at else "empty"


def snapshot(session: Session) -> dict[str, Any]:
    return {
        "version": version(session),
        "products": [
            {"id": p.id, "gtin": p.gtin, "name": p.name, "code": p.code, "unit": p.unit,
             "tracked_by_lot": p.tracked_by_lot, "uses_expiry": p.uses_expiry, "pack_quantity": p.pack_quantity,
             "cost": p.cost}
            for p in session.scalars(select(CachedProduct).order_by(CachedProduct.id))
        ],
        "lots": [
            {"id": lot.id, "product_id": lot.product_id, "name": lot.name,
             "expiry": lot.expiry.isoformat() if lot.expiry else None, "recalled": lot.recalled,
             "alert_date": lot.alert_date.isoformat() if lot.alert_date else None}
            for lot in session.scalars(select(CachedLot).order_by(CachedLot.id))
        ],
        "locations": [
            {"id": loc.id, "barcode": loc.barcode, "name": loc.name, "parent_id": loc.parent_id, "usage": loc.usage}
            for loc in session.scalars(select(CachedLocation).order_by(CachedLocation.id))
        ],
        "receipts": [
            {"id": r.id, "reference": r.reference, "state": r.state, "destination_id": r.destination_id, "lines": r.lines}
            for r in session.scalars(select(CachedReceipt).order_by(CachedReceipt.id))
        ],
        "stock": [
            {"product_id": s.product_id, "location_id": s.location_id, "lot_id": s.lot_id or None, "quantity": s.quantity}
            for s in session.scalars(select(CachedStock)) if s.quantity
        ],
        # ward replenishment (issue 15): lines are {product_id, requested, picked, lots: [[lot name, quantity], …]}
        "par_levels": [
            {"product_id": p.product_id, "location_id": p.location_id, "minimum": p.minimum, "maximum": p.maximum}
            for p in session.scalars(select(CachedParLevel).order_by(CachedParLevel.location_id, CachedParLevel.product_id))
        ],
        "replenishments": [
            {"id": r.id, "reference": r.reference, "state": r.state, "source_id": r.source_id,
             "destination_id": r.destination_id, "lines": r.lines}
            for r in session.scalars(select(CachedReplenishment).order_by(CachedReplenishment.id))
        ],
    }


def changes_since(session: Session, known: str | None) -> dict[str, Any]:
    """What a handheld holding catalog version `known` needs: nothing, or the whole catalog."""
    current = version(session)
    if known == current:
        return {"version": current, "unchanged": True}
    return {"version": current, "full": True, "snapshot": snapshot(session)}
