"""The recall trace of one lot: where it is now, where it went, which cases used it, and how far the
recall has come. Where it is and where it went are the backend's own record (`lot_history`); the
uses are Wardstock's consumption records (the outbox's lot index and the commands), with the case
reference, ward, user and time each was captured."""
import io
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.csv_export import SafeWriter
from app.services.expiry import wards_by_location
from offline_sync.backends.contract import BackendUnavailable, InventoryBackend, LotMove, LotMoveKind, StockLevel
from offline_sync.catalog_cache import CachedLocation, CachedLot, CachedProduct, CachedStock
from offline_sync.outbox.lot_index import lines_for_lot
from offline_sync.outbox.models import OutboxCommand, Status


@dataclass(frozen=True)
class Place:
    location: str  # barcode
    name: str
    ward: str
    usage: str
    quantity: float


@dataclass(frozen=True)
class Movement:
    date: datetime
    kind: str
    reference: str
    source: str
    destination: str
    quantity: float
    origin: str


@dataclass(frozen=True)
class Use:
    """One consumption Wardstock recorded, as captured on the handheld."""

    captured_at: datetime
    ward: str
    location: str
    case: str  # the case or encounter reference typed with it ("" when none was)
    user: str
    quantity: float
    status: str  # the command's sync status
    op_id: str
    before_recall: bool


@dataclass(frozen=True)
class Progress:
    received: float = 0.0
    located: float = 0.0  # on hand in stock locations, outside quarantine
    quarantined: float = 0.0
    returned: float = 0.0
    scrapped: float = 0.0
    consumed_before_recall: float = 0.0
    consumed_after_recall: float = 0.0


@dataclass(frozen=True)
class Trace:
    gtin: str
    lot: str
    product: str
    known: bool  # the lot is in the catalog cache
    recalled: bool
    recall_at: datetime | None  # when the first recall notice naming this lot was entered
    places: list[Place] = field(default_factory=list)
    moves: list[Movement] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    progress: Progress = Progress()
    unavailable: str = ""  # why the backend's record could not be read (the cached stock is shown instead)


def trace(session: Session, backend: InventoryBackend, gtin: str, lot: str) -> Trace:
    product = session.scalar(select(CachedProduct).where(CachedProduct.gtin == gtin))
    cached_lot = session.scalar(select(CachedLot).where(CachedLot.product_id == product.id, CachedLot.name == lot)) if product else None
    locations = {location.id: location for location in session.scalars(select(CachedLocation))}
    wards = wards_by_location(session)
    unavailable = ""
    try:
        history = backend.lot_history(gtin, lot)
        on_hand, moves = history.on_hand, history.moves
    except BackendUnavailable as error:
        unavailable = gettext("The inventory could not be asked for this lot's moves (%(error)s); on hand is from the last catalog sync.", error=error)
        on_hand, moves = _cached_stock(session, cached_lot), ()
    recall_at = _recall_time(session, gtin, lot)
    uses = _uses(session, gtin, lot, wards, recall_at)
    quarantine_ids = {move.destination_id for move in moves if move.kind == LotMoveKind.QUARANTINE}
    places = [_place(level, locations, wards) for level in on_hand if level.quantity]
    return Trace(
        gtin=gtin, lot=lot, product=product.name if product else f"GTIN {gtin}", known=cached_lot is not None,
        recalled=bool(cached_lot and cached_lot.recalled) or recall_at is not None, recall_at=recall_at,
        places=sorted(places, key=lambda place: (place.ward, place.location)),
        moves=[_movement(move, locations) for move in moves], uses=uses,
        progress=_progress(on_hand, moves, uses, locations, quarantine_ids, recall_at), unavailable=unavailable,
    )


def lots_of(session: Session, gtin: str) -> list[CachedLot]:
    """The cached lots of a product, for a recall of every lot: each one traced on its own page."""
    product = session.scalar(select(CachedProduct).where(CachedProduct.gtin == gtin))
    if product is None:
        return []
    return list(session.scalars(select(CachedLot).where(CachedLot.product_id == product.id).order_by(CachedLot.name)))


def _cached_stock(session: Session, lot: CachedLot | None) -> tuple[StockLevel, ...]:
    if lot is None:
        return ()
    rows = session.scalars(select(CachedStock).where(CachedStock.product_id == lot.product_id, CachedStock.lot_id == lot.id))
    return tuple(StockLevel(row.product_id, row.location_id, row.lot_id, row.quantity) for row in rows)


