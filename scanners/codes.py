"""Our own codes: locations, badges, internal codes and two-bin cards recognised by prefix or exact match."""

from __future__ import annotations

from scanners.config import ScanConfig
from scanners.scan import Kind, UnrecognizedCode


def match_code(payload: str, config: ScanConfig, read: str) -> tuple[Kind, str] | None:
    """Return the kind and the identifier after the prefix, or ``None`` if no prefix matches."""
    if payload in config.exact_codes:
        return config.exact_codes[payload], payload
    prefixes = [(p, Kind.LOCATION) for p in config.location_prefixes]
    prefixes += [(p, Kind.BADGE) for p in config.badge_prefixes]
    prefixes += [(p, Kind.INTERNAL) for p in config.internal_prefixes]
    prefixes += [(p, Kind.BIN_CARD) for p in config.bin_card_prefixes]
    for prefix, kind in sorted(prefixes, key=lambda pair: len(pair[0]), reverse=True):
        if prefix and payload.startswith(prefix):
            code = payload[len(prefix) :]
            if not code.strip() or not code.isprintable():
                raise UnrecognizedCode(
                    read, f"a {kind.value.replace('_', ' ')} code after {prefix!r}", "nothing usable", "The label may be damaged."
                )
            return kind, code
    return None
