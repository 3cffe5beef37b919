"""Which lane a command runs in, and what it touches.

A lane (a location, or a receipt) is worked in arrival order, so one location's moves reach the
backend in the order they were made. A parked command holds back only the later commands that
depend on it: those that take from a quant it takes from, or work on its receipt (`depends_on`);
nothing else, so a transfer *into* a short location is never held back by the shortage
(DESIGN §5: parking is per dependency, not per lane, not global).

Ward replenishment (issue 15): requests and par levels run in their ward's lane; a request depends
on its product's line of that ward's transfer only (a parked request for one product holds back no
other product's), and waits behind an earlier delivery to its ward still on its way, so it never
lands on a transfer about to be closed. Picks and the delivery of a transfer run in that transfer's
lane and depend on it: a parked pick holds back the delivery that would close the transfer without it.
"""
from collections.abc import Iterable

from offline_sync.backends.contract import (
    Command,
    Consume,
    Count,
    DeliverReplenishment,
    ItemLine,
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

ADDS_ONLY = frozenset({"receive_unplanned"})  # kinds that take from no quant: they only add stock


def quant_key(location: str, gtin: str, lot: str | None) -> str:
    return f"quant:{location}|{gtin}|{lot or ''}"


def ward_key(location: str) -> str:
    """The ward location's replenishment: the one open transfer that gathers its requests."""
    return f"replenish-ward:{location}"


def ward_product_key(location: str, gtin: str) -> str:
    return f"replenish-ward:{location}|{gtin}"


def transfer_key(reference: str) -> str:
    return f"replenish-transfer:{reference}"


def lot_key(gtin: str, lot: str | None) -> str:
    """A recall's mark on one lot (no lot: every lot of the product)."""
    return f"lot:{gtin}|{lot or '*'}"


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
        case Consume() | Count() | Scrap():
            return f"location:{command.location}"
        case ResolveCount():
            return f"location:{command.count.location}"
        case RequestReplenishment() | SetParLevel():
            return ward_key(command.location)
        case PickReplenishment() | DeliverReplenishment():
            return transfer_key(command.transfer)
        case Quarantine() | VendorReturn():
            return f"location:{command.source}"
        case Recall():
            return f"recall:{command.gtin}"
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
        case RequestReplenishment():
            return [ward_key(command.location), ward_product_key(command.location, command.gtin)]
        case SetParLevel():
            return [ward_product_key(command.location, command.gtin)]
        case PickReplenishment():
            return [transfer_key(command.transfer)]
        case DeliverReplenishment():
            return [ward_key(command.location), transfer_key(command.transfer)]
        case Scrap():
            return sorted(set(_quants(command.location, command.lines)))
        case Quarantine() | VendorReturn():
            return sorted(set(_quants(command.source, command.lines)))
        case Recall():
            return sorted({lot_key(command.gtin, lot) for lot in command.lots}) or [lot_key(command.gtin, None)]
    raise TypeError(f"nothing touched by {type(command).__name__}")


def depends_on(kind: str, lane: str, touches: Iterable[str]) -> frozenset[str]:
    """What a stored command (its kind, lane and touches) depends on: the quants at its lane's location
    it takes from or counts (a transfer's source, a consumption's, scrap's or count's location, a
    quarantine's or return's source), or its receipt, or a recall's lots. A parked command holds back
    exactly the later ones that share one of these with it."""
    if kind in ADDS_ONLY:
        return frozenset()
    if lane.startswith(("receipt:", "recall:")):
        return frozenset(touches)
    if lane.startswith("replenish-ward:"):  # its product's line of the ward's transfer, never the whole ward
        return frozenset(touch for touch in touches if "|" in touch)
    if lane.startswith("replenish-transfer:"):
        return frozenset(touch for touch in touches if touch.startswith("replenish-transfer:"))
    here = "quant:" + lane.removeprefix("location:") + "|"
    return frozenset(touch for touch in touches if touch.startswith(here))
