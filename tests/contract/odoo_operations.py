"""Every stock operation once on new records of an Odoo fixture world, then once more (the duplicate),
with the HTTP requests and milliseconds each took: shared by test_odoo_only.py and the benchmark."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract_world import LABEL_EXPIRY, op
from contract_world_odoo import OdooWorld

from offline_sync.backends.contract import (
    Consume,
    Count,
    CountResolution,
    ItemLine,
    Outcome,
    Receive,
    ResolveCount,
    Transfer,
    UnplannedReceipt,
    ValidateReceipt,
)


@dataclass(frozen=True)
class Measured:
    name: str
    first: Outcome
    calls: int
    ms: float
    again: Outcome
    again_calls: int
    again_ms: float


def _timed(world: OdooWorld, send: Callable[[], Outcome]) -> tuple[Outcome, int, float]:
    before, started = world.backend.requests, time.perf_counter()
    outcome = send()
    return outcome, world.backend.requests - before, (time.perf_counter() - started) * 1000


def every_operation(world: OdooWorld) -> list[Measured]:
    """With a warm directory, as a running worker has it. The overtaken count is a conflict both times."""
    backend = world.backend
    gtin, ward, shelf = world.product(), world.location(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 50)
    backend.transfer(Transfer(op(), ward, shelf, (ItemLine(gtin, 1, lot),)))  # warms the directory
    receipt, second = world.receipt(ward, {gtin: 10}), world.receipt(ward, {gtin: 10})
    backend.receive(Receive(op(), second, (ItemLine(gtin, 4, world.unique("LOT"), LABEL_EXPIRY),)))
    overtaken: list[Count] = []

    def overtaken_count() -> Count:
        """Counted 40 where 47 were seen, then one more is used before the count reaches Odoo."""
        overtaken.append(Count(op(), ward, gtin, lot, 40, world.moment(), seen_on_hand=47))
        backend.consume(Consume(op(), ward, (ItemLine(gtin, 1, lot),)))
        return overtaken[0]

    def new_lot(quantity: float) -> tuple[ItemLine, ...]:
        return (ItemLine(gtin, quantity, world.unique("LOT"), LABEL_EXPIRY),)

    # Each command is made just before it is sent: a count's `captured_at` must follow the moves before it.
    commands: list[tuple[str, Callable[[Any], Outcome], Callable[[], Any]]] = [
        ("transfer", backend.transfer, lambda: Transfer(op(), ward, shelf, (ItemLine(gtin, 2, lot),))),
        ("consume", backend.consume, lambda: Consume(op(), ward, (ItemLine(gtin, 1, lot),), "CASE-1")),
        ("receive (1 line)", backend.receive, lambda: Receive(op(), receipt, new_lot(4))),
        ("validate, backorder", backend.validate_receipt, lambda: ValidateReceipt(op(), receipt, backorder=True)),
        ("validate, no backorder", backend.validate_receipt, lambda: ValidateReceipt(op(), second, backorder=False)),
        ("unplanned receipt", backend.unplanned_receipt, lambda: UnplannedReceipt(op(), ward, new_lot(3))),
        ("count", backend.count, lambda: Count(op(), ward, gtin, lot, 45, world.moment())),
        ("count, overtaken", backend.count, overtaken_count),
        (
            "resolve count",
            backend.resolve_count,
            lambda: ResolveCount(overtaken[0].op_id, overtaken[0], CountResolution.KEEP_DIFFERENCE),
        ),
    ]
    measured = []
    for name, send, make in commands:
        command = make()
        first, calls, ms = _timed(world, lambda: send(command))  # noqa: B023 (called at once)
        again, again_calls, again_ms = _timed(world, lambda: send(command))  # noqa: B023
        measured.append(Measured(name, first, calls, ms, again, again_calls, again_ms))
    return measured
