"""Ways out of the conflicts of waste commands: a return whose receipt cannot be found is scrapped instead
(same lines, same reason) or discarded; waste never goes below what is on hand, so "apply anyway" is not offered."""
from collections.abc import Callable

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import ItemLine, Scrap, WasteReason
from offline_sync.outbox.lot_index import lines_for_lot
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.resolutions import ResolutionError, effective_command, offered, resolve
from tests.fakes import FakeBackend
from tests.unit.outbox.conftest import Clock

GTIN = "05012345100012"
LINES = [{"gtin": GTIN, "lot": "L1", "quantity": 3}]


def parked(factory: sessionmaker[Session], op_id: str, conflict: str) -> None:
    with factory() as session, session.begin():
        session.execute(update(OutboxCommand).where(OutboxCommand.op_id == op_id)
                        .values(status=Status.CONFLICT, conflict_kind=conflict))


def test_a_return_without_its_receipt_is_scrapped_instead_with_its_reason(
    factory: sessionmaker[Session], enqueue: Callable[..., str], clock: Clock
) -> None:
    op_id = enqueue("vendor_return", {"source": "CS-STOCK", "lines": LINES, "reason": "damaged", "note": "crushed"})
    parked(factory, op_id, "receipt_not_found")
    assert [choice.action for choice in offered("receipt_not_found", "vendor_return")] == ["scrap_instead", "discard"]

    with factory() as session, session.begin():
        resolved = resolve(session, FakeBackend(), op_id, "scrap_instead", actor="sup", reason="no receipt in Odoo",
                           params={}, now=clock())

    assert resolved.status == Status.QUEUED
    with factory() as session:
        row = session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == op_id))
        command = effective_command(row.kind, row.op_id, row.captured_at, row.payload, row.resolution)
        assert command == Scrap(op_id, "CS-STOCK", (ItemLine(GTIN, 3, "L1"),), WasteReason.DAMAGED, "crushed")
        assert row.payload["source"] == "CS-STOCK"  # the device's payload is kept as sent
        assert [(line.kind, line.location) for line in lines_for_lot(session, GTIN, "L1")] == [("scrap", "CS-STOCK")]


@pytest.mark.parametrize("kind, payload", [
    ("scrap", {"location": "WARD-3B", "lines": LINES, "reason": "expired"}),
    ("quarantine", {"source": "WARD-3B", "lines": LINES}),
    ("vendor_return", {"source": "WARD-3B", "lines": LINES, "reason": "recalled"}),
])
def test_waste_beyond_what_is_on_hand_is_reduced_or_discarded_never_applied_anyway(
    factory: sessionmaker[Session], enqueue: Callable[..., str], clock: Clock, kind: str, payload: dict
) -> None:
    op_id = enqueue(kind, payload)
    parked(factory, op_id, "insufficient_stock")
    assert [choice.action for choice in offered("insufficient_stock", kind)] == ["reduce", "discard"]
    assert "apply_anyway" in [choice.action for choice in offered("insufficient_stock", "transfer")]

    with factory() as session, session.begin(), pytest.raises(ResolutionError, match="not a way out"):
        resolve(session, FakeBackend(), op_id, "apply_anyway", actor="sup", reason="r", params={}, now=clock())
    with factory() as session, session.begin():
        resolve(session, FakeBackend(), op_id, "reduce", actor="sup", reason="only 2 left", params={"quantity": 2}, now=clock())
    with factory() as session:
        row = session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == op_id))
        command = effective_command(row.kind, row.op_id, row.captured_at, row.payload, row.resolution)
        assert [line.quantity for line in command.lines] == [2]
