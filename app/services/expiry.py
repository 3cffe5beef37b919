"""Expiry and waste, in the words the screens use: the reasons a person picks from, and a location's ward."""
from flask_babel import LazyString, lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import WasteReason
from offline_sync.catalog_cache import CachedLocation

REASON_WORDS: dict[WasteReason, LazyString] = {
    WasteReason.EXPIRED: lazy_gettext("Expired"),
    WasteReason.DAMAGED: lazy_gettext("Damaged"),
    WasteReason.RECALLED: lazy_gettext("Recalled"),
    WasteReason.CONTAMINATED: lazy_gettext("Contaminated"),
    WasteReason.OPENED_UNUSED: lazy_gettext("Opened, not used"),
    WasteReason.OTHER: lazy_gettext("Other…"),
}
WASTE_REASONS = tuple(WasteReason)
RETURN_REASONS = (WasteReason.RECALLED, WasteReason.DAMAGED, WasteReason.EXPIRED, WasteReason.OTHER)


def reason_choices(reasons: tuple[WasteReason, ...]) -> list[tuple[str, str]]:
    """(value, words) for each reason offered on a screen, in the order given."""
    return [(reason.value, str(REASON_WORDS[reason])) for reason in reasons]


def wards_by_location(session: Session) -> dict[int, str]:
    """Each cached location's ward: the barcode of its top-most internal ancestor (itself at the top),
    e.g. WARD-3B-SUPPLY → WARD-3B. Locations outside the stock (vendors, patients) are their own."""
    locations = {location.id: location for location in session.scalars(select(CachedLocation))}
    wards: dict[int, str] = {}
    for location in locations.values():
        top, seen = location, {location.id}
        while top.parent_id in locations and locations[top.parent_id].usage == "internal" and top.parent_id not in seen:
            top = locations[top.parent_id]
            seen.add(top.id)
        wards[location.id] = top.barcode
    return wards
