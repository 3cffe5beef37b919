"""What every label kind produces: the words on it and the codes it carries."""
from dataclasses import dataclass
from enum import StrEnum

from app.services.labels.symbols import Symbol


class Kind(StrEnum):
    LOCATION = "location"
    BADGE = "badge"
    RELABEL = "relabel"
    TWO_BIN = "two_bin"


@dataclass(frozen=True)
class Label:
    """One label. ``matrix`` is always there; ``linear`` (Code 128 / GS1-128) where the kind has one.
    ``human_readable`` is printed under the codes: what a person types when no scanner reads them."""

    kind: Kind
    title: str
    lines: tuple[str, ...]
    matrix: Symbol
    linear: Symbol | None
    human_readable: str
