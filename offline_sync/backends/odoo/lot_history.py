"""Where a lot is and where it went, from Odoo's quants and done move lines of the lot (two reads).

A move line's kind comes from its move and locations: a scrap (`scrap_id`), a count (`is_inventory`),
from a vendor (receipt) or back to one (return), into the quarantine location, into a Ward
Consumption destination (consumption), else a transfer.
"""

from datetime import datetime
from typing import Any

from offline_sync.backends.contract import LotHistory, LotMove, LotMoveKind, StockLevel

from .dates import ODOO_FORMAT
from .refusals import Refused
from .session import Session

LINE_SPEC: dict[str, Any] = {
    "date": {},
    "reference": {},
    "quantity": {},
    "location_id": {"fields": {"usage": {}}},
    "location_dest_id": {"fields": {"usage": {}, "barcode": {}}},
    "move_id": {"fields": {"origin": {}, "scrap_id": {}, "is_inventory": {}}},
    "picking_id": {"fields": {"origin": {}}},
}


def lot_history(session: Session, gtin: str, lot_name: str, quarantine_barcode: str) -> LotHistory:
    """An unknown product or lot has an empty history."""
    try:
        product = session.directory.product(gtin)
    except Refused:
        return LotHistory(on_hand=(), moves=())
    lot = session.directory.lots([product.id], [lot_name]).get((product.id, lot_name))
    if lot is None:
        return LotHistory(on_hand=(), moves=())
    odoo = session.odoo
    quants = odoo.call(
        "stock.quant", "web_search_read",
        [("lot_id", "=", lot.id), ("location_id.usage", "=", "internal"), ("quantity", "!=", 0)],
        {"product_id": {}, "location_id": {}, "quantity": {}}, order="location_id",
    )["records"]
    lines = odoo.call(
        "stock.move.line", "web_search_read", [("lot_id", "=", lot.id), ("state", "=", "done")], LINE_SPEC, order="date, id"
    )["records"]
    consumption = {destination for _, destination in session.directory.operation_types().consumption.values()}
    return LotHistory(
        on_hand=tuple(StockLevel(q["product_id"], q["location_id"], lot.id, q["quantity"]) for q in quants),
        moves=tuple(_move(line, consumption, quarantine_barcode) for line in lines),
    )


def _move(line: dict[str, Any], consumption: set[int], quarantine_barcode: str) -> LotMove:
    move = line["move_id"] or {}
    picking = line["picking_id"] or {}
    return LotMove(
        date=datetime.strptime(line["date"], ODOO_FORMAT),
        kind=_kind(line, move, consumption, quarantine_barcode),
        reference=line["reference"] or "",
        source_id=line["location_id"]["id"],
        destination_id=line["location_dest_id"]["id"],
        quantity=line["quantity"],
        origin=move.get("origin") or picking.get("origin") or line["reference"] or "",
    )


def _kind(line: dict[str, Any], move: dict[str, Any], consumption: set[int], quarantine_barcode: str) -> LotMoveKind:
    source, destination = line["location_id"], line["location_dest_id"]
    if move.get("scrap_id"):
        return LotMoveKind.SCRAP
    if move.get("is_inventory"):
        return LotMoveKind.COUNT
    if source["usage"] == "supplier":
        return LotMoveKind.RECEIPT
    if destination["usage"] == "supplier":
        return LotMoveKind.RETURN
    if destination["barcode"] == quarantine_barcode:
        return LotMoveKind.QUARANTINE
    if destination["id"] in consumption:
        return LotMoveKind.CONSUMPTION
    return LotMoveKind.TRANSFER
