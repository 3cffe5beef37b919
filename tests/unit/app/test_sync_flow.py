"""From a device's batch to the sandbox and back: conflicts parked, resolved by a supervisor, applied once."""
import uuid
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from app.services import conflicts, intake
from app.services.backend import inventory_backend
from app.services.sync import build_worker
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.resolutions import ResolutionError, offered
from offline_sync.persistence import utcnow

GTIN_CANNULA = "05012345100012"
GTIN_PARACETAMOL = "05012345100043"  # lot PCM-24A on Ward 3B is expired in the demo data


def _submit(username: str, kind: str, payload: dict, captured_at: datetime | None = None) -> str:
    user = db.session.scalar(select(User).where(User.username == username))
    op_id = str(uuid.uuid4())
    item = {"op_id": op_id, "kind": kind, "device_seq": 1, "user_id": user.id,
            "captured_at": (captured_at or datetime.now(UTC)).isoformat(), "payload": payload}
    [result] = intake.accept(db.session, "handheld-0001", [item], user, "127.0.0.1", utcnow())
    assert result.answer == "accepted", result.message
    return op_id


def _sync() -> None:
    worker = build_worker(owner="test")
    while worker.run_once():
        pass


def _row(op_id: str) -> OutboxCommand:
    db.session.expire_all()
    return db.session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == op_id))


def _supervisor() -> User:
    return db.session.scalar(select(User).where(User.username == "supervisor"))


def _on_hand(location: str, lot: str) -> float:
    catalog = inventory_backend().catalog()
    location_id = next(loc.id for loc in catalog.locations if loc.barcode == location)
    lot_id = next(item.id for item in catalog.lots if item.name == lot)
    return sum(s.quantity for s in catalog.stock if s.location_id == location_id and s.lot_id == lot_id)


def test_a_consumption_syncs_once_into_the_sandbox(demo: Flask) -> None:
    with demo.app_context():
        before = _on_hand("WARD-3B-SUPPLY", "IVC20-B245")
        op_id = _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": 2}]})
        _sync()
        row = _row(op_id)
        assert row.status == Status.DONE and row.refs["picking"].startswith("CS/CONS/")
        assert _on_hand("WARD-3B-SUPPLY", "IVC20-B245") == before - 2


def test_an_expired_lot_is_parked_and_a_supervisor_override_applies_it(demo: Flask) -> None:
    with demo.app_context():
        op_id = _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN_PARACETAMOL, "lot": "PCM-24A", "quantity": 1}]})
        _sync()
        row = _row(op_id)
        assert row.status == Status.CONFLICT and row.conflict_kind == "expired_or_recalled"
        assert "PCM-24A" in row.conflict_message
        with pytest.raises(ResolutionError, match="Give a reason"):
            conflicts.decide(db.session, inventory_backend(), op_id, "override", supervisor=_supervisor(), reason=" ", params={}, address="", now=utcnow())
        conflicts.decide(db.session, inventory_backend(), op_id, "override", supervisor=_supervisor(),
                         reason="Theatre emergency, no other cannula", params={}, address="", now=utcnow())
        _sync()
        row = _row(op_id)
        assert row.status == Status.DONE and row.resolution["by"] == "supervisor"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict_resolved"))
        assert (event.actor, event.subject, event.detail["choice"]) == ("supervisor", op_id, "override")


def test_short_stock_is_parked_then_reduced(demo: Flask) -> None:
    with demo.app_context():
        available = _on_hand("WARD-3B-SUPPLY", "IVC20-B245")
        op_id = _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": available + 5}]})
        _sync()
        assert _row(op_id).conflict_kind == "insufficient_stock"
        conflicts.decide(db.session, inventory_backend(), op_id, "reduce", supervisor=_supervisor(),
                         reason="Counted the drawer", params={"quantity": available}, address="", now=utcnow())
        _sync()
        assert _row(op_id).status == Status.DONE
        assert _on_hand("WARD-3B-SUPPLY", "IVC20-B245") == 0
        assert _row(op_id).payload["lines"][0]["quantity"] == available + 5  # the device's payload is kept as sent


def _count_then_consume(used: int) -> tuple[str, float]:
    """An auditor counts one short on an offline handheld; a nurse then uses `used`, synced at once;
    the count arrives later. Returns the count's op_id and the on-hand the auditor saw."""
    seen = _on_hand("WARD-3B-SUPPLY", "IVC20-B245")
    counted_at = datetime.now(UTC)
    _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN_CANNULA, "lot": "IVC20-B245", "quantity": used}]})
    _sync()
    count = {"location": "WARD-3B-SUPPLY", "gtin": GTIN_CANNULA, "lot": "IVC20-B245", "counted": seen - 1, "seen_on_hand": seen}
    op_id = _submit("auditor", "count", count, captured_at=counted_at)
    _sync()
    return op_id, seen


