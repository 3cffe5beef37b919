"""A mix of commands over the demo stock that raises no conflict, so that every command can end
done: for the fault tests and the sync benchmark. Transfers and consumption draw single units
from the central store's lot with the most left (so 790 draws fit), receipt lines go onto
CS/IN/00001, and each count is of a quant that nothing else touches (a second count of one
quant would rightly be overtaken by the first)."""
import random
import uuid
from datetime import UTC, datetime

from offline_sync.backends.contract import Catalog

# What CS-STOCK holds of the lots the mix draws from, in the demo data (not SYR10-2502: it is recalled).
SOURCE_STOCK = {("05012345100029", "SYR10-2501"): 300, ("05012345100036", "GZ-2512"): 200,
                ("05012345100050", "NS500-02"): 96, ("05012345100012", "IVC20-C260"): 200}
TRANSFER_LOTS = list(SOURCE_STOCK)
CONSUME_LOTS = TRANSFER_LOTS  # consumption draws from the same lots
DESTINATIONS = ["WARD-3B-SUPPLY", "WARD-ICU-CART", "WARD-ED-RESUS"]
QUIET_LOCATIONS = ["WARD-3B", "WARD-ICU", "WARD-ED"]  # parent wards: no traffic but counts


def count_targets(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(location, gtin, lot) that no transfer or consumption of the mix touches."""
    gtins = {product.id: product.gtin for product in catalog.products}
    lots = sorted((gtins[lot.product_id], lot.name) for lot in catalog.lots)
    quiet = [(location, gtin, lot) for location in QUIET_LOCATIONS for gtin, lot in lots]
    return quiet + [("WARD-3B-SUPPLY", gtin, lot) for gtin, lot in lots if (gtin, lot) not in TRANSFER_LOTS]


class Workload:
    """`command(index)` is the index-th command of the mix, as a device sends it."""

    def __init__(self, catalog: Catalog, user_ids: dict[str, int], seed: int = 1, stock: int | None = None) -> None:
        """`stock`: how many of each lot the source holds, when not the demo's (e.g. a copy in Odoo)."""
        self.targets = count_targets(catalog)
        self.user_ids = user_ids
        self.rng = random.Random(seed)
        self.left = dict(SOURCE_STOCK) if stock is None else dict.fromkeys(SOURCE_STOCK, stock)

    def _draw(self) -> tuple[str, str]:
        """One unit of the lot with the most left at the source."""
        gtin, lot = max(self.left, key=lambda key: (self.left[key], self.rng.random()))
        if self.left[gtin, lot] <= 0:
            raise RuntimeError("The demo stock is drawn out: the mix has no conflict-free transfer left.")
        self.left[gtin, lot] -= 1
        return gtin, lot

    def _item(self, index: int, username: str, kind: str, payload: dict) -> dict:
        return {"op_id": str(uuid.uuid4()), "kind": kind, "device_seq": index, "user_id": self.user_ids[username],
                "captured_at": datetime.now(UTC).isoformat(), "payload": payload}

    def command(self, index: int) -> dict:
        choice = index % 10
        if choice == 9 and index // 10 < len(self.targets):
            location, gtin, lot = self.targets[index // 10]
            return self._item(index, "auditor", "count", {"location": location, "gtin": gtin, "lot": lot, "counted": 7})
        if choice < 4:
            gtin, lot = self._draw()
            return self._item(index, "store", "transfer", {"source": "CS-STOCK", "destination": self.rng.choice(DESTINATIONS),
                                                           "lines": [{"gtin": gtin, "lot": lot, "quantity": 1}]})
        if choice < 6:
            gtin, lot = self._draw()
            return self._item(index, "supervisor", "consume", {"location": "CS-STOCK", "reference": f"CASE-{index}",
                                                               "lines": [{"gtin": gtin, "lot": lot, "quantity": 1}]})
        return self._item(index, "store", "receive", {"receipt": "CS/IN/00001",
                                                      "lines": [{"gtin": "05012345100067", "lot": "GLV-M-01", "quantity": 1}]})
