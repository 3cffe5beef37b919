"""Lot history benchmark (prints figures; not a test): the two reads of a recall trace, lot after lot,
on 20,000 lots: the sandbox's `lot_history` on a ledger of 200,000 done moves, and `lines_for_lot` on
as many of Wardstock's own consumption lines (the outbox's command_lots index).

    python tests/bench/bench_lot_history.py [--database-url URL] [--lots 20000] [--moves 200000] [--asks 500]

Without --database-url it uses a fresh SQLite file. The tables are the sandbox's own (its indexes
included); the moves are spread evenly over the lots, every tenth through a picking, and each has
a stored consumption command of one line.
"""
import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import sessionmaker

import offline_sync.outbox.models  # noqa: F401  (the outbox's tables)
from offline_sync.backends.gtin import to_gtin14
from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.backends.sandbox.models import (
    PickingKind,
    SandboxLocation,
    SandboxLot,
    SandboxMove,
    SandboxPicking,
    SandboxProduct,
    SandboxQuant,
    State,
    Usage,
)
from offline_sync.outbox.lot_index import lines_for_lot
from offline_sync.outbox.models import CommandLot, OutboxCommand, Status
from offline_sync.persistence import Base
from scanners.gtin import check_digit

PRODUCTS, LOCATIONS, CHUNK = 200, 50, 20_000


def barcode(number: int) -> str:
    body = f"29{number:010d}"
    return body + str(check_digit(body))


def fill(sessions: sessionmaker, lots: int, moves: int) -> list[tuple[str, str]]:
    """The ledger, written in chunks; answers every lot as (gtin, lot name)."""
    start = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    with sessions.begin() as session:
        session.execute(insert(SandboxLocation), [
            {"id": n, "barcode": f"BENCH-{n}", "name": f"Bench {n}", "complete_name": f"CS/Bench {n}",
             "usage": Usage.SUPPLIER if n == 1 else Usage.INTERNAL}
            for n in range(1, LOCATIONS + 1)
        ])
        session.execute(insert(SandboxProduct), [
            {"id": n, "barcode": barcode(n), "name": f"Bench product {n}"} for n in range(1, PRODUCTS + 1)
        ])
        session.execute(insert(SandboxLot), [
            {"id": n, "product_id": n % PRODUCTS + 1, "name": f"L{n:06d}"} for n in range(1, lots + 1)
        ])
        session.execute(insert(SandboxQuant), [
            {"product_id": n % PRODUCTS + 1, "location_id": n % (LOCATIONS - 1) + 2, "lot_id": n, "quantity": 5.0}
            for n in range(1, lots + 1)
        ])
        session.execute(insert(SandboxPicking), [
            {"id": n, "name": f"CS/INT/{n:06d}", "kind": PickingKind.INTERNAL, "state": State.DONE,
             "location_id": 2, "location_dest_id": 3}
            for n in range(1, moves // 10 + 1)
        ])
    for first in range(0, moves, CHUNK):
        with sessions.begin() as session:
            session.execute(insert(SandboxMove), [
                {"picking_id": n // 10 + 1 if n % 10 == 0 else None, "product_id": (n % lots + 1) % PRODUCTS + 1,
                 "lot_id": n % lots + 1, "quantity": 1.0, "reference": f"REF-{n}", "origin": f"WS-{n}",
                 "location_id": n % (LOCATIONS - 1) + 2, "location_dest_id": (n + 7) % (LOCATIONS - 1) + 2,
                 "state": State.DONE, "date": start + timedelta(minutes=n)}
                for n in range(first, min(first + CHUNK, moves))
            ])
    return [(to_gtin14(barcode(n % PRODUCTS + 1)), f"L{n:06d}") for n in range(1, lots + 1)]


def fill_outbox(sessions: sessionmaker, lots: int, commands: int) -> None:
    """One done consumption of one line per move, with its case reference, and its command_lots row."""
    start = datetime(2026, 1, 1)
    for first in range(0, commands, CHUNK):
        numbers = range(first, min(first + CHUNK, commands))
        with sessions.begin() as session:
            session.execute(insert(OutboxCommand), [
                {"op_id": f"00000000-0000-4000-8000-{n:012d}", "kind": "consume", "device_id": "bench", "device_seq": n,
                 "user_id": 1, "username": "bench", "captured_at": start + timedelta(minutes=n), "lane": "location:BENCH-2",
                 "payload": {"location": "BENCH-2", "reference": f"CASE-{n}",
                             "lines": [{"gtin": to_gtin14(barcode((n % lots + 1) % PRODUCTS + 1)), "lot": f"L{n % lots + 1:06d}",
                                        "quantity": 1}]},
                 "status": Status.DONE}
                for n in numbers
            ])
            session.execute(insert(CommandLot), [
                {"op_id": f"00000000-0000-4000-8000-{n:012d}", "kind": "consume",
                 "gtin": to_gtin14(barcode((n % lots + 1) % PRODUCTS + 1)), "lot": f"L{n % lots + 1:06d}", "location": "BENCH-2",
                 "quantity": 1.0, "captured_at": start + timedelta(minutes=n), "user_id": 1}
                for n in numbers
            ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--lots", type=int, default=20_000)
    parser.add_argument("--moves", type=int, default=200_000)
    parser.add_argument("--asks", type=int, default=500)
    options = parser.parse_args()
    url = options.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    engine = create_engine(url)
    tables = [table for name, table in Base.metadata.tables.items()
              if name.startswith("sandbox_") or name in ("outbox_commands", "command_lots")]
    Base.metadata.drop_all(engine, tables=tables)
    Base.metadata.create_all(engine, tables=tables)
    sessions = sessionmaker(engine, expire_on_commit=False)
    began = time.perf_counter()
    every_lot = fill(sessions, options.lots, options.moves)
    fill_outbox(sessions, options.lots, options.moves)
    print(f"ledger: {options.lots} lots, {options.moves} moves and as many command lines written in "
          f"{time.perf_counter() - began:.1f} s")
    backend = SandboxBackend(sessions)
    asked = random.Random(16).sample(every_lot, min(options.asks, len(every_lot)))
    report("lot_history", asked, lambda gtin, lot: len(backend.lot_history(gtin, lot).moves), "moves")
    with sessions() as session:
        report("lines_for_lot", asked, lambda gtin, lot: len(lines_for_lot(session, gtin, lot)), "command lines")


def report(name: str, asked: list[tuple[str, str]], read: Callable[[str, str], int], what: str) -> None:
    timings, found = [], 0
    for gtin, lot in asked:
        began = time.perf_counter()
        found += read(gtin, lot)
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    print(f"{name}: {len(timings)} lots asked, {found / len(timings):.1f} {what} each; "
          f"median {statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} ms, "
          f"max {timings[-1]:.2f} ms")


if __name__ == "__main__":
    main()
