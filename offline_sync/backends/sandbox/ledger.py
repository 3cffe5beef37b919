"""Changing stock, Odoo's way: quants change only when moves are done; pickings are validated
with or without backorder; counts are entered on quants and applied as inventory moves."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import ConflictKind
from offline_sync.persistence import utcnow

from .lookup import Refused, gtin_of, location_for
from .models import (
    PickingKind,
    SandboxLocation,
    SandboxLot,
    SandboxMove,
    SandboxPicking,
    SandboxProduct,
    SandboxQuant,
    State,
    Usage,
)
from .wording import amount, item, quantity

EPSILON = 1e-6
WAREHOUSE_CODE = "CS"
_SEQUENCE_CODES = {PickingKind.RECEIPT: "IN", PickingKind.INTERNAL: "INT", PickingKind.CONSUMPTION: "CONS",
                   PickingKind.SCRAP: "SP", PickingKind.RETURN: "RET"}
_SEQUENCE_LOCKS = {kind: 0x5A4E_0000 + number for number, kind in enumerate(_SEQUENCE_CODES)}  # advisory lock keys

Item = tuple[SandboxProduct, SandboxLot | None, float]  # what one scanned line resolves to


# ---- quants ---------------------------------------------------------------------------


def _same_lot(column: Any, lot: SandboxLot | None) -> ColumnElement[bool]:
    return column.is_(None) if lot is None else column == lot.id


def quant_of(
    session: Session, product: SandboxProduct, location: SandboxLocation, lot: SandboxLot | None
) -> SandboxQuant:
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
                gtin=gtin_of(product),
                lot=lot.name if lot else None,
                location=location.barcode,
                on_hand=available,
                requested=requested,
            )


def net_moves_since(
    session: Session, quant: SandboxQuant, since: datetime, keys: Collection[str] = (), references: Collection[str] = ()
) -> float:
    """How much the quant's on-hand changed through moves done after `since` (naive UTC), leaving out
    the moves of the pickings whose key (origin) is in `keys` and of the counts in `references`."""
    location_id = quant.location_id
    into = case((SandboxMove.location_dest_id == location_id, 1), else_=0)
    out_of = case((SandboxMove.location_id == location_id, 1), else_=0)
    return session.scalar(
        select(func.coalesce(func.sum((into - out_of) * SandboxMove.quantity), 0.0))
        .outerjoin(SandboxPicking, SandboxMove.picking_id == SandboxPicking.id)
        .where(
            SandboxMove.product_id == quant.product_id,
            _same_lot(SandboxMove.lot_id, quant.lot),
            SandboxMove.state == State.DONE,
            SandboxMove.date > since,
            or_(SandboxMove.location_id == location_id, SandboxMove.location_dest_id == location_id),
            or_(SandboxPicking.id.is_(None), SandboxPicking.origin.is_(None), SandboxPicking.origin.not_in(list(keys))),
            SandboxMove.reference.not_in(list(references)),
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
    """A picking named from its kind's sequence, e.g. CS/IN/00002. On PostgreSQL the numbers are
    handed out one transaction at a time, as Odoo's sequences do: two sync workers creating
    pickings of one kind would otherwise both take the next number."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_SEQUENCE_LOCKS[kind])))
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
        session,
        PickingKind(picking.kind),
        picking.location,
        picking.location_dest,
        picking.origin,
        backorder_of=picking,
    )
    backorder.partner = picking.partner  # as Odoo copies it: the backorder comes from the same vendor
    for product, missing in short.items():
        add_move(backorder, product, None, demand=missing)
    return backorder


# ---- receipts -------------------------------------------------------------------------


# ---- receipts -------------------------------------------------------------------------


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
