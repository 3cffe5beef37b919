// Replay: one sync is one exchange with POST /api/v1/sync, made with the device's bearer token (so
// it works after logout or a shift change): it carries the unsent commands, the op_ids whose fate
// is not known yet with the status last seen, and the catalog version; its answer brings each
// command's result, the statuses that changed and the catalog's changes, all applied here.
// Runs in pages and in the service worker (Background Sync); a Web Lock keeps one replay at a time.
// The sentences it keeps (a command's message, the sync's last error) are in the page's language;
// a replay run by the service worker, which loads no catalogue, keeps them in English.
import { applyCatalog, catalogState, noteCatalogAsked } from "./catalog-store.js";
import { announce, getMeta, setMeta } from "./db.js";
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";

const BATCH = 100;
// Watched op_ids per exchange: 500 of them make about 25 KB. More are watched over further exchanges.
const WATCH_BATCH = 500;
// With nothing to send nor watch, a sync asks only for catalog changes: once after a page (or the
// worker) starts, then not more often than this.
const CATALOG_EVERY_MS = 5 * 60 * 1000;
let catalogAskedHere = false;
const BASE_DELAY_MS = 2000;
const MAX_DELAY_MS = 5 * 60 * 1000;
// An exchange is answered in well under a second; one without an answer after this long (a connection
// the Wi-Fi or a proxy left hanging) counts as lost: the replay lets go and sends it again later
// with the same op_ids, instead of holding every later replay behind it.
const ANSWER_TIMEOUT_MS = 30000;
// A 400 for these concerns the watched op_ids or the catalog version, not the commands: they are kept.
const NOT_THE_COMMANDS = new Set(["bad_watch", "too_many_ids", "bad_catalog"]);

/** How to treat the answer to a whole exchange. */
export function classifyBatch(status) {
  if (status >= 200 && status < 300) return "results"; // one answer per command inside
  if (status === 401 || status === 403) return "login"; // keep everything; someone must log in (re-registers the device)
  if (status === 408 || status === 429 || status >= 500) return "retry";
  if (status === 413) return "split"; // too large: send the commands in halves
  return "refused"; // another 4xx: the batch cannot be read as sent; mark failed with the server's sentence
}

/** How to treat one command's answer inside a 2xx batch. */
export function classifyResult(result) {
  if (result.result === "accepted" || result.result === "duplicate") return "sent";
  return "failed";
}

