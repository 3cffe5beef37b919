"""Ward replenishment (issue 15) against every backend: par levels read and set, requests gathered on the one
open transfer of a ward, picks by lot, delivery with and without backorder, the three conflicts, and each
command exactly once, sent twice or sent again after its outcome was lost."""

from collections.abc import Callable, Iterable
from typing import NamedTuple

from contract_world import World, op, product_id

from offline_sync.backends.contract import (
    Catalog,
    ConflictKind,
    DeliverReplenishment,
    InventoryBackend,
    ItemLine,
    Outcome,
    OutcomeStatus,
    ParLevel,
    PickReplenishment,
    Replenishment,
    ReplenishmentLine,
    RequestReplenishment,
    SetParLevel,
)


def _location_id(catalog: Catalog, barcode: str) -> int:
    return next(location.id for location in catalog.locations if location.barcode == barcode)


def _applied(outcome: Outcome) -> Outcome:
    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    return outcome


def _ward_with_par_level(world: World, minimum: float = 4, maximum: float = 20, ward: str | None = None) -> tuple[str, str]:
    """A new product with a par level at a ward location (a new one unless given): its GTIN and the ward."""
    gtin, ward = world.product(), ward or world.location()
    _applied(world.backend.set_par_level(SetParLevel(op(), ward, gtin, minimum, maximum)))
    return gtin, ward


def _request(backend: InventoryBackend, ward: str, gtin: str, quantity: float) -> str:
    """Request and answer the transfer's reference."""
    return str(_applied(backend.request_replenishment(RequestReplenishment(op(), ward, gtin, quantity))).refs["picking"])


def _replenishment(backend: InventoryBackend, reference: str) -> Replenishment | None:
    return next((r for r in backend.catalog().replenishments if r.reference == reference), None)


def _store(backend: InventoryBackend, reference: str) -> str:
    """The store the backend refills wards from, read back from a transfer it made."""
    catalog = backend.catalog()
    transfer = next(r for r in catalog.replenishments if r.reference == reference)
    return next(location.barcode for location in catalog.locations if location.id == transfer.source_id)


def _lines(backend: InventoryBackend, reference: str) -> dict[int, tuple[float, float, dict[str, float]]]:
    transfer = _replenishment(backend, reference)
    assert transfer is not None, f"{reference} is not in the catalog"
    return {line.product_id: (line.requested, line.picked, dict(line.lots)) for line in transfer.lines}


class Requested(NamedTuple):
    gtin: str
    ward: str
    transfer: str  # its reference
    store: str
    first: str  # a lot with 3 in the store
    second: str  # a lot with 10 in the store


def _requested_8(world: World) -> Requested:
    """A ward's transfer with 8 requested of a new product, two lots of which the store holds 3 and 10."""
    gtin, ward = _ward_with_par_level(world)
    reference = _request(world.backend, ward, gtin, 8)
    store = _store(world.backend, reference)
    first, second = world.lot(gtin), world.lot(gtin)
    world.put(gtin, first, store, 3)
    world.put(gtin, second, store, 10)
    return Requested(gtin, ward, reference, store, first, second)


# ---- par levels ------------------------------------------------------------------------------


def test_a_par_level_is_set_read_back_and_changed(world: World, backend: InventoryBackend) -> None:
    gtin, ward = _ward_with_par_level(world, 2, 10)
    catalog = backend.catalog()
    product, location = product_id(catalog, gtin), _location_id(catalog, ward)
    assert [p for p in catalog.par_levels if p.product_id == product] == [ParLevel(product, location, 2, 10)]

    _applied(backend.set_par_level(SetParLevel(op(), ward, gtin, 5, 15)))
    assert [p for p in backend.catalog().par_levels if p.product_id == product] == [ParLevel(product, location, 5, 15)]


def test_a_par_level_for_an_unknown_product_or_location_is_refused(world: World, backend: InventoryBackend) -> None:
    unknown = backend.set_par_level(SetParLevel(op(), world.location(), world.unknown_gtin(), 1, 5))
    nowhere = backend.set_par_level(SetParLevel(op(), world.unique("NO-SUCH-LOC"), world.product(), 1, 5))
    assert (unknown.conflict, nowhere.conflict) == (ConflictKind.UNKNOWN_PRODUCT, ConflictKind.LOCATION_UNKNOWN)


# ---- requests ----------------------------------------------------------------------------------


