"""Unknown barcodes and expiries, from a handheld's batch to the sandbox: a supervisor links a GTIN
the inventory does not know as a box of units from the conflict, and a decision about one line's
expiry never writes another line's (a label read without its date never blanks a known expiry)."""
from datetime import date

import pytest
from flask import Flask

from app.extensions import db
from app.services import conflicts
from app.services.backend import inventory_backend
from offline_sync.outbox.models import Status
from offline_sync.outbox.resolutions import ResolutionError
from offline_sync.persistence import utcnow
from tests.unit.app.test_sync_flow import GTIN_CANNULA, _on_hand, _row, _submit, _supervisor, _sync

STOREKEEPER = "store"
UNKNOWN_BOX = "15012345999996"  # a valid GTIN the demo catalog does not hold


@pytest.fixture
def demo(app: Flask, runner) -> Flask:
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    return app


def _expiry(lot: str) -> date | None:
    return next(entry.expiry for entry in inventory_backend().catalog().lots if entry.name == lot)


def _decide(op_id: str, action: str, **params) -> None:
    conflicts.decide(db.session, inventory_backend(), op_id, action, supervisor=_supervisor(), reason="checked the box",
                     params=params, address="", now=utcnow())


def test_a_decision_on_one_lines_expiry_leaves_the_line_read_without_a_date_alone(demo: Flask) -> None:
    with demo.app_context():
        kept, wrong = _expiry("IVC20-B245"), _expiry("IVC20-C260")
        label = wrong.replace(year=wrong.year + 1)
        op_id = _submit(STOREKEEPER, "receive", {"receipt": "CS/IN/00001", "lines": [
            {"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 2},  # the label read without its date
            {"gtin": GTIN_CANNULA, "lot": "IVC20-C260", "expiry": label.isoformat(), "quantity": 3}]})
        _sync()
        assert _row(op_id).conflict_kind == "expiry_mismatch"

        _decide(op_id, "update_lot_expiry")

        assert (_expiry("IVC20-B245"), _expiry("IVC20-C260")) == (kept, label)  # B245 was blanked before
        _sync()
        assert _row(op_id).status == Status.DONE


def test_the_expiry_of_a_label_without_one_is_never_written(demo: Flask) -> None:
    with demo.app_context():
        kept = _expiry("IVC20-B245")
        op_id = _submit(STOREKEEPER, "receive", {"receipt": "CS/IN/00001", "lines": [
            {"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 2}]})
        row = _row(op_id)
        row.status, row.conflict_kind, row.conflict_detail = Status.CONFLICT, "expiry_mismatch", {"lot": "IVC20-B245"}
        db.session.commit()

        with pytest.raises(ResolutionError, match="gives no expiry"):
            _decide(op_id, "update_lot_expiry")

        assert _expiry("IVC20-B245") == kept and _row(op_id).status == Status.CONFLICT


def test_an_unknown_box_is_linked_from_the_conflict_and_its_scans_count_as_boxes(demo: Flask) -> None:
    with demo.app_context():
        before = _on_hand("WARD-3B-SUPPLY", "IVC20-B245")
        op_id = _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "lines": [
            {"gtin": UNKNOWN_BOX, "lot": "IVC20-B245", "quantity": 2}]})  # two scans of a box nobody knew
        _sync()
        row = _row(op_id)
        assert row.conflict_kind == "unknown_product"
        cannula = next(p.id for p in inventory_backend().catalog().products if p.gtin == GTIN_CANNULA)

        with pytest.raises(ResolutionError, match="more than 0"):
            _decide(op_id, "link_gtin_box", product_id=cannula, pack_quantity=0)
        _decide(op_id, "link_gtin_box", product_id=cannula, pack_quantity=5)
        _sync()

        assert _row(op_id).status == Status.DONE
        assert _on_hand("WARD-3B-SUPPLY", "IVC20-B245") == before - 10
        assert _row(op_id).payload["lines"][0]["quantity"] == 2  # the device's payload is kept as sent
        box = next(p for p in inventory_backend().catalog().products if p.gtin == UNKNOWN_BOX)
        assert (box.id, box.pack_quantity) == (cannula, 5)
