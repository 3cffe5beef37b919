"""Stock leaving use in the sandbox (issue 16): scrapped with a reason, quarantined, or returned to its vendor.

Expired and recalled lots are taken (pulling them is the point); more than the location holds is
`insufficient_stock`, as for any issue. Each command's pickings carry its key in `origin`, which is
looked for first, so a re-sent command answers `duplicate`. A return goes back to the vendor of the
receipt that brought the lot in, one return picking per receipt.
"""
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import ConflictKind, ItemLine, Outcome, Quarantine, Scrap, VendorReturn

from . import ledger, lookup
from .ledger import Item
from .lookup import Refused
from .models import PickingKind, SandboxLocation, SandboxMove, SandboxPicking, State, Usage
from .wording import item

SCRAP_LOCATION = "SCRAP"  # the demo's scrap location (Odoo's Virtual Locations/Scrap)


def taken_items(session: Session, lines: tuple[ItemLine, ...]) -> list[Item]:
    """The scanned lots, known to the sandbox; usable or not."""
    items: list[Item] = []
    for line in lines:
        product = lookup.product_by_gtin(session, line.gtin)
        items.append((product, lookup.known_lot(session, product, line.lot), line.quantity))
    return items


def _earlier(session: Session, key: str) -> Outcome | None:
    earlier = session.scalars(
        select(SandboxPicking).where(SandboxPicking.origin == key, SandboxPicking.backorder_id.is_(None)).order_by(SandboxPicking.id)
    ).all()
    if not earlier:
        return None
    names = ", ".join(picking.name for picking in earlier)
    return Outcome.duplicate(f"This was already recorded on {names}.", **_refs(earlier))


def _refs(pickings: list[SandboxPicking]) -> dict[str, object]:
    return {"picking": pickings[0].name, "picking_id": pickings[0].id, "pickings": [picking.name for picking in pickings]}


def _move_all(session: Session, picking: SandboxPicking, items: list[Item], key: str) -> None:
    for number, (product, lot, moved) in enumerate(items):
        ledger.add_move(picking, product, lot, done=moved, origin=f"{key}/{number}")
    ledger.validate(session, picking, key, keep_rest=False)


def scrap(session: Session, command: Scrap, key: str) -> Outcome:
    if (duplicate := _earlier(session, key)) is not None:
        return duplicate
    location = lookup.storage_location(session, command.location)
    items = taken_items(session, command.lines)
    ledger.ensure_available(session, location, items)
    scrapped = _scrap_location(session)
    picking = ledger.new_picking(session, PickingKind.SCRAP, location, scrapped, origin=key, note=command.note)
    picking.waste_reason = command.reason
    _move_all(session, picking, items, key)
    return Outcome.applied(
        f"Scrapped {ledger.describe(items)} at {location.complete_name} as {command.reason.replace('_', ' ')} ({picking.name}).",
        **_refs([picking]), reason=str(command.reason),
    )


def quarantine(session: Session, command: Quarantine, key: str, quarantine_barcode: str) -> Outcome:
    if (duplicate := _earlier(session, key)) is not None:
        return duplicate
    source = lookup.storage_location(session, command.source)
    destination = quarantine_location(session, quarantine_barcode)
    items = taken_items(session, command.lines)
    ledger.ensure_available(session, source, items)
    picking = ledger.new_picking(session, PickingKind.INTERNAL, source, destination, origin=key)
    _move_all(session, picking, items, key)
    return Outcome.applied(
        f"Moved {ledger.describe(items)} from {source.complete_name} to quarantine ({picking.name}).", **_refs([picking])
    )


def return_to_vendor(session: Session, command: VendorReturn, key: str) -> Outcome:
    if (duplicate := _earlier(session, key)) is not None:
        return duplicate
    source = lookup.storage_location(session, command.source)
    items = taken_items(session, command.lines)
    ledger.ensure_available(session, source, items)
    by_receipt: dict[int, list[Item]] = defaultdict(list)
    receipts: dict[int, SandboxPicking] = {}
    for entry in items:
        receipt = receipt_of(session, entry)
        receipts[receipt.id] = receipt
        by_receipt[receipt.id].append(entry)
    vendors = lookup.location_for(session, Usage.SUPPLIER)
    returns = []
    for receipt_id, returned in by_receipt.items():
        receipt = receipts[receipt_id]
        picking = ledger.new_picking(session, PickingKind.RETURN, source, vendors, origin=key, note=command.note)
        picking.partner, picking.return_id, picking.waste_reason = receipt.partner, receipt.id, command.reason
        _move_all(session, picking, returned, key)
        returns.append(picking)
    sent = "; ".join(f"{picking.name} to {picking.partner or 'the vendor'} (receipt {receipts[picking.return_id].name})"
                     for picking in returns if picking.return_id is not None)
    return Outcome.applied(f"Returned {ledger.describe(items)} from {source.complete_name}: {sent}.", **_refs(returns),
                           receipts=[receipt.name for receipt in receipts.values()])


def receipt_of(session: Session, entry: Item) -> SandboxPicking:
    """The latest done receipt that brought the lot (or the untracked product) in; refused when there is none."""
    product, lot, _ = entry
    query = (
        select(SandboxPicking)
        .join(SandboxMove, SandboxMove.picking_id == SandboxPicking.id)
        .where(SandboxPicking.kind == PickingKind.RECEIPT, SandboxPicking.state == State.DONE,
               SandboxMove.state == State.DONE, SandboxMove.product_id == product.id)
        .order_by(SandboxPicking.date_done.desc(), SandboxPicking.id.desc())
        .limit(1)
    )
    if lot is not None:
        query = query.where(SandboxMove.lot_id == lot.id)
    receipt = session.scalar(query)
    if receipt is None:
        raise Refused(
            ConflictKind.RECEIPT_NOT_FOUND,
            f"No done receipt brought in {item(product, lot)}, so its vendor is not known; scrap it instead, "
            "or return it by hand.",
            gtin=lookup.gtin_of(product),
            lot=lot.name if lot else None,
        )
    return receipt


def quarantine_location(session: Session, barcode: str) -> SandboxLocation:
    location = session.scalar(select(SandboxLocation).where(SandboxLocation.barcode == barcode))
    if location is None or not location.active or location.usage != Usage.INTERNAL:
        raise Refused(
            ConflictKind.LOCATION_UNKNOWN,
            f"The quarantine location {barcode} (QUARANTINE_LOCATION) is not an active storage location of the "
            "training sandbox; load the demo data again or set QUARANTINE_LOCATION to one.",
            location=barcode,
        )
    return location


def _scrap_location(session: Session) -> SandboxLocation:
    location = session.scalar(select(SandboxLocation).where(SandboxLocation.barcode == SCRAP_LOCATION))
    if location is None:
        raise Refused(
            ConflictKind.LOCATION_UNKNOWN,
            f"The training sandbox has no scrap location ({SCRAP_LOCATION}); load the demo data again.",
            location=SCRAP_LOCATION,
        )
    return location
