"""Counts (Odoo's inventory mode on `stock.quant`) and their resolutions.

A count is applied only if the on-hand did not change after it was made: the counter saw the
on-hand now (when they said what they saw) and no move touched the quant since `captured_at`.
Moves of Wardstock commands captured before the count (`Count.captured_before`) are not "since",
whenever Odoo applied them; other moves are dated by Odoo.
Otherwise it is entered in Odoo as a pending count whose difference is the one the counter
found, which Odoo itself shows as outdated (`is_outdated`), and answered as `count_overtaken`.
Odoo checks again when applying: a move between our write and `action_apply_inventory` makes it
answer with its `stock.inventory.conflict` wizard instead of applying, and that is a conflict too.

The key is the `inventory_name` context `COUNT-<op_id>`, which Odoo stores in the move's
`reference`; a resolution applies under the count's own key, so the count re-sent finds it.

RPC calls with a warm directory: the quant's moves since the count, which also holds the key
check (1), the lot with its quants or the quant (2), the counted figure entered (3), applied (4).
"""

from typing import Any

from offline_sync.backends.contract import ConflictKind, Count, CountResolution, Outcome, ResolveCount

from . import refusals
from .conventions import count_reference, picking_key
from .dates import to_odoo
from .records import LOT_SPEC, LotRecord, ProductRecord
from .session import Session
from .wording import item, quantity

EPSILON = 1e-6
INVENTORY_MODE = {"inventory_mode": True}


