// Replay: send the outbox to POST /api/v1/commands with the device's bearer token (so it works
// after logout or a shift change), classify every answer, then follow sent commands by op_id.
// Runs in pages and in the service worker (Background Sync); a Web Lock keeps one replay at a time.
import { announce, getMeta, setMeta } from "./db.js";
import * as outbox from "./outbox.js";

const BATCH = 100;
// Op_ids per status request, asked in the body: 200 of them in a URL made about 7.8 KB, which
// gunicorn refuses (414) over 4 KB, and the poll never got past its first page. The server takes 500.
const STATUS_BATCH = 500;
const BASE_DELAY_MS = 2000;
const MAX_DELAY_MS = 5 * 60 * 1000;
// A batch is answered in well under a second; one without an answer after this long (a connection
// the Wi-Fi or a proxy left hanging) counts as lost: the replay lets go and sends it again later
// with the same op_ids, instead of holding every later replay behind it.
const ANSWER_TIMEOUT_MS = 30000;

/** How to treat the answer to a whole batch. */
export function classifyBatch(status) {
  if (status >= 200 && status < 300) return "results"; // one answer per command inside
  if (status === 401 || status === 403) return "login"; // keep everything; someone must log in (re-registers the device)
  if (status === 408 || status === 429 || status >= 500) return "retry";
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

function withLock(work) {
  if (globalThis.navigator?.locks) return navigator.locks.request("wardstock-replay", work);
  return work();
}

/**
 * Send what is due (everything pending when `force`, e.g. "Sync now" or back online), then ask the
 * status of sent commands. Returns a short summary; never throws for network trouble.
 */
export function replay({ force = false, fetcher = fetch } = {}) {
  return withLock(async () => {
    const summary = { sent: 0, failed: 0, kept: 0, login: false };
    const me = await outbox.device();
    const now = Date.now();
    const due = (await outbox.inState("pending")).filter((c) => force || (c.next_try_at || 0) <= now);
    if (due.length && !outbox.registered(me)) {
      summary.login = true;
      await noteSync({ needs_login: true, last_error: "This handheld is not registered yet: log in once while online." });
    }
    for (let start = 0; outbox.registered(me) && start < due.length; start += BATCH) {
      const batch = due.slice(start, start + BATCH);
      const outcome = await sendBatch(me, batch, fetcher);
      Object.assign(summary, { sent: summary.sent + outcome.sent, failed: summary.failed + outcome.failed });
      if (outcome.stop) {
        summary.kept += due.length - start - outcome.sent - outcome.failed;
        summary.login ||= outcome.login;
        break;
      }
    }
    if (outbox.registered(me)) await pollStatuses(me, fetcher);
    await outbox.prune();
    return summary;
  });
}

async function sendBatch(me, batch, fetcher) {
  const outcome = { sent: 0, failed: 0, stop: false, login: false };
  const tries = Object.fromEntries(batch.map((c) => [c.op_id, c.attempts + 1]));
  const keep = async (message) => {
    await outbox.update(Object.fromEntries(batch.map((c) => [c.op_id, {
      attempts: tries[c.op_id], next_try_at: Date.now() + backoffMs(tries[c.op_id]), message,
    }])));
  };
  let response;
  try {
    response = await fetcher("/api/v1/commands", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${me.token}` },
      body: JSON.stringify({ device_id: me.device_id, commands: batch.map(wire) }),
      credentials: "omit", // the token speaks for the device, whoever is logged in
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
  } catch {
    await keep("Not sent yet: no network, or the server cannot be reached. It is tried again.");
    await noteSync({ last_error: "No network.", last_try_at: new Date().toISOString() });
    return { ...outcome, stop: true };
  }
  const body = await response.json().catch(() => ({}));
  switch (classifyBatch(response.status)) {
    case "login":
      await keep(body.message || "Log in on this handheld to send.");
      await noteSync({ needs_login: true, last_error: body.message || "Log in to sync." });
      return { ...outcome, stop: true, login: true };
    case "retry":
      await keep(`The server is busy (${response.status}); trying again soon.`);
      await noteSync({ last_error: `Server answered ${response.status}.`, last_try_at: new Date().toISOString() });
      return { ...outcome, stop: true };
    case "refused":
      await outbox.update(Object.fromEntries(batch.map((c) => [c.op_id, {
        state: "failed", message: body.message || `The server refused it (${response.status}).`,
      }])));
      return { ...outcome, failed: batch.length };
    default: {
      const changes = {};
      for (const result of body.results || []) {
        if (classifyResult(result) === "sent") {
          changes[result.op_id] = { state: "sent", server_status: result.status, message: result.message || "", sent_at: new Date().toISOString() };
          outcome.sent++;
        } else {
          changes[result.op_id] = { state: "failed", message: result.message || "Refused by the server." };
          outcome.failed++;
        }
      }
      await outbox.update(changes);
      await noteSync({ needs_login: false, last_ok_at: new Date().toISOString(), last_error: "" });
      return outcome;
    }
  }
}

/** The status requests for these op_ids: [url, fetch options] each, the op_ids in the body, a page at a time. */
export function statusRequests(me, ids) {
  const requests = [];
  for (let start = 0; start < ids.length; start += STATUS_BATCH) {
    requests.push(["/api/v1/commands/status", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${me.token}` },
      body: JSON.stringify({ ids: ids.slice(start, start + STATUS_BATCH) }),
      credentials: "omit",
    }]);
  }
  return requests;
}

async function pollStatuses(me, fetcher) {
  const open = (await outbox.inState("sent")).filter((c) => !outbox.FINAL_SERVER.has(c.server_status));
  for (const [url, options] of statusRequests(me, open.map((c) => c.op_id))) {
    let response;
    try {
      response = await fetcher(url, { ...options, signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
    } catch {
      return;
    }
    if (classifyBatch(response.status) === "login") {
      await noteSync({ needs_login: true });
      return;
    }
    if (!response.ok) return;
    const { statuses } = await response.json();
    const changes = {};
    for (const [opId, status] of Object.entries(statuses || {})) {
      if (status.status === "unknown") {
        changes[opId] = { state: "pending", next_try_at: 0, server_status: null }; // the server lost it: send it again (same op_id)
      } else {
        changes[opId] = {
          server_status: status.status, conflict: status.conflict || null, message: status.message || "", refs: status.refs || {},
          ...(outbox.FINAL_SERVER.has(status.status) ? { settled_at: new Date().toISOString() } : {}),
        };
      }
    }
    await outbox.update(changes);
  }
}
