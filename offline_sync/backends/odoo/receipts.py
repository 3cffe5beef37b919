"""Receipts: scanned lines onto an open receipt (marked picked, nothing else), its validation with
or without backorder, and unplanned receipts.

Keys (conventions.py): the lines a command adds or fills carry `WS-<op_id>` in their moves'
origin, written in the same `write` as the lines; a validation marks the picked moves the same way
just before `button_validate`, so a retry after a crash in between validates, and one after the
validation answers `duplicate`.

RPC calls with a warm directory: receive = the receipt with its moves (1), the existing lots (2,
only for lot-tracked lines), one `write` (3); validate = the receipt (1), the mark (2), validation (3),
the backorder's name (4, only when one is left); unplanned = the key (1), the lots (2), the
picking created (3), validated (4).
"""

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from offline_sync.backends.contract import ItemLine, Outcome, Receive, UnplannedReceipt, ValidateReceipt

from . import pickings, refusals
from .conventions import has_token, picking_key, with_token
from .dates import expiry_from_odoo, expiry_to_odoo
from .records import LotRecord, ProductRecord
from .session import Session
from .wording import amount

EPSILON = 1e-6
CLOSED = ("done", "cancel")

RECEIPT_SPEC: dict[str, Any] = {
    "name": {},
    "state": {},
    "location_id": {},
    "location_dest_id": {},
    "backorder_ids": {"fields": {"name": {}}},
    "move_ids": {
        "fields": {
            "product_id": {},
            "product_uom": {},
            "product_uom_qty": {},
            "quantity": {},
            "picked": {},
            "origin": {},
            "state": {},
            "location_id": {},
            "location_dest_id": {},
            "move_line_ids": {"fields": {"quantity": {}, "picked": {}, "lot_name": {}, "expiration_date": {}}},
        }
    },
}

Received = tuple[ProductRecord, LotRecord | None, ItemLine]  # a scanned line, with its product and existing lot


def read_receipt(session: Session, reference: str) -> dict[str, Any]:
    found = session.odoo.call(
        "stock.picking",
        "web_search_read",
        [("name", "=", reference), ("picking_type_code", "=", "incoming")],
        RECEIPT_SPEC,
    )["records"]
    if not found:
        raise refusals.no_receipt(reference)
    return found[0]


def _ensure_open(receipt: dict[str, Any]) -> None:
    if receipt["state"] in CLOSED:
        backorder = pickings.first_backorder(receipt)
        raise refusals.receipt_closed(receipt["name"], receipt["state"], backorder["name"] if backorder else None)


# ---- receiving onto an open receipt ----------------------------------------------------------


def receive(session: Session, command: Receive) -> Outcome:
    key = picking_key(command.op_id)
    receipt = read_receipt(session, command.receipt)
    refs = pickings.refs(receipt["id"], receipt["name"])
    if any(has_token(move["origin"], key) for move in receipt["move_ids"]):
        return Outcome.duplicate(f"These boxes were already received on {receipt['name']}.", **refs)
    _ensure_open(receipt)
    received = _dated_as_pending(session, receipt, _received(session, command.lines))
    session.odoo.call("stock.picking", "write", [receipt["id"]], _receive_values(session, receipt, received, key))
    what = "; ".join(amount(line.quantity, product, lot or line.lot) for product, lot, line in received)
    return Outcome.applied(f"Received on {receipt['name']}: {what}.", **refs)


def _received(session: Session, lines: Iterable[ItemLine]) -> list[Received]:
    """Each line with its product and, if the lot exists, the lot, whose expiry must match the label's
    (Odoo keeps an existing lot's date whatever a receipt says, odoo-rpc-notes §B)."""
    lines = list(lines)
    products = session.directory.products(line.gtin for line in lines)
    for line in lines:
        if line.quantity <= EPSILON:
            raise ValueError(f"A quantity must be more than zero, not {line.quantity}.")
        if products[line.gtin].tracked and not line.lot:
            raise refusals.missing_lot(products[line.gtin], None, line.gtin)
    tracked = [line for line in lines if products[line.gtin].tracked]
    lots = session.directory.lots((products[line.gtin].id for line in tracked), (line.lot or "" for line in tracked))
    received = []
    for line in lines:
        product = products[line.gtin]
        lot = lots.get((product.id, line.lot or "")) if product.tracked else None
        if lot is not None and product.uses_expiry and line.expiry is not None and lot.expiry != line.expiry:
            raise refusals.expiry_mismatch(product, lot, line.expiry)
        received.append((product, lot, line))
    return received


