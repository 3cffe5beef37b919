"""Transfers and consumption against a fake Odoo: the calls made, the key looked for first, Wardstock's
own checks (Odoo would let stock go negative and use expired lots), and errors turned into outcomes."""

from datetime import date, timedelta

import pytest
from odoo_fakes import (
    ARCHIVED,
    CANNULA,
    CONSUMED_ID,
    FRESH,
    STORE,
    STORE_ID,
    SYRINGE,
    WARD,
    WARD_ID,
    FakeOdoo,
    backend_on,
    lot_row,
    product_row,
    records,
    store,
    unavailable,
    warm,
)

from offline_sync.backends.contract import (
    ConflictKind,
    Consume,
    ItemLine,
    OutcomeStatus,
    Overrides,
    Transfer,
)
from offline_sync.backends.odoo.conventions import RECALL_NOTE
from offline_sync.backends.odoo.dates import today
from offline_sync.backends.odoo.errors import OdooRefused
from offline_sync.backends.odoo.lookup import Directory

OP = "3f1c2a9e-0000-4000-8000-000000000001"


def quant(quantity: float, lot: dict | None = None, product_id: int = 7) -> dict:
    return {"id": 1, "product_id": product_id, "lot_id": lot or False, "quantity": quantity}


@pytest.fixture
def fake() -> FakeOdoo:
    fake = store(FakeOdoo())
    fake.answer("stock.picking", "search_read", [])  # the key is not in Odoo yet
    fake.answer("stock.quant", "web_search_read", records([quant(10, lot_row(50, "L1", FRESH))]))
    fake.answer("stock.lot", "web_search_read", records([]))
    fake.answer("stock.picking", "web_save", [{"id": 77, "name": "WH/INT/00077"}])
    fake.answer("stock.picking", "button_validate", True)
    return fake


def test_a_transfer_is_four_calls_with_the_scanned_lot_imposed(fake: FakeOdoo) -> None:
    backend = backend_on(fake)
    warm(backend, fake)

    outcome = backend.transfer(Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 4, "L1"),)))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    assert dict(outcome.refs) == {"picking": "WH/INT/00077", "picking_id": 77}
    assert fake.methods() == [
        "stock.picking.search_read",
        "stock.quant.web_search_read",
        "stock.picking.web_save",
        "stock.picking.button_validate",
    ]
    assert fake.requests == 4
    assert fake.args_of("stock.picking", "search_read")[0] == [
        ("origin", "=", f"WS-{OP}"),
        ("backorder_id", "=", False),
    ]
    _, values, _ = fake.args_of("stock.picking", "web_save")
    assert (values["origin"], values["picking_type_id"], values["location_id"], values["location_dest_id"]) == (
        f"WS-{OP}",
        5,
        WARD_ID,
        STORE_ID,
    )
    [(_, _, line)] = values["move_line_ids"]
    assert (line["lot_id"], line["quantity"], line["location_id"]) == (50, 4, WARD_ID)
    assert fake.kwargs_of("stock.picking", "button_validate")["context"]["skip_expired"] is True


def test_consumption_goes_to_the_ward_consumption_type_with_the_case_number(fake: FakeOdoo) -> None:
    backend = backend_on(fake)

    outcome = backend.consume(Consume(OP, WARD, (ItemLine(CANNULA, 1, "L1"),), reference="CASE-0042"))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    _, values, _ = fake.args_of("stock.picking", "web_save")
    assert (values["picking_type_id"], values["location_dest_id"], values["note"]) == (9, CONSUMED_ID, "CASE-0042")


@pytest.mark.parametrize("version", ["17.0", "19.0"])
def test_a_box_gtin_names_its_product_and_the_quantity_stays_in_units(version: str) -> None:
    """The handheld multiplies a box scan into units; the backend books them in the product's own unit."""
    fake = store(FakeOdoo(version))
    box = "15012345100019"
    fake.answer("product.product", "web_search_read", records([product_row(7, CANNULA[1:], packagings=((box, 10.0),))]))
    fake.answer("stock.picking", "search_read", [])
    fake.answer("stock.quant", "web_search_read", records([quant(50, lot_row(50, "L1", FRESH))]))
    fake.answer("stock.lot", "web_search_read", records([]))
    fake.answer("stock.picking", "web_save", [{"id": 78, "name": "WH/CONS/00078"}])
    fake.answer("stock.picking", "button_validate", True)

    outcome = backend_on(fake).consume(Consume(OP, WARD, (ItemLine(box, 10, "L1"),)))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    _, values, _ = fake.args_of("stock.picking", "web_save")
    [(_, _, line)] = values["move_line_ids"]
    assert (line["product_id"], line["product_uom_id"], line["quantity"]) == (7, 1, 10)


