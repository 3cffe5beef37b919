"""Faults on the handheld's side (issue 7): the tab killed while a replay is in flight, the server
answering 500 and then 200, a session that expired while the handheld was offline. Each time,
every use the nurse confirmed reaches the server once and the ledger once (counted per op_id),
and the screen says where things stand."""
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.journey import (
    DEMO_PASSWORD,
    GAUZE,
    IV_CANNULA,
    badge,
    consumptions_per_op,
    device_outbox,
    expect_result,
    gs1,
    login,
    lot_expiry,
    on_hand,
    outbox_rows,
    real_errors,
    reload_offline,
    run_sync_worker,
    start,
    wait_synced,
    wait_until,
    wedge,
)

pytestmark = pytest.mark.e2e
WARD = "WARD-3B-SUPPLY"
LOTS = {IV_CANNULA: "IVC20-B245", GAUZE: "GZ-2406"}


def confirm_use(app: Flask, page, gtin: str) -> None:
    """A nurse scans the ward and one item and confirms its use."""
    wedge(page, WARD)
    wedge(page, gs1(gtin, LOTS[gtin], lot_expiry(app, LOTS[gtin])))
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Saved on this handheld")


def pending(page) -> int:
    return int(badge(page)["pending"])


def revoke_devices(app: Flask) -> None:
    """As devices.revoke does it, row by row: the commit empties the web process's token cache."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Device

    with app.app_context():
        for device in db.session.scalars(select(Device)):
            device.revoked = True
        db.session.commit()


def assert_each_applied_once(app: Flask, op_ids: list[str], before: dict[str, float]) -> None:
    """The server keeps exactly these commands, once each, and the worker applies each once."""
    rows = outbox_rows(app, "consume")
    assert sorted(row.op_id for row in rows) == sorted(op_ids)
    run_sync_worker(app)
    assert consumptions_per_op(app, op_ids) == {op_id: 1 for op_id in op_ids}
    assert [row.status for row in outbox_rows(app, "consume")] == ["done"] * len(op_ids)
    assert {lot: on_hand(app, WARD, lot) for lot in before} == {lot: quantity - 1 for lot, quantity in before.items()}


@pytest.mark.parametrize("server_kept_it", [False, True], ids=["before-the-server-had-it", "after-the-server-kept-it"])
def test_tab_killed_while_a_replay_is_in_flight_loses_and_repeats_nothing(
    app: Flask, demo_server: str, handheld, server_kept_it: bool,
) -> None:
    before = {lot: on_hand(app, WARD, lot) for lot in LOTS.values()}
    page = handheld.open()
    start(page, demo_server, "nurse", "/consume")
    in_flight = []
    page.context.route("**/api/v1/sync", lambda route: in_flight.append(route))  # held: no answer comes

    confirm_use(app, page, IV_CANNULA)
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")
    for _ in range(100):
        if in_flight:
            break
        page.wait_for_timeout(100)
    assert len(in_flight) == 1, "the handheld did not start sending"
    confirm_use(app, page, GAUZE)  # confirmed while the first is still on its way
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '2'")
    op_ids = [command["op_id"] for command in device_outbox(page)]
    assert len(op_ids) == 2
    if server_kept_it:
        assert in_flight[0].fetch().status == 200  # the server keeps the first; its answer dies with the tab
        assert [row.op_id for row in outbox_rows(app, "consume")] == op_ids[:1]
    else:
        assert outbox_rows(app, "consume") == []

    handheld.kill()
    page = handheld.open()  # the same phone, opened again after the system killed its browser
    resent = []
    page.context.route("**/api/v1/sync", lambda route: resent.append(route))
    page.goto(f"{demo_server}/device/queue")
    # Whatever screen it opens on (the killed browser usually lost its session cookie, and then it
    # is the login screen), it shows what it keeps and sends it with the device's own token.
    assert [command["op_id"] for command in device_outbox(page)] == op_ids  # nothing lost on the handheld
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '2'")
    assert badge(page)["state"] == "pending" and "to send" in badge(page)["text"]
    for _ in range(100):
        if resent:
            break
        page.wait_for_timeout(100)
    for route in resent:
        route.continue_()
    page.context.unroute("**/api/v1/sync")
    wait_synced(page)
    if page.url.startswith(f"{demo_server}/login"):
        login(page, demo_server, "nurse")
        page.goto(f"{demo_server}/device/queue")
    assert_each_applied_once(app, op_ids, before)
    page.get_by_role("button", name="Sync now").tap()
    wait_until(page, "[...document.querySelectorAll('#queue-list [data-state]')].map(i => i.dataset.state).join() === 'done,done'")
    assert "0 waiting to be sent" in page.locator("#queue-status").inner_text()
    screenshot(page, "fault-tab-killed-queue")
    assert real_errors(page) == []


@pytest.mark.parametrize("server_kept_it", [False, True], ids=["server-failed", "proxy-failed-after-the-server-kept-it"])
def test_server_answering_500_then_200_is_retried_by_itself_and_applied_once(
    app: Flask, demo_server: str, phone, server_kept_it: bool,
) -> None:
    page = phone
    before = {LOTS[IV_CANNULA]: on_hand(app, WARD, LOTS[IV_CANNULA])}
    start(page, demo_server, "nurse", "/consume")
    answers: list[int] = []

    def fail_twice(route) -> None:
        if len(answers) < 2:
            if server_kept_it:
                route.fetch()  # the server keeps the batch; a proxy in front of it answers 500
            answers.append(500)
            route.fulfill(status=500, json={"error": "server_error", "message": "Internal Server Error"})
        else:
            answers.append(200)
            route.fallback()

    page.context.route("**/api/v1/sync", fail_twice)
    confirm_use(app, page, IV_CANNULA)
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")
    wait_until(page, "import('/static/js/outbox.js').then(m => m.all()).then(c => c[0].attempts === 1)")
    [command] = device_outbox(page)
    assert command["state"] == "pending" and command["message"] == "The server is busy (500); trying again soon."
    assert badge(page)["state"] == "pending"  # "to send", not refused, not lost
    screenshot(page, "fault-server-500-pending")

    # Nobody taps anything: the handheld tries again after its backoff (1-2 s, then 2-4 s), long
    # before the 20 s timer, and the second 500 is followed by a 200.
    wait_synced(page, timeout=12000)
    assert answers == [500, 500, 200]
    assert_each_applied_once(app, [command["op_id"]], before)
    [command] = device_outbox(page)
    assert command["state"] == "sent" and command["attempts"] == 2
    assert real_errors(page) == []


def test_an_answer_that_never_comes_is_given_up_and_the_batch_sent_again_once(app: Flask, demo_server: str, phone) -> None:
    """The server keeps the batch, but the connection then hangs (no answer, no error): the handheld
    stops waiting after its answer timeout, sends the same op_id again, and the server says duplicate."""
    page = phone
    # The page's 30 s answer timeout, cut to 2 s for this test.
    page.add_init_script("AbortSignal.timeout = ((timeout) => (ms) => timeout.call(AbortSignal, Math.min(ms, 2000)))(AbortSignal.timeout);")
    before = {LOTS[IV_CANNULA]: on_hand(app, WARD, LOTS[IV_CANNULA])}
    start(page, demo_server, "nurse", "/consume")
    hanging = []

    def hang_after_the_server_kept_it(route) -> None:
        if hanging:
            route.fallback()
            return
        route.fetch()
        hanging.append(route)  # never answered

    page.context.route("**/api/v1/sync", hang_after_the_server_kept_it)
    confirm_use(app, page, IV_CANNULA)
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")
    for _ in range(100):
        if hanging:
            break
        page.wait_for_timeout(100)
    assert hanging and len(outbox_rows(app, "consume")) == 1
    wait_synced(page, timeout=15000)  # given up after 2 s, sent again after its backoff
    [command] = device_outbox(page)
    assert command["state"] == "sent" and command["server_status"] == "queued" and command["attempts"] == 1
    assert_each_applied_once(app, [command["op_id"]], before)
    assert real_errors(page) == []


@pytest.mark.parametrize("token_revoked", [False, True], ids=["token-valid", "token-revoked-too"])
def test_session_expired_while_offline_keeps_every_scan_and_says_to_log_in_again(
    app: Flask, demo_server: str, phone, monkeypatch: pytest.MonkeyPatch, token_revoked: bool,
) -> None:
    page = phone
    before = {lot: on_hand(app, WARD, lot) for lot in LOTS.values()}
    start(page, demo_server, "nurse", "/consume")
    page.context.set_offline(True)
    confirm_use(app, page, IV_CANNULA)  # confirmed offline, before the session ends
    wedge(page, WARD)
    wedge(page, gs1(GAUZE, LOTS[GAUZE], lot_expiry(app, LOTS[GAUZE])))  # scanned, not yet confirmed
    expect_result(page, "Sterile gauze")

    # Twenty minutes pass on the server (its idle logout is 15): the session ends while the handheld is away.
    from app.security import idle

    later = idle.utcnow() + timedelta(minutes=20)
    monkeypatch.setattr(idle, "utcnow", lambda: later)
    if token_revoked:
        revoke_devices(app)  # …and the handheld's token is no longer valid either
    reload_offline(page)  # the cached page, the draft from IndexedDB: nothing lost
    assert page.locator("#lines .line").count() == 1 and pending(page) == 1

    page.context.set_offline(False)
    notice = page.locator("#sync-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Your session has ended: log in again to carry on. Nothing you scanned is lost")
    [confirmed] = device_outbox(page)
    if token_revoked:  # nothing can go before someone logs in: the handheld keeps it and says so
        expect(notice).to_contain_text("1 saved entry stays on this handheld and is sent once you log in.")
        assert pending(page) == 1 and outbox_rows(app, "consume") == []
    else:
        wait_synced(page)  # the handheld's own token still sends what was confirmed before
        expect(notice).to_contain_text("all you confirmed has been sent, and what is not confirmed yet stays here")
        assert [row.op_id for row in outbox_rows(app, "consume")] == [confirmed["op_id"]]
    assert page.locator(".whobar .who").count() == 0 and not page.get_by_role("button", name="Log out").is_visible()
    screenshot(page, f"fault-session-expired-{'token-revoked' if token_revoked else 'token-valid'}")

    # Nothing new is confirmed in the name of a session that has ended; the draft stays.
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Not saved: log in again", "What you scanned stays here", level="error")
    assert [command["op_id"] for command in device_outbox(page)] == [confirmed["op_id"]]
    assert page.locator("#lines .line").count() == 1
    assert page.evaluate("caches.open('pages').then(c => c.keys()).then(k => k.length)") == 0  # as at logout

    notice.get_by_role("link", name="log in again").tap()
    page.wait_for_url("**/login?next=*")
    assert "logged out after 15 minutes without activity" in page.locator("main").inner_text()
    page.get_by_text("Log in with username and password").tap()
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).tap()
    page.wait_for_url(f"{demo_server}/consume")  # back where the nurse was, with the gauze still scanned
    page.wait_for_selector("[data-workflow][data-ready=true]")
    assert page.locator("#lines .line").count() == 1
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Saved on this handheld")
    wait_synced(page)
    op_ids = [command["op_id"] for command in device_outbox(page)]
    assert len(op_ids) == 2
    assert_each_applied_once(app, op_ids, before)
    assert not page.locator("#sync-notice").is_visible()
    assert real_errors(page) == []


def test_session_expired_on_my_queue_keeps_the_queue_and_shows_no_login_form_inside_it(
    app: Flask, demo_server: str, phone, monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = phone
    before = {LOTS[IV_CANNULA]: on_hand(app, WARD, LOTS[IV_CANNULA])}
    start(page, demo_server, "nurse", "/consume")
    page.context.route("**/api/v1/sync", lambda route: route.abort("connectionrefused"))  # the API is unreachable
    confirm_use(app, page, IV_CANNULA)
    page.goto(f"{demo_server}/device/queue")
    wait_until(page, "document.querySelector('#queue-list [data-state]')?.dataset.state === 'pending'")
    page.context.set_offline(True)
    from app.security import idle

    later = idle.utcnow() + timedelta(minutes=20)
    monkeypatch.setattr(idle, "utcnow", lambda: later)
    page.context.set_offline(False)  # the page asks its server view again: the answer is the login page

    notice = page.locator("#sync-notice")
    expect(notice).to_contain_text("Your session has ended")
    expect(notice).to_contain_text("1 saved entry on this handheld is sent as soon as the server answers.")
    page.wait_for_timeout(1000)  # time for the server view's request to come back
    assert page.locator("#server-queue input[type=password]").count() == 0
    assert page.locator("#queue-list [data-state=pending]").count() == 1
    screenshot(page, "fault-session-expired-queue")

    page.context.unroute("**/api/v1/sync")  # the retry after its backoff goes through
    wait_synced(page)
    expect(notice).to_contain_text("all you confirmed has been sent")
    [command] = device_outbox(page)
    assert_each_applied_once(app, [command["op_id"]], before)
    assert real_errors(page) == []


def test_the_handhelds_own_syncing_does_not_keep_an_idle_session_alive(
    app: Flask, demo_server: str, phone, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Syncs (commands, statuses and catalog in one exchange) go with the device's token: a consume
    screen left open on a shared handheld still ends its session after the idle time."""
    from app.security import idle

    page = phone
    start(page, demo_server, "nurse", "/consume")
    # Let the page's first sync (and the registration it makes with the nurse's cookie) finish now:
    # a registration still queued when the clock moves would count as her activity at +10 minutes.
    page.evaluate("import('/static/js/sync.js').then(m => m.syncNow({force: true}))")
    began = idle.utcnow()
    syncs = []
    page.on("request", lambda request: syncs.append(request) if request.url.endswith("/api/v1/sync") else None)
    monkeypatch.setattr(idle, "utcnow", lambda: began + timedelta(minutes=10))
    page.evaluate("import('/static/js/sync.js').then(m => m.syncNow({force: true}))")  # what the timer does
    assert syncs  # (without a cookie, so the server did not count it as the nurse's activity)
    assert all("cookie" not in request.all_headers() for request in syncs)
    monkeypatch.setattr(idle, "utcnow", lambda: began + timedelta(minutes=20))
    page.context.set_offline(True)
    page.context.set_offline(False)
    expect(page.locator("#sync-notice")).to_contain_text("Your session has ended")


