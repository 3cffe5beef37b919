"""Ward replenishment (issue 15) through the real worker when every answer is lost: the backend applies each
command, then the worker hears only a timeout (as when Odoo commits and the connection drops before its
answer) and sends the command again later. Each of the four kinds must end done with one effect: the par
level as set, the line requested once, the lot picked once, the delivery moving the picked lots once.

Against the sandbox always; against a real Odoo when ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD (or
ODOO_API_KEY) are set (skipped loudly otherwise)."""
import os
import random
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

import offline_sync.outbox.models  # noqa: F401 - the outbox's tables
from offline_sync.backends.contract import Command, InventoryBackend, Outcome
from offline_sync.outbox.models import FINAL_STATUSES, OutboxCommand, Status
from offline_sync.outbox.payloads import parse
from offline_sync.outbox.store import Envelope, store
from offline_sync.outbox.worker import Worker
from offline_sync.persistence import Base, utcnow

CONTRACT = Path(__file__).resolve().parents[1] / "contract"
if str(CONTRACT) not in sys.path:
    sys.path.insert(0, str(CONTRACT))

from contract_world import World, product_id


class LosesEveryFirstAnswer:
    """The backend applies the command; the worker is told the answer timed out, the first time only."""

    def __init__(self, backend: InventoryBackend) -> None:
        self.backend, self.name = backend, backend.name
        self.sent: Counter[str] = Counter()

    def _lost(self, method: str, command: Command) -> Outcome:
        outcome = getattr(self.backend, method)(command)
        self.sent[command.op_id] += 1
        if self.sent[command.op_id] == 1:
            return Outcome.transient(f"No answer within the timeout (the inventory said: {outcome.status}).")
        return outcome

    def request_replenishment(self, command: Command) -> Outcome:
        return self._lost("request_replenishment", command)

    def set_par_level(self, command: Command) -> Outcome:
        return self._lost("set_par_level", command)

    def pick_replenishment(self, command: Command) -> Outcome:
        return self._lost("pick_replenishment", command)

    def deliver_replenishment(self, command: Command) -> Outcome:
        return self._lost("deliver_replenishment", command)


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sandbox", "odoo"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "sandbox":
        from contract_world_sandbox import SandboxWorld, make_demo_database

        make_demo_database(tmp_path / "sandbox.sqlite")
        made: World = SandboxWorld(tmp_path / "sandbox.sqlite")
    else:
        from offline_sync.backends.odoo.settings import OdooSettings

        try:
            OdooSettings.from_environment(os.environ)
        except ValueError as error:
            pytest.skip(f"ODOO NOT CONFIGURED, lost answers not checked against a real Odoo: {error}")
        from contract_world_odoo import make_world

        made = make_world(os.environ)
    yield made
    made.close()


def _enqueue(factory: sessionmaker[Session], commands: list[tuple[str, dict[str, Any]]]) -> list[str]:
    envelopes = []
    for sequence, (kind, payload) in enumerate(commands):
        op_id, at = str(uuid.uuid4()), datetime.now(UTC)
        envelopes.append(Envelope(op_id, kind, "ward-device", sequence, 1, "store", at, payload, (),
                                  parse(kind, op_id, at, payload)))
    with factory.begin() as session:
        store(session, envelopes, utcnow())
    return [envelope.op_id for envelope in envelopes]


def _drain(worker: Worker, clock: Clock, factory: sessionmaker[Session]) -> list[OutboxCommand]:
    """Work the queue to its end, letting each retry's wait pass at once."""
    for _ in range(40):
        worker.run_once()
        clock.now += timedelta(hours=1)
        with factory() as session:
            rows = list(session.scalars(select(OutboxCommand).order_by(OutboxCommand.id)))
        if all(row.status in FINAL_STATUSES for row in rows):
            return rows
    raise AssertionError("the queue did not drain")


def test_each_replenishment_kind_whose_answer_is_lost_is_applied_once(world: World, tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.sqlite'}")
    Base.metadata.create_all(engine, tables=[t for name, t in Base.metadata.tables.items() if name.startswith("outbox_")])
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    clock, backend = Clock(), LosesEveryFirstAnswer(world.backend)
    worker = Worker(factory, backend, owner="w1", clock=clock, rng=random.Random(7))  # type: ignore[arg-type]
    gtin, ward = world.product(), world.location()

    _enqueue(factory, [
        ("par_level_set", {"location": ward, "gtin": gtin, "minimum": 4, "maximum": 20}),
        ("replenish_request", {"location": ward, "gtin": gtin, "quantity": 6, "card": f"BIN:{gtin}:{ward}"}),
    ])
    first = _drain(worker, clock, factory)
    catalog = world.backend.catalog()
    product = product_id(catalog, gtin)
    ward_id = next(location.id for location in catalog.locations if location.barcode == ward)
    (transfer,) = [r for r in catalog.replenishments if r.destination_id == ward_id]
    store_barcode = next(location.barcode for location in catalog.locations if location.id == transfer.source_id)
    lot = world.lot(gtin)
    world.put(gtin, lot, store_barcode, 10)

    _enqueue(factory, [
        ("replenish_pick", {"transfer": transfer.reference, "lines": [{"gtin": gtin, "lot": lot, "quantity": 4}]}),
        ("replenish_deliver", {"transfer": transfer.reference, "location": ward, "backorder": True}),
    ])
    second = _drain(worker, clock, factory)

    rows = {row.op_id: row for row in first + second}
    assert {row.kind: (row.status, row.attempts) for row in rows.values()} == {
        kind: (Status.DONE, 2) for kind in ("par_level_set", "replenish_request", "replenish_pick", "replenish_deliver")
    }, {row.kind: (row.status, row.attempts, row.last_error) for row in rows.values()}
    assert all(backend.sent[op_id] == 2 for op_id in rows)
    assert [(p.minimum, p.maximum) for p in world.backend.catalog().par_levels if p.product_id == product] == [(4, 20)]
    assert [(line.product_id, line.requested) for line in transfer.lines] == [(product, 6)]  # requested once
    assert (world.on_hand(gtin, lot, ward), world.on_hand(gtin, lot, store_barcode)) == (4, 6)  # picked, moved once
