"""Return to vendor: the scanned lots go back to the vendor of the done receipt that brought each lot in.

The return is a picking Odoo shows as a return of that receipt (`return_id`: "Return of CS/IN/…", and
the receipt's Returns button), to the receipt's vendor (`partner_id`) at its source location (the
vendors), with the scanned lots imposed on its move lines. Odoo's own Return wizard
(`stock.return.picking`) is not used: it returns moves, not lots, and lets reservation choose which
lot leaves, where Wardstock must send back exactly the lot scanned (the recalled one).

Calls with a warm directory: the key (1), the source's quants (2), the receipt of each lot (one per
line), the return pickings created in one call, validated in one call, their names. A re-sent
command finds its pickings by the key; those an earlier attempt left unvalidated are validated then.
"""

from collections import defaultdict
from typing import Any

from offline_sync.backends.contract import ConflictKind, Outcome, VendorReturn

from . import pickings, refusals
from .conventions import WASTE_REASONS, picking_key
from .issues import Item, Stock
from .session import Session
from .wording import amount, item

RECEIPT_SPEC: dict[str, Any] = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "location_id": {},
    "picking_type_id": {"fields": {"return_picking_type_id": {}, "warehouse_id": {"fields": {"out_type_id": {}}}}},
}


def return_to_vendor(session: Session, command: VendorReturn) -> Outcome:
    odoo = session.odoo
    key = picking_key(command.op_id)
    earlier = odoo.call("stock.picking", "search_read", [("origin", "=", key)], fields=["name", "state", "return_id"], order="id")
    if earlier:
        undone = [row["id"] for row in earlier if row["state"] != "done"]
        if undone:
            _validate(session, undone)
            return Outcome.applied(f"Returned on {', '.join(row['name'] for row in earlier)}.", **_refs(earlier))
        return Outcome.duplicate(f"This return was already made ({', '.join(row['name'] for row in earlier)}).", **_refs(earlier))
    products = session.directory.products(line.gtin for line in command.lines)
    (source,) = session.directory.storage_locations(command.source)
    items = Stock.at(session, source, [command], products).take_lines(command.lines, products, usable_only=False)
    receipts: dict[int, dict[str, Any]] = {}
    returned: dict[int, list[Item]] = defaultdict(list)
    for entry in items:
        receipt = _receipt_of(session, entry)
        receipts[receipt["id"]] = receipt
        returned[receipt["id"]].append(entry)
    reason = WASTE_REASONS[command.reason] + (f": {command.note}" if command.note else "")
    values = [_picking(key, source.id, receipts[receipt_id], lines, reason) for receipt_id, lines in returned.items()]
    ids = odoo.call("stock.picking", "create", values)
    _validate(session, ids)
    made = odoo.call("stock.picking", "read", ids, ["name", "return_id"])
    what = "; ".join(amount(quantity, product, lot) for _, product, lot, quantity in items)
    sent = "; ".join(
        f"{row['name']} to {_vendor(receipts[receipt_id])} (receipt {receipts[receipt_id]['name']})"
        for row, receipt_id in zip(made, returned, strict=True)
    )
    return Outcome.applied(f"Returned {what} from {source.name}: {sent}.", **_refs(made),
                           receipts=[receipt["name"] for receipt in receipts.values()])


def _refs(made: list[dict[str, Any]]) -> dict[str, Any]:
    return {**pickings.refs(made[0]["id"], made[0]["name"]), "pickings": [row["name"] for row in made]}


def _vendor(receipt: dict[str, Any]) -> str:
    return receipt["partner_id"]["display_name"] if receipt["partner_id"] else "the vendor"


def _receipt_of(session: Session, entry: Item) -> dict[str, Any]:
    """The latest done receipt that brought the lot (an untracked product: the product) in."""
    gtin, product, lot, _ = entry
    domain: list[Any] = [("state", "=", "done"), ("picking_code", "=", "incoming")]
    domain.append(("lot_id", "=", lot.id) if lot is not None else ("product_id", "=", product.id))
    lines = session.odoo.call(
        "stock.move.line", "web_search_read", domain, {"picking_id": {"fields": RECEIPT_SPEC}}, order="date desc, id desc", limit=1
    )["records"]
    if not lines or not lines[0]["picking_id"]:
        raise refusals.Refused(
            ConflictKind.RECEIPT_NOT_FOUND,
            f"No done receipt in Odoo brought in {item(product, lot)}, so its vendor is not known; scrap it instead, "
            "or return it from Odoo.",
            gtin=gtin,
            lot=lot.name if lot else None,
        )
    return lines[0]["picking_id"]


def _picking(key: str, source: int, receipt: dict[str, Any], items: list[Item], reason: str) -> dict[str, Any]:
    receipt_type = receipt["picking_type_id"] or {}
    warehouse = receipt_type.get("warehouse_id") or {}
    picking_type = receipt_type.get("return_picking_type_id") or warehouse.get("out_type_id") or receipt_type.get("id")
    vendors = receipt["location_id"]
    return {
        "picking_type_id": picking_type,
        "location_id": source,
        "location_dest_id": vendors,
        "partner_id": receipt["partner_id"]["id"] if receipt["partner_id"] else False,
        "return_id": receipt["id"],
        "origin": key,
        "note": f"Returned to the vendor: {reason}",
        "move_line_ids": [
            (0, 0, {"product_id": product.id, "product_uom_id": product.uom_id, "lot_id": lot.id if lot else False,
                    "quantity": quantity, "location_id": source, "location_dest_id": vendors})
            for _, product, lot, quantity in items
        ],
    }


def _validate(session: Session, ids: list[int]) -> None:
    answer = session.odoo.call(
        "stock.picking", "button_validate", ids, context={**pickings.VALIDATE_CONTEXT, "picking_ids_not_to_backorder": ids}
    )
    if isinstance(answer, dict):
        raise refusals.wizard(answer, "the return")
