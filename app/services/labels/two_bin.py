"""Two-bin cards: the product, the ward location, how many to refill (the par level's maximum − minimum)
and the code `BIN:` + GTIN-14 + `:` + the location's barcode that a ward scans to ask for a refill."""
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.labels.label import Kind, Label
from app.services.labels.symbols import code128, datamatrix
from offline_sync.catalog_cache import CachedLocation, CachedParLevel, CachedProduct
from scanners import normalize_gtin

PREFIX = "BIN:"


@dataclass(frozen=True)
class TwoBinCard:
    product_name: str
    gtin: str
    location_barcode: str
    location_name: str
    minimum: float
    maximum: float

    @property
    def refill_quantity(self) -> float:
        return self.maximum - self.minimum

    @property
    def code(self) -> str:
        return f"{PREFIX}{normalize_gtin(self.gtin)}:{self.location_barcode}"

    @property
    def key(self) -> str:
        """How a form names it (neither a GTIN nor a location barcode holds `|`)."""
        return f"{self.gtin}|{self.location_barcode}"


def par_level_cards(session: Session) -> list[TwoBinCard]:
    """A card for every par level in the catalog cache, with the product's unit GTIN (a box's GTIN
    would stand for more than one unit)."""
    rows = session.execute(
        select(CachedParLevel, CachedProduct, CachedLocation)
        .join(CachedProduct, (CachedProduct.id == CachedParLevel.product_id) & (CachedProduct.pack_quantity == 1))
        .join(CachedLocation, CachedLocation.id == CachedParLevel.location_id)
        .order_by(CachedLocation.barcode, CachedProduct.name)
    )
    return [TwoBinCard(product.name, product.gtin, location.barcode, location.name, par.minimum, par.maximum)
            for par, product, location in rows]


def two_bin_cards(session: Session, keys: list[str]) -> list[Label]:
    by_key = {card.key: card for card in par_level_cards(session)}
    missing = [key.replace("|", " at ") for key in keys if key not in by_key]
    if missing:
        raise LookupError(gettext("The catalog holds no par level for %(cards)s; refresh the catalog or set the par level first.",
                                  cards=', '.join(missing)))
    return [two_bin_card(by_key[key]) for key in keys]


def two_bin_card(card: TwoBinCard) -> Label:
    if card.refill_quantity <= 0:
        raise ValueError(gettext(
            "The par level of %(product)s at %(location)s has maximum %(maximum)s and minimum %(minimum)s: a two-bin card needs a "
            "maximum above the minimum.", product=card.product_name, location=card.location_barcode, maximum=format(card.maximum, "g"),
            minimum=format(card.minimum, "g")))
    lines = (f"{card.location_name} ({card.location_barcode})", f"Refill {card.refill_quantity:g}")
    code = card.code
    return Label(Kind.TWO_BIN, card.product_name, lines, datamatrix(code), code128(code), code)
