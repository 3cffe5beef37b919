"""The contract every inventory backend keeps: commands in, outcomes out, never an exception.

A command is one user action confirmed on a device, identified by its `op_id` on every hop
and inside the backend itself (DESIGN §4). A backend applies it at most once: before each
write it looks for the `op_id` and answers `duplicate` if it finds it. Products are named by
GTIN-14 (the form on the label), locations by their barcode, lots by name: the device knows
those, and the backend maps them to its own ids.
"""
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar, runtime_checkable


class OutcomeStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # the op_id was found already applied: nothing written this time
    CONFLICT = "conflict"  # needs a person; the command is parked, never retried blindly
    TRANSIENT = "transient"  # connection, timeout, backend restarting: retry later


class ConflictKind(StrEnum):
    """DESIGN §5: each kind has its own resolutions, offered to a supervisor."""

    UNKNOWN_PRODUCT = "unknown_product"
    UNKNOWN_LOT = "unknown_lot"
    EXPIRY_MISMATCH = "expiry_mismatch"
    INSUFFICIENT_STOCK = "insufficient_stock"
    EXPIRED_OR_RECALLED = "expired_or_recalled"
    RECEIPT_CLOSED = "receipt_closed"
    COUNT_OVERTAKEN = "count_overtaken"
    NOT_PERMITTED = "not_permitted"
    LOCATION_UNKNOWN = "location_unknown"
    # ward replenishment (issue 15)
    NO_PAR_LEVEL = "no_par_level"  # a request for a product with no par level at that ward location
    LOT_NOT_IN_STORE = "lot_not_in_store"  # a pick of a lot the store has none of
    TRANSFER_CLOSED = "transfer_closed"  # the replenishment transfer was done or cancelled meanwhile
    RECEIPT_NOT_FOUND = "receipt_not_found"  # a return to vendor whose receipt cannot be found (issue 16)


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    message: str = ""  # a sentence a storekeeper or supervisor can act on
    refs: Mapping[str, Any] = field(default_factory=dict)  # backend references, e.g. picking name and id
    conflict: ConflictKind | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)  # facts behind a conflict, for the resolution screen

    @classmethod
    def applied(cls, message: str = "", **refs: Any) -> "Outcome":
        return cls(OutcomeStatus.APPLIED, message, refs)

    @classmethod
    def duplicate(cls, message: str = "", **refs: Any) -> "Outcome":
        return cls(OutcomeStatus.DUPLICATE, message, refs)

    @classmethod
    def conflicted(cls, kind: ConflictKind, message: str, **detail: Any) -> "Outcome":
        return cls(OutcomeStatus.CONFLICT, message, conflict=kind, detail=detail)

    @classmethod
    def transient(cls, message: str) -> "Outcome":
        return cls(OutcomeStatus.TRANSIENT, message)

    @property
    def went_through(self) -> bool:
        """Applied now or before: what comes after it in its lane may follow."""
        return self.status in (OutcomeStatus.APPLIED, OutcomeStatus.DUPLICATE)


# ---- commands -------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemLine:
    """One scanned item: what, which lot, how many (in the product's unit). A box's GTIN names its product
    too; the quantity is still units (the handheld multiplies a box scan by its `pack_quantity`)."""

    gtin: str
    quantity: float
    lot: str | None = None
    expiry: date | None = None  # from the label; compared with the backend's lot


@dataclass(frozen=True)
class Receive:
    """Scanned boxes received onto an open receipt (marked as picked, nothing else)."""

    op_id: str
    receipt: str  # the receipt's reference, e.g. CS/IN/00001
    lines: tuple[ItemLine, ...]


@dataclass(frozen=True)
class ValidateReceipt:
    op_id: str
    receipt: str
    backorder: bool  # keep the unreceived rest as a backorder, or drop it


@dataclass(frozen=True)
class UnplannedReceipt:
    """Goods that arrived without a purchase order: a new receipt, received and validated."""

    op_id: str
    destination: str  # location barcode
    lines: tuple[ItemLine, ...]


@dataclass(frozen=True)
class Overrides:
    """What a supervisor allowed when resolving a conflict; a device never sets these."""

    allow_negative_stock: bool = False  # insufficient_stock: apply anyway
    allow_unusable_lot: bool = False  # expired_or_recalled: supervisor override with a reason


