"""What the workflow journeys share: logging in, opening a screen, wedge scans, GS1 label texts,
the sync worker run in-process, and the stock read back from the sandbox."""
import time
from datetime import date

from flask import Flask

# GTINs of the demo data's products, as their labels carry them.
GAUZE = "05012345100036"
GLOVES = "05012345100067"
IV_CANNULA = "05012345100012"
PARACETAMOL = "05012345100043"
SALINE = "05012345100050"

DEMO_PASSWORD = "wardstock-demo"
# A person releases the trigger, aims at the next box and decodes it: never under 150 ms (the page's
# echo window is 60 ms, static/js/scan-input.js).
HUMAN_RESCAN_S = 0.15
GS = "\x1d"


def wait_until(page, expression: str, timeout: float = 15000) -> object:
    """Poll a JavaScript expression until it is truthy. (page.wait_for_function evaluates strings
    inside the page, which our CSP rightly forbids; page.evaluate goes through the debugger.)"""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_text("Log in with username and password").tap()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).tap()
    page.wait_for_url(f"{base}/")


def open_workflow(page, base: str, path: str) -> None:
    """Open a workflow page and wait until the service worker controls it and the catalog is in IndexedDB."""
    page.goto(f"{base}{path}")
    try:
        wait_until(page, "navigator.serviceWorker.controller !== null", 15000)
    except AssertionError:
        state = page.evaluate(
            "navigator.serviceWorker.getRegistration().then(r => r ? [r.installing?.state, r.waiting?.state, r.active?.state] : 'none')"
        )
        raise AssertionError(f"no service worker controls {path}: registration {state}") from None
    page.wait_for_selector("[data-workflow][data-ready=true][data-catalog=loaded]", timeout=15000)
    # …and until this screen is kept for offline use (a page that loaded before the worker took
    # control is fetched again by it).
    try:
        wait_until(page, "caches.open('pages').then(c => c.match(location.pathname)).then(Boolean)", 15000)
    except AssertionError:
        state = page.evaluate("""() => Promise.all([caches.keys(), caches.open('pages').then(c => c.keys()).then(k => k.map(r => r.url)),
            navigator.serviceWorker.getRegistration().then(r => [r.installing?.state, r.waiting?.state, r.active?.state, r.active?.scriptURL]),
            !!navigator.serviceWorker.controller])""")
        raise AssertionError(f"{path} not cached: {state}") from None


def start(page, base: str, username: str, path: str) -> None:
    """The set-up every workflow journey shares: log in on a handheld whose scanner was checked at
    go-live, open the workflow, wait until it works offline."""
    login(page, base, username)
    scanner_checked(page)
    open_workflow(page, base, path)


def scanner_checked(page, terminator: str = "enter", separator: str = "~") -> None:
    """What the scanner-setup page leaves on a handheld after its test label (static/js/scanner-settings.js):
    this scanner ends scans with `terminator` and sends GS as `separator`."""
    page.evaluate(
        "([terminator, separator]) => localStorage.setItem('wardstock.scanner', JSON.stringify({terminator, separator}))",
        [terminator, separator],
    )


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").tap()
    page.wait_for_url("**/login")


def reload_offline(page) -> None:
    page.reload()
    page.wait_for_selector("[data-workflow][data-ready=true]", timeout=15000)


def wedge(page, text: str, *, pause_ms: int = 0, pause_after: int | None = None, end: str | None = "Enter") -> None:
    """Type a scan into the focused scan field as a keyboard-wedge scanner does, `end` at the end.
    GS (\\x1d) cannot be typed as a key; it is inserted as text, as some scanner drivers do.
    `pause_ms`: the scanner (or its Bluetooth link, or a busy handheld) stalls that long after the
    first `pause_after` characters (the middle of the code by default). The same label again
    starts no sooner than a person can scan it again (HUMAN_RESCAN_S): sooner is the scanner's echo."""
    _as_a_person_would(page, text)
    field = page.locator("#scan-field")
    field.focus()
    cut = len(text) // 2 if pause_after is None else pause_after
    for index, part in enumerate(_parts(text, cut if pause_ms else None)):
        if index and pause_ms:
            page.wait_for_timeout(pause_ms)
        for piece_index, piece in enumerate(part.split(GS)):
            if piece_index:
                page.keyboard.insert_text(GS)
            if piece:
                page.keyboard.type(piece)
    if end:
        page.keyboard.press(end)
    page.last_wedge = (text, time.monotonic())


def _as_a_person_would(page, text: str) -> None:
    last_text, last_at = getattr(page, "last_wedge", ("", 0.0))
    if text == last_text and time.monotonic() - last_at < HUMAN_RESCAN_S:
        time.sleep(HUMAN_RESCAN_S - (time.monotonic() - last_at))


def _parts(text: str, cut: int | None) -> list[str]:
    return [text] if cut is None else [text[:cut], text[cut:]]


def inject_twice(page, text: str) -> float:
    """DataWedge injecting one scan twice, back to back (as its keystroke output does when a second
    output is on): both copies typed into the field in one go. Returns the gap in ms between the
    first copy's Enter and the second copy's first character, as the page measured it."""
    _as_a_person_would(page, text)
    page.last_wedge = (text, time.monotonic())
    return page.evaluate(
        """(text) => {
            const field = document.getElementById('scan-field');
            field.focus();
            const times = [];
            for (let copy = 0; copy < 2; copy++) {
                times.push(performance.now());
                field.value = text;
                field.dispatchEvent(new InputEvent('input', {data: text, inputType: 'insertText', bubbles: true}));
                field.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true}));
                times.push(performance.now());
            }
            return times[2] - times[1];
        }""",
        text,
    )


def result_text(page) -> str:
    return page.locator("#result").inner_text()


