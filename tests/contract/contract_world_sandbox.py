"""The sandbox's fixture world: a fresh SQLite file with the demo data, built straight on the ledger."""

import itertools
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from contract_world import LABEL_EXPIRY
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import OutcomeStatus
from offline_sync.backends.gtin import to_gtin14
from offline_sync.backends.sandbox import ledger, lookup
from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.backends.sandbox.demo import load_demo_stock
from offline_sync.backends.sandbox.models import (
    PickingKind,
    SandboxLocation,
    SandboxProduct,
    SandboxQuant,
    Tracking,
    Usage,
)
from offline_sync.persistence import Base, utcnow
from scanners.gtin import check_digit

SANDBOX_TABLES = [table for name, table in Base.metadata.tables.items() if name.startswith("sandbox_")]


def sandbox_sessions(path: Path) -> sessionmaker[Session]:
    engine = create_engine(f"sqlite:///{path}")
    # A test's database is thrown away: no need to wait for the disk at every commit.
    event.listen(engine, "connect", lambda connection, _: connection.execute("PRAGMA synchronous = OFF"))
    return sessionmaker(engine, expire_on_commit=False)


def make_demo_database(path: Path) -> None:
    """The sandbox's tables with the demo data, in a SQLite file that each test copies."""
    sessions = sandbox_sessions(path)
    Base.metadata.create_all(sessions.kw["bind"], tables=SANDBOX_TABLES)
    with sessions.begin() as session:
        load_demo_stock(session, date.today())
    sessions.kw["bind"].dispose()


class SandboxWorld:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._sessions = sandbox_sessions(path)
        self.backend = SandboxBackend(self._sessions)
        self._numbers = itertools.count(1)
        self._restarts: list[sessionmaker[Session]] = []

    def unique(self, stem: str) -> str:
        return f"{stem}-{next(self._numbers)}"

    def _gtin(self, prefix: str) -> str:
        body = f"{prefix}{next(self._numbers):09d}"  # GS1 prefixes 20-29: for internal use, never on real goods
        return to_gtin14(body + str(check_digit(body)))

    def product(self, *, tracked: bool = True) -> str:
        gtin = self._gtin("200")
        with self._sessions.begin() as session:
            session.add(
                SandboxProduct(
                    barcode=gtin[1:],
                    name=self.unique("Test item"),
                    default_code=self.unique("TST"),
                    tracking=Tracking.LOT if tracked else Tracking.NONE,
                    use_expiration_date=tracked,
                    expiration_time=730 if tracked else 0,
                )
            )
        return gtin

    def unknown_gtin(self) -> str:
        return self._gtin("290")

    def lot(self, gtin: str, expiry: date | None = LABEL_EXPIRY) -> str:
        name = self.unique("LOT")
        assert self.backend.create_lot(gtin, name, expiry).status == OutcomeStatus.APPLIED
        return name

    def recall(self, gtin: str, lot: str) -> None:
        assert self.backend.set_lot_recalled(gtin, lot, True).status == OutcomeStatus.APPLIED

    def location(self, *, archived: bool = False) -> str:
        barcode = self.unique("TEST-LOC")
        with self._sessions.begin() as session:
            session.add(
                SandboxLocation(
                    barcode=barcode,
                    name=barcode,
                    complete_name=f"CS/{barcode}",
                    usage=Usage.INTERNAL,
                    active=not archived,
                )
            )
        return barcode

    def archive_product(self, gtin: str, *, archived: bool = True) -> None:
        with self._sessions.begin() as session:
            lookup.product_by_gtin(session, gtin).active = not archived

    def archive_location(self, barcode: str) -> None:
        with self._sessions.begin() as session:
            session.scalars(select(SandboxLocation).where(SandboxLocation.barcode == barcode)).one().active = False

    def put(self, gtin: str, lot: str | None, location: str, quantity: float) -> None:
        with self._sessions.begin() as session:
            ledger.set_on_hand(session, self._quant(session, gtin, lot, location), quantity, "Test stock")

    def receipt(self, destination: str, demand: Mapping[str, float]) -> str:
        with self._sessions.begin() as session:
            picking = ledger.new_picking(
                session,
                PickingKind.RECEIPT,
                lookup.location_for(session, Usage.SUPPLIER),
                lookup.storage_location(session, destination),
                origin=self.unique("PO"),
            )
            for gtin, quantity in demand.items():
                ledger.add_move(picking, lookup.product_by_gtin(session, gtin), None, demand=quantity)
            return picking.name

    def on_hand(self, gtin: str, lot: str | None, location: str) -> float:
        with self._sessions() as session:
            product = lookup.product_by_gtin(session, gtin)
            if lot is not None and lookup.find_lot(session, product, lot) is None:
                return 0.0
            return self._quant(session, gtin, lot, location).quantity

    def _quant(self, session: Session, gtin: str, lot: str | None, location: str) -> SandboxQuant:
        product = lookup.product_by_gtin(session, gtin)
        place = session.scalar(select(SandboxLocation).where(SandboxLocation.barcode == location))
        return ledger.quant_of(session, product, place, lookup.known_lot(session, product, lot))

    def moment(self) -> datetime:
        return utcnow()

    def restarted(self) -> SandboxBackend:
        sessions = sandbox_sessions(self._path)
        self._restarts.append(sessions)
        return SandboxBackend(sessions)

    def close(self) -> None:
        for sessions in (self._sessions, *self._restarts):
            sessions.kw["bind"].dispose()
