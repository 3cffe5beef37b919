"""Ledger operations on one session: finding what a device scanned, moving stock, counting.

A lookup that fails raises `Refused` carrying the conflict a person has to settle; the backend
rolls the command back and answers with it, so a refused command writes nothing.
"""
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import ConflictKind, Outcome
from offline_sync.persistence import utcnow

from . import gtin as gtins
from .models import (
    PickingKind,
    SandboxLocation,
    SandboxLot,
    SandboxMove,
    SandboxPackaging,
    SandboxPicking,
    SandboxProduct,
    SandboxQuant,
    State,
    Usage,
)
from .wording import amount, item, quantity

EPSILON = 1e-6
WAREHOUSE_CODE = "CS"
_SEQUENCE_CODES = {PickingKind.RECEIPT: "IN", PickingKind.INTERNAL: "INT", PickingKind.CONSUMPTION: "CONS"}

Item = tuple[SandboxProduct, SandboxLot | None, float]  # what one scanned line resolves to


class Refused(Exception):
    """A business rule refuses the command; `outcome` is the conflict to answer."""

    def __init__(self, kind: ConflictKind, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.outcome = Outcome.conflicted(kind, message, **detail)


def naive_utc(moment: datetime) -> datetime:
    """Stored times are naive UTC; a naive time from a device is taken as UTC too."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


# ---- finding what was scanned ---------------------------------------------------------


def product_with_barcode(session: Session, barcode: str) -> SandboxProduct | None:
    return session.scalar(
        select(SandboxProduct)
        .outerjoin(SandboxPackaging)
        .where(or_(SandboxProduct.barcode == barcode, SandboxPackaging.barcode == barcode))
        .limit(1)
    )


def product_by_gtin(session: Session, gtin: str) -> SandboxProduct:
    barcode = gtins.to_barcode(gtin)
    if barcode is None:
        raise Refused(ConflictKind.UNKNOWN_PRODUCT, f"{gtin} is not a valid GTIN; scan the product barcode again.", gtin=gtin)
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
        select(SandboxLocation).where(SandboxLocation.usage == usage, SandboxLocation.active).order_by(SandboxLocation.id)
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
    return Refused(ConflictKind.UNKNOWN_LOT, message, gtin=_gtin(product), lot=name)


def _gtin(product: SandboxProduct) -> str | None:
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
        lot=lot.name,
        label_expiry=label_expiry.isoformat() if label_expiry else None,
        recorded_expiry=lot.expiration_date.isoformat() if lot.expiration_date else None,
    )


# ---- quants ---------------------------------------------------------------------------


def _same_lot(column: Any, lot: SandboxLot | None) -> ColumnElement[bool]:
    return column.is_(None) if lot is None else column == lot.id


def quant_of(session: Session, product: SandboxProduct, location: SandboxLocation, lot: SandboxLot | None) -> SandboxQuant:
    """The quant of this product and lot at this location, created empty if there is none."""
    found = session.scalar(
        select(SandboxQuant).where(
            SandboxQuant.product_id == product.id,
            SandboxQuant.location_id == location.id,
            _same_lot(SandboxQuant.lot_id, lot),
        )
    )
    if found is None:
        found = SandboxQuant(product=product, location=location, lot=lot, quantity=0.0)
        session.add(found)
    return found


def on_hand(session: Session, product: SandboxProduct, location: SandboxLocation, lot: SandboxLot | None) -> float:
    return quant_of(session, product, location, lot).quantity


def ensure_available(session: Session, location: SandboxLocation, items: Iterable[Item]) -> None:
    """Odoo lets stock go negative; Wardstock refuses to take more than the source holds."""
    wanted: dict[tuple[SandboxProduct, SandboxLot | None], float] = defaultdict(float)
    for product, lot, requested in items:
        wanted[product, lot] += requested
    for (product, lot), requested in wanted.items():
        available = on_hand(session, product, location, lot)
        if requested > available + EPSILON:
            raise Refused(
                ConflictKind.INSUFFICIENT_STOCK,
                f"Only {quantity(available)} of {item(product, lot)} on hand at {location.complete_name}, "
                f"not {quantity(requested)}; count the shelf or reduce the quantity.",
                gtin=_gtin(product),
                lot=lot.name if lot else None,
                location=location.barcode,
                on_hand=available,
                requested=requested,
            )


def net_moves_since(session: Session, quant: SandboxQuant, since: datetime) -> float:
    """How much the quant's on-hand changed through moves done after `since` (naive UTC)."""
    location_id = quant.location_id
    into = case((SandboxMove.location_dest_id == location_id, 1), else_=0)
    out_of = case((SandboxMove.location_id == location_id, 1), else_=0)
    return session.scalar(
        select(func.coalesce(func.sum((into - out_of) * SandboxMove.quantity), 0.0)).where(
            SandboxMove.product_id == quant.product_id,
            _same_lot(SandboxMove.lot_id, quant.lot),
            SandboxMove.state == State.DONE,
            SandboxMove.date > since,
            or_(SandboxMove.location_id == location_id, SandboxMove.location_dest_id == location_id),
        )
    )


# ---- pickings and moves ---------------------------------------------------------------


def new_picking(
    session: Session,
    kind: PickingKind,
    source: SandboxLocation,
    destination: SandboxLocation,
    origin: str | None,
    backorder_of: SandboxPicking | None = None,
    note: str = "",
) -> SandboxPicking:
    """A picking named from its kind's sequence, e.g. CS/IN/00002."""
    count = session.scalar(select(func.count()).select_from(SandboxPicking).where(SandboxPicking.kind == kind))
    picking = SandboxPicking(
        name=f"{WAREHOUSE_CODE}/{_SEQUENCE_CODES[kind]}/{count + 1:05d}",
        kind=kind,
        state=State.ASSIGNED,
        origin=origin,
        backorder_id=backorder_of.id if backorder_of else None,
        location=source,
        location_dest=destination,
        note=note,
    )
    session.add(picking)
    session.flush()
    return picking


def add_move(
    picking: SandboxPicking,
    product: SandboxProduct,
    lot: SandboxLot | None,
    *,
    demand: float = 0.0,
    done: float = 0.0,
    origin: str | None = None,
) -> SandboxMove:
    """A move on the picking; one with a done quantity is picked (only picked moves are validated)."""
    move = SandboxMove(
        product=product,
        lot=lot,
        product_uom_qty=demand,
        quantity=done,
        picked=done > EPSILON,
        origin=origin,
        reference=picking.name,
        location=picking.location,
        location_dest=picking.location_dest,
        state=State.ASSIGNED,
    )
    picking.moves.append(move)
    return move


def post(session: Session, move: SandboxMove) -> None:
    """Do the move: the quants at its internal ends change, and it is dated now."""
    move.state = State.DONE
    move.date = utcnow()
    for location, sign in ((move.location, -1.0), (move.location_dest, 1.0)):
        if location.usage == Usage.INTERNAL:
            quant_of(session, move.product, location, move.lot).quantity += sign * move.quantity


def created_picking(session: Session, origin: str) -> SandboxPicking | None:
    """The picking a command created, found by its key (backorders copy the origin, so skip them)."""
    return session.scalar(
        select(SandboxPicking)
        .where(SandboxPicking.origin == origin, SandboxPicking.backorder_id.is_(None))
        .order_by(SandboxPicking.id)
    )


def validate(session: Session, picking: SandboxPicking, key: str, keep_rest: bool) -> SandboxPicking | None:
    """Odoo's `button_validate` with the backorder choice made: picked moves are done, the others
    cancelled; with `keep_rest`, what fell short of the demand goes to a new backorder, returned."""
    rest: dict[SandboxProduct, float] = defaultdict(float)
    for move in picking.moves:
        rest[move.product] += move.product_uom_qty - (move.quantity if move.picked else 0.0)
        if move.picked:
            post(session, move)
        else:
            move.state = State.CANCEL
    picking.state = State.DONE
    picking.date_done = utcnow()
    picking.validation_key = key
    short = {product: missing for product, missing in rest.items() if missing > EPSILON}
    if not (keep_rest and short):
        return None
    backorder = new_picking(
        session, PickingKind(picking.kind), picking.location, picking.location_dest, picking.origin, backorder_of=picking
    )
    for product, missing in short.items():
        add_move(backorder, product, None, demand=missing)
    return backorder


# ---- receipts -------------------------------------------------------------------------


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


def ensure_open(session: Session, picking: SandboxPicking) -> None:
    if picking.state not in (State.DONE, State.CANCEL):
        return
    backorder = session.scalar(select(SandboxPicking).where(SandboxPicking.backorder_id == picking.id))
    closed = "done" if picking.state == State.DONE else "cancelled"
    where = f"its backorder {backorder.name}" if backorder is not None else "an unplanned receipt"
    raise Refused(
        ConflictKind.RECEIPT_CLOSED,
        f"Receipt {picking.name} is already {closed}; receive the goods into {where}.",
        receipt=picking.name,
        state=closed,
        backorder=backorder.name if backorder is not None else None,
    )


def receive_line(picking: SandboxPicking, line: Item, origin: str) -> SandboxMove:
    """Mark a received line on the receipt: it fills the product's planned move if one is still
    untouched, else it is a further line (another lot, or more than ordered)."""
    product, lot, received = line
    picking.write_date = utcnow()  # its lines changed: the catalog's receipts follow write_date
    planned = next((move for move in picking.moves if move.product is product and not move.picked), None)
    if planned is None:
        return add_move(picking, product, lot, done=received, origin=origin)
    planned.lot, planned.quantity, planned.picked, planned.origin = lot, received, True, origin
    return planned


def picking_of_line(session: Session, origin: str) -> SandboxPicking | None:
    """The receipt a line was received on, found by the line's key."""
    move = session.scalar(select(SandboxMove).where(SandboxMove.origin == origin))
    return move.picking if move is not None else None


def received_any(picking: SandboxPicking) -> bool:
    return any(move.picked and move.quantity > EPSILON for move in picking.moves)


# ---- counts ---------------------------------------------------------------------------


def enter_count(quant: SandboxQuant, counted: float, seen: float) -> None:
    """Set the counted quantity, with the difference to the on-hand the counter saw (Odoo's inventory mode)."""
    quant.inventory_quantity = counted
    quant.inventory_quantity_set = True
    quant.inventory_diff_quantity = counted - seen


def set_on_hand(session: Session, quant: SandboxQuant, target: float, reference: str) -> SandboxMove:
    """Count `target` against the current on-hand and apply it: one inventory move, even of zero,
    so the count is found again by its reference (as `action_apply_inventory` does)."""
    enter_count(quant, target, seen=quant.quantity)
    adjustment = location_for(session, Usage.INVENTORY)
    gain = quant.inventory_diff_quantity > 0
    difference = abs(quant.inventory_diff_quantity)
    move = SandboxMove(
        product=quant.product,
        lot=quant.lot,
        product_uom_qty=difference,
        quantity=difference,
        picked=True,
        reference=reference,
        location=adjustment if gain else quant.location,
        location_dest=quant.location if gain else adjustment,
    )
    session.add(move)
    post(session, move)
    quant.inventory_quantity, quant.inventory_quantity_set, quant.inventory_diff_quantity = 0.0, False, 0.0
    return move


def count_move(session: Session, reference: str) -> SandboxMove | None:
    return session.scalar(select(SandboxMove).where(SandboxMove.reference == reference))


def describe(items: Iterable[Item]) -> str:
    return "; ".join(amount(done, product, lot) for product, lot, done in items)