def test_a_count_overtaken_by_a_few_moves_is_settled_as_of_the_count(demo: Flask) -> None:
    with demo.app_context():
        counted, seen = _count_then_consume(used=2)
        row = _row(counted)
        assert row.status == Status.DONE and row.conflict_kind == "count_overtaken"  # the conflict, kept for the record
        assert row.resolution["by"] == "system" and row.resolution["quantity"] == seen - 1 - 2
        assert _on_hand("WARD-3B-SUPPLY", "IVC20-B245") == seen - 1 - 2  # counted, then the 2 used since


def test_a_count_overtaken_by_many_moves_waits_for_a_supervisor(demo: Flask) -> None:
    with demo.app_context():
        tolerance = demo.config["COUNT_AS_OF_TOLERANCE"]
        counted, seen = _count_then_consume(used=tolerance + 3)
        row = _row(counted)
        assert row.status == Status.CONFLICT and row.conflict_kind == "count_overtaken"
        assert {choice.action for choice in offered(row.conflict_kind)} >= {"count_as_of", "keep_counted", "recount"}
        conflicts.decide(db.session, inventory_backend(), counted, "keep_counted", supervisor=_supervisor(),
                         reason="Recounted the drawer myself", params={}, address="", now=utcnow())
        _sync()
        assert _row(counted).status == Status.DONE
        assert _on_hand("WARD-3B-SUPPLY", "IVC20-B245") == seen - 1


def test_a_resolution_not_offered_for_the_conflict_is_refused(demo: Flask) -> None:
    with demo.app_context():
        op_id = _submit("nurse", "consume", {"location": "WARD-3B-SUPPLY", "lines": [{"gtin": GTIN_PARACETAMOL, "lot": "PCM-24A", "quantity": 1}]})
        _sync()
        with pytest.raises(ResolutionError, match="not a way out of a expired_or_recalled conflict"):
            conflicts.decide(db.session, inventory_backend(), op_id, "apply_anyway", supervisor=_supervisor(), reason="x", params={}, address="", now=utcnow())
        nurse = db.session.scalar(select(User).where(User.username == "nurse"))
        with pytest.raises(ResolutionError, match="Only a supervisor"):
            conflicts.decide(db.session, inventory_backend(), op_id, "discard", supervisor=nurse, reason="x", params={}, address="", now=utcnow())
        conflicts.decide(db.session, inventory_backend(), op_id, "discard", supervisor=_supervisor(), reason="Wrong box", params={}, address="", now=utcnow())
        assert _row(op_id).status == Status.DISCARDED


def test_an_unreachable_backend_leaves_the_catalog_cache_as_it_was(demo: Flask) -> None:
    from app.services.backend import EXTENSION_KEY
    from app.services.sync import refresh_catalog
    from offline_sync.backends.contract import BackendUnavailable
    from offline_sync.catalog_cache import CatalogState

    class Unreachable:
        def catalog(self, since=None):
            raise BackendUnavailable("Connection refused")

    with demo.app_context():
        before = db.session.get(CatalogState, 1).as_of
        demo.extensions[EXTENSION_KEY] = Unreachable()
        assert refresh_catalog() is None
        db.session.expire_all()
        assert db.session.get(CatalogState, 1).as_of == before


def test_sync_threads_are_workers_with_a_connection_each_and_one_claim_at_a_time(tmp_path) -> None:
    from app.services.sync import build_workers
    from tests.support import make_app

    app = make_app(f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path, WARDSTOCK_BACKEND="odoo", SYNC_THREADS="3",
                   ODOO_URL="http://127.0.0.1:9", ODOO_DB="none", ODOO_USER="nobody", ODOO_PASSWORD="x")
    with app.app_context():
        workers = build_workers(app.config["SYNC_THREADS"], owner="host:1")
    assert [worker.owner for worker in workers] == ["host:1", "host:1:1", "host:1:2"]
    assert len({id(worker.backend) for worker in workers}) == 3
    assert len({id(worker.claim_lock) for worker in workers}) == 1


def test_the_handhelds_catalog_version_moves_only_when_something_changed(demo: Flask) -> None:
    from app.services.device_catalog import version
    from app.services.sync import refresh_catalog

    with demo.app_context():
        refresh_catalog()
        quiet = version(db.session)
        assert refresh_catalog() == 0 and version(db.session) == quiet  # nothing changed: no download for anyone
        inventory_backend().set_lot_expiry(GTIN_CANNULA, "IVC20-B245", datetime(2031, 1, 31).date())
        assert refresh_catalog() > 0 and version(db.session) != quiet
