"""Two-bin cards: the product, the ward location, how many to refill (the par level's maximum − minimum)
and the code `BIN:` + GTIN-14 + `:` + the location's barcode that a ward scans to ask for a refill."""
from dataclasses import dataclass

from app.services.labels.label import Kind, Label
from app.services.labels.symbols import code128, datamatrix
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


def two_bin_card(card: TwoBinCard) -> Label:
    if card.refill_quantity <= 0:
        raise ValueError(
            f"The par level of {card.product_name} at {card.location_barcode} has maximum {card.maximum:g} and minimum "
            f"{card.minimum:g}: a two-bin card needs a maximum above the minimum."
        )
    lines = (f"{card.location_name} ({card.location_barcode})", f"Refill {card.refill_quantity:g}")
    code = card.code
    return Label(Kind.TWO_BIN, card.product_name, lines, datamatrix(code), code128(code), code)