/** Exponential backoff with jitter: 2 s, 4 s, 8 s … at most 5 minutes, each between half and all of it. */
export function backoffMs(attempts, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function syncState() {
  return getMeta("sync", { needs_login: false, last_ok_at: null, last_error: "", last_try_at: null });
}

async function noteSync(changes) {
  await setMeta("sync", { ...(await syncState()), ...changes });
  announce("sync");
}

function wire(command) {
  const { op_id, kind, device_seq, user_id, captured_at, payload, raw_scans } = command;
  return { op_id, kind, device_seq, user_id, captured_at, payload, raw_scans };
}

/** The body of one exchange: these commands, these sent commands' op_ids with the status last seen, the catalog version. */
export function syncBody(me, commands, watched, catalogVersion) {
  return {
    device_id: me.device_id,
    commands: commands.map(wire),
    watch: Object.fromEntries(watched.map((c) => [c.op_id, c.server_status ?? ""])),
    catalog: catalogVersion || null,
  };
}

/** Whether a sync with nothing to send nor watch still asks for catalog changes. */
export function catalogDue(state, now = Date.now(), askedHere = catalogAskedHere) {
  if (!askedHere) return true;
  if (!state.version && !state.failed_at) return true; // no catalog yet: ask at every sync until one comes
  return now - (Date.parse(state.asked_at || "") || 0) >= CATALOG_EVERY_MS;
}

const chunks = (items, size) => Array.from({ length: Math.ceil(items.length / size) }, (_, n) => items.slice(n * size, (n + 1) * size));

function withLock(work) {
  if (globalThis.navigator?.locks) return navigator.locks.request("wardstock-replay", work);
  return work();
}

/**
 * One sync: send what is due (everything pending when `force`, e.g. "Sync now" or back online),
 * watch the sent commands whose fate is not known, and bring the catalog up to date, in as few
 * exchanges as that takes (one, unless more than BATCH commands or WATCH_BATCH op_ids wait). A
 * handheld not registered yet asks only for the catalog, with the logged-in session, when the page
 * gives its CSRF token (`csrf`: a POST with the session cookie needs it; the worker has none).
 * Returns a short summary; never throws for network trouble.
 */
export function replay({ force = false, csrf = "", fetcher = fetch } = {}) {
  return withLock(async () => {
    const summary = { sent: 0, failed: 0, kept: 0, login: false, exchanges: 0, catalog: "not asked" };
    const me = await outbox.device();
    const withToken = outbox.registered(me);
    const due = (await outbox.inState("pending")).filter((c) => force || (c.next_try_at || 0) <= Date.now());
    if (due.length && !withToken) {
      summary.login = true;
      await noteSync({ needs_login: true, last_error: t("This handheld is not registered yet: log in once while online.") });
    }
    const watched = withToken ? (await outbox.inState("sent")).filter((c) => !outbox.FINAL_SERVER.has(c.server_status)) : [];
    const batches = withToken ? chunks(due, BATCH) : [];
    const pages = chunks(watched, WATCH_BATCH);
    const askCatalog = (withToken || csrf) && (force || catalogDue(await catalogState()));
    const count = Math.max(batches.length, pages.length, askCatalog ? 1 : 0);
    for (let n = 0; n < count; n++) {
      const outcome = await exchange(me, batches[n] || [], pages[n] || [], { withToken, csrf, fetcher, summary });
      if (outcome.stop) break;
    }
    summary.kept = withToken ? due.length - summary.sent - summary.failed : due.length;
    await outbox.prune();
    return summary;
  });
}

/**
 * One POST /api/v1/sync and what its answer changes: the commands' states, the watched statuses, the
 * catalog. A 413 sends the commands again in halves; one command alone too large is refused.
 * Returns {stop}: true when later exchanges would meet the same trouble (no network, login, busy).
 */
async function exchange(me, commands, watched, { withToken, csrf, fetcher, summary }) {
  const tries = Object.fromEntries(commands.map((c) => [c.op_id, c.attempts + 1]));
  const keep = async (message) => {
    await outbox.update(Object.fromEntries(commands.map((c) => [c.op_id, {
      attempts: tries[c.op_id], next_try_at: Date.now() + backoffMs(tries[c.op_id]), message,
    }])));
  };
  const base = (await catalogState()).version;
  const headers = { "Content-Type": "application/json" };
  if (withToken) headers.Authorization = `Bearer ${me.token}`;
  else headers["X-CSRFToken"] = csrf;
  let response;
  summary.exchanges++;
  try {
    catalogAskedHere = true;
    await noteCatalogAsked();
    response = await fetcher("/api/v1/sync", {
      method: "POST",
      headers,
      body: JSON.stringify(syncBody(me, commands, watched, base)),
      // The token speaks for the device, whoever is logged in; a background sync is not the user's
      // activity and must not keep an idle session alive. Unregistered: the session asks for the catalog.
      credentials: withToken ? "omit" : "same-origin",
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
  } catch {
    await keep(t("Not sent yet: no network, or the server cannot be reached. It is tried again."));
    await noteSync({ last_error: t("No network."), last_try_at: new Date().toISOString() });
    summary.catalog = "offline";
    return { stop: true };
  }
  const body = await response.json().catch(() => ({}));
  const kind = NOT_THE_COMMANDS.has(body.error) ? "kept" : classifyBatch(response.status);
  if (kind !== "results") summary.catalog = `error ${response.status}`;
  switch (kind) {
    case "kept":
      await keep(t("Not sent yet: the server could not read this sync (%(why)s). It is tried again.", { why: body.message || String(response.status) }));
      await noteSync({ last_error: body.message || answered(response.status), last_try_at: new Date().toISOString() });
      return { stop: true };
    case "login":
      if (!withToken) return { stop: true }; // nobody logged in: the catalog waits
      await keep(body.message || t("Log in on this handheld to send."));
      await noteSync({ needs_login: true, last_error: body.message || t("Log in to sync.") });
      summary.login = true;
      return { stop: true };
    case "retry":
      await keep(t("The server is busy (%(status)s); trying again soon.", { status: String(response.status) }));
      await noteSync({ last_error: answered(response.status), last_try_at: new Date().toISOString() });
      return { stop: true };
    case "split":
      if (commands.length > 1) {
        const half = Math.ceil(commands.length / 2);
        const first = await exchange(me, commands.slice(0, half), watched, { withToken, csrf, fetcher, summary });
        if (first.stop) return first;
        return exchange(me, commands.slice(half), [], { withToken, csrf, fetcher, summary });
      }
      // falls through: a single command the server will never take
    case "refused":
      await outbox.update(Object.fromEntries(commands.map((c) => [c.op_id, {
        state: "failed", message: body.message || t("The server refused it (%(status)s).", { status: String(response.status) }),
      }])));
      summary.failed += commands.length;
      return { stop: false };
    default: {
      const changes = { ...resultChanges(body.results || [], summary), ...statusChanges(body.statuses || {}) };
      await outbox.update(changes);
      const catalog = await applyCatalog(body.catalog, base);
      if (summary.catalog !== "updated") summary.catalog = catalog; // several exchanges: one change is news enough
      if (withToken) await noteSync({ needs_login: false, last_ok_at: new Date().toISOString(), last_error: "" });
      return { stop: false };
    }
  }
}

/** What the sync state says of an answer that brought no sentence of its own. */
const answered = (status) => t("Server answered %(status)s.", { status: String(status) });

/** Each command's answer: sent (accepted, or the server had it already) or failed with the server's sentence. */
function resultChanges(results, summary) {
  const changes = {};
  for (const result of results) {
    if (classifyResult(result) === "sent") {
      changes[result.op_id] = { state: "sent", server_status: result.status, message: result.message || "", sent_at: new Date().toISOString() };
      summary.sent++;
    } else {
      changes[result.op_id] = { state: "failed", message: result.message || t("Refused by the server.") };
      summary.failed++;
    }
  }
  return changes;
}

/** The watched commands whose status changed; one the server does not have is sent again (same op_id). */
export function statusChanges(statuses, now = new Date().toISOString()) {
  const changes = {};
  for (const [opId, status] of Object.entries(statuses)) {
    if (status.status === "unknown") {
      changes[opId] = { state: "pending", next_try_at: 0, server_status: null };
    } else {
      changes[opId] = {
        server_status: status.status, conflict: status.conflict || null, message: status.message || "", refs: status.refs || {},
        ...(outbox.FINAL_SERVER.has(status.status) ? { settled_at: now } : {}),
      };
    }
  }
  return changes;
}
