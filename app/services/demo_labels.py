"""Printable demo labels for the training sandbox: every lot as GS1 DataMatrix and GS1-128,
every location and every demo badge, so a newcomer can scan them from a screen or paper."""
from dataclasses import dataclass
from datetime import date, timedelta

import zxingcpp

from offline_sync.backends.contract import Catalog, Lot, Product

NEAR_EXPIRY = timedelta(days=60)


@dataclass(frozen=True)
class DemoLabel:
    title: str
    subtitle: str
    human_readable: str
    matrix_svg: str
    linear_svg: str
    status: str = ""  # expired, near, recalled or empty


def _svg(content: str, symbology: zxingcpp.BarcodeFormat, gs1: bool) -> str:
    barcode = zxingcpp.create_barcode(content, symbology, gs1=gs1) if gs1 else zxingcpp.create_barcode(content, symbology)
    svg = zxingcpp.write_barcode_to_svg(barcode, scale=3)
    return svg[svg.index("<svg"):]  # drop the XML prolog and doctype: the SVG goes inline


def gs1_human_readable(product: Product, lot: Lot) -> str:
    expiry = f"(17){lot.expiry:%y%m%d}" if lot.expiry else ""
    return f"(01){product.gtin}{expiry}(10){lot.name}"


def _lot_status(lot: Lot, today: date) -> str:
    if lot.recalled:
        return "recalled"
    if lot.expiry is None:
        return ""
    if lot.expiry < today:
        return "expired"
    return "near" if lot.expiry - today <= NEAR_EXPIRY else ""


def lot_labels(catalog: Catalog, today: date) -> list[DemoLabel]:
    """Each lot's label with its product's own GTIN, and one more per box GTIN (packaging) of its product."""
    units = {product.id: product for product in reversed(catalog.products) if product.pack_quantity == 1}
    boxes = [product for product in catalog.products if product.pack_quantity != 1]
    labels = []
    for lot in sorted(catalog.lots, key=lambda lot: (units[lot.product_id].name, lot.name)):
        expiry = f"expires {lot.expiry:%Y-%m-%d}" if lot.expiry else "no expiry"
        for product in [units[lot.product_id], *(box for box in boxes if box.id == lot.product_id)]:
            text = gs1_human_readable(product, lot)
            box = f"1 box = {product.pack_quantity:g} · " if product.pack_quantity != 1 else ""
            labels.append(
                DemoLabel(
                    title=product.name,
                    subtitle=f"{box}Lot {lot.name}, {expiry}",
                    human_readable=text,
                    matrix_svg=_svg(text, zxingcpp.BarcodeFormat.DataMatrix, gs1=True),
                    linear_svg=_svg(text, zxingcpp.BarcodeFormat.Code128, gs1=True),
                    status=_lot_status(lot, today),
                )
            )
    return labels


def code_label(title: str, subtitle: str, code: str) -> DemoLabel:
    """A location or badge: the code itself, as DataMatrix and Code 128."""
    return DemoLabel(
        title=title,
        subtitle=subtitle,
        human_readable=code,
        matrix_svg=_svg(code, zxingcpp.BarcodeFormat.DataMatrix, gs1=False),
        linear_svg=_svg(code, zxingcpp.BarcodeFormat.Code128, gs1=False),
    )


def location_labels(catalog: Catalog) -> list[DemoLabel]:
    internal = sorted((loc for loc in catalog.locations if loc.usage == "internal"), key=lambda loc: loc.name)
    return [code_label(location.name, "Location", location.barcode) for location in internal]
