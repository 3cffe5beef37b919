"""The training sandbox as an `InventoryBackend`.

Each command runs in its own transaction, apart from the caller's, as a remote Odoo would:
the worker's own commit may fail after the sandbox's succeeded, and the re-sent command must
then be recognised. So every command first looks for its key, which it writes with its effect:
- pickings it creates (transfers, consumption, unplanned receipts): `origin` = `WS-<op_id>`;
- lines received onto an open receipt: each move's `origin` = `WS-<op_id>/<line>`;
- validation of a receipt: the receipt's `validation_key`;
- counts and their resolutions: the inventory move's `reference` = `COUNT-<op_id>`;
- scraps, quarantines and returns to vendor: their pickings' `origin` = `WS-<op_id>`;
- recall notices: the recall's `key` = `WS-<op_id>`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import (
    DEFAULT_QUARANTINE_LOCATION,
    BackendUnavailable,
    Catalog,
    ConflictKind,
    Consume,
    Count,
    CountResolution,
    DeliverReplenishment,
    Fence,
    ItemLine,
    LotHistory,
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
from offline_sync.persistence import utcnow

from .. import gtin as gtins
from . import ledger, lookup, recalls, replenishment, waste
from .catalog import read_catalog
from .demo import CENTRAL_STORE
from .keys import count_reference, line_key, picking_key
from .ledger import EPSILON, Item
from .lookup import Refused, backorder_refs, picking_refs
from .lot_history import lot_history
from .models import (
    PickingKind,
    SandboxLocation,
    SandboxLot,
    SandboxMove,
    SandboxPackaging,
    SandboxProduct,
    SandboxQuant,
    Usage,
)
from .wording import item, quantity


class SandboxBackend:
    """The embedded stock ledger; `session_factory` makes sessions on the sandbox's database."""

    name = "sandbox"

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        replenish_source: str = "",
        quarantine_location: str = DEFAULT_QUARANTINE_LOCATION,
    ) -> None:
        self._sessions = session_factory
        self._fence: Fence | None = None
        self._replenish_source = replenish_source or CENTRAL_STORE  # the store ward refills come from
        self._quarantine = quarantine_location  # barcode

    @contextmanager
    def fenced(self, fence: Fence) -> Iterator[None]:
        """Commands applied inside the block are held and settled under the worker's `fence`: the ledger
        shares the outbox's database, so a worker whose lease ran out cannot write an effect any more."""
        self._fence = fence
        try:
            yield
        finally:
            self._fence = None

    def _run(self, work: Callable[[Session], Outcome], op_id: str | None = None) -> Outcome:
        """One transaction: committed with the outcome `work` returns, rolled back on a refusal. Under a
        fence, a command's transaction first locks its outbox row and checks the worker still holds it,
        and records the outcome on it before committing (LeaseLost, raised when it does not, writes nothing)."""
        fence = self._fence if op_id is not None else None
        try:
            with self._sessions.begin() as session:
                if fence is not None and op_id is not None:
                    fence.hold(session, op_id)
                outcome = work(session)
                if fence is not None and op_id is not None:
                    fence.settle(session, op_id, outcome)
                return outcome
        except Refused as refusal:
            return refusal.outcome
        except OperationalError as error:
            return Outcome.transient(
                f"The training sandbox's database is busy or unreachable ({error.orig}); it will be tried again."
            )

    # ---- reads ------------------------------------------------------------------------

    def catalog(self, since: datetime | None = None) -> Catalog:
        try:
            with self._sessions() as session:
                return read_catalog(session, _naive_utc(since) if since else None, self._replenish_source)
        except OperationalError as error:
            raise BackendUnavailable(f"The training sandbox's database cannot be read ({error.orig}).") from error

    # ---- receipts ---------------------------------------------------------------------

    def receive(self, command: Receive) -> Outcome:
        return self._run(lambda session: self._receive(session, command), command.op_id)

    def _receive(self, session: Session, command: Receive) -> Outcome:
        earlier = ledger.picking_of_line(session, line_key(command.op_id, 0))
        if earlier is not None:
            return Outcome.duplicate(f"These boxes were already received on {earlier.name}.", **picking_refs(earlier))
        picking = lookup.receipt(session, command.receipt)
        lookup.ensure_open(session, picking)
        items = [self._received_item(session, line) for line in command.lines]
        for number, line in enumerate(items):
            ledger.receive_line(picking, line, line_key(command.op_id, number))
        return Outcome.applied(f"Received on {picking.name}: {ledger.describe(items)}.", **picking_refs(picking))

    def validate_receipt(self, command: ValidateReceipt) -> Outcome:
        return self._run(lambda session: self._validate_receipt(session, command), command.op_id)

    def _validate_receipt(self, session: Session, command: ValidateReceipt) -> Outcome:
        key = picking_key(command.op_id)
        picking = lookup.receipt(session, command.receipt)  # read afresh: it may have closed elsewhere
        if picking.validation_key == key:
            return Outcome.duplicate(
                f"Receipt {picking.name} was already validated.", **picking_refs(picking), **backorder_refs(session, picking)
            )
        lookup.ensure_open(session, picking)
        if not ledger.received_any(picking):
            raise Refused(
                ConflictKind.NOT_PERMITTED,
                f"Nothing has been received on {picking.name} yet; scan the boxes before validating it.",
                receipt=picking.name,
            )
        backorder = ledger.validate(session, picking, key, keep_rest=command.backorder)
        if backorder is not None:
            return Outcome.applied(
                f"Receipt {picking.name} is done; what did not arrive waits on backorder {backorder.name}.",
                **picking_refs(picking),
                **backorder_refs(session, picking),
            )
        rest = "" if command.backorder else "; anything that did not arrive is no longer expected"
        return Outcome.applied(f"Receipt {picking.name} is done{rest}.", **picking_refs(picking))

    def unplanned_receipt(self, command: UnplannedReceipt) -> Outcome:
        return self._run(lambda session: self._unplanned_receipt(session, command), command.op_id)

    def _unplanned_receipt(self, session: Session, command: UnplannedReceipt) -> Outcome:
        key = picking_key(command.op_id)
        if (earlier := ledger.created_picking(session, key)) is not None:
            return Outcome.duplicate(f"These goods were already received on {earlier.name}.", **picking_refs(earlier))
        destination = lookup.storage_location(session, command.destination)
        vendors = lookup.location_for(session, Usage.SUPPLIER)
        items = [self._received_item(session, line) for line in command.lines]
        picking = ledger.new_picking(session, PickingKind.RECEIPT, vendors, destination, origin=key)
        for number, line in enumerate(items):
            ledger.receive_line(picking, line, line_key(command.op_id, number))
        ledger.validate(session, picking, key, keep_rest=False)
        return Outcome.applied(
            f"Received into {destination.complete_name} on {picking.name}: {ledger.describe(items)}.", **picking_refs(picking)
        )

    def _received_item(self, session: Session, line: ItemLine) -> Item:
        product = lookup.product_by_gtin(session, line.gtin)
        lot = lookup.received_lot(session, product, line.lot, line.expiry, date.today())
        return product, lot, _positive(line.quantity)

    # ---- stock leaving a location ----------------------------------------------------------

    def transfer(self, command: Transfer) -> Outcome:
        def work(session: Session) -> Outcome:
            source = lookup.storage_location(session, command.source)
            destination = lookup.storage_location(session, command.destination)
            return self._issue(session, command, PickingKind.INTERNAL, source, destination)

        return self._run(work, command.op_id)

    def consume(self, command: Consume) -> Outcome:
        def work(session: Session) -> Outcome:
            source = lookup.storage_location(session, command.location)
            destination = lookup.location_for(session, Usage.CONSUMPTION)
            return self._issue(session, command, PickingKind.CONSUMPTION, source, destination)

        return self._run(work, command.op_id)

    def _issue(
        self,
        session: Session,
        command: Transfer | Consume,
        kind: PickingKind,
        source: SandboxLocation,
        destination: SandboxLocation,
    ) -> Outcome:
        """Transfer and consumption alike: the scanned lots, imposed, from a source that must hold them
        (unless a supervisor allowed negative stock or an unusable lot)."""
        key = picking_key(command.op_id)
        if (earlier := ledger.created_picking(session, key)) is not None:
            return Outcome.duplicate(f"This was already recorded on {earlier.name}.", **picking_refs(earlier))
        today = date.today()
        items: list[Item] = []
        for line in command.lines:
            product = lookup.product_by_gtin(session, line.gtin)
            lot = lookup.known_lot(session, product, line.lot)
            if not command.overrides.allow_unusable_lot:
                lookup.ensure_usable(product, lot, today)
            items.append((product, lot, _positive(line.quantity)))
        if not command.overrides.allow_negative_stock:
            ledger.ensure_available(session, source, items)
        note = command.reference if isinstance(command, Consume) else ""
        picking = ledger.new_picking(session, kind, source, destination, origin=key, note=note)
        for number, (product, lot, moved) in enumerate(items):
            ledger.add_move(picking, product, lot, done=moved, origin=line_key(command.op_id, number))
        ledger.validate(session, picking, key, keep_rest=False)
        what = ledger.describe(items)
        if kind == PickingKind.CONSUMPTION:
            message = f"Recorded the use of {what} at {source.complete_name} ({picking.name})."
        else:
            message = f"Moved {what} from {source.complete_name} to {destination.complete_name} ({picking.name})."
        return Outcome.applied(message, **picking_refs(picking))

    # ---- counts -------------------------------------------------------------------------

    def count(self, command: Count) -> Outcome:
        return self._run(lambda session: self._count(session, command), command.op_id)

    def _count(self, session: Session, command: Count) -> Outcome:
        reference = count_reference(command.op_id)
        if (earlier := ledger.count_move(session, reference)) is not None:
            return _count_duplicate(earlier)
        quant = self._counted_quant(session, command)
        on_hand_now = quant.quantity
        seen, net_since = _seen_at_count(session, quant, command)
        if abs(seen - on_hand_now) <= EPSILON and abs(net_since) <= EPSILON:
            return _count_applied(ledger.set_on_hand(session, quant, command.counted, reference), quant)
        ledger.enter_count(quant, command.counted, seen)  # left pending and outdated, as Odoo shows it
        return Outcome.conflicted(
            ConflictKind.COUNT_OVERTAKEN,
            f"The on-hand of {item(quant.product, quant.lot)} at {quant.location.complete_name} changed after it was "
            f"counted: {quantity(seen)} then, {quantity(on_hand_now)} now, {quantity(command.counted)} counted. "
            "A supervisor chooses which figure to keep.",
            counted=command.counted,
            on_hand_now=on_hand_now,
            net_moves_since=net_since,
            seen_on_hand=command.seen_on_hand,
            count_as_of=command.counted + net_since,
        )

    def resolve_count(self, command: ResolveCount) -> Outcome:
        return self._run(lambda session: self._resolve_count(session, command), command.op_id)

    def _resolve_count(self, session: Session, command: ResolveCount) -> Outcome:
        reference = count_reference(command.op_id)
        if (earlier := ledger.count_move(session, reference)) is not None:
            return _count_duplicate(earlier)
        quant = self._counted_quant(session, command.count)
        if command.resolution == CountResolution.KEEP_COUNTED:
            target = command.count.counted
        elif command.resolution == CountResolution.KEEP_DIFFERENCE:
            seen, _ = _seen_at_count(session, quant, command.count)
            target = quant.quantity + command.count.counted - seen
        elif command.quantity is None:
            raise ValueError("An explicit count resolution needs the quantity to set.")
        else:
            target = command.quantity
        if target < -EPSILON:
            raise Refused(
                ConflictKind.COUNT_OVERTAKEN,
                f"Keeping the difference would leave {quantity(target)} of {item(quant.product, quant.lot)} at "
                f"{quant.location.complete_name}; keep the counted figure or state the quantity.",
                counted=command.count.counted,
                on_hand_now=quant.quantity,
            )
        return _count_applied(ledger.set_on_hand(session, quant, target, reference), quant)

    def _counted_quant(self, session: Session, command: Count) -> SandboxQuant:
        location = lookup.storage_location(session, command.location)
        product = lookup.product_by_gtin(session, command.gtin)
        lot = lookup.known_lot(session, product, command.lot)
        return ledger.quant_of(session, product, location, lot)

    # ---- ward replenishment (issue 15) -----------------------------------------------------

    def request_replenishment(self, command: RequestReplenishment) -> Outcome:
        return self._run(lambda session: replenishment.request(session, command, self._replenish_source), command.op_id)

    def set_par_level(self, command: SetParLevel) -> Outcome:
        return self._run(lambda session: replenishment.set_par_level(session, command), command.op_id)

    def pick_replenishment(self, command: PickReplenishment) -> Outcome:
        return self._run(lambda session: replenishment.pick(session, command), command.op_id)

    def deliver_replenishment(self, command: DeliverReplenishment) -> Outcome:
        return self._run(lambda session: replenishment.deliver(session, command), command.op_id)

    # ---- expiry, recalls and waste (issue 16) -------------------------------------------------

    def scrap(self, command: Scrap) -> Outcome:
        return self._run(lambda session: waste.scrap(session, command, picking_key(command.op_id)), command.op_id)

    def quarantine(self, command: Quarantine) -> Outcome:
        key = picking_key(command.op_id)
        return self._run(lambda session: waste.quarantine(session, command, key, self._quarantine), command.op_id)

    def return_to_vendor(self, command: VendorReturn) -> Outcome:
        return self._run(lambda session: waste.return_to_vendor(session, command, picking_key(command.op_id)), command.op_id)

    def recall(self, command: Recall) -> Outcome:
        return self._run(lambda session: recalls.recall(session, command, picking_key(command.op_id)), command.op_id)

    def lot_history(self, gtin: str, lot: str) -> LotHistory:
        try:
            with self._sessions() as session:
                return lot_history(session, gtin, lot, self._quarantine)
        except OperationalError as error:
            raise BackendUnavailable(f"The training sandbox's database cannot be read ({error.orig}).") from error

    # ---- a supervisor's resolutions, and training -------------------------------------------

    def create_lot(self, gtin: str, lot: str, expiry: date | None) -> Outcome:
        def work(session: Session) -> Outcome:
            product = lookup.product_by_gtin(session, gtin)
            existing = lookup.find_lot(session, product, lot)
            if existing is None:
                created = SandboxLot(product=product, name=lot, expiration_date=expiry)
                session.add(created)
                session.flush()
                return Outcome.applied(f"Lot {lot} of {product.name} now exists.", lot_id=created.id)
            if existing.expiration_date == expiry:
                return Outcome.duplicate(f"Lot {lot} of {product.name} already exists.", lot_id=existing.id)
            raise lookup.expiry_mismatch(existing, expiry)

        return self._run(work)

    def set_lot_expiry(self, gtin: str, lot: str, expiry: date | None) -> Outcome:
        def work(session: Session) -> Outcome:
            found = self._lot(session, gtin, lot)
            found.expiration_date = expiry
            when = f"{expiry:%Y-%m-%d}" if expiry else "no date"
            return Outcome.applied(f"Lot {lot} of {found.product.name} now expires on {when}.", lot_id=found.id)

        return self._run(work)

    def set_lot_recalled(self, gtin: str, lot: str, recalled: bool) -> Outcome:
        def work(session: Session) -> Outcome:
            found = self._lot(session, gtin, lot)
            found.recalled = recalled
            status = "recalled" if recalled else "no longer recalled"
            return Outcome.applied(f"Lot {lot} of {found.product.name} is {status}.", lot_id=found.id)

        return self._run(work)

    def link_gtin(self, gtin: str, product_id: int) -> Outcome:
        """Name a product by one more GTIN: its barcode if it has none, else a packaging (as in Odoo)."""

        def work(session: Session) -> Outcome:
            barcode = gtins.scanned_barcode(gtin)
            product = session.get(SandboxProduct, product_id)
            if barcode is None or product is None:
                problem = f"{gtin} is not a valid GTIN" if barcode is None else f"no product #{product_id} exists"
                raise Refused(
                    ConflictKind.UNKNOWN_PRODUCT, f"Cannot link: {problem}.", gtin=gtin, product_id=product_id
                )
            owner = lookup.product_with_barcode(session, barcode)
            if owner is product:
                return Outcome.duplicate(f"{gtin} already names {product.name}.", product_id=product.id)
            if owner is not None:
                raise Refused(
                    ConflictKind.NOT_PERMITTED,
                    f"{gtin} already names {owner.name}; it cannot also name {product.name}.",
                    gtin=gtin,
                    product_id=owner.id,
                )
            if product.barcode is None:
                product.barcode = barcode
            else:
                session.add(SandboxPackaging(product=product, barcode=barcode))
            product.write_date = utcnow()  # the catalog sends products whose GTINs changed
            return Outcome.applied(f"{gtin} now names {product.name}.", product_id=product.id)

        return self._run(work)

    def _lot(self, session: Session, gtin: str, name: str) -> SandboxLot:
        product = lookup.product_by_gtin(session, gtin)
        lot = lookup.find_lot(session, product, name)
        if lot is None:
            raise lookup.missing_lot(product, name)
        return lot


