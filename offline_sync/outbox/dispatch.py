"""Which backend method applies which command, and how a run of one lane's commands is applied."""
from collections.abc import Callable, Sequence

from offline_sync.backends.contract import (
    AppliesRuns,
    Command,
    Consume,
    Count,
    DeliverReplenishment,
    InventoryBackend,
    LeaseLost,
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
)


def apply(backend: InventoryBackend, command: Command) -> Outcome:
    match command:
        case Receive():
            return backend.receive(command)
        case ValidateReceipt():
            return backend.validate_receipt(command)
        case UnplannedReceipt():
            return backend.unplanned_receipt(command)
        case Transfer():
            return backend.transfer(command)
        case Consume():
            return backend.consume(command)
        case Count():
            return backend.count(command)
        case ResolveCount():
            return backend.resolve_count(command)
        case RequestReplenishment():
            return backend.request_replenishment(command)
        case SetParLevel():
            return backend.set_par_level(command)
        case PickReplenishment():
            return backend.pick_replenishment(command)
        case DeliverReplenishment():
            return backend.deliver_replenishment(command)
        case Scrap():
            return backend.scrap(command)
        case Quarantine():
            return backend.quarantine(command)
        case VendorReturn():
            return backend.return_to_vendor(command)
        case Recall():
            return backend.recall(command)
    raise TypeError(f"no backend method for {type(command).__name__}")


def apply_run(
    backend: InventoryBackend,
    commands: Sequence[Command],
    before_write: Callable[[Sequence[Command]], bool] | None = None,
) -> list[Outcome]:
    """Consecutive commands of one lane, in order, stopping after the first that does not go through:
    the outcomes of those attempted. Stretches of transfers and consumption go to the backend in one
    piece when it can take them so (`AppliesRuns`); the rest one by one. Before each piece goes,
    `before_write` may stop the run (the worker's lease check); a backend that finds the lease lost
    (`LeaseLost`) stops it too: what follows is not this worker's to send."""
    outcomes: list[Outcome] = []
    for stretch in _stretches(commands, together=isinstance(backend, AppliesRuns)):
        if before_write is not None and not before_write(stretch):
            break
        try:
            if len(stretch) > 1:
                done = backend.issue_run(stretch)  # type: ignore[attr-defined] - a stretch holds only those kinds
            else:
                done = [apply(backend, stretch[0])]
        except LeaseLost:
            break
        outcomes += done
        if len(done) < len(stretch) or not done[-1].went_through:
            break
    return outcomes


def _stretches(commands: Sequence[Command], together: bool) -> list[list[Command]]:
    """Maximal stretches of transfers and consumption when the backend takes them `together`, and every
    other command alone."""
    stretches: list[list[Command]] = []
    for command in commands:
        issued = isinstance(command, Transfer | Consume)
        if together and issued and stretches and isinstance(stretches[-1][-1], Transfer | Consume):
            stretches[-1].append(command)
        else:
            stretches.append([command])
    return stretches
