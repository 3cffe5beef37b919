"""A recall reaches an online handheld as a catalog delta (issue 18): a supervisor recalls a lot, the
sandbox backend marks it (the sync worker), and the handheld's next sync, a single POST /api/v1/sync,
brings only that lot, in at most 2 KB; offline, the lot is then refused on the handheld."""
import json
import uuid

import pytest
from flask import Flask

from tests.e2e.conftest import screenshot
from tests.e2e.journey import (
    IV_CANNULA,
    badge,
    expect_result,
    gs1,
    lot_expiry,
    real_errors,
    reload_offline,
    run_sync_worker,
    start,
    wait_until,
    wedge,
)

pytestmark = pytest.mark.e2e
WARD = "WARD-3B-SUPPLY"
LOT = "IVC20-B245"
DELTA_LIMIT = 2048  # bytes: the target for a change of one lot


def recall_through_the_server(app: Flask, gtin: str, lot: str) -> None:
    """What the recall form does (views/recalls.py), then the worker marking it in the sandbox backend
    and the catalog refresh its loop makes every minute."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.services import recalls
    from app.services.sync import refresh_catalog
    from offline_sync.persistence import utcnow

    with app.app_context():
        supervisor = db.session.scalars(select(User).where(User.username == "supervisor")).one()
        notice = recalls.RecallNotice(op_id=str(uuid.uuid4()), gtin=gtin, lots=(lot,), notice="FSN-2026-118: seal defect")
        recalls.enter(db.session, supervisor, notice, "127.0.0.1", utcnow())
    run_sync_worker(app)
    with app.app_context():
        assert refresh_catalog()  # the server's catalog changed: a new version


def test_a_recall_reaches_an_online_handheld_in_one_sync_of_at_most_2_kb(app: Flask, demo_server: str, phone) -> None:
    page = phone
    start(page, demo_server, "nurse", "/consume")
    recalled_here = f"import('/static/js/catalog.js').then(m => m.loadCatalog()).then(c => c.lot(c.product('{IV_CANNULA}').id, '{LOT}').recalled)"
    assert page.evaluate(recalled_here) is False
    before = page.evaluate("import('/static/js/catalog-store.js').then(m => m.catalogState()).then(s => s.version)")
    assert before

    recall_through_the_server(app, IV_CANNULA, LOT)
    syncs = []
    page.context.on("requestfinished", lambda request: syncs.append(request) if request.url.endswith("/api/v1/sync") else None)
    page.reload()  # the nurse opens the screen again: its first sync asks for the catalog's changes
    wait_until(page, recalled_here)

    assert len(syncs) == 1, [request.post_data for request in syncs]
    [request] = syncs
    sent = json.loads(request.post_data)
    assert (sent["commands"], sent["watch"], sent["catalog"]) == ([], {}, before)
    response = request.response()
    body = response.body()
    answer = json.loads(body)
    catalog = answer["catalog"]
    assert catalog["full"] is False and catalog["version"] != before
    rows = [(table, kind, row) for table, change in catalog["changes"].items() for kind, items in change.items() for row in items]
    assert len(rows) == 1, rows  # only that lot
    [(table, kind, row)] = rows
    assert (table, kind, row["name"], row["recalled"]) == ("lots", "upsert", LOT, True)
    sizes = request.sizes()
    timing = request.timing
    print(f"\nDELTA one recalled lot: body {len(body)} B (on the wire {sizes['responseBodySize']} B, headers "
          f"{sizes['responseHeadersSize']} B), request {sizes['requestBodySize']} B, "
          f"answered in {timing['responseEnd'] - timing['requestStart']:.0f} ms")
    assert len(body) <= DELTA_LIMIT
    assert page.evaluate("import('/static/js/catalog-store.js').then(m => m.catalogState()).then(s => s.version)") == catalog["version"]

    page.context.set_offline(True)
    reload_offline(page)
    wedge(page, WARD)
    wedge(page, gs1(IV_CANNULA, LOT, lot_expiry(app, LOT)))
    expect_result(page, "RECALLED — do not use", LOT, level="error")
    assert badge(page)["state"] == "offline"
    screenshot(page, "recall-delta-refused-offline")
    assert real_errors(page) == []
