"""Bits of the sentences the sandbox answers with."""

from .models import SandboxLot, SandboxProduct


def quantity(value: float) -> str:
    """5.0 → "5", 2.5 → "2.5": quantities as a storekeeper writes them."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def item(product: SandboxProduct, lot: SandboxLot | None) -> str:
    return f"{product.name} (lot {lot.name})" if lot is not None else product.name


def amount(value: float, product: SandboxProduct, lot: SandboxLot | None) -> str:
    return f"{quantity(value)} of {item(product, lot)}"
