"""The few facts Wardstock reads about Odoo records, as plain values: one `web_search_read`
specification and one parser per model (many2one fields come back as bare ids)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from .conventions import RECALL_MARKER
from .dates import expiry_from_odoo
from .versions import OdooVersion, Packaging

# What `web_search_read` is asked for, per model, next to the parser that reads the answer.
_PRODUCT_FIELDS: dict[str, Any] = {
    "display_name": {},
    "active": {},
    "default_code": {},
    "barcode": {},
    "uom_id": {"fields": {"display_name": {}, "factor": {}}},
    "tracking": {},
    "use_expiration_date": {},
    "standard_price": {},
}
LOCATION_SPEC: dict[str, Any] = {
    "barcode": {},
    "complete_name": {},
    "usage": {},
    "active": {},
    "location_id": {},
    "warehouse_id": {},
}
LOT_SPEC: dict[str, Any] = {"name": {}, "product_id": {}, "expiration_date": {}, "alert_date": {}, "note": {}}


def product_spec(version: OdooVersion) -> dict[str, Any]:
    """A product's fields with its packagings, wherever the version keeps them."""
    packagings = version.packagings
    return {**_PRODUCT_FIELDS, packagings.field: {"fields": packagings.spec}}


def packaging_barcode_domain(version: OdooVersion, barcodes: list[str]) -> tuple[str, str, list[str]]:
    """Products one of whose packagings carries one of `barcodes`."""
    return (f"{version.packagings.field}.barcode", "in", barcodes)


@dataclass(frozen=True)
class ProductRecord:
    id: int
    name: str
    active: bool
    code: str
    uom_id: int
    uom: str
    tracked: bool
    uses_expiry: bool
    barcode: str | None
    packagings: tuple[Packaging, ...]
    cost: float = 0.0  # standard_price, per unit

    @property
    def barcodes(self) -> tuple[str, ...]:
        """Its own barcode first, then its packagings'."""
        return ((self.barcode,) if self.barcode else ()) + tuple(p.barcode for p in self.packagings)

    @classmethod
    def parse(cls, row: dict[str, Any], version: OdooVersion) -> "ProductRecord":
        return cls(
            id=row["id"],
            name=row["display_name"],
            active=row["active"],
            code=row["default_code"] or "",
            uom_id=row["uom_id"]["id"],
            uom=row["uom_id"]["display_name"],
            tracked=row["tracking"] in ("lot", "serial"),
            uses_expiry=bool(row["use_expiration_date"]),
            barcode=row["barcode"] or None,
            packagings=version.packagings.parse(row),
            cost=float(row.get("standard_price") or 0.0),
        )


@dataclass(frozen=True)
class LocationRecord:
    id: int
    barcode: str
    name: str  # full path, e.g. WH/Stock/Ward 3B
    usage: str
    active: bool
    parent_id: int | None
    warehouse_id: int | None

    @classmethod
    def parse(cls, row: dict[str, Any]) -> "LocationRecord":
        return cls(
            id=row["id"],
            barcode=row["barcode"] or "",
            name=row["complete_name"],
            usage=row["usage"],
            active=row["active"],
            parent_id=row["location_id"] or None,
            warehouse_id=row["warehouse_id"] or None,
        )


@dataclass(frozen=True)
class LotRecord:
    id: int
    name: str
    product_id: int
    expiry: date | None
    recalled: bool
    alert_date: date | None = None  # product_expiry's: from this day the lot is expiring soon

    @classmethod
    def parse(cls, row: dict[str, Any], tz: str | None) -> "LotRecord":
        return cls(
            id=row["id"],
            name=row["name"],
            product_id=row["product_id"],
            expiry=expiry_from_odoo(row["expiration_date"], tz),
            recalled=is_recalled(row.get("note")),
            alert_date=expiry_from_odoo(row.get("alert_date"), tz),
        )


def is_recalled(note: str | bool | None) -> bool:
    return isinstance(note, str) and RECALL_MARKER in note
