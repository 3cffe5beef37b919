"""How codes are interpreted: wedge separator replacements and the prefixes of our own codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from scanners.scan import Kind

MEDICAL_LABEL_AIS = frozenset(
    {"00", "01", "02", "10", "11", "17", "21", "30", "37", "240", "241", "254", "414", "8004"}
    | {f"71{n}" for n in range(6)}
)


@dataclass(frozen=True)
class ScanConfig:
    """Interpretation settings.

    ``gs_replacements``: what wedge scanners type instead of GS; ``""`` means a
    scanner may send nothing, so separator-less GS1 text that can be cut in
    more than one way is refused.
    ``split_ais``: AIs that may start right after a variable-length field when
    such text is cut (``None``: every GS1 AI). Fewer AIs mean fewer refusals
    but a missing separator before an AI outside the set goes unnoticed.
    Prefixes and ``exact_codes`` are matched case-sensitively, before anything else.
    """

    gs_replacements: tuple[str, ...] = ("<GS>", "^]", "|", "~", "")
    split_ais: frozenset[str] | None = MEDICAL_LABEL_AIS
    location_prefixes: tuple[str, ...] = ("LOC:",)
    badge_prefixes: tuple[str, ...] = ("BADGE:",)
    internal_prefixes: tuple[str, ...] = ("INT:",)
    exact_codes: Mapping[str, Kind] = field(default_factory=lambda: MappingProxyType({}))


DEFAULT_CONFIG = ScanConfig()
