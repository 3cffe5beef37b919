"""Ward replenishment in Odoo (issue 15): par levels are reordering rules (`stock.warehouse.orderpoint`), and a
ward location's replenishment transfer is its open internal picking from the store (REPLENISH_SOURCE, else the
ward's warehouse stock location), which Odoo users see in Inventory like any transfer.

- A request adds a move (demand) to that picking, or creates and confirms the picking; Odoo merges a product's
  moves, joining their origins, so the key `WS-<op_id>` is looked for inside a move's origin.
- A pick writes, in one call, the scanned lots as picked move lines on the product's move (its reserved, unpicked
  lines are dropped: the scanned lot is what goes) and the key into that move's origin.
- A delivery marks the picked moves with its key, then validates with or without backorder.
- A par level set writes the rule (created `manual`, so Odoo's scheduler does not order what Wardstock requests)
  and then posts a note with the key on the product's chatter: the audit trail in Odoo, and the key. A retry after
  a crash between the two writes the same values again.

RPC calls with a warm directory: request = the key (1), the rule (2), the open picking (3), one write (4), or
create and confirm (4, 5), a duplicate = the key (1), and the confirmation a lost answer left undone (2); pick = the picking (1), its lots (2), the store's quants (3), one write (4);
delivery = the picking (1), the mark (2), validation (3), the backorder's name (4, when one is left);
par level = the key (1), the rule (2), its write or create (3), the note (4).
"""

from collections import defaultdict
from typing import Any

from offline_sync.backends.contract import (
    ConflictKind,
    DeliverReplenishment,
    ItemLine,
    Outcome,
    PickReplenishment,
    RequestReplenishment,
    SetParLevel,
)

from ..gtin import to_gtin14
from . import pickings
from .conventions import carries_key, picking_key, with_token
from .records import LocationRecord, LotRecord, ProductRecord
from .refusals import Refused, missing_lot
from .session import Session
from .wording import amount, quantity

EPSILON = 1e-6
CLOSED = ("done", "cancel")
ORDERPOINT = "stock.warehouse.orderpoint"
TRANSFER_SPEC: dict[str, Any] = {
    "name": {},
    "state": {},
    "location_id": {"fields": {"barcode": {}, "complete_name": {}}},
    "location_dest_id": {"fields": {"barcode": {}, "complete_name": {}}},
    "backorder_ids": {"fields": {"name": {}}},
    "move_ids": {
        "fields": {
            "product_id": {"fields": {"barcode": {}}},
            "product_uom_qty": {},
            "quantity": {},
            "picked": {},
            "origin": {},
            "state": {},
            "move_line_ids": {"fields": {"quantity": {}, "picked": {}, "lot_id": {}}},
        }
    },
}


def store_for(session: Session, ward: LocationRecord, source: str) -> LocationRecord:
    """The store refills come from: the location REPLENISH_SOURCE names, else the ward's warehouse stock location."""
    if source:
        (store,) = session.directory.storage_locations(source)
        return store
    return session.directory.location(session.directory.operation_types().store(ward.warehouse_id))


# ---- par levels ------------------------------------------------------------------------------


def has_par_level(session: Session, product_id: int, location_id: int) -> bool:
    """A par level is an active rule with a maximum (Odoo's replenishment report makes rules of 0 / 0 by itself)."""
    domain = [("product_id", "=", product_id), ("location_id", "=", location_id), ("product_max_qty", ">", 0)]
    return bool(session.odoo.call(ORDERPOINT, "search_count", domain))


def set_par_level(session: Session, command: SetParLevel) -> Outcome:
    odoo, key = session.odoo, picking_key(command.op_id)
    product = session.directory.product(command.gtin)
    (ward,) = session.directory.storage_locations(command.location)
    noted = [("model", "=", "product.product"), ("res_id", "=", product.id), ("body", "ilike", key)]
    rules = odoo.call(
        ORDERPOINT, "search_read", [("product_id", "=", product.id), ("location_id", "=", ward.id)],
        fields=["id"], context={"active_test": False}, limit=1,
    )
    if odoo.call("mail.message", "search_count", noted):
        return Outcome.duplicate("This par level was already set.", orderpoint_id=rules[0]["id"] if rules else None)
    values = {"product_min_qty": command.minimum, "product_max_qty": command.maximum, "active": True}
    if rules:
        rule_id = rules[0]["id"]
        odoo.call(ORDERPOINT, "write", [rule_id], values)
    else:
        [rule_id] = odoo.call(
            ORDERPOINT, "create", [{**values, "product_id": product.id, "location_id": ward.id, "trigger": "manual"}]
        )
    levels = f"minimum {quantity(command.minimum)}, maximum {quantity(command.maximum)}"
    odoo.call(
        "product.product", "message_post", [product.id],
        body=f"Wardstock {key}: par level at {ward.name} set to {levels}.",
        message_type="comment", subtype_xmlid="mail.mt_note",
    )
    return Outcome.applied(f"{product.name} at {ward.name}: {levels}.", orderpoint_id=rule_id)


