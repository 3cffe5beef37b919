"""Odoo as an `InventoryBackend` (name "odoo"): each command checks its key in Odoo first, then
Wardstock's own rules (Odoo lets stock go negative and uses expired lots), then writes in as few
RPC calls as it can (see receipts.py, issues.py, counts.py for the calls of each operation).

Connection problems, timeouts and a restarting Odoo are `transient` (it is safe to retry: the
key is found); Odoo's own refusals are conflicts with Odoo's sentence. The connection is made on
the first command, so a worker starts while Odoo is down.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from offline_sync.backends.contract import (
    BackendUnavailable,
    Catalog,
    Consume,
    Count,
    DeliverReplenishment,
    LotHistory,
    Outcome,
    Overrides,
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

from . import counts, gtin_links, issues, receipts, refusals, replenishment, returns, waste
from .catalog import read_catalog
from .connection import connect, make_transport
from .conventions import RECALL_NOTE
from .dates import expiry_to_odoo
from .errors import OdooRefused, OdooUnavailable
from .lookup import Directory
from .lot_history import lot_history
from .recalls import recall, without_recall
from .records import ProductRecord
from .session import Session
from .settings import OdooSettings
from .transport import Transport


class OdooBackend:
    name = "odoo"

    def __init__(
        self,
        settings: OdooSettings,
        *,
        transport: Callable[[OdooSettings], Transport] = make_transport,
        directory_max_age: float = 300.0,
        catalog_overlap: timedelta = timedelta(seconds=30),
        replenish_source: str = "",
    ) -> None:
        self.settings = settings
        self._replenish_source = replenish_source  # a store's barcode; empty: each ward's warehouse stock location
        self._transport = transport
        self._directory_max_age = directory_max_age
        self._catalog_overlap = catalog_overlap
        self._session: Session | None = None

    @property
    def requests(self) -> int:
        """HTTP requests sent to Odoo so far (signing in included): what the benchmark counts."""
        return self._session.odoo.requests if self._session is not None else 0

    def session(self) -> Session:
        """The signed-in session, made on first use; raises `OdooUnavailable` while Odoo cannot be reached."""
        if self._session is None:
            odoo = connect(self.settings, self._transport)
            self._session = Session(odoo, Directory(odoo, self._directory_max_age))
        return self._session

    def _run(self, work: Callable[[Session], Outcome]) -> Outcome:
        return refusals.guarded(lambda: work(self.session()))

    # ---- the contract -----------------------------------------------------------------------

    def catalog(self, since: datetime | None = None) -> Catalog:
        try:
            return read_catalog(self.session(), since, self._catalog_overlap, self._replenish_source)
        except (OdooUnavailable, OdooRefused) as error:
            raise BackendUnavailable(str(error)) from error

    def receive(self, command: Receive) -> Outcome:
        return self._run(lambda session: receipts.receive(session, command))

    def validate_receipt(self, command: ValidateReceipt) -> Outcome:
        return self._run(lambda session: receipts.validate_receipt(session, command))

    def unplanned_receipt(self, command: UnplannedReceipt) -> Outcome:
        return self._run(lambda session: receipts.unplanned_receipt(session, command))

    def transfer(self, command: Transfer) -> Outcome:
        return self._run(lambda session: issues.issue(session, command))

    def consume(self, command: Consume) -> Outcome:
        return self._run(lambda session: issues.issue(session, command))

    def issue_run(self, commands: Sequence[Transfer | Consume]) -> list[Outcome]:
        try:
            return issues.issue_run(self.session(), commands)
        except refusals.STOPS as error:  # no outcome of the run is settled yet: the first command answers
            return [refusals.outcome_for(error)]

    def count(self, command: Count) -> Outcome:
        return self._run(lambda session: counts.count(session, command))

    def resolve_count(self, command: ResolveCount) -> Outcome:
        return self._run(lambda session: counts.resolve_count(session, command))

    # ---- ward replenishment (issue 15) -----------------------------------------------------

    def request_replenishment(self, command: RequestReplenishment) -> Outcome:
        return self._run(lambda session: replenishment.request(session, command, self._replenish_source))

    def set_par_level(self, command: SetParLevel) -> Outcome:
        return self._run(lambda session: replenishment.set_par_level(session, command))

    def pick_replenishment(self, command: PickReplenishment) -> Outcome:
        return self._run(lambda session: replenishment.pick(session, command))

    def deliver_replenishment(self, command: DeliverReplenishment) -> Outcome:
        return self._run(lambda session: replenishment.deliver(session, command))

    # ---- expiry, recalls and waste (issue 16) -------------------------------------------------

    def scrap(self, command: Scrap) -> Outcome:
        return self._run(lambda session: waste.scrap(session, command))

    def quarantine(self, command: Quarantine) -> Outcome:
        """A transfer to the quarantine location that takes expired and recalled lots too."""
        moved = Transfer(command.op_id, command.source, self.settings.quarantine_location, command.lines,
                         Overrides(allow_unusable_lot=True))
        return self._run(lambda session: issues.issue(session, moved))

    def return_to_vendor(self, command: VendorReturn) -> Outcome:
        return self._run(lambda session: returns.return_to_vendor(session, command))

    def recall(self, command: Recall) -> Outcome:
        return self._run(lambda session: recall(session, command))

    def lot_history(self, gtin: str, lot: str) -> LotHistory:
        try:
            return lot_history(self.session(), gtin, lot, self.settings.quarantine_location)
        except (OdooUnavailable, OdooRefused) as error:
            raise BackendUnavailable(str(error)) from error

    # ---- a supervisor's resolutions (the sandbox's names) ---------------------------------

    def create_lot(self, gtin: str, lot: str, expiry: date | None) -> Outcome:
        def work(session: Session) -> Outcome:
            product = session.directory.product(gtin)
            existing = session.directory.lots([product.id], [lot]).get((product.id, lot))
            if existing is not None:
                if not product.uses_expiry or expiry is None or existing.expiry == expiry:  # no date says nothing
                    return Outcome.duplicate(f"Lot {lot} of {product.name} already exists.", lot_id=existing.id)
                raise refusals.expiry_mismatch(product, existing, expiry)
            columns, row = ["name", "product_id/.id"], [lot, str(product.id)]
            if product.uses_expiry and expiry is not None:
                columns.append("expiration_date")
                row.append(expiry_to_odoo(expiry, session.odoo.tz))
            # `load`, not `create`: some 18.0 builds cannot create a lot over RPC (odoo-rpc-notes §0).
            loaded = session.odoo.call("stock.lot", "load", columns, [row])
            if not loaded["ids"]:
                raise OdooRefused("ValidationError", "; ".join(str(m.get("message", "")) for m in loaded["messages"]))
            return Outcome.applied(f"Lot {lot} of {product.name} now exists.", lot_id=loaded["ids"][0])

        return self._run(work)

    def set_lot_expiry(self, gtin: str, lot: str, expiry: date | None) -> Outcome:
        def work(session: Session) -> Outcome:
            product = session.directory.product(gtin)
            value = expiry_to_odoo(expiry, session.odoo.tz) if expiry else False
            when = f"{expiry:%Y-%m-%d}" if expiry else "no date"
            pending = receipts.pending_lot_lines(session, product.id, lot)
            if pending:  # received, not validated yet: the lot is made from these lines at validation
                session.odoo.call("stock.move.line", "write", pending, {"expiration_date": value})
                return Outcome.applied(f"Lot {lot} of {product.name}, not validated yet, will expire on {when}.")
            found = _lot(session, product, lot, gtin)
            session.odoo.call("stock.lot", "write", [found["id"]], {"expiration_date": value})
            return Outcome.applied(f"Lot {lot} of {product.name} now expires on {when}.", lot_id=found["id"])

        return self._run(work)

    def set_lot_recalled(self, gtin: str, lot: str, recalled: bool) -> Outcome:
        """Odoo has no recall field: the lot's description carries conventions.RECALL_NOTE."""

        def work(session: Session) -> Outcome:
            product = session.directory.product(gtin)
            found = _lot(session, product, lot, gtin)
            note = (RECALL_NOTE if recalled else "") + without_recall(found["note"])
            session.odoo.call("stock.lot", "write", [found["id"]], {"note": note or False})
            status = "recalled" if recalled else "no longer recalled"
            return Outcome.applied(f"Lot {lot} of {product.name} is {status}.", lot_id=found["id"])

        return self._run(work)

    def link_gtin(self, gtin: str, product_id: int, pack_quantity: float | None = None) -> Outcome:
        """Name a product by one more GTIN: its barcode if it has none, else a packaging of one unit;
        with `pack_quantity`, a packaging (box) of that many units (gtin_links.py)."""
        return self._run(lambda session: gtin_links.link_gtin(session, gtin, product_id, pack_quantity))


def _lot(session: Session, product: ProductRecord, name: str, gtin: str) -> dict[str, Any]:
    found = session.odoo.call(
        "stock.lot", "search_read", [("product_id", "=", product.id), ("name", "=", name)], fields=["note"], limit=1
    )
    if not found:
        raise refusals.missing_lot(product, name, gtin)
    return found[0]
