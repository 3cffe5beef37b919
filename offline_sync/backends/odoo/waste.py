"""Scrap with a reason: one `stock.scrap` per scanned line, in the scanned lot (expired and recalled lots too).

Calls with a warm directory: the key (1), the location's quants (2), the reason tag on 18 and 19 (3,
once created), the scraps created in one call (4), each validated (`action_validate` is one record at
a time), their names (last). A re-sent command finds its scraps by the key in their Source Document;
scraps an earlier attempt created but did not validate are validated then.
"""

from typing import Any

from offline_sync.backends.contract import Outcome, Scrap

from . import refusals
from .conventions import WASTE_REASONS, picking_key, waste_origin
from .issues import Stock
from .session import Session
from .wording import amount

TAG_MODEL = "stock.scrap.reason.tag"


def scrap(session: Session, command: Scrap) -> Outcome:
    odoo = session.odoo
    key = picking_key(command.op_id)
    earlier = odoo.call("stock.scrap", "search_read", [("origin", "=like", f"{key} %")], fields=["name", "state"], order="id")
    if earlier:
        drafts = [row["id"] for row in earlier if row["state"] != "done"]
        _validate(session, drafts)
        names = ", ".join(row["name"] for row in earlier)
        if drafts:
            return Outcome.applied(f"Scrapped as {WASTE_REASONS[command.reason].lower()} ({names}).", **_refs(earlier, command))
        return Outcome.duplicate(f"This waste was already recorded ({names}).", **_refs(earlier, command))
    products = session.directory.products(line.gtin for line in command.lines)
    (location,) = session.directory.storage_locations(command.location)
    items = Stock.at(session, location, [command], products).take_lines(command.lines, products, usable_only=False)
    common: dict[str, Any] = {"location_id": location.id, "origin": waste_origin(key, command.reason, command.note)}
    if odoo.version.scrap_reason_tags:
        common["scrap_reason_tag_ids"] = [(6, 0, [_reason_tag(session, command)])]
    values = [
        {**common, "product_id": product.id, "product_uom_id": product.uom_id, "lot_id": lot.id if lot else False,
         "scrap_qty": quantity}
        for _, product, lot, quantity in items
    ]
    ids = odoo.call("stock.scrap", "create", values)
    _validate(session, ids)
    scraps = odoo.call("stock.scrap", "read", ids, ["name"])
    what = "; ".join(amount(quantity, product, lot) for _, product, lot, quantity in items)
    names = ", ".join(row["name"] for row in scraps)
    return Outcome.applied(
        f"Scrapped {what} at {location.name} as {WASTE_REASONS[command.reason].lower()} ({names}).", **_refs(scraps, command)
    )


def _refs(scraps: list[dict[str, Any]], command: Scrap) -> dict[str, Any]:
    return {"scrap": scraps[0]["name"], "scrap_ids": [row["id"] for row in scraps], "scraps": [row["name"] for row in scraps],
            "reason": str(command.reason)}


def _validate(session: Session, ids: list[int]) -> None:
    """`action_validate` answers True, or a wizard when Odoo finds too little on hand (after our own check, a
    move made in Odoo in between): that is a question for a person."""
    for scrap_id in ids:
        answer = session.odoo.call("stock.scrap", "action_validate", [scrap_id], context={"skip_expired": True})
        if isinstance(answer, dict):
            raise refusals.wizard(answer, "the scrap")


def _reason_tag(session: Session, command: Scrap) -> int:
    """The scrap reason tag named for the reason, created the first time (tag names are unique in Odoo)."""
    name = WASTE_REASONS[command.reason]
    found = session.odoo.call(TAG_MODEL, "search", [("name", "=", name)], limit=1)
    return found[0] if found else session.odoo.call(TAG_MODEL, "create", [{"name": name}])[0]
