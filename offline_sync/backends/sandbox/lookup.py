"""Finding what a device scanned (product by GTIN, lot, location, receipt), or refusing.

A lookup that fails raises `Refused` carrying the conflict a person has to settle; the backend
rolls the command back and answers with it, so a refused command writes nothing.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import ConflictKind, Outcome

from .. import gtin as gtins
from .models import (
    PickingKind,
    SandboxLocation,
    SandboxLot,
    SandboxPackaging,
    SandboxPicking,
    SandboxProduct,
    State,
    Usage,
)


class Refused(Exception):
    """A business rule refuses the command; `outcome` is the conflict to answer."""

    def __init__(self, kind: ConflictKind, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.outcome = Outcome.conflicted(kind, message, **detail)


def product_with_barcode(session: Session, barcode: str) -> SandboxProduct | None:
    return session.scalar(
        select(SandboxProduct)
        .outerjoin(SandboxPackaging)
        .where(or_(SandboxProduct.barcode == barcode, SandboxPackaging.barcode == barcode))
        .limit(1)
    )


def product_by_gtin(session: Session, gtin: str) -> SandboxProduct:
    barcode = gtins.scanned_barcode(gtin)
    if barcode is None:
        raise Refused(
            ConflictKind.UNKNOWN_PRODUCT, f"{gtin} is not a valid GTIN; scan the product barcode again.", gtin=gtin
        )
    product = product_with_barcode(session, barcode)
    if product is None:
        raise Refused(
            ConflictKind.UNKNOWN_PRODUCT,
            f"No product has the barcode {gtin}; a supervisor can link it to a product.",
            gtin=gtin,
        )
    return product


def storage_location(session: Session, barcode: str) -> SandboxLocation:
    """An active internal location: the only kind a user may scan as a place where stock lies."""
    location = session.scalar(select(SandboxLocation).where(SandboxLocation.barcode == barcode))
    if location is None:
        message = f"No location has the barcode {barcode}; scan the location label again or ask a supervisor to map it."
    elif not location.active:
        message = f"Location {location.complete_name} ({barcode}) is archived; scan another location."
    elif location.usage != Usage.INTERNAL:
        message = f"{location.complete_name} ({barcode}) is not a storage location; scan a shelf or ward location."
    else:
        return location
    raise Refused(ConflictKind.LOCATION_UNKNOWN, message, location=barcode)


def location_for(session: Session, usage: Usage) -> SandboxLocation:
    """The sandbox's vendors, patient-consumption or inventory-adjustment location."""
    location = session.scalar(
        select(SandboxLocation)
        .where(SandboxLocation.usage == usage, SandboxLocation.active)
        .order_by(SandboxLocation.id)
    )
    if location is None:
        raise Refused(
            ConflictKind.LOCATION_UNKNOWN,
            f"The training sandbox has no {usage} location; load the demo data again.",
            usage=str(usage),
        )
    return location


def find_lot(session: Session, product: SandboxProduct, name: str) -> SandboxLot | None:
    return session.scalar(select(SandboxLot).where(SandboxLot.product_id == product.id, SandboxLot.name == name))


def known_lot(session: Session, product: SandboxProduct, name: str | None) -> SandboxLot | None:
    """The scanned lot of a lot-tracked product (None for an untracked one, whose lot is ignored)."""
    if not product.tracked_by_lot:
        return None
    lot = find_lot(session, product, name) if name else None
    if lot is None:
        raise missing_lot(product, name)
    return lot


def missing_lot(product: SandboxProduct, name: str | None) -> Refused:
    if name:
        message = f"Lot {name} of {product.name} is not known; check the label, or a supervisor can create the lot."
    else:
        message = f"{product.name} is tracked by lot; scan the lot number on the label."
    return Refused(ConflictKind.UNKNOWN_LOT, message, gtin=gtin_of(product), lot=name)


def gtin_of(product: SandboxProduct) -> str | None:
    return gtins.to_gtin14(product.barcode) if product.barcode else None


