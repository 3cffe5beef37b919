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
    DeliverReplenishment,
    ItemLine,
    Outcome,
    PickReplenishment,
    Quarantine,
    Recall,
    Receive,
    RequestReplenishment,
    ResolveCount,
    Scrap,
    SetParLevel,
    Transfer,
    UnplannedReceipt,
    ValidateReceipt,
    VendorReturn,
    WasteReason,
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


class _Refill:
    """A ward refill made step by step: the transfer's reference is known once the first request is sent."""

    def __init__(self, world: OdooWorld, gtin: str, lot: str) -> None:
        self.world, self.gtin, self.lot = world, gtin, lot
        self.ward, self.transfer = world.location(), ""

    def request(self, command: RequestReplenishment) -> Outcome:
        outcome = self.world.backend.request_replenishment(command)
        self.transfer = self.transfer or str(outcome.refs.get("picking", ""))
        return outcome

    def pick(self) -> PickReplenishment:
        """Stock the store the transfer comes from, then pick 4 of the 8 requested from it."""
        catalog = self.world.backend.catalog()
        source = next(r.source_id for r in catalog.replenishments if r.reference == self.transfer)
        store = next(location.barcode for location in catalog.locations if location.id == source)
        self.world.put(self.gtin, self.lot, store, 10)
        return PickReplenishment(op(), self.transfer, (ItemLine(self.gtin, 4, self.lot),))


def every_operation(world: OdooWorld) -> list[Measured]:
    """With a warm directory, as a running worker has it. The overtaken count is a conflict both times."""
    backend = world.backend
    gtin, ward, shelf = world.product(), world.location(), world.location()
    lot = world.lot(gtin)
    world.put(gtin, lot, ward, 50)
    backend.transfer(Transfer(op(), ward, shelf, (ItemLine(gtin, 1, lot),)))  # warms the directory
    receipt, second = world.receipt(ward, {gtin: 10}), world.receipt(ward, {gtin: 10})
    from_vendor = world.unique("LOT")  # received on `second`, validated below, then sent back
    backend.receive(Receive(op(), second, (ItemLine(gtin, 4, from_vendor, LABEL_EXPIRY),)))
    overtaken: list[Count] = []
    refill = _Refill(world, gtin, lot)

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
        ("set par level", backend.set_par_level, lambda: SetParLevel(op(), refill.ward, gtin, 2, 10)),
        ("request, new transfer", refill.request, lambda: RequestReplenishment(op(), refill.ward, gtin, 5)),
        ("request, same transfer", refill.request, lambda: RequestReplenishment(op(), refill.ward, gtin, 3)),
        ("pick", backend.pick_replenishment, refill.pick),
        ("deliver, no backorder", backend.deliver_replenishment,
         lambda: DeliverReplenishment(op(), refill.transfer, refill.ward, backorder=False)),
        ("scrap", backend.scrap, lambda: Scrap(op(), ward, (ItemLine(gtin, 1, lot),), WasteReason.DAMAGED)),
        ("quarantine", backend.quarantine, lambda: Quarantine(op(), ward, (ItemLine(gtin, 1, lot),))),
        ("vendor return", backend.return_to_vendor,
         lambda: VendorReturn(op(), ward, (ItemLine(gtin, 1, from_vendor),), WasteReason.DAMAGED)),
        ("recall", backend.recall, lambda: Recall(op(), gtin, (lot,), "Manufacturer's notice")),
    ]
    measured = []
    for name, send, make in commands:
        command = make()
        first, calls, ms = _timed(world, lambda: send(command))  # noqa: B023 (called at once)
        again, again_calls, again_ms = _timed(world, lambda: send(command))  # noqa: B023
        measured.append(Measured(name, first, calls, ms, again, again_calls, again_ms))
    return measured
