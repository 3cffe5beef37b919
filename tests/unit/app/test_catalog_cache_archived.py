"""What the backend archives leaves the server's catalog cache at the next incremental pull, once."""

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from offline_sync.backends.sandbox.models import SandboxLocation, SandboxProduct
from offline_sync.catalog_cache import CachedLocation, CachedLot, CachedProduct, CachedStock

SYRINGE = "5012345100029"  # has a box of 10 (a second GTIN), two lots and stock in three places


def _count(model: type, *where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_an_archived_product_and_location_leave_the_cache_with_their_rows_and_the_version_moves_once(
    app: Flask, runner
) -> None:
    from app.services.device_catalog import version
    from app.services.sync import refresh_catalog

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        refresh_catalog()
        product = db.session.scalar(select(SandboxProduct).where(SandboxProduct.barcode == SYRINGE))
        cart = db.session.scalar(select(SandboxLocation).where(SandboxLocation.barcode == "WARD-ICU-CART"))
        product_id, cart_id = product.id, cart.id
        assert _count(CachedProduct, CachedProduct.id == product_id) == 2
        assert _count(CachedStock, CachedStock.location_id == cart_id) > 0
        before = version(db.session)

        product.active, cart.active = False, False
        db.session.commit()
        assert refresh_catalog() > 0
        after = version(db.session)

        assert after != before
        assert _count(CachedProduct, CachedProduct.id == product_id) == 0  # its own GTIN and its box's
        assert _count(CachedLot, CachedLot.product_id == product_id) == 0
        assert _count(CachedStock, CachedStock.product_id == product_id) == 0
        assert _count(CachedLocation, CachedLocation.id == cart_id) == 0
        assert _count(CachedStock, CachedStock.location_id == cart_id) == 0
        assert _count(CachedProduct) > 0 and _count(CachedLot) > 0  # the rest stays
        # The next pull reads the same archive again (its overlap): nothing changes, no download.
        assert refresh_catalog() == 0 and version(db.session) == after