# ---- requests -------------------------------------------------------------------------------


def request(session: Session, command: RequestReplenishment, source: str) -> Outcome:
    odoo, key = session.odoo, picking_key(command.op_id)
    (ward,) = session.directory.storage_locations(command.location)
    earlier = odoo.call(
        "stock.move", "search_read", [("origin", "ilike", key), ("location_dest_id", "=", ward.id)],
        fields=["picking_id", "state"], limit=1,
    )
    if earlier and earlier[0]["picking_id"]:
        picking_id, name = earlier[0]["picking_id"]
        if earlier[0]["state"] == "draft":  # the transfer it created was never confirmed (that answer was lost)
            odoo.call("stock.picking", "action_confirm", [picking_id])
        return Outcome.duplicate(f"This request is already on {name}.", **pickings.refs(picking_id, name))
    product = session.directory.product(command.gtin)
    if not has_par_level(session, product.id, ward.id):
        raise Refused(
            ConflictKind.NO_PAR_LEVEL,
            f"{product.name} has no par level at {ward.name}; a supervisor sets one, or the request is discarded.",
            gtin=command.gtin, location=command.location,
        )
    store = store_for(session, ward, source)
    if store.id == ward.id:
        raise Refused(ConflictKind.LOCATION_UNKNOWN, f"{ward.name} is the store refills come from; scan a ward location.",
                      location=command.location)
    move = _move(session, product, store.id, ward.id, key, demand=command.quantity)
    found = odoo.call(
        "stock.picking", "search_read",
        [("picking_type_code", "=", "internal"), ("location_id", "=", store.id), ("location_dest_id", "=", ward.id),
         ("state", "not in", list(CLOSED))],
        fields=["name"], order="id", limit=1,
    )
    if found:
        picking_id, name = found[0]["id"], found[0]["name"]
        odoo.call("stock.picking", "write", [picking_id], {"move_ids": [(0, 0, move)]})  # Odoo confirms the move
    else:
        picking_type = session.directory.operation_types().internal_type(store.warehouse_id)
        picking_id, name = pickings.create(odoo, {
            "picking_type_id": picking_type, "location_id": store.id, "location_dest_id": ward.id, "origin": key,
            "move_ids": [(0, 0, move)],
        })
        odoo.call("stock.picking", "action_confirm", [picking_id])
    return Outcome.applied(
        f"Requested {amount(command.quantity, product, None)} for {ward.name} on {name}.", **pickings.refs(picking_id, name)
    )


def _move(
    session: Session, product: ProductRecord, store: int, ward: int, key: str, *, demand: float, picked: bool = False
) -> dict[str, Any]:
    """A move from the store to the ward carrying the command's key: a request's demand, or a pick of a product
    the transfer did not ask for (no demand, picked)."""
    move = {
        "product_id": product.id, "product_uom": product.uom_id, "product_uom_qty": demand, "picked": picked,
        "location_id": store, "location_dest_id": ward, "origin": key,
    }
    if session.odoo.version.moves_have_name:
        move["name"] = product.name
    return move


# ---- picking and delivery ---------------------------------------------------------------------


def read_transfer(session: Session, reference: str) -> dict[str, Any]:
    found = session.odoo.call(
        "stock.picking", "web_search_read", [("name", "=", reference), ("picking_type_code", "=", "internal")],
        TRANSFER_SPEC,
    )["records"]
    if not found:
        raise Refused(ConflictKind.TRANSFER_CLOSED, f"No transfer {reference} exists; request the products again.",
                      transfer=reference)
    return found[0]