@dataclass(frozen=True)
class Transfer:
    op_id: str
    source: str  # location barcode
    destination: str
    lines: tuple[ItemLine, ...]
    overrides: Overrides = Overrides()


@dataclass(frozen=True)
class Consume:
    """Ward stock used for a patient or procedure; `reference` is a case number, never a name."""

    op_id: str
    location: str
    lines: tuple[ItemLine, ...]
    reference: str = ""
    overrides: Overrides = Overrides()


@dataclass(frozen=True)
class Count:
    """A counted quantity for one product/lot at one location, with what the counter saw then."""

    op_id: str
    location: str
    gtin: str
    lot: str | None
    counted: float
    captured_at: datetime
    seen_on_hand: float | None = None  # None for a blind count
    # Op_ids of Wardstock commands on this quant captured before the count (the outbox adds them when
    # it sends the count): their moves were on the shelf the counter saw, whenever they reached the
    # backend, so they are never added to the count. Other moves count from the backend's own date.
    captured_before: frozenset[str] = frozenset()


class CountResolution(StrEnum):
    KEEP_COUNTED = "keep_counted"  # on-hand ends at the counted figure
    KEEP_DIFFERENCE = "keep_difference"  # on-hand ends at current on-hand + the difference seen at count time
    EXPLICIT = "explicit"  # on-hand ends at a quantity a person states


@dataclass(frozen=True)
class ResolveCount:
    op_id: str  # the parked count's op_id: the effect stays findable by it
    count: Count
    resolution: CountResolution
    quantity: float | None = None  # for EXPLICIT


# ---- ward replenishment commands (issue 15) ------------------------------------------


@dataclass(frozen=True)
class RequestReplenishment:
    """A ward asks the store for more of one product (a two-bin card scanned, or a low line chosen): a line on
    the one open replenishment transfer from the store to that ward location, created when there is none;
    a product already on it has its line raised."""

    op_id: str
    location: str  # the ward location's barcode: the transfer's destination
    gtin: str
    quantity: float
    card: str = ""  # the two-bin card's barcode, when the request came from one


@dataclass(frozen=True)
class SetParLevel:
    """A supervisor sets the minimum and maximum of one product at one ward location (created or changed)."""

    op_id: str
    location: str
    gtin: str
    minimum: float
    maximum: float


@dataclass(frozen=True)
class PickReplenishment:
    """Lots picked in the store for a replenishment transfer, added to what was picked on it before."""

    op_id: str
    transfer: str  # the transfer's reference, e.g. WH/INT/00012
    lines: tuple[ItemLine, ...]


@dataclass(frozen=True)
class DeliverReplenishment:
    """The picked goods arrive at the ward: `location` is the ward location scanned there, and must be the
    transfer's destination. What was not picked stays as a backorder, or is dropped."""

    op_id: str
    transfer: str
    location: str
    backorder: bool


ReplenishmentCommand = RequestReplenishment | SetParLevel | PickReplenishment | DeliverReplenishment


# ---- expiry, recalls and waste (issue 16) ------------------------------------------------


# The quarantine location's barcode when QUARANTINE_LOCATION is not set: the sandbox's demo has it, and
# `flask odoo doctor` creates it on Odoo.
DEFAULT_QUARANTINE_LOCATION = "WS-QUARANTINE"


class WasteReason(StrEnum):
    """Why stock was thrown away or sent back; `other` needs a note saying what happened."""

    EXPIRED = "expired"
    DAMAGED = "damaged"
    RECALLED = "recalled"
    CONTAMINATED = "contaminated"
    OPENED_UNUSED = "opened_unused"
    OTHER = "other"


@dataclass(frozen=True)
class Scrap:
    """Scanned lots written off at a location as waste, with the reason (expired and recalled lots too)."""

    op_id: str
    location: str  # location barcode
    lines: tuple[ItemLine, ...]
    reason: WasteReason
    note: str = ""


@dataclass(frozen=True)
class Quarantine:
    """Scanned lots moved from `source` to the quarantine location (the backend's setting), usable or not."""

    op_id: str
    source: str
    lines: tuple[ItemLine, ...]


