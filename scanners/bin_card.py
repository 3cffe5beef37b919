"""Two-bin kanban cards: the card on a ward's front bin names the product and the ward location.

The text after the card's prefix is the product's GTIN, ``:``, and the location's barcode
(``BIN:05012345678900:WARD-3B``); the location barcode may itself contain ``:``.
"""

from __future__ import annotations

from scanners.config import DEFAULT_CONFIG, ScanConfig
from scanners.gtin import normalize_gtin
from scanners.scan import UnrecognizedCode


def parse_bin_card(code: str, read: str) -> tuple[str, str]:
    """The card's GTIN (14 digits, check digit verified) and ward location barcode."""
    gtin, separator, location = code.partition(":")
    if not separator or not gtin or not location.strip():
        raise UnrecognizedCode(
            read,
            "a two-bin card: the product's GTIN, ':' and the ward location's barcode",
            f"{code[:40]!r}",
            "The card may be damaged; print it again from the par levels page.",
        )
    return normalize_gtin(gtin, read=read), location


def bin_card_text(gtin: str, location: str, config: ScanConfig = DEFAULT_CONFIG) -> str:
    """What a printed two-bin card's barcode carries, with the first configured bin card prefix."""
    return f"{config.bin_card_prefixes[0]}{normalize_gtin(gtin)}:{location}"