def _carries(transfer: dict[str, Any], key: str) -> bool:
    return any(carries_key(move["origin"], key) for move in transfer["move_ids"])


def _ensure_open(transfer: dict[str, Any]) -> None:
    if transfer["state"] not in CLOSED:
        return
    closed = "done" if transfer["state"] == "done" else "cancelled"
    ward = transfer["location_dest_id"]
    raise Refused(
        ConflictKind.TRANSFER_CLOSED,
        f"Transfer {transfer['name']} is already {closed}; request the products again for {ward['complete_name']}.",
        transfer=transfer["name"], state=closed, location=ward["barcode"], lines=_unfilled(transfer),
    )


def _unfilled(transfer: dict[str, Any]) -> list[dict[str, Any]]:
    """What the transfer asked for and did not bring, per GTIN: what a new request would ask again."""
    missing: dict[str, float] = defaultdict(float)
    for move in transfer["move_ids"]:
        gtin = to_gtin14(move["product_id"]["barcode"] or "") or ""
        missing[gtin] += move["product_uom_qty"] - (move["quantity"] if move["state"] == "done" else 0.0)
    return [{"gtin": gtin, "quantity": rest} for gtin, rest in missing.items() if rest > EPSILON]


def pick(session: Session, command: PickReplenishment) -> Outcome:
    key = picking_key(command.op_id)
    transfer = read_transfer(session, command.transfer)
    refs = pickings.refs(transfer["id"], transfer["name"])
    if _carries(transfer, key):
        return Outcome.duplicate(f"These lots were already picked on {transfer['name']}.", **refs)
    _ensure_open(transfer)
    products = session.directory.products(line.gtin for line in command.lines)
    items = _in_store(session, transfer, command.lines, products)
    session.odoo.call("stock.picking", "write", [transfer["id"]], _pick_values(session, transfer, items, key))
    what = "; ".join(amount(line.quantity, product, lot) for line, product, lot in items)
    return Outcome.applied(f"Picked for {transfer['name']}: {what}.", **refs)


Picked = tuple[ItemLine, ProductRecord, LotRecord | None]


def _in_store(
    session: Session, transfer: dict[str, Any], lines: tuple[ItemLine, ...], products: dict[str, ProductRecord]
) -> list[Picked]:
    """Each line with its product and lot, which the store must hold (beyond what this transfer picked of it already)."""
    tracked = [line for line in lines if products[line.gtin].tracked]
    lots = session.directory.lots((products[line.gtin].id for line in tracked), (line.lot or "" for line in tracked))
    store = transfer["location_id"]
    quants = session.odoo.call(
        "stock.quant", "search_read",
        [("location_id", "=", store["id"]), ("product_id", "in", sorted({p.id for p in products.values()}))],
        fields=["product_id", "lot_id", "quantity"],
    )
    in_store: dict[tuple[int, int | None], float] = defaultdict(float)
    for quant in quants:
        in_store[quant["product_id"][0], quant["lot_id"][0] if quant["lot_id"] else None] += quant["quantity"]
    for move in transfer["move_ids"]:
        for line in move["move_line_ids"]:
            if line["picked"] and move["state"] not in CLOSED:
                in_store[move["product_id"]["id"], line["lot_id"] or None] -= line["quantity"]
    items: list[Picked] = []
    for number, line in enumerate(lines, start=1):
        product = products[line.gtin]
        lot = lots.get((product.id, line.lot or "")) if product.tracked else None
        if product.tracked and lot is None:
            raise missing_lot(product, line.lot, line.gtin)
        slot = product.id, lot.id if lot else None
        if line.quantity > in_store[slot] + EPSILON:
            held = f"holds only {quantity(max(in_store[slot], 0.0))}" if in_store[slot] > EPSILON else "holds none"
            what = f"lot {lot.name} of {product.name}" if lot else product.name
            raise Refused(
                ConflictKind.LOT_NOT_IN_STORE,
                f"{store['complete_name']} {held} of {what} to pick, not {quantity(line.quantity)}; pick another lot.",
                gtin=line.gtin, lot=line.lot, line=number, location=store["barcode"], on_hand=in_store[slot],
                requested=line.quantity,
            )
        in_store[slot] -= line.quantity
        items.append((line, product, lot))
    return items


