"""Ward replenishment for supervisors: a ward's par levels (changed through the outbox like a
handheld's commands, audited with who and why) and the stock-out watch. Read from the local catalog
cache and the outbox, never from the inventory backend in the request path."""
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.services import audit, permissions
from app.services.demo_labels import DemoLabel, code_label
from offline_sync.catalog_cache import CachedLocation, CachedParLevel, CachedProduct, CachedReplenishment, CachedStock
from offline_sync.outbox.models import OPEN_STATUSES, OutboxCommand, Status
from offline_sync.outbox.payloads import PayloadError, parse_capture
from offline_sync.outbox.store import Answer, Envelope, store
from scanners.bin_card import bin_card_text

SERVER_DEVICE = "server"  # commands a person gave in the browser, not on a handheld
OPEN_TRANSFER = "open"


class ReplenishmentError(ValueError):
    """A change that cannot be queued; the message says what to do."""


@dataclass(frozen=True)
class ParLevelRow:
    location: str
    location_name: str
    gtin: str
    product: str
    minimum: float | None
    maximum: float | None
    on_hand: float
    pending: dict[str, Any] | None = None  # a change queued and not yet applied: {minimum, maximum, by}


@dataclass(frozen=True)
class OpenRequest:
    location: str
    product: str
    quantity: float
    asked_at: datetime
    by: str
    status: str
    age_hours: float
    stale: bool


@dataclass
class WardWatch:
    ward: str
    name: str
    out: list[ParLevelRow] = field(default_factory=list)  # at zero
    low: list[ParLevelRow] = field(default_factory=list)  # above zero, at or under the minimum
    requests: list[OpenRequest] = field(default_factory=list)


# ---- reading the cache ----------------------------------------------------------------


class _Places:
    """The cached locations, by id and barcode, with each one's sub-locations."""

    def __init__(self, session: Session) -> None:
        self.by_id = {loc.id: loc for loc in session.scalars(select(CachedLocation))}
        self.by_barcode = {loc.barcode: loc for loc in self.by_id.values()}

    def under(self, location_id: int) -> set[int]:
        ids, grew = {location_id}, True
        while grew:
            grown = {loc.id for loc in self.by_id.values() if loc.parent_id in ids}
            grew = not grown <= ids
            ids |= grown
        return ids

    def up_from(self, location_id: int) -> list[int]:
        """A location's id and its parents' up to the top."""
        path: list[int] = []
        current = self.by_id.get(location_id)
        while current is not None and current.id not in path:
            path.append(current.id)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return path

    def ward_of(self, location_id: int) -> CachedLocation:
        """The top of a location's tree: the ward a sub-location belongs to."""
        return self.by_id[self.up_from(location_id)[-1]]


def _products(session: Session) -> dict[int, CachedProduct]:
    """One entry per product: its own GTIN (one unit per scan) before a box's."""
    found: dict[int, CachedProduct] = {}
    for product in session.scalars(select(CachedProduct).order_by(CachedProduct.pack_quantity, CachedProduct.gtin)):
        found.setdefault(product.id, product)
    return found


def _on_hand(session: Session, places: _Places) -> dict[tuple[int, int], float]:
    """(product, location) -> units there and under it."""
    totals: dict[tuple[int, int], float] = defaultdict(float)
    for row in session.scalars(select(CachedStock)):
        for location_id in places.up_from(row.location_id):
            totals[(row.product_id, location_id)] += row.quantity
    return totals


def wards(session: Session) -> list[CachedLocation]:
    """The internal locations at the top of their tree, by barcode: the wards (and the store)."""
    places = _Places(session)
    tops = {places.ward_of(loc.id).id for loc in places.by_id.values() if loc.usage == "internal"}
    return sorted((places.by_id[i] for i in tops), key=lambda loc: loc.barcode)


def _pending_par_levels(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    """(location, gtin) -> the latest par level change not yet applied."""
    rows = session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "par_level_set", OutboxCommand.status.in_(OPEN_STATUSES))
                           .order_by(OutboxCommand.id))
    return {(row.payload["location"], row.payload["gtin"]): {**row.payload, "by": row.username, "status": row.status} for row in rows}


def par_levels(session: Session, ward: str) -> list[ParLevelRow]:
    """Every par level at a ward and its sub-locations, with what is on hand there and any change still queued."""
    places = _Places(session)
    top = places.by_barcode.get(ward)
    if top is None:
        return []
    inside = places.under(top.id)
    products = _products(session)
    on_hand = _on_hand(session, places)
    pending = _pending_par_levels(session)
    rows = []
    for level in session.scalars(select(CachedParLevel).where(CachedParLevel.location_id.in_(inside))):
        product, location = products.get(level.product_id), places.by_id[level.location_id]
        if product is None:
            continue
        rows.append(ParLevelRow(location.barcode, location.name, product.gtin, product.name, level.minimum, level.maximum,
                                on_hand[(level.product_id, level.location_id)], pending.pop((location.barcode, product.gtin), None)))
    gtins = {product.gtin: product for product in products.values()}
    for (barcode, gtin), change in pending.items():  # a par level still being created
        location, product = places.by_barcode.get(barcode), gtins.get(gtin)
        if location is not None and product is not None and location.id in inside:
            rows.append(ParLevelRow(barcode, location.name, gtin, product.name, None, None, on_hand[(product.id, location.id)], change))
    return sorted(rows, key=lambda row: (row.location, row.product))


def bin_cards(session: Session, ward: str) -> list[DemoLabel]:
    """A printable two-bin card for each par level of a ward: product, location, refill quantity, barcode."""
    return [code_label(row.product, f"{row.location} · refill {row.maximum - row.minimum:g}", bin_card_text(row.gtin, row.location))
            for row in par_levels(session, ward) if row.minimum is not None and row.maximum is not None]