def _recall_time(session: Session, gtin: str, lot: str) -> datetime | None:
    """When a recall notice naming this lot (or every lot of the product) was first entered; None if never."""
    notices = session.execute(select(OutboxCommand.captured_at, OutboxCommand.payload)
                              .where(OutboxCommand.kind == "recall", OutboxCommand.status != Status.DISCARDED)
                              .order_by(OutboxCommand.captured_at))
    for captured_at, payload in notices:
        if payload.get("gtin") == gtin and (not payload.get("lots") or lot in payload["lots"]):
            return captured_at
    return None


def _uses(session: Session, gtin: str, lot: str, wards: dict[int, str], recall_at: datetime | None) -> list[Use]:
    ward_of_barcode = {location.barcode: wards[location.id] for location in session.scalars(select(CachedLocation))}
    return [
        Use(captured_at=line.captured_at, ward=ward_of_barcode.get(line.location, line.location), location=line.location,
            case=line.reference, user=line.username, quantity=line.quantity, status=line.status, op_id=line.op_id,
            before_recall=recall_at is None or line.captured_at < recall_at)
        for line in lines_for_lot(session, gtin, lot) if line.kind == "consume"
    ]


def _place(level: StockLevel, locations: dict[int, CachedLocation], wards: dict[int, str]) -> Place:
    location = locations.get(level.location_id)
    if location is None:
        return Place(f"#{level.location_id}", "not in the catalog", "", "", level.quantity)
    return Place(location.barcode, location.name, wards.get(location.id, ""), location.usage, level.quantity)


def _movement(move: LotMove, locations: dict[int, CachedLocation]) -> Movement:
    def named(location_id: int) -> str:
        location = locations.get(location_id)
        return location.barcode if location else f"#{location_id}"

    return Movement(move.date, move.kind, move.reference, named(move.source_id), named(move.destination_id), move.quantity, move.origin)


def _progress(on_hand: tuple[StockLevel, ...], moves: tuple[LotMove, ...], uses: list[Use], locations: dict[int, CachedLocation],
              quarantine_ids: set[int], recall_at: datetime | None) -> Progress:
    def moved(kind: LotMoveKind) -> float:
        return sum(move.quantity for move in moves if move.kind == kind)

    internal = [level for level in on_hand if (location := locations.get(level.location_id)) is not None and location.usage == "internal"]
    # Consumption Wardstock recorded counts by when it was captured; others (made in the backend itself) by their date.
    ours = {use.op_id for use in uses}
    theirs = [move for move in moves if move.kind == LotMoveKind.CONSUMPTION and not any(op_id in move.origin for op_id in ours)]
    before = sum(use.quantity for use in uses if use.before_recall) + sum(
        move.quantity for move in theirs if recall_at is None or move.date < recall_at)
    after = sum(use.quantity for use in uses if not use.before_recall) + sum(
        move.quantity for move in theirs if recall_at is not None and move.date >= recall_at)
    return Progress(
        received=moved(LotMoveKind.RECEIPT),
        located=sum(level.quantity for level in internal if level.location_id not in quarantine_ids),
        quarantined=sum(level.quantity for level in on_hand if level.location_id in quarantine_ids),
        returned=moved(LotMoveKind.RETURN), scrapped=moved(LotMoveKind.SCRAP),
        consumed_before_recall=before, consumed_after_recall=after,
    )


def as_csv(report: Trace) -> str:
    """The trace as one CSV table a spreadsheet opens: a section column says which part each row is."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["section", "when", "what", "ward", "location", "to", "quantity", "case", "user", "reference", "status"])
    for name, value in vars(report.progress).items():
        writer.writerow(["progress", "", name, "", "", "", value, "", "", "", ""])
    for place in report.places:
        writer.writerow(["on_hand", "", "on hand", place.ward, place.location, "", place.quantity, "", "", "", ""])
    for move in report.moves:
        writer.writerow(["move", move.date.isoformat(), move.kind, "", move.source, move.destination, move.quantity, "", "", move.reference, ""])
    for use in report.uses:
        writer.writerow(["consumption", use.captured_at.isoformat(), "before recall" if use.before_recall else "AFTER RECALL",
                         use.ward, use.location, "", use.quantity, use.case, use.user, use.op_id, use.status])
    return out.getvalue()
