"""Where a lot is and where it went, from the sandbox's quants and done moves (indexed by lot)."""
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from offline_sync.backends.contract import LotHistory, LotMove, LotMoveKind, StockLevel

from .. import gtin as gtins
from .lookup import product_with_barcode
from .models import PickingKind, SandboxLocation, SandboxLot, SandboxMove, SandboxPicking, SandboxQuant, State, Usage

KINDS = {
    PickingKind.RECEIPT: LotMoveKind.RECEIPT,
    PickingKind.INTERNAL: LotMoveKind.TRANSFER,
    PickingKind.CONSUMPTION: LotMoveKind.CONSUMPTION,
    PickingKind.SCRAP: LotMoveKind.SCRAP,
    PickingKind.RETURN: LotMoveKind.RETURN,
}


def lot_history(session: Session, gtin: str, lot_name: str, quarantine_barcode: str) -> LotHistory:
    """An unknown product or lot has an empty history."""
    barcode = gtins.scanned_barcode(gtin)
    product = product_with_barcode(session, barcode) if barcode else None
    lot = session.scalar(select(SandboxLot).where(SandboxLot.product_id == product.id, SandboxLot.name == lot_name)) if product else None
    if lot is None:
        return LotHistory(on_hand=(), moves=())
    on_hand = session.execute(
        select(SandboxQuant.product_id, SandboxQuant.location_id, SandboxQuant.lot_id, SandboxQuant.quantity)
        .join(SandboxLocation, SandboxLocation.id == SandboxQuant.location_id)
        .where(SandboxQuant.lot_id == lot.id, SandboxQuant.quantity != 0, SandboxLocation.usage == Usage.INTERNAL)
        .order_by(SandboxQuant.location_id)
    )
    destination = aliased(SandboxLocation)
    moves = session.execute(
        select(SandboxMove.date, SandboxMove.reference, SandboxMove.location_id, SandboxMove.location_dest_id,
               SandboxMove.quantity, SandboxMove.origin, SandboxPicking.kind, SandboxPicking.origin.label("picking_origin"),
               destination.barcode.label("destination_barcode"))
        .outerjoin(SandboxPicking, SandboxPicking.id == SandboxMove.picking_id)
        .join(destination, destination.id == SandboxMove.location_dest_id)
        .where(SandboxMove.lot_id == lot.id, SandboxMove.state == State.DONE)
        .order_by(SandboxMove.date, SandboxMove.id)
    )
    return LotHistory(
        on_hand=tuple(StockLevel(*row) for row in on_hand),
        moves=tuple(
            LotMove(
                date=row.date,
                kind=_kind(row.kind, row.destination_barcode == quarantine_barcode),
                reference=row.reference,
                source_id=row.location_id,
                destination_id=row.location_dest_id,
                quantity=row.quantity,
                origin=row.origin or row.picking_origin or row.reference,
            )
            for row in moves
        ),
    )


def _kind(picking_kind: str | None, into_quarantine: bool) -> LotMoveKind:
    if picking_kind is None:
        return LotMoveKind.COUNT
    if picking_kind == PickingKind.INTERNAL and into_quarantine:
        return LotMoveKind.QUARANTINE
    return KINDS[PickingKind(picking_kind)]
