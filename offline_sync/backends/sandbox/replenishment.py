"""Ward replenishment in the training sandbox (issue 15): par levels, and the transfers that refill wards.

A ward location's replenishment transfer is its open internal picking from the store: a request adds a
demand move to it (creating it when there is none), a pick adds picked moves by lot, the delivery
validates it, with or without a backorder (which then gathers the next requests). Keys, as for the other
commands: the moves a request or a pick adds carry `WS-<op_id>/<line>` as origin, a delivery is the
picking's `validation_key`, a par level set is logged under `WS-<op_id>`.
"""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import (
    ConflictKind,
    DeliverReplenishment,
    Outcome,
    PickReplenishment,
    RequestReplenishment,
    SetParLevel,
)
from offline_sync.persistence import utcnow

from . import ledger, lookup
from .keys import line_key, picking_key
from .ledger import EPSILON
from .lookup import Refused, backorder_refs, gtin_of, picking_refs
from .models import (
    PickingKind,
    SandboxLocation,
    SandboxMove,
    SandboxOrderpoint,
    SandboxOrderpointChange,
    SandboxPicking,
    SandboxProduct,
    State,
)
from .wording import amount, quantity

OPEN = (State.DRAFT, State.ASSIGNED)


def open_transfer(session: Session, source: SandboxLocation, destination: SandboxLocation) -> SandboxPicking | None:
    """The one open replenishment transfer from the store to this ward location (the oldest, should there be more)."""
    return session.scalar(
        select(SandboxPicking)
        .where(
            SandboxPicking.kind == PickingKind.INTERNAL,
            SandboxPicking.location_id == source.id,
            SandboxPicking.location_dest_id == destination.id,
            SandboxPicking.state.in_(OPEN),
        )
        .order_by(SandboxPicking.id)
    )


def _move_with_key(session: Session, key: str) -> SandboxMove | None:
    return session.scalar(select(SandboxMove).where(SandboxMove.origin == key))


def par_level(session: Session, product: SandboxProduct, location: SandboxLocation) -> SandboxOrderpoint | None:
    return session.scalar(
        select(SandboxOrderpoint).where(
            SandboxOrderpoint.product_id == product.id, SandboxOrderpoint.location_id == location.id
        )
    )


# ---- requests and par levels ----------------------------------------------------------------


def request(session: Session, command: RequestReplenishment, source_barcode: str) -> Outcome:
    key = line_key(command.op_id, 0)
    if (earlier := _move_with_key(session, key)) is not None and earlier.picking is not None:
        return Outcome.duplicate(f"This request is already on {earlier.picking.name}.", **picking_refs(earlier.picking))
    ward = lookup.storage_location(session, command.location)
    product = lookup.product_by_gtin(session, command.gtin)
    if par_level(session, product, ward) is None:
        raise Refused(
            ConflictKind.NO_PAR_LEVEL,
            f"{product.name} has no par level at {ward.complete_name}; a supervisor sets one, or the request is discarded.",
            gtin=command.gtin,
            location=command.location,
        )
    store = lookup.storage_location(session, source_barcode)
    if store is ward:
        raise Refused(ConflictKind.LOCATION_UNKNOWN, f"{ward.complete_name} is the store refills come from; scan a ward location.",
                      location=command.location)
    picking = open_transfer(session, store, ward)
    if picking is None:
        picking = ledger.new_picking(session, PickingKind.INTERNAL, store, ward, origin=picking_key(command.op_id))
    ledger.add_move(picking, product, None, demand=command.quantity, origin=key)
    picking.write_date = utcnow()  # its lines changed: the catalog follows write_date
    requested = sum(move.product_uom_qty for move in picking.moves if move.product is product)
    return Outcome.applied(
        f"Requested {amount(command.quantity, product, None)} for {ward.complete_name} on {picking.name} "
        f"({quantity(requested)} requested there in all).",
        **picking_refs(picking),
    )


def set_par_level(session: Session, command: SetParLevel) -> Outcome:
    key = picking_key(command.op_id)
    earlier = session.scalar(select(SandboxOrderpointChange).where(SandboxOrderpointChange.key == key))
    if earlier is not None:
        return Outcome.duplicate("This par level was already set.", orderpoint_id=earlier.orderpoint_id)
    ward = lookup.storage_location(session, command.location)
    product = lookup.product_by_gtin(session, command.gtin)
    rule = par_level(session, product, ward)
    if rule is None:
        rule = SandboxOrderpoint(product=product, location=ward)
        session.add(rule)
    rule.product_min_qty, rule.product_max_qty = command.minimum, command.maximum
    rule.write_date = utcnow()
    session.flush()
    session.add(SandboxOrderpointChange(key=key, orderpoint_id=rule.id, product_min_qty=command.minimum,
                                        product_max_qty=command.maximum))
    return Outcome.applied(
        f"{product.name} at {ward.complete_name}: minimum {quantity(command.minimum)}, maximum {quantity(command.maximum)}.",
        orderpoint_id=rule.id,
    )


