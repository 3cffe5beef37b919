"""Stock leaving a location — transfers and consumption — with the scanned lots imposed (never
Odoo's reservation), refused when Odoo would let the stock go negative or use an expired or
recalled lot, unless a supervisor allowed it.

RPC calls with a warm directory: the key (1), the source's quants with their lots (2), the
picking created with its lines (3), validated (4). A line for a lot with nothing at the source
costs one more call, to tell an unknown lot from one without stock.
"""

from collections import defaultdict
from typing import Any

from offline_sync.backends.contract import Consume, ItemLine, Outcome, Transfer

from . import pickings, refusals
from .conventions import CONSUMPTION_LOCATION, picking_key
from .dates import today
from .records import LOT_SPEC, LocationRecord, LotRecord, ProductRecord
from .session import Session
from .wording import amount

EPSILON = 1e-6
Item = tuple[str, ProductRecord, LotRecord | None, float]  # gtin, product, lot, quantity


def issue(session: Session, command: Transfer | Consume) -> Outcome:
    odoo = session.odoo
    key = picking_key(command.op_id)
    earlier = pickings.created_picking(odoo, key)
    if earlier is not None and earlier["state"] == "done":
        refs = pickings.refs(earlier["id"], earlier["name"])
        return Outcome.duplicate(f"This was already recorded on {earlier['name']}.", **refs)
    source, destination, picking_type = _route(session, command)
    items: list[Item] = []
    if earlier is not None:  # created by an attempt that died before validating it: finish it
        picking_id, name = earlier["id"], earlier["name"]
    else:
        items = _items(session, source, command)
        picking_id, name = pickings.create(odoo, _picking(key, picking_type, source.id, destination[0], items, command))
    pickings.validate(odoo, picking_id, name)
    what = "; ".join(amount(quantity, product, lot) for _, product, lot, quantity in items) or "the scanned items"
    if isinstance(command, Consume):
        message = f"Recorded the use of {what} at {source.name} ({name})."
    else:
        message = f"Moved {what} from {source.name} to {destination[1]} ({name})."
    return Outcome.applied(message, **pickings.refs(picking_id, name))


def _route(session: Session, command: Transfer | Consume) -> tuple[LocationRecord, tuple[int, str], int]:
    """The source, the destination (id, name) and the operation type: the source warehouse's Internal
    Transfers, or its Ward Consumption type, whose destination is the Patient Consumption location."""
    directory = session.directory
    types = directory.operation_types()
    if isinstance(command, Transfer):
        source, destination = directory.storage_locations(command.source, command.destination)
        return source, (destination.id, destination.name), types.internal_type(source.warehouse_id)
    (source,) = directory.storage_locations(command.location)
    picking_type, consumed = types.consumption_type(source.warehouse_id)
    return source, (consumed, CONSUMPTION_LOCATION), picking_type


def _items(session: Session, source: LocationRecord, command: Transfer | Consume) -> list[Item]:
    """The scanned lines with their products and lots, checked: known, usable, on hand at the source."""
    products = session.directory.products(line.gtin for line in command.lines)
    quants = session.odoo.call(
        "stock.quant",
        "web_search_read",
        [("location_id", "=", source.id), ("product_id", "in", sorted({p.id for p in products.values()}))],
        {"product_id": {}, "lot_id": {"fields": LOT_SPEC}, "quantity": {}},
    )["records"]
    tz = session.odoo.tz
    lots = {
        (q["lot_id"]["product_id"], q["lot_id"]["name"]): LotRecord.parse(q["lot_id"], tz)
        for q in quants
        if q["lot_id"]
    }
    unseen = [
        line
        for line in command.lines
        if products[line.gtin].tracked and line.lot and (products[line.gtin].id, line.lot) not in lots
    ]
    if unseen:
        lots |= session.directory.lots((products[line.gtin].id for line in unseen), (line.lot or "" for line in unseen))
    items = [_item(line, products[line.gtin], lots) for line in command.lines]
    if not command.overrides.allow_unusable_lot:
        day = today(tz)
        for _, product, lot, _ in items:
            if lot is not None and (lot.recalled or (lot.expiry is not None and lot.expiry < day)):
                raise refusals.unusable(product, lot)
    if not command.overrides.allow_negative_stock:
        _ensure_available(source, items, quants)
    return items


def _item(line: ItemLine, product: ProductRecord, lots: dict[tuple[int, str], LotRecord]) -> Item:
    if line.quantity <= EPSILON:
        raise ValueError(f"A quantity must be more than zero, not {line.quantity}.")
    if not product.tracked:
        return line.gtin, product, None, line.quantity
    lot = lots.get((product.id, line.lot)) if line.lot else None
    if lot is None:
        raise refusals.missing_lot(product, line.lot, line.gtin)
    return line.gtin, product, lot, line.quantity


def _ensure_available(source: LocationRecord, items: list[Item], quants: list[dict[str, Any]]) -> None:
    """Odoo lets stock go negative (odoo-rpc-notes §C); Wardstock refuses to take more than the source holds."""
    on_hand: dict[tuple[int, int | None], float] = defaultdict(float)
    for quant in quants:
        on_hand[quant["product_id"], quant["lot_id"]["id"] if quant["lot_id"] else None] += quant["quantity"]
    requested: dict[tuple[int, int | None], float] = defaultdict(float)
    first: dict[tuple[int, int | None], Item] = {}
    for item in items:
        _, product, lot, quantity = item
        slot = product.id, lot.id if lot else None
        requested[slot] += quantity
        first.setdefault(slot, item)
    for slot, (gtin, product, lot, _) in first.items():
        if requested[slot] > on_hand[slot] + EPSILON:
            raise refusals.insufficient(product, lot, gtin, source.name, source.barcode, on_hand[slot], requested[slot])


def _picking(
    key: str, picking_type: int, source: int, destination: int, items: list[Item], command: Transfer | Consume
) -> dict[str, Any]:
    """A picking whose move lines name the lots; Odoo makes the moves itself (odoo-rpc-notes §C)."""
    lines = [
        (
            0,
            0,
            {
                "product_id": product.id,
                "product_uom_id": product.uom_id,
                "lot_id": lot.id if lot else False,
                "quantity": quantity,
                "location_id": source,
                "location_dest_id": destination,
            },
        )
        for _, product, lot, quantity in items
    ]
    values: dict[str, Any] = {
        "picking_type_id": picking_type,
        "location_id": source,
        "location_dest_id": destination,
        "origin": key,
        "move_line_ids": lines,
    }
    if isinstance(command, Consume) and command.reference:
        values["note"] = command.reference
    return values