def ensure_usable(product: SandboxProduct, lot: SandboxLot | None, today: date) -> None:
    """Odoo does not block expired or recalled lots; Wardstock refuses to move or use them."""
    if lot is None:
        return
    expired = lot.expiration_date is not None and lot.expiration_date < today
    if not (expired or lot.recalled):
        return
    if lot.recalled:
        message = f"Lot {lot.name} of {product.name} has been recalled; it cannot be used. Set it aside for return."
    else:
        message = f"Lot {lot.name} of {product.name} expired on {lot.expiration_date:%Y-%m-%d}; it cannot be used."
    raise Refused(
        ConflictKind.EXPIRED_OR_RECALLED,
        message,
        gtin=gtin_of(product),
        lot=lot.name,
        expiry=lot.expiration_date.isoformat() if lot.expiration_date else None,
        recalled=lot.recalled,
    )


def received_lot(
    session: Session, product: SandboxProduct, name: str | None, expiry: date | None, today: date
) -> SandboxLot | None:
    """The lot a received line goes into, created at once if new (Odoo creates it at validation).

    A new lot without a label expiry gets today + the product's expiration time, as in Odoo.
    An existing lot keeps its expiry in Odoo whatever the label says, so a different one is a conflict.
    """
    if not product.tracked_by_lot:
        return None
    if not name:
        raise missing_lot(product, name)
    lot = find_lot(session, product, name)
    if lot is None:
        if expiry is None and product.use_expiration_date and product.expiration_time:
            expiry = today + timedelta(days=product.expiration_time)
        lot = SandboxLot(product=product, name=name, expiration_date=expiry if product.use_expiration_date else None)
        session.add(lot)
    elif product.use_expiration_date and expiry is not None and lot.expiration_date != expiry:
        raise expiry_mismatch(lot, expiry)
    return lot


def expiry_mismatch(lot: SandboxLot, label_expiry: date | None) -> Refused:
    recorded = f"{lot.expiration_date:%Y-%m-%d}" if lot.expiration_date else "no expiry"
    label = f"{label_expiry:%Y-%m-%d}" if label_expiry else "no expiry"
    return Refused(
        ConflictKind.EXPIRY_MISMATCH,
        f"Lot {lot.name} of {lot.product.name} is recorded with {recorded}, but the label says {label}; "
        "a supervisor decides which date is right.",
        gtin=gtin_of(lot.product),
        lot=lot.name,
        label_expiry=label_expiry.isoformat() if label_expiry else None,
        recorded_expiry=lot.expiration_date.isoformat() if lot.expiration_date else None,
    )


def receipt(session: Session, reference: str) -> SandboxPicking:
    found = session.scalar(
        select(SandboxPicking).where(SandboxPicking.name == reference, SandboxPicking.kind == PickingKind.RECEIPT)
    )
    if found is None:
        raise Refused(
            ConflictKind.RECEIPT_CLOSED,
            f"No receipt {reference} exists; receive the goods as an unplanned receipt.",
            receipt=reference,
        )
    return found


def backorder_of(session: Session, picking: SandboxPicking) -> SandboxPicking | None:
    return session.scalar(select(SandboxPicking).where(SandboxPicking.backorder_id == picking.id))


def picking_refs(picking: SandboxPicking) -> dict[str, object]:
    return {"picking": picking.name, "picking_id": picking.id}


def backorder_refs(session: Session, picking: SandboxPicking) -> dict[str, object]:
    backorder = backorder_of(session, picking)
    return {"backorder": backorder.name, "backorder_id": backorder.id} if backorder is not None else {}


def ensure_open(session: Session, picking: SandboxPicking) -> None:
    if picking.state not in (State.DONE, State.CANCEL):
        return
    backorder = backorder_of(session, picking)
    closed = "done" if picking.state == State.DONE else "cancelled"
    where = f"its backorder {backorder.name}" if backorder is not None else "an unplanned receipt"
    raise Refused(
        ConflictKind.RECEIPT_CLOSED,
        f"Receipt {picking.name} is already {closed}; receive the goods into {where}.",
        receipt=picking.name,
        state=closed,
        backorder=backorder.name if backorder is not None else None,
    )