def test_a_key_found_done_is_a_duplicate_after_one_call(fake: FakeOdoo) -> None:
    fake.answer("stock.picking", "search_read", [{"id": 77, "name": "WH/INT/00077", "state": "done"}])
    backend = backend_on(fake)
    backend.session()
    fake.calls.clear()

    outcome = backend.transfer(Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 4, "L1"),)))

    assert (outcome.status, outcome.refs["picking"]) == (OutcomeStatus.DUPLICATE, "WH/INT/00077")
    assert fake.methods() == ["stock.picking.search_read"]


def test_a_picking_created_but_not_validated_is_finished_not_made_again(fake: FakeOdoo) -> None:
    """The worker died between `web_save` and `button_validate`: the retry validates the picking it finds."""
    fake.answer("stock.picking", "search_read", [{"id": 77, "name": "WH/INT/00077", "state": "assigned"}])
    backend = backend_on(fake)

    outcome = backend.transfer(Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 4, "L1"),)))

    assert outcome.status == OutcomeStatus.APPLIED
    assert "stock.picking.web_save" not in fake.methods() and "stock.picking.button_validate" in fake.methods()


def test_a_cancelled_picking_of_this_key_needs_a_person(fake: FakeOdoo) -> None:
    fake.answer("stock.picking", "search_read", [{"id": 77, "name": "WH/INT/00077", "state": "cancel"}])

    outcome = backend_on(fake).transfer(Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 4, "L1"),)))

    assert outcome.conflict == ConflictKind.NOT_PERMITTED and "cancelled in Odoo" in outcome.message


def test_more_than_on_hand_is_refused_before_writing(fake: FakeOdoo) -> None:
    outcome = backend_on(fake).transfer(
        Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 6, "L1"), ItemLine(CANNULA, 5, "L1")))
    )

    assert outcome.conflict == ConflictKind.INSUFFICIENT_STOCK
    assert (outcome.detail["on_hand"], outcome.detail["requested"], outcome.detail["location"]) == (10, 11, WARD)
    assert "stock.picking.web_save" not in fake.methods()


def test_a_supervisor_may_let_the_stock_go_negative(fake: FakeOdoo) -> None:
    command = Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 11, "L1"),), Overrides(allow_negative_stock=True))

    assert backend_on(fake).transfer(command).status == OutcomeStatus.APPLIED


@pytest.mark.parametrize(
    ("expiry", "note", "usable"),
    [
        (-1, False, False),  # days from today, as the test runs (not as the run started: midnight)
        (0, False, True),
        (FRESH, RECALL_NOTE, False),
    ],
    ids=["expired-yesterday", "expires-today", "recalled"],
)
def test_expired_or_recalled_lots_are_refused(fake: FakeOdoo, expiry: date | int, note: str | bool, usable: bool) -> None:
    if isinstance(expiry, int):
        expiry = today(None) + timedelta(days=expiry)
    fake.answer("stock.quant", "web_search_read", records([quant(10, lot_row(50, "L1", expiry, note=note))]))

    outcome = backend_on(fake).consume(Consume(OP, WARD, (ItemLine(CANNULA, 1, "L1"),)))

    assert (outcome.status == OutcomeStatus.APPLIED) is usable, outcome.message
    if not usable:
        assert outcome.conflict == ConflictKind.EXPIRED_OR_RECALLED and "L1" in outcome.message


def test_a_lot_with_nothing_at_the_source_is_looked_up_once_more(fake: FakeOdoo) -> None:
    fake.answer("stock.quant", "web_search_read", records([]))
    fake.answer("stock.lot", "web_search_read", records([lot_row(51, "L2", FRESH)]))

    outcome = backend_on(fake).transfer(Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 1, "L2"),)))

    assert (outcome.conflict, outcome.detail["on_hand"]) == (ConflictKind.INSUFFICIENT_STOCK, 0)


@pytest.mark.parametrize("lot", ["NO-SUCH", None])
def test_an_unknown_or_missing_lot(fake: FakeOdoo, lot: str | None) -> None:
    fake.answer("stock.quant", "web_search_read", records([]))

    outcome = backend_on(fake).transfer(Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 1, lot),)))

    assert outcome.conflict == ConflictKind.UNKNOWN_LOT