def test_requests_create_the_wards_one_open_transfer_then_extend_it(world: World, backend: InventoryBackend) -> None:
    gtin, ward = _ward_with_par_level(world)
    other, _ = _ward_with_par_level(world, ward=ward)
    first = _request(backend, ward, gtin, 5)
    assert _request(backend, ward, gtin, 3) == first  # the same product: its line is raised
    assert _request(backend, ward, other, 2) == first  # another product: a line on the same transfer

    catalog = backend.catalog()
    transfer = next(r for r in catalog.replenishments if r.reference == first)
    assert (transfer.state, transfer.destination_id) == ("open", _location_id(catalog, ward))
    assert _lines(backend, first) == {product_id(catalog, gtin): (8, 0, {}), product_id(catalog, other): (2, 0, {})}
    other_ward = world.location()
    _applied(backend.set_par_level(SetParLevel(op(), other_ward, gtin, 1, 4)))
    assert _request(backend, other_ward, gtin, 3) != first  # each ward its own transfer


def test_a_request_for_a_product_without_par_level_there_is_no_par_level(world: World, backend: InventoryBackend) -> None:
    gtin, _ward = _ward_with_par_level(world)
    elsewhere = world.location()
    refused = backend.request_replenishment(RequestReplenishment(op(), elsewhere, gtin, 5))
    assert refused.conflict == ConflictKind.NO_PAR_LEVEL, refused.message
    assert refused.detail["gtin"] == gtin and refused.detail["location"] == elsewhere
    assert not any(r.destination_id == _location_id(backend.catalog(), elsewhere) for r in backend.catalog().replenishments)


# ---- picking and delivery --------------------------------------------------------------------


def test_picks_by_lot_add_up_on_the_transfer(world: World, backend: InventoryBackend) -> None:
    gtin, _ward, reference, _store, first, second = _requested_8(world)
    _applied(backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 3, first),))))
    _applied(backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 2, second),))))
    product = product_id(backend.catalog(), gtin)
    assert _lines(backend, reference)[product] == (8, 5, {first: 3, second: 2})


def test_delivery_with_backorder_moves_the_picked_lots_and_keeps_the_rest_for_the_next_requests(
    world: World, backend: InventoryBackend
) -> None:
    gtin, ward, reference, store, first, second = _requested_8(world)
    _applied(backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 3, first), ItemLine(gtin, 2, second)))))

    delivered = _applied(backend.deliver_replenishment(DeliverReplenishment(op(), reference, ward, backorder=True)))

    assert (world.on_hand(gtin, first, ward), world.on_hand(gtin, second, ward)) == (3, 2)
    assert (world.on_hand(gtin, first, store), world.on_hand(gtin, second, store)) == (0, 8)
    backorder = str(delivered.refs["backorder"])
    product = product_id(backend.catalog(), gtin)
    assert _lines(backend, backorder)[product][:2] == (3, 0)  # the 3 not picked
    assert _request(backend, ward, gtin, 4) == backorder  # the ward's open transfer now
    assert _replenishment(backend, reference) is None or _replenishment(backend, reference).state == "done"


def test_delivery_without_backorder_drops_the_rest_and_the_next_request_opens_a_new_transfer(
    world: World, backend: InventoryBackend
) -> None:
    gtin, ward, reference, _store, first, _second = _requested_8(world)
    _applied(backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 3, first),))))

    delivered = _applied(backend.deliver_replenishment(DeliverReplenishment(op(), reference, ward, backorder=False)))

    assert "backorder" not in delivered.refs
    assert world.on_hand(gtin, first, ward) == 3
    again = _request(backend, ward, gtin, 6)
    assert again != reference
    assert _lines(backend, again)[product_id(backend.catalog(), gtin)] == (6, 0, {})


def test_a_lot_the_store_does_not_hold_is_lot_not_in_store(world: World, backend: InventoryBackend) -> None:
    gtin, _ward, reference, _store, first, _second = _requested_8(world)
    elsewhere = world.lot(gtin)  # a lot that exists, with nothing in the store
    refused = backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 1, elsewhere),)))
    too_many = backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 4, first),)))  # 3 there
    assert (refused.conflict, too_many.conflict) == (ConflictKind.LOT_NOT_IN_STORE,) * 2, (refused.message, too_many.message)
    assert refused.detail["lot"] == elsewhere
    assert _lines(backend, reference)[product_id(backend.catalog(), gtin)][1] == 0  # nothing picked


