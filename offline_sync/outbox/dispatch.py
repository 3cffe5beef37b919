"""Which backend method applies which command."""
from offline_sync.backends.contract import (
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
