"""Par levels and replenishment transfers (issue 15) in the server's catalog cache and the handheld's snapshot:
a later pull changes a par level and picks a transfer, and both follow; a closed transfer leaves the
cache and the handhelds' catalogs (the handheld shows open ones only)."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from app.services.device_catalog import changes_since, snapshot
from offline_sync import catalog_cache
from offline_sync.backends.contract import Catalog, ParLevel, Replenishment, ReplenishmentLine
from offline_sync.persistence import utcnow
from tests.fakes import FakeBackend

WARD, STORE = 20, 8


@dataclass
class Pulls(FakeBackend):
    pulls: list[Catalog] = field(default_factory=list)

    def catalog(self, since: datetime | None = None) -> Catalog:
        return self.pulls.pop(0)


def _transfer(state: str, picked: float, lots: tuple[tuple[str, float], ...]) -> Replenishment:
    return Replenishment(12, "WH/INT/00012", state, STORE, WARD, (ReplenishmentLine(7, 8, picked, lots),))


def test_par_levels_and_transfers_are_cached_and_sent_to_handhelds_as_they_change(factory: sessionmaker[Session]) -> None:
    backend = Pulls(pulls=[
        Catalog(as_of=utcnow(), par_levels=(ParLevel(7, WARD, 4, 20),), replenishments=(_transfer("open", 0, ()),)),
        Catalog(as_of=utcnow(), par_levels=(ParLevel(7, WARD, 6, 30),),
                replenishments=(_transfer("open", 5, (("L1", 3), ("L2", 2))),)),
        Catalog(as_of=utcnow(), replenishments=(_transfer("done", 8, (("L1", 3), ("L2", 5))),)),
    ])
    with factory.begin() as session:
        assert catalog_cache.refresh(session, backend) == 2
    with factory() as session:
        first = snapshot(session)
    with factory.begin() as session:
        assert catalog_cache.refresh(session, backend) == 2
    with factory() as session:
        second = snapshot(session)

    assert first["par_levels"] == [{"product_id": 7, "location_id": WARD, "minimum": 4, "maximum": 20}]
    assert first["replenishments"] == [{
        "id": 12, "reference": "WH/INT/00012", "state": "open", "source_id": STORE, "destination_id": WARD,
        "lines": [{"product_id": 7, "requested": 8, "picked": 0, "lots": []}],
    }]
    assert second["par_levels"] == [{"product_id": 7, "location_id": WARD, "minimum": 6, "maximum": 30}]
    (picked,) = second["replenishments"]
    assert (picked["state"], picked["lines"]) == (
        "open", [{"product_id": 7, "requested": 8, "picked": 5, "lots": [["L1", 3], ["L2", 2]]}])
    assert second["version"] != first["version"]

    with factory.begin() as session:
        assert catalog_cache.refresh(session, backend) == 1
    with factory() as session:
        third = snapshot(session)
        delta = changes_since(session, second["version"])
    assert third["replenishments"] == []
    assert delta == {"version": third["version"], "full": False, "changes": {"replenishments": {"upsert": [], "delete": [12]}}}
