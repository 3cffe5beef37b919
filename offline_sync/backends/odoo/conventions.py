"""Names and markers Wardstock writes into Odoo, in one place (DESIGN §4; odoo-rpc-notes §E, §F).

Idempotency keys (each written in the same RPC as the effect it guards, and looked for first):
- pickings Wardstock creates (transfers, consumption, unplanned receipts): `stock.picking.origin`
  = `WS-<op_id>`; backorders copy the origin, so they are skipped when looking;
- scanned lines received onto an existing receipt, and the validation of a receipt: the token
  `WS-<op_id>` appended to the `stock.move.origin` ("Source document") of the moves it touched
  (a receipt's own origin is its purchase order's name, and one move can take lines from several
  commands, hence tokens rather than a single value);
- ward replenishment (replenishment.py): the moves a request adds, and the moves a pick or a delivery
  touched, carry `WS-<op_id>` in their origin (looked for inside it, as Odoo joins merged moves' origins);
  a par level set posts a note with `WS-<op_id>` on the product's chatter;
- counts and their resolutions: the `inventory_name` context `COUNT-<op_id>`, which Odoo stores
  in the inventory move's `reference`.

- scraps: `stock.scrap.origin` = `WS-<op_id> <reason>` (one scrap per scanned line, created in one call);
- returns to vendor: the return pickings' `origin` = `WS-<op_id>` (one per receipt, created in one call);
- recall notices: `WS-<op_id>` in the recall paragraph of each lot's description.

Recall: Odoo has no recall field on lots; a recalled lot carries the marker paragraph below in its
description (`stock.lot.note`), visible to anyone who opens the lot in Odoo.

Waste reasons: scrap reason tags (`stock.scrap.reason.tag`, 18 and 19) named below, and on every
version the reason in the scrap's "Source Document" (17 has no tags); a return's reason is in its note.
"""

from html import escape

from offline_sync.backends.contract import WasteReason

KEY_PREFIX = "WS-"
COUNT_PREFIX = "COUNT-"

RECALL_MARKER = "WS-RECALLED"
RECALL_NOTE = f"<p>{RECALL_MARKER}: this lot is recalled; do not use it.</p>"

WASTE_REASONS = {
    WasteReason.EXPIRED: "Expired",
    WasteReason.DAMAGED: "Damaged",
    WasteReason.RECALLED: "Recalled",
    WasteReason.CONTAMINATED: "Contaminated",
    WasteReason.OPENED_UNUSED: "Opened, unused",
    WasteReason.OTHER: "Other",
}
QUARANTINE_NAME = "Quarantine"  # the location `flask odoo doctor` creates for QUARANTINE_LOCATION

CONSUMPTION_LOCATION = "Patient Consumption"
CONSUMPTION_TYPE = "Ward Consumption"
CONSUMPTION_SEQUENCE = "CONS"


def picking_key(op_id: str) -> str:
    return f"{KEY_PREFIX}{op_id}"


def count_reference(op_id: str) -> str:
    return f"{COUNT_PREFIX}{op_id}"


def recall_note(notice: str, key: str) -> str:
    """The recall paragraph of a lot recalled by a notice, with the notice's key (found again on a re-send)."""
    return f"<p>{RECALL_MARKER}: this lot is recalled; do not use it. {escape(notice)} ({key})</p>"


def waste_origin(key: str, reason: WasteReason, note: str) -> str:
    """A scrap's Source Document: the key first (looked for as a prefix), then the reason a person reads."""
    return f"{key} {WASTE_REASONS[reason]}" + (f": {note}" if note else "")


def has_token(origin: str | bool | None, key: str) -> bool:
    """Whether a move's origin holds `key` as one of its space-separated tokens."""
    return isinstance(origin, str) and key in origin.split()


def carries_key(origin: str | bool | None, key: str) -> bool:
    """Whether a move's origin holds `key` anywhere: Odoo joins the origins of the moves it merges with "/"."""
    return isinstance(origin, str) and key in origin


def with_token(origin: str | bool | None, key: str) -> str:
    return key if not isinstance(origin, str) or not origin else f"{origin} {key}"
