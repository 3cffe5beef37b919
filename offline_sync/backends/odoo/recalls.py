"""Recall notices in Odoo: the named lots of a product (or all its lots) marked recalled where every Odoo
user sees it: the recall paragraph in the lot's description (what Wardstock's catalog reads, with the
notice's key), and a note in the lot's chatter.

Calls: the product (cached), its lots (1), one write per distinct description (usually one), one
chatter note per lot. A re-sent notice finds its key in the lots' descriptions: lots already carrying
it are not written again, so a notice that died half-way finishes the rest.
"""

from collections import defaultdict
from typing import Any

from offline_sync.backends.contract import ConflictKind, Outcome, Recall

from . import refusals
from .conventions import RECALL_MARKER, picking_key, recall_note
from .session import Session


def recall(session: Session, command: Recall) -> Outcome:
    odoo = session.odoo
    product = session.directory.product(command.gtin)
    key = picking_key(command.op_id)
    domain: list[Any] = [("product_id", "=", product.id)]
    if command.lots:
        domain.append(("name", "in", list(command.lots)))
    lots = odoo.call("stock.lot", "search_read", domain, fields=["name", "note"], order="id")
    found = {row["name"] for row in lots}
    missing = [name for name in command.lots if name not in found]
    if missing or not lots:
        if missing:
            raise refusals.missing_lot(product, missing[0], command.gtin)
        raise refusals.Refused(ConflictKind.UNKNOWN_LOT, f"{product.name} has no lots to recall.", gtin=command.gtin, lot=None)
    pending = [row for row in lots if key not in (row["note"] or "")]
    names = [row["name"] for row in lots]
    if not pending:
        return Outcome.duplicate(f"This recall notice was already applied to {', '.join(names)}.", lots=names)
    by_note: dict[str, list[int]] = defaultdict(list)
    for row in pending:
        by_note[recall_note(command.notice, key) + without_recall(row["note"])].append(row["id"])
    for note, ids in by_note.items():
        odoo.call("stock.lot", "write", ids, {"note": note})
    for row in pending:
        odoo.call("stock.lot", "message_post", [row["id"]], body=f"Recalled by Wardstock: {command.notice}",
                  message_type="comment", subtype_xmlid="mail.mt_note")
    return Outcome.applied(f"Recalled {product.name} lot(s) {', '.join(names)} ({command.notice}).", lots=names)


def without_recall(note: Any) -> str:
    """A lot's description without the recall marker's paragraph."""
    if not isinstance(note, str):
        return ""
    return "".join(f"{part}</p>" for part in note.split("</p>") if part.strip() and RECALL_MARKER not in part)