def test_an_untracked_product_moves_without_lot(fake: FakeOdoo) -> None:
    fake.answer("stock.quant", "web_search_read", records([quant(4, product_id=9)]))

    outcome = backend_on(fake).transfer(Transfer(OP, WARD, STORE, (ItemLine(SYRINGE, 4, "IGNORED"),)))

    assert outcome.status == OutcomeStatus.APPLIED, outcome.message
    [(_, _, line)] = fake.args_of("stock.picking", "web_save")[1]["move_line_ids"]
    assert line["lot_id"] is False


@pytest.mark.parametrize(("gtin", "words"), [("05099999999995", "No product"), ("1234", "not a valid GTIN")])
def test_an_unknown_or_invalid_gtin_is_an_unknown_product(fake: FakeOdoo, gtin: str, words: str) -> None:
    outcome = backend_on(fake).transfer(Transfer(OP, WARD, STORE, (ItemLine(gtin, 1, "L1"),)))

    assert outcome.conflict == ConflictKind.UNKNOWN_PRODUCT and words in outcome.message


@pytest.mark.parametrize(("where", "words"), [(ARCHIVED, "archived"), ("NOWHERE", "No location has the barcode")])
def test_an_archived_or_unknown_location(fake: FakeOdoo, where: str, words: str) -> None:
    outcome = backend_on(fake).transfer(Transfer(OP, where, STORE, (ItemLine(CANNULA, 1, "L1"),)))

    assert outcome.conflict == ConflictKind.LOCATION_UNKNOWN and words in outcome.message and where in outcome.message


def test_consumption_before_the_doctor_set_it_up_says_how_to(fake: FakeOdoo) -> None:
    store(fake, consumption=False)

    outcome = backend_on(fake).consume(Consume(OP, WARD, (ItemLine(CANNULA, 1, "L1"),)))

    assert outcome.conflict == ConflictKind.LOCATION_UNKNOWN and "flask odoo doctor --fix" in outcome.message


def test_a_wizard_instead_of_a_validation_is_refused(fake: FakeOdoo) -> None:
    fake.answer("stock.picking", "button_validate", {"res_model": "some.wizard", "name": "Confirm"})

    outcome = backend_on(fake).transfer(Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 1, "L1"),)))

    assert outcome.conflict == ConflictKind.NOT_PERMITTED and "Confirm" in outcome.message


def test_odoo_unreachable_is_transient_and_the_next_command_signs_in_again(fake: FakeOdoo) -> None:
    fake.login_error = unavailable()
    backend = backend_on(fake)
    command = Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 1, "L1"),))

    first = backend.transfer(command)
    fake.login_error = None
    second = backend.transfer(command)

    assert (first.status, second.status) == (OutcomeStatus.TRANSIENT, OutcomeStatus.APPLIED)
    assert "refuses connections" in first.message


def test_a_timeout_mid_command_is_transient(fake: FakeOdoo) -> None:
    fake.answer("stock.picking", "button_validate", unavailable("Odoo did not answer within 30 s."))

    outcome = backend_on(fake).transfer(Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 1, "L1"),)))

    assert (outcome.status, outcome.message) == (OutcomeStatus.TRANSIENT, "Odoo did not answer within 30 s.")


def test_an_odoo_refusal_is_a_conflict_with_odoo_s_words(fake: FakeOdoo) -> None:
    fake.answer("stock.picking", "web_save", OdooRefused("UserError", "The operation type is archived."))

    outcome = backend_on(fake).transfer(Transfer(OP, WARD, STORE, (ItemLine(CANNULA, 1, "L1"),)))

    assert outcome.conflict == ConflictKind.NOT_PERMITTED
    assert outcome.message == "Odoo refused it: The operation type is archived."
    assert outcome.detail["odoo_error"] == "UserError"


def test_the_directory_forgets_products_and_locations_after_its_max_age(fake: FakeOdoo) -> None:
    now = [0.0]
    backend = backend_on(fake)
    directory = Directory(backend.session().odoo, max_age=300, clock=lambda: now[0])
    directory.product(CANNULA)
    directory.storage_locations(WARD)
    fake.calls.clear()

    now[0] = 299.0
    directory.product(CANNULA)
    directory.storage_locations(WARD)
    kept = fake.methods()
    now[0] = 300.0
    directory.product(CANNULA)
    directory.storage_locations(WARD)

    assert kept == [] and fake.methods() == ["product.product.web_search_read", "stock.location.web_search_read"]
