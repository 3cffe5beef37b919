"""The catalog change log: only rows that really changed move the version, and a handheld gets
nothing, the delta or a full snapshot depending on the version it holds."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.services.device_catalog import changes_since, snapshot
from offline_sync import catalog_cache, catalog_log
from offline_sync.backends.contract import Catalog, Location, Lot, Product, Receipt, ReceiptLine, StockLevel
from offline_sync.catalog_cache import CatalogState
from offline_sync.catalog_log import CatalogChange
from offline_sync.persistence import utcnow
from tests.fakes import FakeBackend

SYRINGE = Product(id=7, gtin="05012345100029", name="Syringe 10 ml", code="SYR-10ML", unit="Units", tracked_by_lot=True,
                  uses_expiry=True)
LOT = Lot(id=70, product_id=7, name="SYR-1", expiry=date(2027, 3, 1))
WARD = Location(id=20, barcode="WARD-3B", name="Ward 3B", parent_id=None, usage="internal")
RECEIPT = Receipt(id=5, reference="CS/IN/00005", state="open", destination_id=20, lines=(ReceiptLine(7, 10, 0),))


@dataclass
class Pulls(FakeBackend):
    pulls: list[Catalog] = field(default_factory=list)

    def catalog(self, since: datetime | None = None) -> Catalog:
        return self.pulls.pop(0)


def _pull(**tables) -> Catalog:
    return Catalog(as_of=utcnow(), **tables)


def _refresh(factory: sessionmaker[Session], backend: Pulls, now: datetime | None = None) -> int:
    with factory.begin() as session:
        return catalog_cache.refresh(session, backend, now)


def _version(factory: sessionmaker[Session]) -> str:
    with factory() as session:
        return snapshot(session)["version"]


def test_a_refresh_that_changes_nothing_leaves_the_version_and_log_alone(factory: sessionmaker[Session]) -> None:
    whole = _pull(products=(SYRINGE,), lots=(LOT,), locations=(WARD,), receipts=(RECEIPT,),
                  stock=(StockLevel(7, 20, 70, 4.0),))
    backend = Pulls(pulls=[whole, whole, _pull()])
    assert _refresh(factory, backend) == 5
    first = _version(factory)
    assert _refresh(factory, backend) == 0  # the same rows again
    assert _refresh(factory, backend) == 0  # nothing at all
    assert _version(factory) == first == "1"
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(CatalogChange).where(CatalogChange.version > 1)) == 0
        assert changes_since(session, first) == {"version": "1", "unchanged": True}


def test_one_changed_lot_is_the_whole_delta(factory: sessionmaker[Session]) -> None:
    recalled = Lot(id=70, product_id=7, name="SYR-1", expiry=date(2027, 3, 1), recalled=True)
    backend = Pulls(pulls=[_pull(products=(SYRINGE,), lots=(LOT,), locations=(WARD,)), _pull(products=(SYRINGE,), lots=(recalled,))])
    _refresh(factory, backend)
    held = _version(factory)
    assert _refresh(factory, backend) == 1
    with factory() as session:
        assert changes_since(session, held) == {"version": "2", "full": False, "changes": {"lots": {"upsert": [
            {"id": 70, "product_id": 7, "name": "SYR-1", "expiry": "2027-03-01", "recalled": True, "alert_date": None}],
            "delete": []}}}


def test_removed_and_emptied_rows_are_deletes_with_their_keys(factory: sessionmaker[Session]) -> None:
    backend = Pulls(pulls=[
        _pull(products=(SYRINGE,), lots=(LOT,), locations=(WARD,), stock=(StockLevel(7, 20, 70, 4.0), StockLevel(7, 20, None, 1.0))),
        _pull(stock=(StockLevel(7, 20, None, 0.0),)),  # a quant emptied: it leaves the handheld's catalog
        _pull(removed_products=(7,)),  # archived: its GTIN rows, lots and stock go
    ])
    _refresh(factory, backend)
    _refresh(factory, backend)
    with factory() as session:
        assert changes_since(session, "1")["changes"] == {"stock": {"upsert": [], "delete": [[7, 20, None]]}}
    _refresh(factory, backend)
    with factory() as session:
        changes = changes_since(session, "2")["changes"]
        since_start = changes_since(session, "1")["changes"]
    assert changes == {"products": {"upsert": [], "delete": [[7, SYRINGE.gtin]]}, "lots": {"upsert": [], "delete": [70]},
                       "stock": {"upsert": [], "delete": [[7, 20, None], [7, 20, 70]]}}
    assert since_start == changes  # the emptied quant's entry moved to the newer version


def test_a_handheld_with_none_too_old_or_unknown_gets_a_full_snapshot(factory: sessionmaker[Session]) -> None:
    lots = [Lot(id=70 + n, product_id=7, name=f"SYR-{n}", expiry=date(2027, 3, 1) + timedelta(days=n)) for n in range(5)]
    backend = Pulls(pulls=[_pull(products=(SYRINGE,), lots=(lot,)) for lot in lots])
    for _ in lots:
        _refresh(factory, backend)
    with factory.begin() as session:  # keep the last two versions only
        state = session.get(CatalogState, 1)
        state.oldest_version = catalog_log.prune(session, state.version, state.oldest_version, keep=2)
    with factory() as session:
        assert changes_since(session, "3")["full"] is False
        for known in (None, "", "2", "1", "99", "2026-12-07T10:00:00"):
            answer = changes_since(session, known)
            assert answer["full"] is True and answer["snapshot"] == snapshot(session), known
            assert answer["version"] == "5"
        assert session.scalar(select(func.min(CatalogChange.version))) == 4


def test_a_closed_receipt_stays_a_week_then_leaves_as_a_delete(factory: sessionmaker[Session]) -> None:
    closed = Receipt(id=5, reference="CS/IN/00005", state="done", destination_id=20, lines=(ReceiptLine(7, 10, 10),))
    start = utcnow()
    backend = Pulls(pulls=[_pull(receipts=(RECEIPT,)), _pull(receipts=(closed,)), _pull(receipts=(closed,)), _pull()])
    _refresh(factory, backend, start)
    assert _refresh(factory, backend, start + timedelta(minutes=1)) == 1
    assert _refresh(factory, backend, start + timedelta(days=3)) == 0  # seen closed again: still the first moment
    with factory() as session:
        assert [r["state"] for r in snapshot(session)["receipts"]] == ["done"]  # "already closed" on the handheld
    assert _refresh(factory, backend, start + timedelta(days=8)) == 1
    with factory() as session:
        assert snapshot(session)["receipts"] == []
        assert changes_since(session, "2")["changes"] == {"receipts": {"upsert": [], "delete": [5]}}
