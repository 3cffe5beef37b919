"""The sandbox's demo stock: the hospital dataset of odoo-rpc-notes.md, with expiries relative
to the day it is loaded, so there is always an expired, a near-expiry and a far-expiry lot."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from offline_sync.backends.contract import DEFAULT_QUARANTINE_LOCATION

from . import ledger
from .models import (
    PickingKind,
    SandboxLocation,
    SandboxLot,
    SandboxOrderpoint,
    SandboxPackaging,
    SandboxProduct,
    Usage,
)
from .waste import SCRAP_LOCATION

CENTRAL_STORE = "CS-STOCK"  # where ward replenishments come from unless REPLENISH_SOURCE names another store

# barcode, name, parent barcode, usage
LOCATIONS = (
    (CENTRAL_STORE, "CS/Stock", None, Usage.INTERNAL),
    ("WARD-3B", "CS/Ward 3B", None, Usage.INTERNAL),
    ("WARD-3B-SUPPLY", "Supply Room", "WARD-3B", Usage.INTERNAL),
    ("WARD-ICU", "CS/ICU", None, Usage.INTERNAL),
    ("WARD-ICU-CART", "Crash Cart", "WARD-ICU", Usage.INTERNAL),
    ("WARD-ED", "CS/Emergency", None, Usage.INTERNAL),
    ("WARD-ED-RESUS", "Resus Bay", "WARD-ED", Usage.INTERNAL),
    ("PATIENT-USE", "Patient Consumption", None, Usage.CONSUMPTION),
    ("VENDORS", "Vendors", None, Usage.SUPPLIER),
    ("INV-ADJ", "Inventory adjustment", None, Usage.INVENTORY),
    (DEFAULT_QUARANTINE_LOCATION, "CS/Quarantine", None, Usage.INTERNAL),  # where a sweep's pulled boxes go
    (SCRAP_LOCATION, "Scrap", None, Usage.INVENTORY),
)

# GTIN-13 (check digits verified), code, name, {lot: days from today to its expiry}
PRODUCTS = (
    ("5012345100012", "IVC-20G", "IV cannula 20G", {"IVC20-A231": -20, "IVC20-B245": 25, "IVC20-C260": 540}),
    ("5012345100029", "SYR-10ML", "Syringe 10 ml Luer lock", {"SYR10-2501": 400, "SYR10-2502": 700}),
    ("5012345100036", "GAU-10X10", "Sterile gauze swab 10x10 cm", {"GZ-2406": 15, "GZ-2512": 380}),
    ("5012345100043", "PCM-500", "Paracetamol 500 mg tablets (strip of 10)", {"PCM-24A": -5, "PCM-25B": 300}),
    ("5012345100050", "NACL-500", "Sodium chloride 0.9% 500 ml bag", {"NS500-01": 45, "NS500-02": 420}),
    ("5012345100067", "GLV-NIT-M", "Nitrile examination gloves M (box of 100)", {"GLV-M-01": 900}),
    ("5012345100074", "CHX-WIPE", "Chlorhexidine 2% wipes (pack of 10)", {"CHX-01": 10, "CHX-02": 250}),
    ("5012345100081", "UC-14FR", "Urinary catheter 14Fr Foley", {"UC14-01": 600, "UC14-02": -40}),
)

# product code, a box's GTIN-14 (check digit from scanners.gtin), units in the box
PACKAGINGS = (("SYR-10ML", "15012345100026", 10),)

RECALLED_LOT = "SYR10-2502"  # far from expiry, recalled for training
VENDOR = "MedSupply Ltd"  # the open receipt's: what is received on it can be returned to this vendor
# Unit costs (Odoo's standard_price) for the value of waste and of expiring stock.
COSTS = {"IVC-20G": 1.85, "SYR-10ML": 0.12, "GAU-10X10": 0.09, "PCM-500": 0.35, "NACL-500": 1.10,
         "GLV-NIT-M": 6.50, "CHX-WIPE": 0.80, "UC-14FR": 3.20}

# location barcode, product code, lot, quantity: 16 quants in the central store, 13 on the wards
QUANTS = (
    ("CS-STOCK", "IVC-20G", "IVC20-A231", 10),
    ("CS-STOCK", "IVC-20G", "IVC20-B245", 60),
    ("CS-STOCK", "IVC-20G", "IVC20-C260", 200),
    ("CS-STOCK", "SYR-10ML", "SYR10-2501", 300),
    ("CS-STOCK", "SYR-10ML", "SYR10-2502", 500),
    ("CS-STOCK", "GAU-10X10", "GZ-2406", 40),
    ("CS-STOCK", "GAU-10X10", "GZ-2512", 200),
    ("CS-STOCK", "PCM-500", "PCM-24A", 20),
    ("CS-STOCK", "PCM-500", "PCM-25B", 100),
    ("CS-STOCK", "NACL-500", "NS500-01", 48),
    ("CS-STOCK", "NACL-500", "NS500-02", 96),
    ("CS-STOCK", "GLV-NIT-M", "GLV-M-01", 30),
    ("CS-STOCK", "CHX-WIPE", "CHX-01", 25),
    ("CS-STOCK", "CHX-WIPE", "CHX-02", 60),
    ("CS-STOCK", "UC-14FR", "UC14-01", 20),
    ("CS-STOCK", "UC-14FR", "UC14-02", 5),
    ("WARD-3B-SUPPLY", "IVC-20G", "IVC20-B245", 30),
    ("WARD-3B-SUPPLY", "SYR-10ML", "SYR10-2501", 50),
    ("WARD-3B-SUPPLY", "GAU-10X10", "GZ-2406", 20),
    ("WARD-3B-SUPPLY", "PCM-500", "PCM-24A", 10),
    ("WARD-3B-SUPPLY", "NACL-500", "NS500-01", 12),
    ("WARD-ICU-CART", "IVC-20G", "IVC20-C260", 15),
    ("WARD-ICU-CART", "SYR-10ML", "SYR10-2502", 20),
    ("WARD-ICU-CART", "CHX-WIPE", "CHX-01", 10),
    ("WARD-ICU-CART", "UC-14FR", "UC14-02", 3),
    ("WARD-ICU-CART", "NACL-500", "NS500-02", 6),
    ("WARD-ED-RESUS", "IVC-20G", "IVC20-B245", 10),
    ("WARD-ED-RESUS", "GLV-NIT-M", "GLV-M-01", 8),
    ("WARD-ED-RESUS", "GAU-10X10", "GZ-2512", 15),
)

# location barcode, product code, minimum, maximum: par levels (reordering rules) on the wards; IV cannulas
# and gauze in 3B, wipes on the ICU cart and gloves in the ED are at or under their minimum, so they show as low
PAR_LEVELS = (
    ("WARD-3B-SUPPLY", "IVC-20G", 40, 80),
    ("WARD-3B-SUPPLY", "SYR-10ML", 20, 60),
    ("WARD-3B-SUPPLY", "GAU-10X10", 25, 50),
    ("WARD-3B-SUPPLY", "NACL-500", 10, 24),
    ("WARD-ICU-CART", "IVC-20G", 10, 20),
    ("WARD-ICU-CART", "CHX-WIPE", 10, 20),
    ("WARD-ICU-CART", "UC-14FR", 2, 4),
    ("WARD-ED-RESUS", "GLV-NIT-M", 10, 20),
    ("WARD-ED-RESUS", "GAU-10X10", 10, 20),
)

PURCHASE_ORDER = "P00001"
OPEN_RECEIPT = (("IVC-20G", 100), ("NACL-500", 48), ("GLV-NIT-M", 20))  # becomes CS/IN/00001
DEMO_STOCK_REFERENCE = "Demo stock"


def load_demo_stock(session: Session, today: date) -> None:
    """Load the demo dataset into the sandbox's tables, unless it is there already; a sandbox loaded before
    the quarantine and scrap locations or the par levels existed gets them. The caller commits."""
    if session.scalar(select(SandboxLocation).where(SandboxLocation.barcode == CENTRAL_STORE)) is None:
        _load_stock(session, today)
    else:
        _add_missing_locations(session)
    if session.scalar(select(SandboxOrderpoint).limit(1)) is None:
        _load_par_levels(session)


def _load_par_levels(session: Session) -> None:
    locations = {location.barcode: location for location in session.scalars(select(SandboxLocation))}
    products = {product.default_code: product for product in session.scalars(select(SandboxProduct))}
    for barcode, code, minimum, maximum in PAR_LEVELS:
        session.add(SandboxOrderpoint(product=products[code], location=locations[barcode],
                                      product_min_qty=minimum, product_max_qty=maximum))
    session.flush()


def _load_stock(session: Session, today: date) -> None:
    locations = _locations(session)
    products, lots = _products_and_lots(session, today)
    for code, barcode, quantity in PACKAGINGS:
        session.add(SandboxPackaging(product=products[code], barcode=barcode, qty=quantity))
    for barcode, code, lot_name, quantity in QUANTS:
        quant = ledger.quant_of(session, products[code], locations[barcode], lots[code, lot_name])
        ledger.set_on_hand(session, quant, quantity, DEMO_STOCK_REFERENCE)
    receipt = ledger.new_picking(
        session, PickingKind.RECEIPT, locations["VENDORS"], locations[CENTRAL_STORE], origin=PURCHASE_ORDER
    )
    receipt.partner = VENDOR
    for code, demand in OPEN_RECEIPT:
        ledger.add_move(receipt, products[code], None, demand=demand)
    session.flush()


def _add_missing_locations(session: Session) -> None:
    known = set(session.scalars(select(SandboxLocation.barcode)))
    for barcode, name, parent_barcode, usage in LOCATIONS:
        if barcode not in known and parent_barcode is None:
            session.add(SandboxLocation(barcode=barcode, name=name.rsplit("/", 1)[-1], complete_name=name, usage=usage))
    session.flush()


def _locations(session: Session) -> dict[str, SandboxLocation]:
    locations: dict[str, SandboxLocation] = {}
    for barcode, name, parent_barcode, usage in LOCATIONS:
        parent = locations.get(parent_barcode) if parent_barcode else None
        location = SandboxLocation(
            barcode=barcode,
            name=name.rsplit("/", 1)[-1],
            complete_name=f"{parent.complete_name}/{name}" if parent else name,
            parent_id=parent.id if parent else None,
            usage=usage,
        )
        session.add(location)
        session.flush()  # its id, for the children
        locations[barcode] = location
    return locations


def _products_and_lots(
    session: Session, today: date
) -> tuple[dict[str, SandboxProduct], dict[tuple[str, str], SandboxLot]]:
    products: dict[str, SandboxProduct] = {}
    lots: dict[tuple[str, str], SandboxLot] = {}
    for barcode, code, name, expiries in PRODUCTS:
        product = SandboxProduct(
            barcode=barcode,
            default_code=code,
            name=name,
            expiration_time=730,
            alert_time=60,
            removal_time=7,
            standard_price=COSTS[code],
        )
        session.add(product)
        products[code] = product
        for lot_name, days in expiries.items():
            lot = SandboxLot(
                product=product,
                name=lot_name,
                expiration_date=today + timedelta(days=days),
                recalled=lot_name == RECALLED_LOT,
            )
            session.add(lot)
            lots[code, lot_name] = lot
    session.flush()
    return products, lots
