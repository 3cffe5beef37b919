"""Recall notices in the sandbox: the named lots of a product (or all its lots) marked recalled, once per notice.

The notice is kept with Wardstock's key, looked for first, so a re-sent recall answers `duplicate`.
A lot already recalled stays recalled; a lot the sandbox does not know refuses the whole notice.
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import ConflictKind, Outcome, Recall

from . import lookup
from .lookup import Refused
from .models import SandboxLot, SandboxRecall


def recall(session: Session, command: Recall, key: str) -> Outcome:
    earlier = session.scalar(select(SandboxRecall).where(SandboxRecall.key == key))
    if earlier is not None:
        return Outcome.duplicate(f"This recall notice was already applied to {earlier.lots} lot(s).", recall_id=earlier.id)
    product = lookup.product_by_gtin(session, command.gtin)
    if command.lots:
        lots = []
        for name in command.lots:
            lot = lookup.find_lot(session, product, name)
            if lot is None:
                raise lookup.missing_lot(product, name)
            lots.append(lot)
    else:
        lots = list(session.scalars(select(SandboxLot).where(SandboxLot.product_id == product.id).order_by(SandboxLot.id)))
        if not lots:
            raise Refused(ConflictKind.UNKNOWN_LOT, f"{product.name} has no lots to recall.", gtin=command.gtin, lot=None)
    for lot in lots:
        lot.recalled = True
    notice = SandboxRecall(key=key, product_id=product.id, notice=command.notice, lots=len(lots))
    session.add(notice)
    session.flush()
    names = ", ".join(lot.name for lot in lots)
    return Outcome.applied(f"Recalled {product.name} lot(s) {names} ({command.notice}).", recall_id=notice.id,
                           lots=[lot.name for lot in lots])