def test_a_delivered_transfer_is_closed_to_picks_and_deliveries(world: World, backend: InventoryBackend) -> None:
    gtin, ward, reference, _store, first, second = _requested_8(world)
    _applied(backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 3, first),))))
    _applied(backend.deliver_replenishment(DeliverReplenishment(op(), reference, ward, backorder=False)))

    late_pick = backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 1, second),)))
    late_delivery = backend.deliver_replenishment(DeliverReplenishment(op(), reference, ward, backorder=True))

    assert (late_pick.conflict, late_delivery.conflict) == (ConflictKind.TRANSFER_CLOSED,) * 2, late_pick.message
    assert late_pick.detail["location"] == ward  # where a new request goes
    assert world.on_hand(gtin, second, ward) == 0


def test_delivery_to_another_location_than_the_transfers_is_refused(world: World, backend: InventoryBackend) -> None:
    gtin, ward, reference, _store, first, _second = _requested_8(world)
    _applied(backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 3, first),))))
    wrong = world.location()
    refused = backend.deliver_replenishment(DeliverReplenishment(op(), reference, wrong, backorder=True))
    assert refused.conflict == ConflictKind.LOCATION_UNKNOWN, refused.message
    assert refused.detail["expected"] == ward
    assert (world.on_hand(gtin, first, wrong), world.on_hand(gtin, first, ward)) == (0, 0)


def test_delivering_before_anything_was_picked_is_refused(world: World, backend: InventoryBackend) -> None:
    _gtin, ward, reference, _store, _first, _second = _requested_8(world)
    refused = backend.deliver_replenishment(DeliverReplenishment(op(), reference, ward, backorder=True))
    assert refused.status == OutcomeStatus.CONFLICT, refused.message
    assert _replenishment(backend, reference).state == "open"


# ---- exactly once ------------------------------------------------------------------------------

Send = Callable[[InventoryBackend], Outcome]
Effect = Callable[[], object]


def _amounts(lines: Iterable[ReplenishmentLine]) -> list[tuple[float, float, list[float]]]:
    """A transfer's lines as amounts alone (no ids or names), so effects compare across scenarios too."""
    return sorted((line.requested, line.picked, sorted(quantity for _lot, quantity in line.lots)) for line in lines)


def _transfer_amounts(backend: InventoryBackend, reference: str) -> list[tuple[float, float, list[float]]]:
    transfer = _replenishment(backend, reference)
    assert transfer is not None, f"{reference} is not in the catalog"
    return _amounts(transfer.lines)


def _requested(world: World) -> tuple[Send, Effect]:
    gtin, ward = _ward_with_par_level(world)
    reference = _request(world.backend, ward, gtin, 2)  # the transfer exists: the command raises its line
    command = RequestReplenishment(op(), ward, gtin, 5, card=f"BIN:{gtin}:{ward}")
    return (lambda backend: backend.request_replenishment(command)), (lambda: _transfer_amounts(world.backend, reference))


def _first_request(world: World) -> tuple[Send, Effect]:
    gtin, ward = _ward_with_par_level(world)
    command = RequestReplenishment(op(), ward, gtin, 5)
    ward_id = _location_id(world.backend.catalog(), ward)
    return (lambda backend: backend.request_replenishment(command)), (
        lambda: sorted(_amounts(r.lines) for r in world.backend.catalog().replenishments if r.destination_id == ward_id)
    )


def _par_level(world: World) -> tuple[Send, Effect]:
    gtin, ward = _ward_with_par_level(world, 2, 10)
    command = SetParLevel(op(), ward, gtin, 6, 30)
    product = product_id(world.backend.catalog(), gtin)
    return (lambda backend: backend.set_par_level(command)), (
        lambda: [(p.minimum, p.maximum) for p in world.backend.catalog().par_levels if p.product_id == product]
    )


def _pick(world: World) -> tuple[Send, Effect]:
    gtin, _ward, reference, _store, first, _second = _requested_8(world)
    command = PickReplenishment(op(), reference, (ItemLine(gtin, 2, first),))
    return (lambda backend: backend.pick_replenishment(command)), (lambda: _transfer_amounts(world.backend, reference))


def _deliver(world: World) -> tuple[Send, Effect]:
    gtin, ward, reference, store, first, _second = _requested_8(world)
    _applied(world.backend.pick_replenishment(PickReplenishment(op(), reference, (ItemLine(gtin, 3, first),))))
    command = DeliverReplenishment(op(), reference, ward, backorder=True)
    return (lambda backend: backend.deliver_replenishment(command)), (
        lambda: (world.on_hand(gtin, first, ward), world.on_hand(gtin, first, store))
    )


# Exactly once (sent twice, or resent after a lost outcome): test_contract_exactly_once.py runs these too.
SCENARIOS = [_requested, _first_request, _par_level, _pick, _deliver]
IDS = [scenario.__name__.strip("_") for scenario in SCENARIOS]
