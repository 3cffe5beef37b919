"""Keyboard-wedge scanners: they cannot type GS, so it arrives as a replacement or not at all."""

from __future__ import annotations

from collections.abc import Iterable

GS = "\x1d"


def strip_terminators(raw: str) -> str:
    """Drop the Enter (CR/LF) a wedge scanner types after each code; spaces are data and stay."""
    return raw.rstrip("\r\n")


def restore_separators(payload: str, replacements: Iterable[str]) -> str:
    """Turn the configured GS replacements back into GS, longest first."""
    for replacement in sorted((r for r in replacements if r), key=len, reverse=True):
        payload = payload.replace(replacement, GS)
    return payload


def separators_may_be_missing(replacements: Iterable[str]) -> bool:
    """An empty replacement means some scanner sends nothing at all for GS."""
    return "" in replacements