def _pick_values(session: Session, transfer: dict[str, Any], items: list[Picked], key: str) -> dict[str, Any]:
    """One write: the scanned lots as picked lines on their product's open move (its unpicked, reserved lines
    dropped), the key on those moves; a product the transfer did not ask for gets a move of its own."""
    moves = {move["product_id"]["id"]: move for move in transfer["move_ids"] if move["state"] not in CLOSED}
    store, ward = transfer["location_id"]["id"], transfer["location_dest_id"]["id"]
    line_commands: list[Any] = []
    new_moves: dict[int, dict[str, Any]] = {}
    for line, product, lot in items:
        values = {
            "picking_id": transfer["id"], "product_id": product.id, "product_uom_id": product.uom_id,
            "lot_id": lot.id if lot else False, "quantity": line.quantity, "picked": True,
            "location_id": store, "location_dest_id": ward,
        }
        move = moves.get(product.id)
        if move is not None:
            line_commands.append((0, 0, {**values, "move_id": move["id"]}))
        elif product.id in new_moves:
            new_moves[product.id]["move_line_ids"].append((0, 0, values))
        else:
            new_moves[product.id] = {**_move(session, product, store, ward, key, demand=0, picked=True),
                                     "move_line_ids": [(0, 0, values)]}
    touched = list({product.id: moves[product.id] for _, product, _ in items if product.id in moves}.values())
    dropped = [(2, ml["id"]) for move in touched for ml in move["move_line_ids"] if not ml["picked"]]
    marks = [(1, move["id"], {"origin": with_token(move["origin"], key)}) for move in touched]
    return {"move_ids": marks + [(0, 0, move) for move in new_moves.values()], "move_line_ids": dropped + line_commands}



def deliver(session: Session, command: DeliverReplenishment) -> Outcome:
    odoo, key = session.odoo, picking_key(command.op_id)
    transfer = read_transfer(session, command.transfer)  # read afresh: it may have closed elsewhere
    refs = pickings.refs(transfer["id"], transfer["name"])
    marked = _carries(transfer, key)
    ward = transfer["location_dest_id"]
    if marked and transfer["state"] == "done":
        return Outcome.duplicate(f"{transfer['name']} was already delivered.", **refs,
                                 **pickings.backorder_refs(pickings.first_backorder(transfer)))
    _ensure_open(transfer)
    if command.location != ward["barcode"]:
        raise Refused(
            ConflictKind.LOCATION_UNKNOWN,
            f"{transfer['name']} goes to {ward['complete_name']} ({ward['barcode']}), but {command.location} was "
            "scanned; scan the ward location it is delivered to.",
            location=command.location, expected=ward["barcode"],
        )
    picked = [m for m in transfer["move_ids"] if m["state"] not in CLOSED and any(ml["picked"] for ml in m["move_line_ids"])]
    if not picked:
        raise Refused(ConflictKind.NOT_PERMITTED,
                      f"Nothing has been picked for {transfer['name']} yet; pick the lots before delivering it.",
                      transfer=transfer["name"])
    if not marked:
        marks = [(1, m["id"], {"origin": with_token(m["origin"], key)}) for m in picked]
        odoo.call("stock.picking", "write", [transfer["id"]], {"move_ids": marks})
    pickings.validate(odoo, transfer["id"], transfer["name"], backorder=command.backorder)
    if command.backorder and _short(transfer):
        backorder = pickings.backorder_of(odoo, transfer["id"])
        if backorder is not None:
            return Outcome.applied(
                f"{transfer['name']} is delivered to {ward['complete_name']}; what was not picked waits on "
                f"{backorder['name']}.", **refs, **pickings.backorder_refs(backorder),
            )
    rest = "" if command.backorder else "; what was not picked is no longer requested"
    return Outcome.applied(f"{transfer['name']} is delivered to {ward['complete_name']}{rest}.", **refs)


def _short(transfer: dict[str, Any]) -> bool:
    """Whether some of the demand was not picked, i.e. whether Odoo leaves a backorder."""
    for move in transfer["move_ids"]:
        picked = sum(ml["quantity"] for ml in move["move_line_ids"] if ml["picked"])
        if move["state"] not in CLOSED and move["product_uom_qty"] - picked > EPSILON:
            return True
    return False