@dataclass(frozen=True)
class VendorReturn:
    """Scanned lots sent back to the vendor that delivered them, found through the receipt that brought each lot in."""

    op_id: str
    source: str
    lines: tuple[ItemLine, ...]
    reason: WasteReason
    note: str = ""


@dataclass(frozen=True)
class Recall:
    """A recall notice: the lots of one product marked recalled (no lots: every lot of the product)."""

    op_id: str
    gtin: str
    lots: tuple[str, ...]
    notice: str


WasteCommand = Scrap | Quarantine | VendorReturn | Recall


# ---- all commands ----------------------------------------------------------------------


Command = (
    Receive | ValidateReceipt | UnplannedReceipt | Transfer | Consume | Count | ResolveCount
    | ReplenishmentCommand | WasteCommand
)


# ---- catalog --------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    id: int
    gtin: str  # GTIN-14
    name: str
    code: str
    unit: str
    tracked_by_lot: bool
    uses_expiry: bool
    pack_quantity: float = 1.0  # units of `unit` one scan of this GTIN stands for: a box's GTIN, its content
    cost: float = 0.0  # cost of one unit (Odoo's standard_price), for the value of waste and expiring stock


@dataclass(frozen=True)
class Lot:
    id: int
    product_id: int
    name: str
    expiry: date | None
    recalled: bool = False
    alert_date: date | None = None  # from this day the lot is "expiring soon" (Odoo product_expiry's alert date)


@dataclass(frozen=True)
class Location:
    id: int
    barcode: str
    name: str  # full path, e.g. "CS/Ward 3B/Supply Room"
    parent_id: int | None
    usage: str  # internal, supplier, consumption, inventory


@dataclass(frozen=True)
class ReceiptLine:
    product_id: int
    expected: float
    received: float


@dataclass(frozen=True)
class Receipt:
    id: int
    reference: str
    state: str  # open, done, cancelled
    destination_id: int
    lines: tuple[ReceiptLine, ...]


@dataclass(frozen=True)
class StockLevel:
    product_id: int
    location_id: int
    lot_id: int | None
    quantity: float


# ---- ward replenishment catalog (issue 15) -------------------------------------------


@dataclass(frozen=True)
class ParLevel:
    """A product's minimum and maximum at an internal location (Odoo: a reordering rule)."""

    product_id: int
    location_id: int
    minimum: float
    maximum: float


@dataclass(frozen=True)
class ReplenishmentLine:
    product_id: int
    requested: float
    picked: float
    lots: tuple[tuple[str, float], ...] = ()  # the lots picked so far, by name, with their quantities


@dataclass(frozen=True)
class Replenishment:
    """A transfer from the store to a ward location that refills it."""

    id: int
    reference: str
    state: str  # open, done, cancelled
    source_id: int
    destination_id: int
    lines: tuple[ReplenishmentLine, ...]