def _dated_as_pending(session: Session, receipt: dict[str, Any], received: list[Received]) -> list[Received]:
    """A new lot exists only when the receipt is validated, and Odoo gives it the date of one of the
    receipt's lines that name it. So a later box of the same new lot takes the date the receipt's
    earlier lines hold when its label gives none (a label read without a date never blanks or replaces
    a known one), and a label with another date is a conflict for a supervisor, as for an existing lot."""
    pending: dict[tuple[int, str], date] = {}
    for move in receipt["move_ids"]:
        for move_line in move["move_line_ids"]:
            if move["state"] not in CLOSED and move_line["lot_name"] and move_line["expiration_date"]:
                pending[(move["product_id"], move_line["lot_name"])] = expiry_from_odoo(move_line["expiration_date"], session.odoo.tz)
    dated: list[Received] = []
    for product, lot, line in received:
        known = pending.get((product.id, line.lot or "")) if lot is None and product.uses_expiry else None
        if known is not None and line.expiry is None:
            line = replace(line, expiry=known)
        elif known is not None and line.expiry != known:
            raise refusals.expiry_mismatch(product, LotRecord(0, line.lot or "", product.id, known, False), line.expiry)
        dated.append((product, lot, line))
    return dated


def pending_lot_lines(session: Session, product_id: int, name: str) -> list[int]:
    """The open receipt lines that name a lot not made yet (it is made from them at validation)."""
    domain = [("product_id", "=", product_id), ("lot_name", "=", name), ("lot_id", "=", False),
              ("state", "not in", list(CLOSED)), ("picking_code", "=", "incoming")]
    return session.odoo.call("stock.move.line", "search", domain)


def _line_values(session: Session, product: ProductRecord, lot: LotRecord | None, line: ItemLine) -> dict[str, Any]:
    """What a received line says: how many, picked, and which lot (an existing one, or a new name and its expiry)."""
    values: dict[str, Any] = {"quantity": line.quantity, "picked": True}
    if lot is not None:
        values["lot_id"] = lot.id
    elif product.tracked:
        values["lot_name"] = line.lot
        if product.uses_expiry and line.expiry is not None:
            values["expiration_date"] = expiry_to_odoo(line.expiry, session.odoo.tz)
    return values


def _receive_values(session: Session, receipt: dict[str, Any], received: list[Received], key: str) -> dict[str, Any]:
    """One `write` on the receipt: each line fills its product's untouched prefilled line, else is added to
    the product's move, else gets a move of its own (more than ordered, or not ordered at all)."""
    open_moves = [move for move in receipt["move_ids"] if move["state"] not in CLOSED]
    unpicked = {move["id"]: [ml["id"] for ml in move["move_line_ids"] if not ml["picked"]] for move in open_moves}
    touched: set[int] = set()
    line_commands: list[Any] = []
    new_moves: list[Any] = []
    for product, lot, line in received:
        values = _line_values(session, product, lot, line)
        moves = [m for m in open_moves if m["product_id"] == product.id]
        move = next((m for m in moves if unpicked[m["id"]]), moves[0] if moves else None)  # an untouched one first
        if move is None:
            new_moves.append((0, 0, _new_move(session, receipt, product, values, key)))
            continue
        touched.add(move["id"])
        if unpicked[move["id"]]:
            line_commands.append((1, unpicked[move["id"]].pop(0), values))
        else:
            line_commands.append((0, 0, {**_placement(receipt, move, product), "move_id": move["id"], **values}))
    marks = [(1, m["id"], {"origin": with_token(m["origin"], key)}) for m in open_moves if m["id"] in touched]
    return {"move_ids": marks + new_moves, "move_line_ids": line_commands}


def _placement(receipt: dict[str, Any], move: dict[str, Any] | None, product: ProductRecord) -> dict[str, Any]:
    source = move["location_id"] if move else receipt["location_id"]
    destination = move["location_dest_id"] if move else receipt["location_dest_id"]
    return {
        "picking_id": receipt["id"],
        "product_id": product.id,
        "product_uom_id": product.uom_id,
        "location_id": source,
        "location_dest_id": destination,
    }


