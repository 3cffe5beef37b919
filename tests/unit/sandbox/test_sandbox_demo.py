"""The demo stock: the dataset of odoo-rpc-notes.md, expiries relative to the day it is loaded."""

from datetime import date, timedelta

from sandbox_support import assert_quants_match_moves, demo_sessions
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.gtin import is_gtin
from offline_sync.backends.sandbox.demo import PRODUCTS, load_demo_stock
from offline_sync.backends.sandbox.models import (
    SandboxLocation,
    SandboxLot,
    SandboxPicking,
    SandboxProduct,
    SandboxQuant,
    State,
)

TABLES = (SandboxLocation, SandboxProduct, SandboxLot, SandboxQuant, SandboxPicking)


def _sizes(session: Session) -> dict[str, int]:
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def test_the_demo_dataset_is_loaded(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert _sizes(session) == {
            "sandbox_location": 12,  # with the quarantine and the scrap locations
            "sandbox_product": 8,
            "sandbox_lot": 16,
            "sandbox_quant": 29,
            "sandbox_picking": 1,
        }
        in_store = session.scalar(
            select(func.count())
            .select_from(SandboxQuant)
            .join(SandboxQuant.location)
            .where(SandboxLocation.barcode == "CS-STOCK")
        )
        assert in_store == 16
        supply = session.scalar(select(SandboxLocation).where(SandboxLocation.barcode == "WARD-3B-SUPPLY"))
        assert supply.complete_name == "CS/Ward 3B/Supply Room"
        assert session.get(SandboxLocation, supply.parent_id).barcode == "WARD-3B"
        assert {
            loc.barcode: loc.usage for loc in session.scalars(select(SandboxLocation)) if loc.usage != "internal"
        } == {
            "PATIENT-USE": "consumption",
            "VENDORS": "supplier",
            "INV-ADJ": "inventory",
            "SCRAP": "inventory",
        }
        quarantine = session.scalar(select(SandboxLocation).where(SandboxLocation.barcode == "WS-QUARANTINE"))
        assert (quarantine.usage, quarantine.complete_name) == ("internal", "CS/Quarantine")


def test_the_open_receipt_is_cs_in_00001(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        receipt = session.scalar(select(SandboxPicking))
        assert (receipt.name, receipt.state, receipt.location.barcode, receipt.location_dest.barcode) == (
            "CS/IN/00001",
            State.ASSIGNED,
            "VENDORS",
            "CS-STOCK",
        )
        assert [(move.product.default_code, move.product_uom_qty) for move in receipt.moves] == [
            ("IVC-20G", 100),
            ("NACL-500", 48),
            ("GLV-NIT-M", 20),
        ]


def test_every_demo_gtin_has_a_valid_check_digit() -> None:
    assert all(is_gtin(barcode) for barcode, *_ in PRODUCTS)


def test_expiries_follow_the_day_of_loading() -> None:
    today = date(2030, 6, 1)
    with demo_sessions(today)() as session:
        lots = {lot.name: lot for lot in session.scalars(select(SandboxLot))}
    assert lots["IVC20-A231"].expiration_date == today - timedelta(days=20)  # expired
    assert lots["IVC20-B245"].expiration_date == today + timedelta(days=25)  # near
    assert lots["GLV-M-01"].expiration_date == today + timedelta(days=900)  # far
    recalled = [lot for lot in lots.values() if lot.recalled]
    assert len(recalled) == 1 and recalled[0].expiration_date > today + timedelta(days=365)


def test_loading_again_changes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        before = _sizes(session)
        load_demo_stock(session, date.today())
    with sessions() as session:
        assert _sizes(session) == before


def test_the_demo_stock_came_through_moves(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert_quants_match_moves(session)