@dataclass(frozen=True)
class Catalog:
    """What changed since `since` (everything when `since` is None), as of `as_of`.

    `removed_*` are the ids archived since `since` (always empty in a full catalog, which holds
    active records only): a device drops them, a removed product with its lots and stock. Lots have
    no archive of their own (Odoo's `stock.lot` has no `active` field in 17, 18 or 19): a lot leaves
    the catalog with its product, and comes back with it."""

    as_of: datetime
    products: tuple[Product, ...] = ()
    lots: tuple[Lot, ...] = ()
    locations: tuple[Location, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    stock: tuple[StockLevel, ...] = ()
    removed_products: tuple[int, ...] = ()
    removed_locations: tuple[int, ...] = ()
    # ward replenishment (issue 15): par levels and replenishment transfers changed since `since` (a full
    # catalog holds the open transfers only; an incremental one also those that closed, so a device drops them)
    par_levels: tuple[ParLevel, ...] = ()
    replenishments: tuple[Replenishment, ...] = ()


# ---- the history of one lot (issue 16) ---------------------------------------------------


class LotMoveKind(StrEnum):
    RECEIPT = "receipt"
    TRANSFER = "transfer"
    CONSUMPTION = "consumption"
    SCRAP = "scrap"
    RETURN = "return"
    COUNT = "count"
    QUARANTINE = "quarantine"


@dataclass(frozen=True)
class LotMove:
    """One done move of a lot, as the backend recorded it."""

    date: datetime  # naive UTC
    kind: str  # a LotMoveKind
    reference: str  # the backend's picking, scrap or move reference
    source_id: int  # location ids, as in the catalog
    destination_id: int
    quantity: float
    origin: str  # carries the Wardstock op_id marker where Wardstock made the move


@dataclass(frozen=True)
class LotHistory:
    on_hand: tuple[StockLevel, ...]
    moves: tuple[LotMove, ...]  # oldest first


@runtime_checkable
class InventoryBackend(Protocol):
    """One inventory system (the sandbox, or an Odoo server). Methods never raise for
    business or connection problems; they return an `Outcome`."""

    name: str

    def catalog(self, since: datetime | None = None) -> Catalog: ...

    def receive(self, command: Receive) -> Outcome: ...

    def validate_receipt(self, command: ValidateReceipt) -> Outcome: ...

    def unplanned_receipt(self, command: UnplannedReceipt) -> Outcome: ...

    def transfer(self, command: Transfer) -> Outcome: ...

    def consume(self, command: Consume) -> Outcome: ...

    def count(self, command: Count) -> Outcome: ...

    def resolve_count(self, command: ResolveCount) -> Outcome: ...

    # ward replenishment (issue 15)
    def request_replenishment(self, command: RequestReplenishment) -> Outcome: ...

    def set_par_level(self, command: SetParLevel) -> Outcome: ...

    def pick_replenishment(self, command: PickReplenishment) -> Outcome: ...

    def deliver_replenishment(self, command: DeliverReplenishment) -> Outcome: ...
    # expiry, recalls and waste (issue 16)

    def scrap(self, command: Scrap) -> Outcome: ...

    def quarantine(self, command: Quarantine) -> Outcome: ...

    def return_to_vendor(self, command: VendorReturn) -> Outcome: ...

    def recall(self, command: Recall) -> Outcome: ...

    def lot_history(self, gtin: str, lot: str) -> LotHistory:
        """Where a lot is now and every done move of it. Raises BackendUnavailable; an unknown lot has an empty history."""
        ...


@runtime_checkable
class AppliesRuns(Protocol):
    """A backend that applies a run of one lane's transfers and consumption in a few round trips
    whatever its length, instead of a few per command. Same promise as `in_order`."""

    def issue_run(self, commands: Sequence[Transfer | Consume]) -> list[Outcome]: ...


C = TypeVar("C")


def in_order(apply_one: Callable[[C], Outcome], commands: Sequence[C]) -> list[Outcome]:
    """Commands of one lane, one after the other, stopping after the first that does not go
    through: the outcomes of those attempted, a prefix of `commands`. What was not attempted
    waits for the stopped one, as it would have had they come one at a time."""
    outcomes: list[Outcome] = []
    for command in commands:
        outcomes.append(apply_one(command))
        if not outcomes[-1].went_through:
            break
    return outcomes


class LeaseLost(Exception):
    """The worker no longer holds the command (its lease ran out and another worker took it): nothing
    was written for it, and nothing may be."""


class Fence(Protocol):
    """A worker's hold on the commands it is applying, for a backend whose records share the outbox's
    database. Inside the transaction that writes a command's effect, the backend first calls `hold`
    (which locks the command's outbox row and raises `LeaseLost` unless this worker's claim still
    holds it), and then `settle` with the outcome (which records it on that row): the effect, the
    check and the record commit together or not at all. `session` is the backend's database session."""

    def hold(self, session: Any, op_id: str) -> None: ...

    def settle(self, session: Any, op_id: str, outcome: Outcome) -> None: ...


@runtime_checkable
class Fenced(Protocol):
    """A backend that applies commands under a worker's `Fence` while the context is open (the sandbox)."""

    def fenced(self, fence: Fence) -> AbstractContextManager[None]: ...


class BackendUnavailable(Exception):
    """The backend cannot be reached or is restarting (for reads such as `catalog`; writes return an Outcome)."""
