"""A lot's history is read through indexes, never by scanning the ledger: on 200,000 moves a scan is what
makes a recall trace slow (tests/bench/bench_lot_history.py measures it). Checked on SQLite's query plans."""

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.gtin import to_gtin14
from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.backends.sandbox.models import SandboxLot, SandboxMove, SandboxProduct

LEDGER_TABLES = ("sandbox_move", "sandbox_quant", "sandbox_lot", "sandbox_picking")


def test_every_read_of_a_lot_s_history_searches_by_index(sessions: sessionmaker[Session], backend: SandboxBackend) -> None:
    with sessions() as session:
        barcode, lot = session.execute(
            select(SandboxProduct.barcode, SandboxLot.name)
            .join(SandboxLot, SandboxLot.product_id == SandboxProduct.id)
            .join(SandboxMove, SandboxMove.lot_id == SandboxLot.id)
            .limit(1)
        ).one()
    engine = sessions.kw["bind"]
    statements: list[tuple[str, object]] = []

    def record(_connection, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        history = backend.lot_history(to_gtin14(barcode), lot)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert history.moves and len(statements) >= 3  # the lot, where it is, where it went
    with engine.connect() as connection:
        plans = [
            detail
            for statement, parameters in statements
            for *_, detail in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
    scans = [detail for detail in plans if detail.startswith("SCAN") and any(table in detail for table in LEDGER_TABLES)]
    assert not scans, plans
    assert any("sandbox_move USING INDEX" in detail for detail in plans), plans
