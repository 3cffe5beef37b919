"""What the labels page offers to print, and the labels a request chose, read from the local caches
(the catalog cache and the users table: no request waits on the inventory backend)."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.labels.badges import badge_cards, users_with_badges
from app.services.labels.label import Kind, Label
from app.services.labels.locations import location_labels, printable_locations
from app.services.labels.relabels import relabel_items, relabels
from app.services.labels.two_bin import TwoBinCard, two_bin_card
from offline_sync.catalog_cache import CachedLocation, CachedProduct

MAX_LABELS = 2000  # one job; a go-live prints its locations and badges in a few of these


@dataclass(frozen=True)
class Request:
    kind: Kind
    chosen: list[str]  # barcodes, usernames or GTIN|lot keys
    copies: int
    serial: str = ""
    two_bin: TwoBinCard | None = None


def offer(session: Session) -> dict[str, list]:
    return {
        "locations": printable_locations(session),
        "users": users_with_badges(session),
        "relabels": relabel_items(session),
        "products": list(session.scalars(select(CachedProduct).order_by(CachedProduct.name, CachedProduct.pack_quantity))),
    }


def labels_for(session: Session, request: Request) -> list[tuple[Label, int]]:
    """The chosen labels, each with its number of copies; a choice the caches do not hold is refused."""
    if not 1 <= request.copies <= MAX_LABELS:
        raise ValueError(f"Print from 1 to {MAX_LABELS} copies of each label, not {request.copies}.")
    if request.kind is Kind.TWO_BIN:
        if request.two_bin is None:
            raise ValueError("Choose the product, the ward location and the par level's minimum and maximum.")
        labels = [two_bin_card(request.two_bin)]
    elif not request.chosen:
        raise ValueError("Tick at least one label to print.")
    elif request.kind is Kind.LOCATION:
        labels = location_labels(session, request.chosen)
    elif request.kind is Kind.BADGE:
        labels = badge_cards(session, request.chosen)
    else:
        labels = relabels(session, request.chosen, request.serial)
    if len(labels) * request.copies > MAX_LABELS:
        raise ValueError(f"That is {len(labels) * request.copies} labels; print at most {MAX_LABELS} at a time.")
    return [(label, request.copies) for label in labels]


def two_bin_from_cache(session: Session, gtin: str, location_barcode: str, minimum: float, maximum: float) -> TwoBinCard:
    product = session.scalar(select(CachedProduct).where(CachedProduct.gtin == gtin))
    location = session.scalar(select(CachedLocation).where(CachedLocation.barcode == location_barcode))
    if product is None or location is None:
        raise LookupError(f"The catalog holds no product {gtin} or no location {location_barcode}; refresh the catalog.")
    return TwoBinCard(product.name, product.gtin, location.barcode, location.name, minimum, maximum)
