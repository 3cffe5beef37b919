"""What differs between the Odoo versions Wardstock talks to, decided once at sign-in from the version
the server reports (`OdooVersion.parse`). Operations ask the version for a field name, a value or a
`Packagings` shape; no operation compares version numbers itself.

odoo-rpc-notes §0 lists the differences seen over RPC. What Odoo 19.0 changed beyond those notes
(read in 19.0's `product`, `uom`, `stock` and base sources, and seen on a 19.0 server):
- Packagings are gone: no `product.packaging` model and no `product.product.packaging_ids`, so a
  domain on `packaging_ids.barcode` is refused ("Invalid field product.product.packaging_ids").
  A product's further barcodes are `product.uom` records ("Unit Barcode",
  `product.product.product_uom_ids`: `product_id`, `uom_id`, `barcode`, the barcode unique over
  products and these records), and the quantity a barcode stands for is that unit of measure's:
  `uom.uom.factor` (its size against the reference unit, e.g. "Pack of 6" = 6) divided by the
  factor of the product's own unit. `uom.uom` lost its categories (`relative_uom_id` instead).
- `res.users.identitycheck.run_check` reads the password from the context (`{"password": …}`), not
  from the wizard's `password` field (which still exists, unstored): making an API key through
  the web client's call path needs it there.
- The setting that shows packagings is "Units of Measure & Packagings" (`group_uom`), not
  "Product Packagings" (`group_stock_packaging`).
- `/jsonrpc` (and `/xmlrpc`) moved into an auto-installed `rpc` addon; its deprecation warning,
  logged on every call, names Odoo 22 for their removal (the notes say 20).
- JSON-2 takes every argument by name: a domain sent positionally (e.g. to `search_count`) is
  refused with a 422, so json2.py names each method's arguments.
- API-key lifetime (18 and 19): a user may make a key of at most the largest `api_key_duration`
  of their groups, and "Role / User" (`base.group_user`) carries 90 days, so an internal user's
  keys last at most about three months; the one-day cap the notes give is the fallback for a
  user in no group with a duration. System users (the admin) may make persistent keys.
- Archiving, for the catalog (17, 18 and 19 alike): `product.product`, `product.template` and
  `stock.location` have `active`, `stock.lot` has none, so a lot cannot be archived (catalog.py).
"""

import re
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Packaging:
    """A further barcode of a product: one box (case, pack) of `quantity` units of the product's own unit."""

    barcode: str
    quantity: float


class Packagings(Protocol):
    """Where a version keeps a product's packaging barcodes and their quantities."""

    field: str  # the one2many on product.product
    model: str
    setting: tuple[str, str]  # the res.config.settings field that shows packagings in Odoo, and its label

    @property
    def spec(self) -> dict[str, Any]:
        """What `web_search_read` reads of each packaging (nested under `field`)."""

    def parse(self, product_row: dict[str, Any]) -> tuple[Packaging, ...]:
        """The packagings of a product read with `spec` (and its `uom_id` with `factor`)."""

    def one_unit(self, product_id: int, uom_id: int, barcode: str) -> dict[str, Any]:
        """Values of a new packaging of one unit (a further GTIN for the product itself)."""


class ProductPackagings:
    """17.0 and 18.0: `product.packaging`, with its own quantity (`qty`) in the product's unit."""

    field = "packaging_ids"
    model = "product.packaging"
    setting = ("group_stock_packaging", "Product Packagings")

    @property
    def spec(self) -> dict[str, Any]:
        return {"barcode": {}, "qty": {}}

    def parse(self, product_row: dict[str, Any]) -> tuple[Packaging, ...]:
        return tuple(Packaging(row["barcode"], row["qty"] or 1.0) for row in product_row[self.field] if row["barcode"])

    def one_unit(self, product_id: int, uom_id: int, barcode: str) -> dict[str, Any]:
        return {"name": f"GTIN {barcode}", "product_id": product_id, "qty": 1, "barcode": barcode}


class UnitBarcodes:
    """19.0: `product.uom`, a barcode for one of the product's units of measure (see the module's docstring)."""

    field = "product_uom_ids"
    model = "product.uom"
    setting = ("group_uom", "Units of Measure & Packagings")

    @property
    def spec(self) -> dict[str, Any]:
        return {"barcode": {}, "uom_id": {"fields": {"factor": {}}}}

    def parse(self, product_row: dict[str, Any]) -> tuple[Packaging, ...]:
        own = product_row["uom_id"]["factor"] or 1.0
        return tuple(
            Packaging(row["barcode"], row["uom_id"]["factor"] / own)
            for row in product_row[self.field]
            if row["barcode"]
        )

    def one_unit(self, product_id: int, uom_id: int, barcode: str) -> dict[str, Any]:
        return {"product_id": product_id, "uom_id": uom_id, "barcode": barcode}


@dataclass(frozen=True)
class OdooVersion:
    """The differences, as the answers to the questions the operations ask."""

    major: int

    @classmethod
    def parse(cls, text: str) -> "OdooVersion":
        """'17.0', '18.0+e', 'saas~18.2' → the major version."""
        found = re.search(r"\d+", text)
        if found is None:
            raise ValueError(f"Cannot read an Odoo version from {text!r}.")
        return cls(int(found.group()))

    @property
    def storable(self) -> dict[str, Any]:
        """Product values (and, as a domain, the filter) for a storable product."""
        return {"detailed_type": "product"} if self.major <= 17 else {"type": "consu", "is_storable": True}

    @property
    def moves_have_name(self) -> bool:
        """`stock.move.name` is required up to 18 and gone in 19."""
        return self.major <= 18

    @property
    def purchase_line_unit(self) -> str:
        """The unit field of a purchase order line: `product_uom` up to 18, `product_uom_id` on 19."""
        return "product_uom" if self.major <= 18 else "product_uom_id"

    @property
    def has_group_on_records(self) -> bool:
        """`res.users.has_group` is a model method on 17, a record method from 18."""
        return self.major >= 18

    @property
    def packagings(self) -> Packagings:
        """`product.packaging` up to 18, the units' barcodes (`product.uom`) from 19."""
        return ProductPackagings() if self.major <= 18 else UnitBarcodes()

    @property
    def scrap_reason_tags(self) -> bool:
        """`stock.scrap.scrap_reason_tag_ids` (and `stock.scrap.reason.tag`) exist from 18 on; 17 keeps the reason in the origin only."""
        return self.major >= 18

    @property
    def api_keys_expire(self) -> bool:
        """API keys have an `expiration_date` from 18 on (19's non-admin keys last about three months at most)."""
        return self.major >= 18