class Counted:
    """One product/lot at one location as Odoo has it now, with the moves done since the count was made."""

    def __init__(self, session: Session, count: Count, reference: str) -> None:
        directory = session.directory
        (self.location,) = directory.storage_locations(count.location)
        self.product: ProductRecord = directory.product(count.gtin)
        self.session, self.count, self.reference = session, count, reference
        self.lot: LotRecord | None = None
        self.earlier, self.net_since = self._moves_since()
        self.on_hand = 0.0
        if self.earlier is None:
            self.lot, self.on_hand = self._quant()

    def _lot_domain(self) -> list[Any]:
        if not self.product.tracked:
            return [("lot_id", "=", False)]
        if not self.count.lot:
            raise refusals.missing_lot(self.product, None, self.count.gtin)
        return [("lot_id.name", "=", self.count.lot)]

    def _moves_since(self) -> tuple[dict[str, Any] | None, float]:
        """The move that already applied this key, if any, and the net of the moves done since the count."""
        here = self.location.id
        lines = self.session.odoo.call(
            "stock.move.line",
            "search_read",
            [
                ("product_id", "=", self.product.id),
                *self._lot_domain(),
                ("state", "=", "done"),
                "|",
                ("location_id", "=", here),
                ("location_dest_id", "=", here),
                "|",
                ("reference", "=like", f"{self.reference}%"),
                ("date", ">", to_odoo(self.count.captured_at)),
            ],
            fields=["reference", "location_id", "location_dest_id", "quantity_product_uom", "move_id", "picking_id"],
        )
        earlier = next((line for line in lines if (line["reference"] or "").startswith(self.reference)), None)
        lines = self._captured_after(lines)
        net = sum(
            line["quantity_product_uom"] * ((line["location_dest_id"][0] == here) - (line["location_id"][0] == here))
            for line in lines
        )
        return earlier, net

    def _captured_after(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The lines less those of Wardstock commands captured before the count (`captured_before`):
        they were on the shelf the counter saw, though Odoo dates them when they arrived. One more call,
        only when such commands exist and pickings moved the quant since."""
        earlier = self.count.captured_before
        if not earlier:
            return lines
        counts = {count_reference(op_id) for op_id in earlier}
        lines = [line for line in lines if (line["reference"] or "").split(" ")[0] not in counts]
        picking_ids = sorted({line["picking_id"][0] for line in lines if line["picking_id"]})
        if not picking_ids:
            return lines
        keys = [picking_key(op_id) for op_id in sorted(earlier)]
        captured_before = set(
            self.session.odoo.call("stock.picking", "search", [("id", "in", picking_ids), ("origin", "in", keys)])
        )
        return [line for line in lines if not (line["picking_id"] and line["picking_id"][0] in captured_before)]

    def _quant(self) -> tuple[LotRecord | None, float]:
        """The counted lot (refused if unknown) and the on-hand at exactly this location."""
        odoo, here = self.session.odoo, self.location.id
        if not self.product.tracked:
            quants = odoo.call(
                "stock.quant",
                "search_read",
                [("product_id", "=", self.product.id), ("location_id", "=", here), ("lot_id", "=", False)],
                fields=["quantity"],
            )
            return None, sum(quant["quantity"] for quant in quants)
        found = odoo.call(
            "stock.lot",
            "web_search_read",
            [("product_id", "=", self.product.id), ("name", "=", self.count.lot)],
            {**LOT_SPEC, "quant_ids": {"fields": {"location_id": {}, "quantity": {}}}},
        )["records"]
        if not found:
            raise refusals.missing_lot(self.product, self.count.lot, self.count.gtin)
        quants = found[0]["quant_ids"]
        return LotRecord.parse(found[0], odoo.tz), sum(
            quant["quantity"] for quant in quants if quant["location_id"] == here
        )

    @property
    def seen(self) -> float:
        """The on-hand when the count was made: what the counter saw, else today's less the moves since."""
        return self.count.seen_on_hand if self.count.seen_on_hand is not None else self.on_hand - self.net_since

    @property
    def overtaken(self) -> bool:
        return abs(self.seen - self.on_hand) > EPSILON or abs(self.net_since) > EPSILON

    def describe(self) -> str:
        return f"{item(self.product, self.count.lot if self.product.tracked else None)} at {self.location.name}"

    def enter(self, counted: float) -> int:
        """Enter a counted figure (Odoo answers the existing quant, or makes one)."""
        values = {"product_id": self.product.id, "location_id": self.location.id, "inventory_quantity": counted}
        if self.lot is not None:
            values["lot_id"] = self.lot.id
        created = self.session.odoo.call("stock.quant", "create", [values], context=INVENTORY_MODE)
        return created[0] if isinstance(created, list) else created

    def apply(self, quant_id: int, figure: float) -> Outcome:
        answer = self.session.odoo.call(
            "stock.quant",
            "action_apply_inventory",
            [quant_id],
            context={**INVENTORY_MODE, "inventory_name": self.reference},
        )
        if isinstance(answer, dict):  # stock.inventory.conflict: a move came in between; Odoo applied nothing
            return self.conflict(
                f"The on-hand of {self.describe()} changed while the count was being applied; "
                "a supervisor chooses which figure to keep."
            )
        return Outcome.applied(
            f"{self.describe()} now stands at {quantity(figure)}.", reference=self.reference, quant_id=quant_id
        )

    def conflict(self, message: str) -> Outcome:
        return Outcome.conflicted(
            ConflictKind.COUNT_OVERTAKEN,
            message,
            counted=self.count.counted,
            on_hand_now=self.on_hand,
            net_moves_since=self.net_since,
            seen_on_hand=self.count.seen_on_hand,
            count_as_of=self.count.counted + self.net_since,
        )

    def duplicate(self) -> Outcome:
        assert self.earlier is not None
        return Outcome.duplicate(
            f"This count of {self.describe()} was already applied.",
            reference=self.reference,  # Odoo's may end with " (user)" when the count was assigned to one
            move_id=self.earlier["move_id"][0],
        )


def count(session: Session, command: Count) -> Outcome:
    counted = Counted(session, command, count_reference(command.op_id))
    if counted.earlier is not None:
        return counted.duplicate()
    quant_id = counted.enter(command.counted)
    if not counted.overtaken:
        return counted.apply(quant_id, command.counted)
    # Left pending with the difference the counter found, so Odoo shows it as outdated too.
    session.odoo.call("stock.quant", "write", [quant_id], {"inventory_diff_quantity": command.counted - counted.seen})
    return counted.conflict(
        f"The on-hand of {counted.describe()} changed after it was counted: {quantity(counted.seen)} then, "
        f"{quantity(counted.on_hand)} now, {quantity(command.counted)} counted. A supervisor chooses which figure to keep."
    )


def resolve_count(session: Session, command: ResolveCount) -> Outcome:
    counted = Counted(session, command.count, count_reference(command.op_id))
    if counted.earlier is not None:
        return counted.duplicate()
    if command.resolution == CountResolution.KEEP_COUNTED:
        target = command.count.counted
    elif command.resolution == CountResolution.KEEP_DIFFERENCE:
        target = counted.on_hand + command.count.counted - counted.seen
    elif command.quantity is None:
        raise ValueError("An explicit count resolution needs the quantity to set.")
    else:
        target = command.quantity
    if target < -EPSILON:
        raise refusals.Refused(
            ConflictKind.COUNT_OVERTAKEN,
            f"Keeping the difference would leave {quantity(target)} of {counted.describe()}; "
            "keep the counted figure or state the quantity.",
            counted=command.count.counted,
            on_hand_now=counted.on_hand,
        )
    return counted.apply(counted.enter(target), target)
