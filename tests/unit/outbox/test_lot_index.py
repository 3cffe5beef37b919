"""The command_lots index: a stored command's lines by product and lot, filled once, following resolutions."""
from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.outbox.lot_index import lines_for_lot
from offline_sync.outbox.models import CommandLot, OutboxCommand, Status
from offline_sync.outbox.resolutions import resolve
from tests.fakes import FakeBackend
from tests.unit.outbox.conftest import Clock

GTIN = "05012345100012"


def consume(lot: str, quantity: int = 2, reference: str = "CASE-881") -> dict:
    return {"location": "WARD-3B", "lines": [{"gtin": GTIN, "lot": lot, "quantity": quantity}], "reference": reference}


def test_a_stored_consumption_is_found_by_its_lot_with_its_case_reference(
    factory: sessionmaker[Session], enqueue: Callable[..., str], clock: Clock
) -> None:
    used = enqueue("consume", consume("L1"))
    enqueue("consume", consume("L2"))
    scrapped = enqueue("scrap", {"location": "WARD-3B", "lines": [{"gtin": GTIN, "lot": "L1", "quantity": 1}], "reason": "damaged"})
    with factory() as session:
        found = lines_for_lot(session, GTIN, "L1")
    assert [(line.op_id, line.kind, line.location, line.quantity, line.reference, line.username, line.status)
            for line in found] == [(used, "consume", "WARD-3B", 2.0, "CASE-881", "sam", Status.QUEUED),
                                   (scrapped, "scrap", "WARD-3B", 1.0, "", "sam", Status.QUEUED)]
    assert found[0].captured_at == clock()


def test_a_command_sent_again_is_indexed_once(factory: sessionmaker[Session], enqueue: Callable[..., str]) -> None:
    op_id = enqueue("consume", consume("L1"))
    enqueue("consume", consume("L1"), op_id=op_id)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(CommandLot).where(CommandLot.op_id == op_id)) == 1


def test_a_recall_indexes_each_lot_it_names(factory: sessionmaker[Session], enqueue: Callable[..., str]) -> None:
    enqueue("recall", {"gtin": GTIN, "lots": ["L1", "L2"], "notice": "FSN-9"})
    with factory() as session:
        assert [line.kind for line in lines_for_lot(session, GTIN, "L2")] == ["recall"]


def test_a_resolution_that_picks_another_lot_moves_the_line_to_it(
    factory: sessionmaker[Session], enqueue: Callable[..., str], clock: Clock
) -> None:
    op_id = enqueue("consume", consume("L1"))
    with factory() as session, session.begin():
        session.execute(update(OutboxCommand).where(OutboxCommand.op_id == op_id)
                        .values(status=Status.CONFLICT, conflict_kind="unknown_lot"))
    with factory() as session, session.begin():
        resolve(session, FakeBackend(), op_id, "pick_lot", actor="sup", reason="label misread", params={"lot": "L9"}, now=clock())
    with factory() as session:
        assert lines_for_lot(session, GTIN, "L1") == []
        assert [line.op_id for line in lines_for_lot(session, GTIN, "L9")] == [op_id]
