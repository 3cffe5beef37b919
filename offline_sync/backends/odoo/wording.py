"""Bits of the sentences the Odoo backend answers with (the sandbox's wording, Odoo's records)."""

from offline_sync.backends.sandbox.wording import quantity

from .records import LotRecord, ProductRecord

__all__ = ["amount", "day", "item", "quantity"]


def item(product: ProductRecord, lot: LotRecord | str | None) -> str:
    name = lot.name if isinstance(lot, LotRecord) else lot
    return f"{product.name} (lot {name})" if name else product.name


def amount(value: float, product: ProductRecord, lot: LotRecord | str | None) -> str:
    return f"{quantity(value)} of {item(product, lot)}"


def day(value: object) -> str:
    return f"{value:%Y-%m-%d}" if value else "no expiry"
