"""GS1 relabels for boxes whose own label is missing or unreadable: GTIN, expiry and lot from the
catalog cache (the backend's data), as GS1 DataMatrix and GS1-128 with the text `(01)…(17)…(10)…` under them."""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.labels.label import Kind, Label
from app.services.labels.symbols import Elements, gs1_128, gs1_datamatrix, human_readable
from offline_sync.catalog_cache import CachedLot, CachedProduct
from scanners import normalize_gtin


@dataclass(frozen=True)
class RelabelItem:
    """One GTIN (a unit's or a box's) with one of its product's lots, as the catalog cache knows them."""

    gtin: str
    product_name: str
    pack_quantity: float
    lot: str
    expiry: date | None

    @property
    def key(self) -> str:
        """How a form names it (GS1's character set 82 has no `|`)."""
        return f"{self.gtin}|{self.lot}"


def relabel_items(session: Session) -> list[RelabelItem]:
    rows = session.execute(
        select(CachedProduct, CachedLot)
        .join(CachedLot, CachedLot.product_id == CachedProduct.id)
        .order_by(CachedProduct.name, CachedProduct.pack_quantity, CachedLot.name)
    )
    return [RelabelItem(p.gtin, p.name, p.pack_quantity, lot.name, lot.expiry) for p, lot in rows]


def gs1_elements(item: RelabelItem, serial: str = "") -> Elements:
    """Fixed-length fields first, then the lot and serial: one GS between them, none at the end."""
    elements: list[tuple[str, str]] = [("01", normalize_gtin(item.gtin))]
    if item.expiry:
        elements.append(("17", f"{item.expiry:%y%m%d}"))
    elements.append(("10", item.lot))
    if serial:
        elements.append(("21", serial))
    return tuple(elements)


def relabel(item: RelabelItem, serial: str = "") -> Label:
    elements = gs1_elements(item, serial)
    box = f"1 box = {item.pack_quantity:g} · " if item.pack_quantity != 1 else ""
    expiry = f"EXP {item.expiry:%Y-%m-%d}" if item.expiry else "no expiry"
    lines = (f"{box}LOT {item.lot}", expiry, *((f"SN {serial}",) if serial else ()))
    return Label(Kind.RELABEL, item.product_name, lines, gs1_datamatrix(elements), gs1_128(elements), human_readable(elements))


def relabels(session: Session, keys: list[str], serial: str = "") -> list[Label]:
    """The relabels of the chosen GTIN|lot pairs; one that the catalog cache does not hold is refused."""
    by_key = {item.key: item for item in relabel_items(session)}
    missing = [key for key in keys if key not in by_key]
    if missing:
        shown = ", ".join(key.replace("|", " lot ") for key in missing)
        raise LookupError(gettext("The catalog holds no GTIN %(gtins)s; refresh the catalog, or check the GTIN and lot on the box.", gtins=shown))
    return [relabel(by_key[key], serial) for key in keys]