def _naive_utc(moment: datetime) -> datetime:
    """Stored times are naive UTC; a naive time from a device is taken as UTC too."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _positive(value: float) -> float:
    """A line's quantity; a command with none is malformed (the app checks this when accepting it)."""
    if value <= EPSILON:
        raise ValueError(f"A quantity must be more than zero, not {value}.")
    return value


def _seen_at_count(session: Session, quant: SandboxQuant, command: Count) -> tuple[float, float]:
    """The on-hand when the count was made (what the counter saw, else the ledger's figure then),
    and the net of the moves done on the quant since: moves of commands captured before the count are
    not among them, even when applied after it (a sync backlog)."""
    earlier = sorted(command.captured_before)  # on the shelf the counter saw, whenever they were applied
    net_since = ledger.net_moves_since(
        session, quant, _naive_utc(command.captured_at),
        keys=[picking_key(op_id) for op_id in earlier], references=[count_reference(op_id) for op_id in earlier],
    )
    seen = command.seen_on_hand if command.seen_on_hand is not None else quant.quantity - net_since
    return seen, net_since


def _count_applied(move: SandboxMove, quant: SandboxQuant) -> Outcome:
    return Outcome.applied(
        f"{item(quant.product, quant.lot)} at {quant.location.complete_name} now stands at {quantity(quant.quantity)}.",
        reference=move.reference,
        move_id=move.id,
    )


def _count_duplicate(move: SandboxMove) -> Outcome:
    return Outcome.duplicate(
        f"This count of {item(move.product, move.lot)} was already applied.", reference=move.reference, move_id=move.id
    )
