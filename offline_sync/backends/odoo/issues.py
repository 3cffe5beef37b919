"""Stock leaving a location — transfers and consumption — with the scanned lots imposed (never
Odoo's reservation), refused when Odoo would let the stock go negative or use an expired or
recalled lot, unless a supervisor allowed it.

RPC calls with a warm directory: the key (1), the source's quants with their lots (2), the
picking created with its lines (3), validated (4). A line for a lot with nothing at the source
costs one more call, to tell an unknown lot from one without stock.

A run of one source's commands (`issue_run`) takes five calls whatever its length: Odoo spends
most of its time per call, not per picking (a picking created and validated alone costs about
three times as much as one of ten).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from offline_sync.backends.contract import Consume, ItemLine, Outcome, Scrap, Transfer, VendorReturn, in_order

from . import pickings, refusals
from .conventions import CONSUMPTION_LOCATION, picking_key
from .dates import today
from .errors import OdooRefused
from .records import LOT_SPEC, LocationRecord, LotRecord, ProductRecord
from .session import Session
from .wording import amount

EPSILON = 1e-6
Item = tuple[str, ProductRecord, LotRecord | None, float]  # gtin, product, lot, quantity
Route = tuple[LocationRecord, tuple[int, str], int]  # source, destination (id, name), operation type
Slot = tuple[int, int | None]  # product id, lot id
Lined = Transfer | Consume | Scrap | VendorReturn  # commands whose scanned lines take from one source


def issue(session: Session, command: Transfer | Consume) -> Outcome:
    odoo = session.odoo
    key = picking_key(command.op_id)
    earlier = pickings.created_picking(odoo, key)
    if earlier is not None and earlier["state"] == "done":
        refs = pickings.refs(earlier["id"], earlier["name"])
        return Outcome.duplicate(f"This was already recorded on {earlier['name']}.", **refs)
    route = _route(session, command)
    items: list[Item] = []
    if earlier is not None:  # created by an attempt that died before validating it: finish it
        picking_id, name = earlier["id"], earlier["name"]
    else:
        products = session.directory.products(line.gtin for line in command.lines)
        stock = Stock.at(session, route[0], [command], products)
        items = stock.take(command, products)
        picking_id, name = pickings.create(odoo, _picking(key, route, items, command))
    pickings.validate(odoo, picking_id, name)
    return _applied(command, route, items, picking_id, name)


def issue_run(session: Session, commands: Sequence[Transfer | Consume]) -> list[Outcome]:
    """One source's commands, in order, as if they came one at a time (each takes from what the ones
    before it left), stopping at the first refused: the keys, the quants, the pickings created, their
    names, their validation. When an earlier attempt reached Odoo, or Odoo refuses the run as a whole,
    the run goes one by one, so each command finds its own picking and each refusal its own command."""
    odoo = session.odoo

    def one_by_one() -> list[Outcome]:
        return in_order(lambda command: refusals.guarded(lambda: issue(session, command)), commands)

    if odoo.call("stock.picking", "search", [("origin", "in", [picking_key(c.op_id) for c in commands])], limit=1):
        return one_by_one()
    planned: list[tuple[Transfer | Consume, Route, dict[str, ProductRecord]]] = []
    refused: Outcome | None = None
    for command in commands:
        try:
            planned.append(
                (command, _route(session, command), session.directory.products(line.gtin for line in command.lines))
            )
        except refusals.Refused as refusal:
            refused = refusal.outcome
            break
    sources = {route[0].id for _, route, _ in planned}
    if len(sources) > 1:
        raise ValueError("A run of transfers and consumption comes from one source location.")
    accepted: list[tuple[Transfer | Consume, Route, list[Item]]] = []
    if planned:
        every_product = {gtin: product for _, _, products in planned for gtin, product in products.items()}
        stock = Stock.at(session, planned[0][1][0], [command for command, _, _ in planned], every_product)
        for command, route, products in planned:
            try:
                accepted.append((command, route, stock.take(command, products)))
            except refusals.Refused as refusal:
                refused = refusal.outcome
                break
    outcomes: list[Outcome] = []
    if accepted:
        values = [_picking(picking_key(command.op_id), route, items, command) for command, route, items in accepted]
        try:
            ids = odoo.call("stock.picking", "create", values)
            answer = odoo.call(
                "stock.picking",
                "button_validate",
                ids,
                context={**pickings.VALIDATE_CONTEXT, "picking_ids_not_to_backorder": ids},
            )
        except OdooRefused:
            return one_by_one()
        if isinstance(answer, dict):  # a wizard for one of them: find out which
            return one_by_one()
        names = {row["id"]: row["name"] for row in odoo.call("stock.picking", "read", ids, ["name"])}
        outcomes = [
            _applied(command, route, items, picking_id, names[picking_id])
            for (command, route, items), picking_id in zip(accepted, ids, strict=True)
        ]
    return outcomes + ([refused] if refused is not None else [])  # the refused one is the next after those accepted


def _applied(command: Transfer | Consume, route: Route, items: list[Item], picking_id: int, name: str) -> Outcome:
    source, destination, _ = route
    what = "; ".join(amount(quantity, product, lot) for _, product, lot, quantity in items) or "the scanned items"
    if isinstance(command, Consume):
        message = f"Recorded the use of {what} at {source.name} ({name})."
    else:
        message = f"Moved {what} from {source.name} to {destination[1]} ({name})."
    return Outcome.applied(message, **pickings.refs(picking_id, name))


def _route(session: Session, command: Transfer | Consume) -> Route:
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


class Stock:
    """What a source holds of some products, read once, and taken from command after command."""

    def __init__(
        self, source: LocationRecord, lots: dict[tuple[int, str], LotRecord], on_hand: dict[Slot, float], tz: str | None
    ) -> None:
        self.source, self.lots, self.on_hand, self.tz = source, lots, on_hand, tz

    @classmethod
    def at(
        cls,
        session: Session,
        source: LocationRecord,
        commands: Iterable[Lined],
        products: dict[str, ProductRecord],
    ) -> "Stock":
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
            for command in commands
            for line in command.lines
            if products[line.gtin].tracked and line.lot and (products[line.gtin].id, line.lot) not in lots
        ]
        if unseen:
            lots |= session.directory.lots(
                (products[line.gtin].id for line in unseen), (line.lot or "" for line in unseen)
            )
        on_hand: dict[Slot, float] = defaultdict(float)
        for quant in quants:
            on_hand[quant["product_id"], quant["lot_id"]["id"] if quant["lot_id"] else None] += quant["quantity"]
        return cls(source, lots, on_hand, tz)

    def take(self, command: Transfer | Consume, products: dict[str, ProductRecord]) -> list[Item]:
        """The command's lines with their products and lots, checked (known, usable, on hand, unless a
        supervisor allowed otherwise) and taken from what is left; refuses the first that fails."""
        allowed = command.overrides
        return self.take_lines(command.lines, products, usable_only=not allowed.allow_unusable_lot,
                               within_stock=not allowed.allow_negative_stock)

    def take_lines(
        self, lines: Iterable[ItemLine], products: dict[str, ProductRecord], *, usable_only: bool, within_stock: bool = True
    ) -> list[Item]:
        """Lines checked as `take` does: known lots always, usable ones if `usable_only`, on hand if `within_stock`
        (waste takes expired and recalled lots, never more than is there)."""
        items = [_item(line, products[line.gtin], self.lots) for line in lines]
        if usable_only:
            day = today(self.tz)
            for _, product, lot, _ in items:
                if lot is not None and (lot.recalled or (lot.expiry is not None and lot.expiry < day)):
                    raise refusals.unusable(product, lot)
        requested: dict[Slot, float] = defaultdict(float)
        for _, product, lot, quantity in items:
            requested[product.id, lot.id if lot else None] += quantity
        if within_stock:
            self._ensure_available(items, requested)
        for slot, quantity in requested.items():
            self.on_hand[slot] -= quantity
        return items

    def _ensure_available(self, items: list[Item], requested: dict[Slot, float]) -> None:
        """Odoo lets stock go negative (odoo-rpc-notes §C); Wardstock refuses to take more than the source holds."""
        for gtin, product, lot, _ in items:
            slot = product.id, lot.id if lot else None
            if requested[slot] > self.on_hand[slot] + EPSILON:
                raise refusals.insufficient(
                    product, lot, gtin, self.source.name, self.source.barcode, self.on_hand[slot], requested[slot]
                )


def _item(line: ItemLine, product: ProductRecord, lots: dict[tuple[int, str], LotRecord]) -> Item:
    if line.quantity <= EPSILON:
        raise ValueError(f"A quantity must be more than zero, not {line.quantity}.")
    if not product.tracked:
        return line.gtin, product, None, line.quantity
    lot = lots.get((product.id, line.lot)) if line.lot else None
    if lot is None:
        raise refusals.missing_lot(product, line.lot, line.gtin)
    return line.gtin, product, lot, line.quantity


def _picking(key: str, route: Route, items: list[Item], command: Transfer | Consume) -> dict[str, Any]:
    """A picking whose move lines name the lots; Odoo makes the moves itself (odoo-rpc-notes §C)."""
    source, (destination, _), picking_type = route
    lines = [
        (
            0,
            0,
            {
                "product_id": product.id,
                "product_uom_id": product.uom_id,
                "lot_id": lot.id if lot else False,
                "quantity": quantity,
                "location_id": source.id,
                "location_dest_id": destination,
            },
        )
        for _, product, lot, quantity in items
    ]
    values: dict[str, Any] = {
        "picking_type_id": picking_type,
        "location_id": source.id,
        "location_dest_id": destination,
        "origin": key,
        "move_line_ids": lines,
    }
    if isinstance(command, Consume) and command.reference:
        values["note"] = command.reference
    return values
