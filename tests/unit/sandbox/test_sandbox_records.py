"""What the sandbox writes is shaped as Odoo writes it: picking names and keys, backorders,
inventory moves, pending counts; and how it fails when its database does."""

from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from offline_sync.backends.contract import (
    BackendUnavailable,
    ConflictKind,
    Consume,
    Count,
    CountResolution,
    ItemLine,
    OutcomeStatus,
    Receive,
    ResolveCount,
    Transfer,
    ValidateReceipt,
)
from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.backends.sandbox.models import SandboxMove, SandboxPicking, SandboxQuant, State
from offline_sync.persistence import utcnow

IVC = "05012345100012"


def _picking(sessions: sessionmaker[Session], name: str) -> SandboxPicking:
    with sessions() as session:
        return session.scalar(
            select(SandboxPicking)
            .where(SandboxPicking.name == name)
            .options(selectinload(SandboxPicking.moves), joinedload(SandboxPicking.location_dest))
        )


def test_a_backorder_is_a_new_receipt_pointing_at_the_first(
    backend: SandboxBackend, sessions: sessionmaker[Session]
) -> None:
    backend.receive(Receive("op-1", "CS/IN/00001", (ItemLine(IVC, 60, "IVC20-D300", None),)))
    backend.validate_receipt(ValidateReceipt("op-2", "CS/IN/00001", backorder=True))

    first, backorder = _picking(sessions, "CS/IN/00001"), _picking(sessions, "CS/IN/00002")

    assert (first.state, first.validation_key) == (State.DONE, "WS-op-2") and first.date_done
    assert [(move.state, move.origin) for move in first.moves] == [
        (State.DONE, "WS-op-1/0"),
        (State.CANCEL, None),
        (State.CANCEL, None),
    ]
    assert (backorder.state, backorder.backorder_id, backorder.origin) == (State.ASSIGNED, first.id, "P00001")
    assert [move.product_uom_qty for move in backorder.moves] == [40, 48, 20]


def test_a_new_lot_without_expiry_on_the_label_gets_the_products_expiration_time(backend: SandboxBackend) -> None:
    backend.receive(Receive("op-1", "CS/IN/00001", (ItemLine(IVC, 60, "IVC20-D300", None),)))

    lot = next(lot for lot in backend.catalog().lots if lot.name == "IVC20-D300")

    assert lot.expiry == date.today() + timedelta(days=730)


def test_a_consumption_is_a_cons_picking_to_patient_use_keyed_by_the_op_id(
    backend: SandboxBackend, sessions: sessionmaker[Session]
) -> None:
    outcome = backend.consume(Consume("op-1", "WARD-3B-SUPPLY", (ItemLine(IVC, 2, "IVC20-B245"),), reference="CASE-7"))

    picking = _picking(sessions, outcome.refs["picking"])

    assert (picking.name, picking.kind, picking.origin, picking.note) == (
        "CS/CONS/00001",
        "consumption",
        "WS-op-1",
        "CASE-7",
    )
    assert picking.location_dest.barcode == "PATIENT-USE"
    assert (
        backend.transfer(Transfer("op-2", "CS-STOCK", "WARD-ED", (ItemLine(IVC, 1, "IVC20-C260"),))).refs["picking"]
        == "CS/INT/00001"
    )


def test_a_count_is_an_inventory_move_found_by_its_reference_even_without_difference(
    backend: SandboxBackend, sessions: sessionmaker[Session]
) -> None:
    backend.count(Count("op-1", "WARD-3B-SUPPLY", IVC, "IVC20-B245", 30, utcnow(), seen_on_hand=30))

    with sessions() as session:
        move = session.scalar(select(SandboxMove).where(SandboxMove.reference == "COUNT-op-1"))
        assert (move.quantity, move.state, move.location_dest.barcode) == (0, State.DONE, "INV-ADJ")


def test_an_overtaken_count_is_left_pending_and_outdated_until_resolved(
    backend: SandboxBackend, sessions: sessionmaker[Session]
) -> None:
    count = Count("op-1", "WARD-3B-SUPPLY", IVC, "IVC20-B245", 28, utcnow().replace(tzinfo=UTC))
    backend.consume(Consume("op-2", "WARD-3B-SUPPLY", (ItemLine(IVC, 5, "IVC20-B245"),)))
    backend.count(count)

    def quant() -> SandboxQuant:
        with sessions() as session:
            return session.scalars(select(SandboxQuant).where(SandboxQuant.inventory_quantity_set)).one_or_none()

    pending = quant()
    assert (pending.inventory_quantity, pending.inventory_diff_quantity, pending.is_outdated) == (28, -2, True)
    backend.resolve_count(ResolveCount("op-1", count, CountResolution.KEEP_COUNTED))
    assert quant() is None


def test_malformed_commands_raise(backend: SandboxBackend) -> None:
    with pytest.raises(ValueError, match="more than zero"):
        backend.consume(Consume("op-1", "WARD-3B-SUPPLY", (ItemLine(IVC, 0, "IVC20-B245"),)))
    count = Count("op-2", "WARD-3B-SUPPLY", IVC, "IVC20-B245", 1, utcnow())
    with pytest.raises(ValueError, match="quantity"):
        backend.resolve_count(ResolveCount("op-2", count, CountResolution.EXPLICIT))


def test_an_unreachable_database_is_transient_for_commands_and_unavailable_for_reads(tmp_path: Path) -> None:
    backend = SandboxBackend(sessionmaker(create_engine(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}")))

    outcome = backend.consume(Consume("op-1", "WARD-3B-SUPPLY", (ItemLine(IVC, 1, "IVC20-B245"),)))

    assert outcome.status == OutcomeStatus.TRANSIENT and "tried again" in outcome.message
    with pytest.raises(BackendUnavailable):
        backend.catalog()


def test_a_cancelled_receipt_is_closed(backend: SandboxBackend, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.scalar(select(SandboxPicking)).state = State.CANCEL

    outcome = backend.receive(Receive("op-1", "CS/IN/00001", (ItemLine(IVC, 1, "IVC20-C260"),)))

    assert (outcome.conflict, outcome.detail["state"]) == (ConflictKind.RECEIPT_CLOSED, "cancelled")
    assert "unplanned receipt" in outcome.message
