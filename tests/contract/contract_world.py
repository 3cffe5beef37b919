"""What the contract suite needs besides the contract: a "fixture world" per backend, and helpers
that read results back through the contract alone.

A world creates what a test needs under names of its own (unique per run, so the suite can run
against the same Odoo database again and again) and reads on-hand. The sandbox's world is in
contract_world_sandbox.py; an Odoo one goes in contract_world_odoo.py (see conftest.py).
"""

import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Protocol

from offline_sync.backends.contract import Catalog, InventoryBackend, Receipt, ReceiptLine

TODAY = date.today()
LABEL_EXPIRY = TODAY + timedelta(days=400)


class World(Protocol):
    backend: InventoryBackend

    def unique(self, stem: str) -> str:
        """A name nobody has used yet, e.g. for a lot about to be received."""

    def product(self, *, tracked: bool = True) -> str:
        """A new storable product (lot-tracked with expiry dates, or neither); its GTIN-14."""

    def unknown_gtin(self) -> str:
        """A valid GTIN-14 that names no product."""

    def lot(self, gtin: str, expiry: date | None = LABEL_EXPIRY) -> str:
        """A new lot of the product; its name."""

    def recall(self, gtin: str, lot: str) -> None:
        """Mark the lot recalled (a world whose backend cannot, skips the test)."""

    def location(self, *, archived: bool = False) -> str:
        """A new internal location; its barcode."""

    def archive_product(self, gtin: str, *, archived: bool = True) -> None:
        """Archive the product as its backend's users do (`archived=False` restores it)."""

    def archive_location(self, barcode: str) -> None:
        """Archive an empty location as its backend's users do."""

    def put(self, gtin: str, lot: str | None, location: str, quantity: float) -> None:
        """Set the on-hand by an inventory adjustment, dated now."""

    def receipt(self, destination: str, demand: Mapping[str, float]) -> str:
        """A new open receipt from a vendor of `demand` (GTIN → quantity); its reference."""

    def on_hand(self, gtin: str, lot: str | None, location: str) -> float:
        """The quantity of the product and lot at exactly this location."""

    def moment(self) -> datetime:
        """A naive UTC time after every effect so far and before every later one (for `captured_at`)."""

    def restarted(self) -> InventoryBackend:
        """A new backend object on the same data, as a worker has after a crash and restart."""

    def close(self) -> None: ...


def op() -> str:
    return str(uuid.uuid4())


def product_id(catalog: Catalog, gtin: str) -> int:
    return next(product.id for product in catalog.products if product.gtin == gtin)


def open_receipt(backend: InventoryBackend, reference: str) -> Receipt | None:
    return next((receipt for receipt in backend.catalog().receipts if receipt.reference == reference), None)


def receipt_line(backend: InventoryBackend, reference: str, gtin: str) -> ReceiptLine | None:
    """The open receipt's line for the product (None once the receipt is closed or has no such line)."""
    catalog = backend.catalog()
    receipt = next((receipt for receipt in catalog.receipts if receipt.reference == reference), None)
    wanted = product_id(catalog, gtin)
    return next((line for line in receipt.lines if line.product_id == wanted), None) if receipt else None
