"""How codes are interpreted: wedge separator replacements and the prefixes of our own codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from scanners.scan import Kind


@dataclass(frozen=True)
class ScanConfig:
    """Interpretation settings.

    ``gs_replacements``: what wedge scanners type instead of GS; ``""`` means a
    scanner may send nothing, so separator-less GS1 text that can be cut in
    more than one way (with any GS1 AI) is refused.
    Prefixes and ``exact_codes`` are matched case-sensitively, before anything else.
    A two-bin card is a bin card prefix + the product's GTIN + ``:`` + the ward location's barcode.
    """

    gs_replacements: tuple[str, ...] = ("<GS>", "^]", "|", "~", "")
    location_prefixes: tuple[str, ...] = ("LOC:",)
    badge_prefixes: tuple[str, ...] = ("BADGE:",)
    internal_prefixes: tuple[str, ...] = ("INT:",)
    bin_card_prefixes: tuple[str, ...] = ("BIN:",)
    exact_codes: Mapping[str, Kind] = field(default_factory=lambda: MappingProxyType({}))


DEFAULT_CONFIG = ScanConfig()
