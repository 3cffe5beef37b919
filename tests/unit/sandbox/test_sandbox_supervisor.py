"""The helpers a supervisor's resolutions (and the trainer) use: lots, expiries, recalls, GTIN links."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import ConflictKind, Consume, ItemLine, OutcomeStatus, Receive
from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.backends.sandbox.models import SandboxPackaging, SandboxProduct

IVC, SYRINGE = "05012345100012", "05012345100029"
NEW_GTIN = "05012345999999"
LATER = date.today() + timedelta(days=800)


def _product_id(backend: SandboxBackend, gtin: str) -> int:
    return next(product.id for product in backend.catalog().products if product.gtin == gtin)


def test_create_lot_then_again_is_a_duplicate_and_another_expiry_a_conflict(backend: SandboxBackend) -> None:
    created = backend.create_lot(IVC, "IVC20-X1", LATER)

    assert created.status == OutcomeStatus.APPLIED and created.refs["lot_id"]
    assert backend.create_lot(IVC, "IVC20-X1", LATER).status == OutcomeStatus.DUPLICATE
    assert backend.create_lot(IVC, "IVC20-X1", LATER + timedelta(days=1)).conflict == ConflictKind.EXPIRY_MISMATCH
    assert backend.create_lot(NEW_GTIN, "ANY", LATER).conflict == ConflictKind.UNKNOWN_PRODUCT


def test_updating_the_lot_expiry_lets_the_parked_receive_through(backend: SandboxBackend) -> None:
    receive = Receive("op-1", "CS/IN/00001", (ItemLine(IVC, 10, "IVC20-C260", LATER),))
    assert backend.receive(receive).conflict == ConflictKind.EXPIRY_MISMATCH

    assert backend.set_lot_expiry(IVC, "IVC20-C260", LATER).status == OutcomeStatus.APPLIED

    assert backend.receive(receive).status == OutcomeStatus.APPLIED
    assert backend.set_lot_expiry(IVC, "NO-SUCH-LOT", LATER).conflict == ConflictKind.UNKNOWN_LOT


def test_a_recall_blocks_use_until_it_is_lifted(backend: SandboxBackend) -> None:
    use = ItemLine(IVC, 1, "IVC20-C260")
    backend.set_lot_recalled(IVC, "IVC20-C260", True)
    refused = backend.consume(Consume("op-1", "WARD-ICU-CART", (use,)))

    backend.set_lot_recalled(IVC, "IVC20-C260", False)

    assert refused.conflict == ConflictKind.EXPIRED_OR_RECALLED and "recalled" in refused.message
    assert backend.consume(Consume("op-2", "WARD-ICU-CART", (use,))).status == OutcomeStatus.APPLIED


def test_a_linked_gtin_names_the_product_from_then_on(backend: SandboxBackend) -> None:
    use = Consume("op-1", "WARD-3B-SUPPLY", (ItemLine(NEW_GTIN, 2, "IVC20-B245"),))
    assert backend.consume(use).conflict == ConflictKind.UNKNOWN_PRODUCT
    ivc = _product_id(backend, IVC)

    linked = backend.link_gtin(NEW_GTIN, ivc)

    assert linked.status == OutcomeStatus.APPLIED, linked.message
    assert backend.consume(use).status == OutcomeStatus.APPLIED
    assert backend.link_gtin(NEW_GTIN, ivc).status == OutcomeStatus.DUPLICATE
    assert IVC in {product.gtin for product in backend.catalog().products}  # the first GTIN still names it


def test_a_gtin_naming_another_product_or_a_missing_product_cannot_be_linked(backend: SandboxBackend) -> None:
    taken = backend.link_gtin(SYRINGE, _product_id(backend, IVC))

    assert (taken.conflict, taken.detail["product_id"]) == (ConflictKind.NOT_PERMITTED, _product_id(backend, SYRINGE))
    assert backend.link_gtin(NEW_GTIN, 9999).conflict == ConflictKind.UNKNOWN_PRODUCT
    assert backend.link_gtin("05012345999990", _product_id(backend, IVC)).conflict == ConflictKind.UNKNOWN_PRODUCT


def test_a_product_without_barcode_gets_the_linked_gtin_as_its_barcode(
    backend: SandboxBackend, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        product = SandboxProduct(name="Suture kit", default_code="SUT-KIT")
        session.add(product)
    assert "" in {entry.gtin for entry in backend.catalog().products if entry.id == product.id}

    backend.link_gtin(NEW_GTIN, product.id)

    with sessions() as session:
        assert session.get(SandboxProduct, product.id).barcode == NEW_GTIN[1:]
        assert not session.scalars(select(SandboxPackaging).where(SandboxPackaging.product_id == product.id)).all()
