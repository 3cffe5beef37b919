"""The server's catalog cache keeps every GTIN that names a product, each with its units per scan."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync import catalog_cache
from offline_sync.backends.contract import Catalog, Product
from offline_sync.catalog_cache import CachedProduct
from offline_sync.persistence import utcnow
from tests.fakes import FakeBackend


def _syringe(gtin: str, pack_quantity: float) -> Product:
    return Product(id=7, gtin=gtin, name="Syringe 10 ml", code="SYR-10ML", unit="Units",
                   tracked_by_lot=True, uses_expiry=True, pack_quantity=pack_quantity)


@dataclass
class CatalogBackend(FakeBackend):
    """Answers each pull with the next catalog's products."""

    pulls: list[tuple[Product, ...]] = field(default_factory=list)

    def catalog(self, since: datetime | None = None) -> Catalog:
        return Catalog(as_of=utcnow(), products=self.pulls.pop(0))


def _cached(session: Session) -> list[tuple[int, str, float]]:
    rows = session.scalars(select(CachedProduct).order_by(CachedProduct.gtin))
    return [(row.id, row.gtin, row.pack_quantity) for row in rows]


def test_a_box_gtin_is_kept_beside_the_products_own_and_its_quantity_follows_changes(
    factory: sessionmaker[Session],
) -> None:
    backend = CatalogBackend(pulls=[
        (_syringe("05012345100029", 1.0), _syringe("15012345100026", 10.0)),
        (_syringe("15012345100026", 12.0),),  # the box now holds 12
    ])
    with factory.begin() as session:
        assert catalog_cache.refresh(session, backend) == 2
    with factory() as session:
        assert _cached(session) == [(7, "05012345100029", 1.0), (7, "15012345100026", 10.0)]

    with factory.begin() as session:
        assert catalog_cache.refresh(session, backend) == 1
    with factory() as session:
        assert _cached(session) == [(7, "05012345100029", 1.0), (7, "15012345100026", 12.0)]
