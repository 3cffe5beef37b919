"""An in-memory inventory backend for fast unit tests of the outbox, with faults to inject.

It keeps the contract's exactly-once promise the way a real backend does (it remembers each
op_id it applied) and counts every call, so tests can tell an effect from a retry.
"""
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from offline_sync.backends.contract import Catalog, Command, ConflictKind, LotHistory, Outcome, ResolveCount

Fault = Callable[[Command], Outcome | None]


@dataclass
class FakeBackend:
    name: str = "fake"
    applied: dict[str, Command] = field(default_factory=dict)  # op_id → what took effect
    calls: Counter[str] = field(default_factory=Counter)  # op_id → how many times it was sent
    faults: list[Fault] = field(default_factory=list)  # tried in order; the first answer wins

    def catalog(self, since: datetime | None = None) -> Catalog:
        return Catalog(as_of=datetime.now(UTC).replace(tzinfo=None))

    def _apply(self, command: Command) -> Outcome:
        self.calls[command.op_id] += 1
        for fault in self.faults:
            if (outcome := fault(command)) is not None:
                return outcome
        if command.op_id in self.applied and not isinstance(command, ResolveCount):
            return Outcome.duplicate("already applied")
        self.applied[command.op_id] = command
        return Outcome.applied("applied", reference=f"FAKE/{command.op_id[:8]}")

    receive = validate_receipt = unplanned_receipt = transfer = consume = count = resolve_count = _apply
    request_replenishment = set_par_level = pick_replenishment = deliver_replenishment = _apply
    scrap = quarantine = return_to_vendor = recall = _apply

    def lot_history(self, gtin: str, lot: str) -> LotHistory:
        return LotHistory(on_hand=(), moves=())


def conflict_for(op_ids: set[str], kind: ConflictKind = ConflictKind.INSUFFICIENT_STOCK) -> Fault:
    return lambda command: Outcome.conflicted(kind, "not enough on hand", on_hand=1) if command.op_id in op_ids else None


def down() -> Fault:
    return lambda command: Outcome.transient("Connection refused: the inventory server is not answering.")


def raises_for(op_ids: set[str]) -> Fault:
    def fault(command: Command) -> None:
        if command.op_id in op_ids:
            raise RuntimeError("poison")

    return fault