def _new_move(
    session: Session, receipt: dict[str, Any], product: ProductRecord, line: dict[str, Any], key: str
) -> dict[str, Any]:
    """A move for a product the receipt did not expect, with its line (which must name the picking itself)."""
    move = {
        "product_id": product.id,
        "product_uom": product.uom_id,
        "product_uom_qty": 0,
        "location_id": receipt["location_id"],
        "location_dest_id": receipt["location_dest_id"],
        "origin": key,
        "picked": True,
        "move_line_ids": [(0, 0, {**_placement(receipt, None, product), **line})],
    }
    if session.odoo.version.moves_have_name:
        move["name"] = product.name
    return move


# ---- validation -------------------------------------------------------------------------


def validate_receipt(session: Session, command: ValidateReceipt) -> Outcome:
    key = picking_key(command.op_id)
    receipt = read_receipt(session, command.receipt)  # read afresh: it may have closed elsewhere
    refs = pickings.refs(receipt["id"], receipt["name"])
    marked = any(has_token(move["origin"], key) for move in receipt["move_ids"])
    if marked and receipt["state"] == "done":
        return Outcome.duplicate(
            f"Receipt {receipt['name']} was already validated.", **refs, **pickings.backorder_refs(pickings.first_backorder(receipt))
        )
    _ensure_open(receipt)
    picked = [m for m in receipt["move_ids"] if m["picked"] and m["quantity"] > EPSILON and m["state"] not in CLOSED]
    if not picked:  # Odoo would then receive every prefilled quantity (odoo-rpc-notes §B)
        raise refusals.nothing_received(receipt["name"])
    if not marked:
        marks = [(1, m["id"], {"origin": with_token(m["origin"], key)}) for m in picked]
        session.odoo.call("stock.picking", "write", [receipt["id"]], {"move_ids": marks})
    pickings.validate(session.odoo, receipt["id"], receipt["name"], backorder=command.backorder)
    if command.backorder and _short(receipt):
        backorder = pickings.backorder_of(session.odoo, receipt["id"])
        if backorder is not None:
            return Outcome.applied(
                f"Receipt {receipt['name']} is done; what did not arrive waits on backorder {backorder['name']}.",
                **refs,
                **pickings.backorder_refs(backorder),
            )
    rest = "" if command.backorder else "; anything that did not arrive is no longer expected"
    return Outcome.applied(f"Receipt {receipt['name']} is done{rest}.", **refs)


def _short(receipt: dict[str, Any]) -> bool:
    """Whether some of the demand was not received, i.e. whether Odoo leaves a backorder."""
    for move in receipt["move_ids"]:
        received = move["quantity"] if move["picked"] else 0.0
        if move["state"] not in CLOSED and move["product_uom_qty"] - received > EPSILON:
            return True
    return False


# ---- unplanned receipts -------------------------------------------------------------------


def unplanned_receipt(session: Session, command: UnplannedReceipt) -> Outcome:
    odoo, directory = session.odoo, session.directory
    key = picking_key(command.op_id)
    earlier = pickings.created_picking(odoo, key)
    if earlier is not None and earlier["state"] == "done":
        return Outcome.duplicate(
            f"These goods were already received on {earlier['name']}.", **pickings.refs(earlier["id"], earlier["name"])
        )
    (destination,) = directory.storage_locations(command.destination)
    what = "the scanned items"
    if earlier is not None:  # created by an earlier attempt that died before validating it
        picking_id, name = earlier["id"], earlier["name"]
    else:
        types = directory.operation_types()
        vendors = types.vendors_location()
        received = _received(session, command.lines)
        lines = [
            (
                0,
                0,
                {
                    "product_id": product.id,
                    "product_uom_id": product.uom_id,
                    "location_id": vendors,
                    "location_dest_id": destination.id,
                    **_line_values(session, product, lot, line),
                },
            )
            for product, lot, line in received
        ]
        picking_id, name = pickings.create(
            odoo,
            {
                "picking_type_id": types.receipt_type(destination.warehouse_id),
                "location_id": vendors,
                "location_dest_id": destination.id,
                "origin": key,
                "move_line_ids": lines,
            },
        )
        what = "; ".join(amount(line.quantity, product, lot or line.lot) for product, lot, line in received)
    pickings.validate(odoo, picking_id, name)
    return Outcome.applied(f"Received into {destination.name} on {name}: {what}.", **pickings.refs(picking_id, name))
