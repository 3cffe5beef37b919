"""Location labels: `LOC:` + the location's barcode, for every internal location in the catalog cache."""
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.labels.label import Kind, Label
from app.services.labels.symbols import code128, datamatrix
from offline_sync.catalog_cache import CachedLocation

PREFIX = "LOC:"


def printable_locations(session: Session) -> list[CachedLocation]:
    """The locations stock is kept in (not vendors, patients or adjustments), by barcode."""
    query = select(CachedLocation).where(CachedLocation.usage == "internal").order_by(CachedLocation.barcode)
    return list(session.scalars(query))


def location_label(location: CachedLocation) -> Label:
    code = PREFIX + location.barcode
    return Label(Kind.LOCATION, location.name, (f"Location {location.barcode}",), datamatrix(code), code128(code), code)


def location_labels(session: Session, barcodes: list[str]) -> list[Label]:
    """The labels of the chosen locations, in the catalog's order; an unknown barcode is refused."""
    chosen = set(barcodes)
    found = [location for location in printable_locations(session) if location.barcode in chosen]
    missing = chosen - {location.barcode for location in found}
    if missing:
        raise LookupError(gettext("No internal location with barcode %(barcodes)s in the catalog; refresh the catalog or pick another.",
                                  barcodes=', '.join(sorted(missing))))
    return [location_label(location) for location in found]
