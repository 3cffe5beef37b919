"""A supervisor links a barcode the inventory does not know to a product, found by name, code or
GTIN in the catalog cache: as the product's own barcode, or as a box of a number of its units
(InventoryBackend.link_gtin). Audited with who and why; the catalog cache is refreshed at once,
so every handheld has the barcode at its next catalog sync."""
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.services import audit
from offline_sync.backends.contract import InventoryBackend, Outcome, OutcomeStatus
from offline_sync.backends.gtin import to_gtin14
from offline_sync.catalog_cache import CachedProduct

MAX_FOUND = 50
MAX_REASON = 500


class LinkError(ValueError):
    """The link cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Found:
    id: int
    name: str
    code: str
    unit: str
    gtins: list[tuple[str, float]]  # each GTIN naming it, with the units one scan stands for


def find(session: Session, query: str) -> list[Found]:
    """Products whose name, code or GTIN holds `query` (all of them, by name, for an empty query)."""
    text = query.strip()
    rows = select(CachedProduct).order_by(CachedProduct.name, CachedProduct.pack_quantity)
    if text:
        like = f"%{text}%"
        ids = select(CachedProduct.id).where(or_(CachedProduct.name.ilike(like), CachedProduct.code.ilike(like),
                                                 CachedProduct.gtin.contains(text)))
        rows = rows.where(CachedProduct.id.in_(ids))
    found: dict[int, Found] = {}
    for row in session.scalars(rows):
        entry = found.get(row.id) or found.setdefault(row.id, Found(row.id, row.name, row.code, row.unit, []))
        entry.gtins.append((row.gtin, row.pack_quantity))
    return list(found.values())[:MAX_FOUND]


def checked_gtin(text: str) -> str:
    """The GTIN-14 of what was typed or scanned (8, 12, 13 or 14 digits with a valid check digit)."""
    digits = text.strip()
    gtin = to_gtin14(digits) if digits.isdigit() else None
    if gtin is None:
        raise LinkError(f"“{digits}” is not a GTIN: scan the box's barcode (8 to 14 digits, the last a check digit).")
    return gtin


def checked_box(text: str) -> float | None:
    """None for the product's own barcode; else the units in one box, a number above 1."""
    if not text.strip():
        return None
    try:
        units = float(text)
    except ValueError:
        units = 0.0
    if not units > 1:
        raise LinkError(gettext("Give the number of units in one box as a number above 1, not “%(text)s”.", text=text.strip()))
    return units


def link(session: Session, backend: InventoryBackend, gtin: str, product_id: int, pack_quantity: float | None, *,
         actor: str, reason: str, address: str, refresh: Callable[[], object]) -> Outcome:
    """Link, audit and commit, then `refresh` the catalog cache. Raises LinkError with a sentence."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise LinkError(gettext("Give a reason of 1 to %(maximum)s characters: it is kept in the audit log with your name.", maximum=MAX_REASON))
    outcome = backend.link_gtin(gtin, product_id, pack_quantity)
    if outcome.status not in (OutcomeStatus.APPLIED, OutcomeStatus.DUPLICATE):
        raise LinkError(outcome.message or gettext("The inventory refused the link; try again later."))
    if outcome.status == OutcomeStatus.APPLIED:
        audit.record(session, "gtin_linked", actor, subject=gtin, address=address, product_id=product_id,
                     pack_quantity=pack_quantity or 1.0, reason=reason)
        session.commit()
        refresh()
    return outcome