def expect_result(page, *texts: str, level: str | None = None) -> str:
    """Wait until the result panel shows every text (and the level); returns what it shows."""
    from playwright.sync_api import expect

    panel = page.locator("#result")
    for text in texts:
        expect(panel).to_contain_text(text)
    if level:
        expect(panel).to_have_attribute("data-level", level)
    return panel.inner_text()


def gs1(gtin: str, lot: str, expiry: date | None = None, count: int | None = None, sep: str = "~") -> str:
    """A GS1 element string as printed on the demo labels, lot first (so a separator follows it)."""
    text = f"01{gtin}10{lot}"
    if expiry or count:
        text += sep
    if expiry:
        text += f"17{expiry:%y%m%d}"
    if count:
        text += f"30{count}"
    return text


def run_sync_worker(app: Flask) -> int:
    """The server's sync worker, in-process, until it finds nothing more to do."""
    from app.services.sync import build_worker

    done = 0
    with app.app_context():
        worker = build_worker("e2e-test")
        while (worked := worker.run_once()) > 0:
            done += worked
    return done


def on_hand(app: Flask, location: str, lot: str) -> float:
    from app.services.backend import inventory_backend

    with app.app_context():
        catalog = inventory_backend().catalog()
        loc = next(x for x in catalog.locations if x.barcode == location)
        found = next((x for x in catalog.lots if x.name == lot), None)
        return sum(s.quantity for s in catalog.stock if s.location_id == loc.id and found and s.lot_id == found.id)


def outbox_rows(app: Flask, kind: str | None = None) -> list:
    from sqlalchemy import select

    from app.extensions import db
    from offline_sync.outbox.models import OutboxCommand

    with app.app_context():
        query = select(OutboxCommand).order_by(OutboxCommand.id)
        if kind:
            query = query.where(OutboxCommand.kind == kind)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def lot_expiry(app: Flask, lot: str) -> date:
    from app.services.backend import inventory_backend

    with app.app_context():
        return next(x.expiry for x in inventory_backend().catalog().lots if x.name == lot)


def wait_synced(page, timeout: float = 15000) -> None:
    """Wait until this handheld has nothing left to send (the badge shows 0 pending)."""
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '0'", timeout)


def badge(page) -> dict:
    return page.eval_on_selector("#sync-badge", "b => ({...b.dataset, text: b.innerText})")


def covered(page, selector: str, *, scroll: bool = True) -> list[str]:
    """The visible elements matching `selector` that something else covers at their centre (the
    action bar, a pinned panel), or that lie outside the screen: what a thumb could not reach.
    `scroll=False`: what cannot be seen as the screen stands, without scrolling to it first."""
    return page.evaluate(
        """([selector, scroll]) => [...document.querySelectorAll(selector)]
        .filter(el => el.offsetParent !== null)
        .filter(el => {
            if (scroll) el.scrollIntoView({block: 'nearest'});
            const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + Math.min(r.height / 2, 20);
            if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return true;
            const hit = document.elementFromPoint(x, y);
            el.dataset.coveredBy = hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : 'nothing';
            return !(hit && (hit === el || el.contains(hit)));
        })
        .map(el => `${el.tagName.toLowerCase()}#${el.id} '${(el.innerText || '').trim().slice(0, 40)}' under ${el.dataset.coveredBy}`)""",
        [selector, scroll],
    )


def clipped(page, selector: str) -> list[str]:
    """Elements whose text does not fit in their box (cut off or ellipsised)."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter(el => el.offsetParent !== null)
        .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => `${el.tagName.toLowerCase()} '${el.innerText.trim()}'`)""",
        selector,
    )


def small_targets(page) -> list[str]:
    """Visible buttons, links and form controls smaller than 48 px in height (or width for buttons)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('button, a, input, select, textarea, summary, label.button, [role=button]')]
        .filter(el => el.offsetParent !== null && !el.closest('.visually-hidden') && !el.matches('.visually-hidden')
                && getComputedStyle(el).visibility !== 'hidden')
        .filter(el => !(el.tagName === 'A' && el.closest('p, li, figcaption, .help')))  /* links inside text */
        .filter(el => !(el.tagName === 'INPUT' && ['radio', 'checkbox', 'hidden'].includes(el.type)))
        .map(el => [el, el.getBoundingClientRect()])
        .filter(([el, r]) => r.height < 48 || (el.tagName === 'BUTTON' && r.width < 48))
        .map(([el, r]) => `${el.tagName.toLowerCase()} '${(el.innerText || el.name || el.id).trim().slice(0, 30)}' ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


def real_errors(page) -> list[str]:
    """Console errors, except the network failures a deliberately offline browser logs."""
    offline_noise = ("net::ERR_INTERNET_DISCONNECTED", "Failed to fetch", "Failed to load resource")
    return [e for e in page.console_errors if not any(noise in e for noise in offline_noise)]


def device_outbox(page) -> list[dict]:
    """Every command this handheld keeps in IndexedDB, in capture order (read through outbox.js)."""
    return page.evaluate("import('/static/js/outbox.js').then(m => m.all())")


def consumptions_per_op(app: Flask, op_ids: list[str]) -> dict[str, int]:
    """How many consumption pickings the sandbox ledger holds for each op_id (its key is WS-<op_id>)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from offline_sync.backends.sandbox.backend import picking_key
    from offline_sync.backends.sandbox.models import SandboxPicking

    with app.app_context():
        found = dict(db.session.execute(
            select(SandboxPicking.origin, func.count())
            .where(SandboxPicking.origin.in_([picking_key(op_id) for op_id in op_ids]), SandboxPicking.backorder_id.is_(None))
            .group_by(SandboxPicking.origin)).all())
    return {op_id: found.get(picking_key(op_id), 0) for op_id in op_ids}
