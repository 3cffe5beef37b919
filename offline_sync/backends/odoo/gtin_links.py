"""A supervisor links a GTIN Odoo does not know to a product: as the product's own barcode, or as a
packaging (a box) of a number of its units, wherever the version keeps packagings
(`product.packaging` on 17 and 18; on 19 a unit of measure of the box's size and its barcode,
versions.py). Odoo stamps the packaging's `write_date`, so the next catalog pull carries it."""

from typing import Any

from offline_sync.backends.contract import ConflictKind, Outcome

from ..gtin import barcode_for, barcode_forms, is_gtin
from . import refusals
from .records import ProductRecord, packaging_barcode_domain, product_spec
from .session import Session


def link_gtin(session: Session, gtin: str, product_id: int, pack_quantity: float | None) -> Outcome:
    if not is_gtin(gtin):
        raise refusals.Refused(ConflictKind.UNKNOWN_PRODUCT, f"Cannot link: {gtin} is not a valid GTIN.", gtin=gtin)
    if pack_quantity is not None and not pack_quantity > 0:
        raise refusals.Refused(ConflictKind.UNKNOWN_PRODUCT, f"Cannot link: a box holds more than 0 units, not {pack_quantity:g}.",
                               gtin=gtin, product_id=product_id)
    target, owner = _target_and_owner(session, gtin, product_id)
    if owner is not None and owner != target:
        raise refusals.Refused(ConflictKind.NOT_PERMITTED, f"{gtin} already names {owner.name}; it cannot also name {target.name}.",
                               gtin=gtin, product_id=owner.id)
    if owner == target:
        held = _units_of(target, gtin)
        if pack_quantity is None or held == pack_quantity:
            return Outcome.duplicate(f"{gtin} already names {target.name}.", product_id=target.id, pack_quantity=held)
        raise refusals.Refused(ConflictKind.NOT_PERMITTED,
                               f"{gtin} already names {target.name} {_as(held)}, not {_as(pack_quantity)}; change it in Odoo.",
                               gtin=gtin, product_id=target.id)
    if pack_quantity is None and target.barcode is None:
        session.odoo.call("product.product", "write", [target.id], {"barcode": barcode_for(gtin)})
    else:
        quantity = pack_quantity or 1.0
        packagings = session.odoo.version.packagings
        unit = _unit_of_size(session, target, quantity) if packagings.sized_by_unit else target.uom_id
        session.odoo.call(packagings.model, "create", [packagings.new(target.id, unit, barcode_for(gtin), quantity)])
    quantity = pack_quantity or 1.0
    return Outcome.applied(f"{gtin} now names {target.name} {_as(quantity)}.", product_id=target.id, pack_quantity=quantity)


def _as(quantity: float) -> str:
    return "as one unit" if quantity == 1 else f"as a box of {quantity:g}"


def _target_and_owner(session: Session, gtin: str, product_id: int) -> tuple[ProductRecord, ProductRecord | None]:
    """The product to link to, and the product the GTIN names already (if any), in one read."""
    forms, version = barcode_forms(gtin), session.odoo.version
    rows = session.odoo.call(
        "product.product",
        "web_search_read",
        ["|", "|", ("id", "=", product_id), ("barcode", "in", forms), packaging_barcode_domain(version, forms)],
        product_spec(version),
    )["records"]
    products = [ProductRecord.parse(row, version) for row in rows]
    target = next((product for product in products if product.id == product_id), None)
    if target is None:
        raise refusals.Refused(ConflictKind.UNKNOWN_PRODUCT, f"Cannot link: no product #{product_id} exists.",
                               gtin=gtin, product_id=product_id)
    owner = next((product for product in products if set(forms) & set(product.barcodes)), None)
    return target, owner


def _units_of(product: ProductRecord, gtin: str) -> float:
    forms = set(barcode_forms(gtin))
    return next((packaging.quantity for packaging in product.packagings if packaging.barcode in forms), 1.0)


def _unit_of_size(session: Session, product: ProductRecord, quantity: float) -> int:
    """19: the unit of `quantity` of the product's own unit, found or made ("Box of 10 Units")."""
    if quantity == 1:
        return product.uom_id
    domain: list[Any] = [("relative_uom_id", "=", product.uom_id), ("relative_factor", "=", quantity)]
    found = session.odoo.call("uom.uom", "search", domain, limit=1)
    if found:
        return found[0]
    values = {"name": f"Box of {quantity:g} {product.uom}", "relative_factor": quantity, "relative_uom_id": product.uom_id}
    return session.odoo.call("uom.uom", "create", [values])[0]
