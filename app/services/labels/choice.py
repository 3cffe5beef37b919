"""What the labels page offers to print, and the labels a request chose, read from the local caches
(the catalog cache and the users table: no request waits on the inventory backend)."""
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy.orm import Session

from app.services.labels.badges import badge_cards, users_with_badges
from app.services.labels.label import Kind, Label
from app.services.labels.locations import location_labels, printable_locations
from app.services.labels.relabels import relabel_items, relabels
from app.services.labels.two_bin import par_level_cards, two_bin_cards

MAX_LABELS = 2000  # one job; a go-live prints its locations and badges in a few of these


@dataclass(frozen=True)
class Request:
    kind: Kind
    chosen: list[str]  # barcodes, usernames, GTIN|lot or GTIN|location keys
    copies: int
    serial: str = ""


def offer(session: Session) -> dict[str, list]:
    return {
        "locations": printable_locations(session),
        "users": users_with_badges(session),
        "relabels": relabel_items(session),
        "two_bin_cards": par_level_cards(session),
    }


def labels_for(session: Session, request: Request) -> list[tuple[Label, int]]:
    """The chosen labels, each with its number of copies; a choice the caches do not hold is refused."""
    if not 1 <= request.copies <= MAX_LABELS:
        raise ValueError(gettext("Print from 1 to %(maximum)s copies of each label, not %(copies)s.", maximum=MAX_LABELS, copies=request.copies))
    if not request.chosen:
        raise ValueError(gettext("Tick at least one label to print."))
    if request.kind is Kind.TWO_BIN:
        labels = two_bin_cards(session, request.chosen)
    elif request.kind is Kind.LOCATION:
        labels = location_labels(session, request.chosen)
    elif request.kind is Kind.BADGE:
        labels = badge_cards(session, request.chosen)
    else:
        labels = relabels(session, request.chosen, request.serial)
    if len(labels) * request.copies > MAX_LABELS:
        raise ValueError(gettext("That is %(count)s labels; print at most %(maximum)s at a time.", count=len(labels) * request.copies, maximum=MAX_LABELS))
    return [(label, request.copies) for label in labels]

