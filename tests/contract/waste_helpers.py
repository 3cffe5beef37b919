"""What the issue-16 contract tests share: the quarantine location and reading a lot's flags back."""

import os
from datetime import datetime

from contract_world import World

from offline_sync.backends.contract import DEFAULT_QUARANTINE_LOCATION, LotMove

QUARANTINE = os.environ.get("QUARANTINE_LOCATION") or DEFAULT_QUARANTINE_LOCATION


def stocked(world: World, quantity: float = 10, **lot: object) -> tuple[str, str, str]:
    """A new product's lot (options as `world.lot`) holding `quantity` at a new location: (gtin, lot, location)."""
    gtin, ward = world.product(), world.location()
    name = world.lot(gtin, **lot)  # type: ignore[arg-type]
    world.put(gtin, name, ward, quantity)
    return gtin, name, ward


def recalled(world: World, gtin: str, lot: str, since: datetime) -> bool:
    """The lot's recall flag as the catalog tells handhelds (a lot not changed since `since` is not recalled now)."""
    catalog = world.backend.catalog(since=since)
    products = {product.id for product in catalog.products if product.gtin == gtin}
    if not products:
        products = {product.id for product in world.backend.catalog().products if product.gtin == gtin}
    return any(entry.recalled for entry in catalog.lots if entry.name == lot and entry.product_id in products)


def last_move(world: World, gtin: str, lot: str) -> LotMove:
    return world.backend.lot_history(gtin, lot).moves[-1]