# ---- picking and delivery -------------------------------------------------------------------


def _transfer(session: Session, reference: str) -> SandboxPicking:
    found = session.scalar(
        select(SandboxPicking).where(SandboxPicking.name == reference, SandboxPicking.kind == PickingKind.INTERNAL)
    )
    if found is None:
        raise Refused(ConflictKind.TRANSFER_CLOSED, f"No transfer {reference} exists; request the products again.",
                      transfer=reference)
    return found


def _ensure_open(picking: SandboxPicking) -> None:
    if picking.state in OPEN:
        return
    closed = "done" if picking.state == State.DONE else "cancelled"
    raise Refused(
        ConflictKind.TRANSFER_CLOSED,
        f"Transfer {picking.name} is already {closed}; request the products again for {picking.location_dest.complete_name}.",
        transfer=picking.name,
        state=closed,
        location=picking.location_dest.barcode,
        lines=_unfilled(picking),
    )


def _unfilled(picking: SandboxPicking) -> list[dict[str, object]]:
    """What the transfer asked for and did not bring, per GTIN: what a new request would ask again."""
    missing: dict[SandboxProduct, float] = defaultdict(float)
    for move in picking.moves:
        missing[move.product] += move.product_uom_qty - (move.quantity if move.state == State.DONE else 0.0)
    return [{"gtin": gtin_of(product), "quantity": rest} for product, rest in missing.items() if rest > EPSILON]


def pick(session: Session, command: PickReplenishment) -> Outcome:
    if (earlier := _move_with_key(session, line_key(command.op_id, 0))) is not None and earlier.picking is not None:
        return Outcome.duplicate(f"These lots were already picked on {earlier.picking.name}.", **picking_refs(earlier.picking))
    picking = _transfer(session, command.transfer)
    _ensure_open(picking)
    items = []
    for number, line in enumerate(command.lines, start=1):
        product = lookup.product_by_gtin(session, line.gtin)
        lot = lookup.known_lot(session, product, line.lot)
        already = sum(move.quantity for move in picking.moves if move.picked and move.product is product and move.lot is lot)
        in_store = ledger.on_hand(session, product, picking.location, lot)
        if line.quantity + already > in_store + EPSILON:
            what = f"lot {lot.name} of {product.name}" if lot is not None else product.name
            held = f"holds only {quantity(in_store)}" if in_store > EPSILON else "holds none"
            picked_before = f" ({quantity(already)} already picked on {picking.name})" if already > EPSILON else ""
            raise Refused(
                ConflictKind.LOT_NOT_IN_STORE,
                f"{picking.location.complete_name} {held} of {what}, not {quantity(line.quantity)}{picked_before}; "
                "pick another lot.",
                gtin=line.gtin, lot=line.lot, line=number, location=picking.location.barcode, on_hand=in_store,
                requested=line.quantity,
            )
        items.append((product, lot, line.quantity))
    for number, (product, lot, picked) in enumerate(items):
        ledger.add_move(picking, product, lot, done=picked, origin=line_key(command.op_id, number))
    picking.write_date = utcnow()
    return Outcome.applied(f"Picked for {picking.name}: {ledger.describe(items)}.", **picking_refs(picking))


def deliver(session: Session, command: DeliverReplenishment) -> Outcome:
    key = picking_key(command.op_id)
    picking = _transfer(session, command.transfer)
    if picking.validation_key == key:
        return Outcome.duplicate(f"{picking.name} was already delivered.", **picking_refs(picking), **backorder_refs(session, picking))
    _ensure_open(picking)
    if command.location != picking.location_dest.barcode:
        raise Refused(
            ConflictKind.LOCATION_UNKNOWN,
            f"{picking.name} goes to {picking.location_dest.complete_name} ({picking.location_dest.barcode}), "
            f"but {command.location} was scanned; scan the ward location it is delivered to.",
            location=command.location, expected=picking.location_dest.barcode,
        )
    if not ledger.received_any(picking):
        raise Refused(
            ConflictKind.NOT_PERMITTED,
            f"Nothing has been picked for {picking.name} yet; pick the lots before delivering it.",
            transfer=picking.name,
        )
    backorder = ledger.validate(session, picking, key, keep_rest=command.backorder)
    if backorder is not None:
        return Outcome.applied(
            f"{picking.name} is delivered to {picking.location_dest.complete_name}; what was not picked waits on "
            f"{backorder.name}.", **picking_refs(picking), backorder=backorder.name, backorder_id=backorder.id,
        )
    rest = "" if command.backorder else "; what was not picked is no longer requested"
    return Outcome.applied(f"{picking.name} is delivered to {picking.location_dest.complete_name}{rest}.", **picking_refs(picking))