def products(session: Session) -> list[CachedProduct]:
    """The products a par level can be set for, by name."""
    return sorted(_products(session).values(), key=lambda product: product.name)


def stocked_locations(session: Session, ward: str) -> list[CachedLocation]:
    """A ward's location and its internal sub-locations, by barcode."""
    places = _Places(session)
    top = places.by_barcode.get(ward)
    if top is None:
        return []
    return sorted((places.by_id[i] for i in places.under(top.id) if places.by_id[i].usage == "internal"), key=lambda loc: loc.barcode)


# ---- changing a par level ---------------------------------------------------------------


def queue_par_level(session: Session, supervisor: User, *, location: str, gtin: str, minimum: Any, maximum: Any, reason: str,
                    address: str, now: datetime) -> str:
    """Queue a `par_level_set` in the server outbox (the worker writes it to the backend, exactly once
    by its op_id); audited with who and why. Returns the op_id; commits."""
    if not reason.strip():
        raise ReplenishmentError("Say why the par level changes: it is kept in the audit log.")
    op_id = str(uuid.uuid4())
    payload = {"location": location.strip(), "gtin": gtin.strip(), "minimum": _number(minimum, "minimum"),
               "maximum": _number(maximum, "maximum")}
    try:
        command = parse_capture("par_level_set", op_id, now, payload)
    except PayloadError as error:
        raise ReplenishmentError(str(error)) from None
    location_row = session.scalar(select(CachedLocation).where(CachedLocation.barcode == payload["location"]))
    if location_row is None or location_row.usage != "internal":
        raise ReplenishmentError(gettext("Location %(location)s is not known here as a stock location; choose one of the ward's.", location=payload['location']))
    if session.scalar(select(CachedProduct.id).where(CachedProduct.gtin == command.gtin).limit(1)) is None:
        raise ReplenishmentError(gettext("No product has the GTIN %(gtin)s here; choose one from the list.", gtin=command.gtin))
    refusal = permissions.problem(session, supervisor, "par_level_set", command)
    if refusal:
        raise ReplenishmentError(refusal)
    envelope = Envelope(op_id=op_id, kind="par_level_set", device_id=SERVER_DEVICE, device_seq=0, user_id=supervisor.id,
                        username=supervisor.username, captured_at=now, payload=payload, raw_scans=(), command=command)
    (result,) = store(session, [envelope], now)
    if result.answer != Answer.ACCEPTED:
        session.rollback()
        raise ReplenishmentError(result.message or gettext("The change was not kept; try again."))
    audit.record(session, "par_level_set", supervisor.username, subject=op_id, address=address, reason=reason.strip(), **payload)
    session.commit()
    return op_id


def _number(value: Any, name: str) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ReplenishmentError(f"The {name} must be a number, but it is {str(value)[:20]!r}.") from None
    if not number.is_integer() or number < 0:
        raise ReplenishmentError(f"The {name} must be a whole number of units, 0 or more, but it is {value}.")
    return number


# ---- the stock-out watch -----------------------------------------------------------------


def _open_requests(session: Session, places: _Places, open_lines: set[tuple[int, int]], stale_after: timedelta,
                   now: datetime) -> Iterable[tuple[int, OpenRequest]]:
    """Requests not delivered yet: still in the outbox, or applied onto a transfer line still open."""
    gtins = {product.gtin: product for product in session.scalars(select(CachedProduct))}
    rows = session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "replenish_request",
                                                       OutboxCommand.status != Status.DISCARDED).order_by(OutboxCommand.captured_at))
    for row in rows:
        location, product = places.by_barcode.get(row.payload.get("location", "")), gtins.get(row.payload.get("gtin", ""))
        if location is None:
            continue
        on_open_line = product is not None and (product.id, location.id) in open_lines
        if row.status == Status.DONE and not on_open_line:
            continue  # delivered, or its transfer closed
        age = now - row.captured_at
        yield places.ward_of(location.id).id, OpenRequest(
            location.barcode, product.name if product else f"GTIN {row.payload.get('gtin')}", float(row.payload.get("quantity", 0)),
            row.captured_at, row.username, str(row.status), round(age.total_seconds() / 3600, 1), age > stale_after)


def stock_out_watch(session: Session, stale_after: timedelta, now: datetime) -> list[WardWatch]:
    """Per ward: products at zero or under their minimum, and the requests still open with their age."""
    places = _Places(session)
    products = _products(session)
    on_hand = _on_hand(session, places)
    watch: dict[int, WardWatch] = {}

    def of(ward_id: int) -> WardWatch:
        ward = places.by_id[ward_id]
        return watch.setdefault(ward_id, WardWatch(ward.barcode, ward.name))

    for level in session.scalars(select(CachedParLevel)):
        product, location = products.get(level.product_id), places.by_id.get(level.location_id)
        if product is None or location is None:
            continue
        quantity = on_hand[(level.product_id, level.location_id)]
        if quantity > level.minimum and quantity > 0:
            continue
        row = ParLevelRow(location.barcode, location.name, product.gtin, product.name, level.minimum, level.maximum, quantity)
        (of(places.ward_of(location.id).id).out if quantity <= 0 else of(places.ward_of(location.id).id).low).append(row)
    open_lines = {(line["product_id"], transfer.destination_id)
                  for transfer in session.scalars(select(CachedReplenishment).where(CachedReplenishment.state == OPEN_TRANSFER))
                  for line in transfer.lines if line["requested"] > line["picked"]}
    for ward_id, request in _open_requests(session, places, open_lines, stale_after, now):
        of(ward_id).requests.append(request)
    for ward in watch.values():
        ward.requests.sort(key=lambda request: request.asked_at)
    return sorted(watch.values(), key=lambda ward: ward.ward)
