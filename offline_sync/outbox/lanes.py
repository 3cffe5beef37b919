"""Which lane a command runs in, and what it touches.

A lane (a location, or a receipt) is worked strictly in arrival order, so one location's moves
reach the backend in the order they were made. A parked command holds back only the later
commands that touch the same quant or receipt (DESIGN §5: parking is per lane, not global).
"""
from offline_sync.backends.contract import (
    Command,
    Consume,
    Count,
    ItemLine,
    Receive,
    ResolveCount,
    Transfer,
    UnplannedReceipt,
    ValidateReceipt,
)


def quant_key(location: str, gtin: str, lot: str | None) -> str:
    return f"quant:{location}|{gtin}|{lot or ''}"


def _quants(location: str, lines: tuple[ItemLine, ...]) -> list[str]:
    return [quant_key(location, line.gtin, line.lot) for line in lines]


def lane_of(command: Command) -> str:
    match command:
        case Receive() | ValidateReceipt():
            return f"receipt:{command.receipt}"
        case UnplannedReceipt():
            return f"location:{command.destination}"
        case Transfer():
            return f"location:{command.source}"
        case Consume() | Count():
            return f"location:{command.location}"
        case ResolveCount():
            return f"location:{command.count.location}"
    raise TypeError(f"no lane for {type(command).__name__}")


def touches_of(command: Command) -> list[str]:
    match command:
        case Receive() | ValidateReceipt():
            return [f"receipt:{command.receipt}"]
        case UnplannedReceipt():
            return _quants(command.destination, command.lines)
        case Transfer():
            return sorted(set(_quants(command.source, command.lines) + _quants(command.destination, command.lines)))
        case Consume():
            return sorted(set(_quants(command.location, command.lines)))
        case Count():
            return [quant_key(command.location, command.gtin, command.lot)]
        case ResolveCount():
            return touches_of(command.count)
    raise TypeError(f"nothing touched by {type(command).__name__}")