def test_a_handheld_left_idle_offline_stops_acting_for_its_nurse(app: Flask, demo_server: str, phone) -> None:
    """Offline the server cannot end her login: after the idle time the page does. What she
    confirmed stays and is sent; what is scanned next is not confirmed in her name."""
    page = phone
    page.clock.install()
    start(page, demo_server, "nurse", "/consume")
    page.context.set_offline(True)
    confirm_use(app, page, IV_CANNULA)
    page.clock.fast_forward("14:00")  # under the 15 minutes: still hers
    wedge(page, WARD)
    assert page.locator("body[data-user-id]").count() == 1

    page.clock.fast_forward("16:00")  # 16 minutes untouched: the page ends her session by itself
    notice = page.locator("#sync-notice")
    expect(notice).to_contain_text("Your session has ended")
    expect(notice).to_contain_text("1 saved entry on this handheld is sent as soon as the server answers.")
    wedge(page, gs1(GAUZE, LOTS[GAUZE], lot_expiry(app, LOTS[GAUZE])))
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Not saved: log in again")
    assert pending(page) == 1
    assert real_errors(page) == []


def test_the_tap_that_wakes_an_idle_handheld_cannot_confirm(app: Flask, demo_server: str, phone) -> None:
    """The idle time is checked before a touch counts: a tap on Confirm 16 minutes later, with the
    page's timers asleep meanwhile (screen off), finds the session ended, not refreshed."""
    page = phone
    page.clock.install()
    start(page, demo_server, "nurse", "/consume")
    page.context.set_offline(True)
    wedge(page, WARD)
    wedge(page, gs1(IV_CANNULA, LOTS[IV_CANNULA], lot_expiry(app, LOTS[IV_CANNULA])))
    page.clock.set_system_time(page.evaluate("Date.now()") + 16 * 60 * 1000)  # the clock moves, no timer runs
    assert page.locator("body[data-user-id]").count() == 1
    page.get_by_role("button", name="Confirm use").tap()
    expect_result(page, "Not saved: log in again")
    assert pending(page) == 0
