"""Which backend method applies which command, and how a run of one lane's commands is applied."""
from collections.abc import Sequence

from offline_sync.backends.contract import (
    AppliesRuns,
    Command,
    Consume,
    Count,
    InventoryBackend,
    Outcome,
    Receive,
    ResolveCount,
    Transfer,
    UnplannedReceipt,
    ValidateReceipt,
    in_order,
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
    raise TypeError(f"no backend method for {type(command).__name__}")


def apply_run(backend: InventoryBackend, commands: Sequence[Command]) -> list[Outcome]:
    """Consecutive commands of one lane, in order, stopping after the first that does not go through:
    the outcomes of those attempted. Stretches of transfers and consumption go to the backend in one
    piece when it can take them so (`AppliesRuns`); the rest one by one."""
    outcomes: list[Outcome] = []
    for stretch in _stretches(commands):
        if len(stretch) > 1 and isinstance(backend, AppliesRuns):
            done = backend.issue_run(stretch)  # type: ignore[arg-type] - a stretch holds only those kinds
        else:
            done = in_order(lambda command: apply(backend, command), stretch)
        outcomes += done
        if len(done) < len(stretch) or not done[-1].went_through:
            break
    return outcomes


def _stretches(commands: Sequence[Command]) -> list[list[Command]]:
    """Maximal stretches of transfers and consumption, and every other command alone."""
    stretches: list[list[Command]] = []
    for command in commands:
        issued = isinstance(command, Transfer | Consume)
        if issued and stretches and isinstance(stretches[-1][-1], Transfer | Consume):
            stretches[-1].append(command)
        else:
            stretches.append([command])
    return stretches
