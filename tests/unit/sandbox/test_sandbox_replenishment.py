"""The sandbox's ward replenishment beyond the contract suite: demo par levels that show something low, a
sandbox loaded before par levels existed getting them, a transfer cancelled meanwhile, and the ledger's
invariant after a whole refill."""

from datetime import date

from sandbox_support import assert_quants_match_moves
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import (
    ConflictKind,
    DeliverReplenishment,
    ItemLine,
    OutcomeStatus,
    PickReplenishment,
    RequestReplenishment,
)
from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.backends.sandbox.demo import PAR_LEVELS, load_demo_stock
from offline_sync.backends.sandbox.models import SandboxOrderpoint, SandboxPicking, State

IV_CANNULA = "05012345100012"  # 30 in 3B's supply room, par level 40-80
OP = "11111111-2222-4333-8444-{:012d}"


def test_the_demo_wards_have_par_levels_and_some_products_are_low(backend: SandboxBackend) -> None:
    catalog = backend.catalog()
    on_hand: dict[tuple[int, int], float] = {}
    for level in catalog.stock:
        on_hand[level.product_id, level.location_id] = on_hand.get((level.product_id, level.location_id), 0) + level.quantity
    low = {(p.product_id, p.location_id) for p in catalog.par_levels if on_hand.get((p.product_id, p.location_id), 0) <= p.minimum}
    assert len(catalog.par_levels) == len(PAR_LEVELS)
    assert 0 < len(low) < len(PAR_LEVELS)


def test_a_sandbox_loaded_before_par_levels_existed_gets_them(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.execute(delete(SandboxOrderpoint))
    with sessions.begin() as session:
        load_demo_stock(session, date.today())
    with sessions() as session:
        assert len(session.scalars(select(SandboxOrderpoint)).all()) == len(PAR_LEVELS)


def test_a_pick_on_a_transfer_cancelled_meanwhile_is_transfer_closed_with_what_to_request_again(
    backend: SandboxBackend, sessions: sessionmaker[Session]
) -> None:
    requested = backend.request_replenishment(RequestReplenishment(OP.format(1), "WARD-3B-SUPPLY", IV_CANNULA, 50))
    assert requested.status == OutcomeStatus.APPLIED, requested.message
    with sessions.begin() as session:  # a storekeeper cancels it in the inventory
        session.get(SandboxPicking, requested.refs["picking_id"]).state = State.CANCEL
    refused = backend.pick_replenishment(PickReplenishment(OP.format(2), str(requested.refs["picking"]),
                                                           (ItemLine(IV_CANNULA, 5, "IVC20-C260"),)))
    assert refused.conflict == ConflictKind.TRANSFER_CLOSED, refused.message
    assert refused.detail["location"] == "WARD-3B-SUPPLY"
    assert refused.detail["lines"] == [{"gtin": IV_CANNULA, "quantity": 50}]
    again = backend.request_replenishment(RequestReplenishment(OP.format(3), "WARD-3B-SUPPLY", IV_CANNULA, 50))
    assert again.refs["picking"] != requested.refs["picking"]  # a new transfer


def test_stock_moves_only_at_delivery_and_the_ledger_stays_whole(backend: SandboxBackend, sessions: sessionmaker[Session]) -> None:
    def stock() -> dict[tuple[int, int, int | None], float]:
        return {(s.product_id, s.location_id, s.lot_id): s.quantity for s in backend.catalog().stock}

    before = stock()
    reference = str(backend.request_replenishment(RequestReplenishment(OP.format(1), "WARD-3B-SUPPLY", IV_CANNULA, 50)).refs["picking"])
    backend.pick_replenishment(PickReplenishment(OP.format(2), reference, (ItemLine(IV_CANNULA, 40, "IVC20-C260"),)))
    assert stock() == before  # picked, not moved yet
    delivered = backend.deliver_replenishment(DeliverReplenishment(OP.format(3), reference, "WARD-3B-SUPPLY", backorder=True))
    assert delivered.status == OutcomeStatus.APPLIED, delivered.message
    assert sum(stock().values()) == sum(before.values()) and stock() != before
    with sessions() as session:
        assert_quants_match_moves(session)
