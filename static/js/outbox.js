// The device outbox: every confirmed action becomes a command kept in IndexedDB until the
// server has it, whoever is logged in later. Nothing here talks to the network (replay.js does).
//
// A command's local `state`:
//   pending   — not yet accepted by the server (new, or waiting to retry: next_try_at)
//   sent      — the server holds it; `server_status` follows it (queued … done / conflict / discarded)
//   failed    — the server refused it (`message` says why); kept until a person retries or dismisses it
//   dismissed — a person set a failed command aside; kept for the record
import { announce, db } from "./db.js";
import { t } from "./i18n.js";

export const FINAL_SERVER = new Set(["done", "discarded"]);
const KEEP_SETTLED_MS = 14 * 24 * 3600 * 1000;

/** A random UUID (v4); crypto.randomUUID only exists on HTTPS, getRandomValues everywhere. */
export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The device's identity: a random id and a secret bearer token, both made here once, and the users
 * the server has linked to it. The token is made on the handheld, not handed out by the server, so
 * a registration whose answer is lost (a page left mid-way) is simply sent again with the same token.
 */
function secretToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Whether the server knows this handheld's token (some user was linked to it). */
export function registered(me) {
  return Boolean(me?.token && me.linked_users?.length);
}

export async function device() {
  // One transaction: two pages opening at once must not each make an id of their own.
  const tx = (await db()).transaction("meta", "readwrite");
  let found = await tx.store.get("device");
  if (!found) {
    found = { device_id: `hh-${uuid()}`, token: secretToken(), linked_users: [], seq: 0 };
    await tx.store.put(found, "device");
  }
  await tx.done;
  return found;
}

export async function updateDevice(changes) {
  const database = await db();
  const tx = database.transaction("meta", "readwrite");
  const current = (await tx.store.get("device")) || {};
  const next = { ...current, ...changes };
  await tx.store.put(next, "device");
  await tx.done;
  return next;
}

/**
 * Keep a confirmed action. `user` is who is logged in now ({id, name}): the command stays theirs
 * whoever syncs it. Returns the stored command.
 */
export async function capture(kind, payload, { user, rawScans = [], summary = "" }) {
  if (!user || !Number.isInteger(user.id)) throw new Error(t("Nobody is logged in on this page; log in to capture."));
  await device(); // make sure the device record exists before counting on it
  const database = await db();
  const tx = database.transaction(["meta", "outbox"], "readwrite");
  const meta = tx.objectStore("meta");
  const current = await meta.get("device");
  const seq = (current.seq || 0) + 1;
  await meta.put({ ...current, seq }, "device");
  const command = {
    op_id: uuid(),
    kind,
    device_seq: seq,
    user_id: user.id,
    user_name: user.name,
    captured_at: new Date().toISOString(),
    payload,
    raw_scans: rawScans.slice(0, 200).map((scan) => scan.slice(0, 512)),
    summary,
    state: "pending",
    server_status: null,
    message: "",
    attempts: 0,
    next_try_at: 0,
  };
  await tx.objectStore("outbox").put(command);
  await tx.done;
  announce("outbox");
  return command;
}

export async function all() {
  return (await db()).getAllFromIndex("outbox", "by_seq");
}

export async function inState(state) {
  const found = await (await db()).getAllFromIndex("outbox", "by_state", state);
  return found.sort((a, b) => a.device_seq - b.device_seq);
}

export async function get(opId) {
  return (await db()).get("outbox", opId);
}

/** Change commands by op_id in one transaction: `changes` maps op_id -> fields. */
export async function update(changes) {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  for (const [opId, fields] of Object.entries(changes)) {
    const command = await tx.store.get(opId);
    if (command) await tx.store.put({ ...command, ...fields });
  }
  await tx.done;
  announce("outbox");
}

/** A person retries a failed command (e.g. after their ward was changed) or sets it aside. */
export async function retry(opId) {
  await update({ [opId]: { state: "pending", next_try_at: 0, attempts: 0, message: "" } });
}

export async function dismiss(opId) {
  await update({ [opId]: { state: "dismissed", dismissed_at: new Date().toISOString() } });
}

/** When the earliest command held back by its backoff becomes due, or null if none waits for a time. */
export async function nextTryAt(now = Date.now()) {
  const later = (await inState("pending")).map((c) => c.next_try_at || 0).filter((at) => at > now);
  return later.length ? Math.min(...later) : null;
}

/**
 * What the sync badge shows: everything waiting to be sent from this handheld, and, when `userId`
 * is given, only that person's refused and parked commands (another person's are not shown to them).
 */
export async function counts({ userId } = {}) {
  const commands = await all();
  const result = { pending: 0, failed: 0, conflict: 0, waiting: 0 };
  for (const command of commands) {
    const mine = userId === undefined || command.user_id === userId;
    if (command.state === "pending") result.pending++;
    else if (!mine) continue;
    else if (command.state === "failed") result.failed++;
    else if (command.state === "sent" && command.server_status === "conflict") result.conflict++;
    else if (command.state === "sent" && !FINAL_SERVER.has(command.server_status)) result.waiting++;
  }
  return result;
}

/** Forget commands settled long ago (done or discarded on the server, or dismissed here). */
export async function prune(now = Date.now()) {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  for (const command of await tx.store.getAll()) {
    const settled = (command.state === "sent" && FINAL_SERVER.has(command.server_status)) || command.state === "dismissed";
    const at = Date.parse(command.settled_at || command.dismissed_at || command.captured_at);
    if (settled && now - at > KEEP_SETTLED_MS) await tx.store.delete(command.op_id);
  }
  await tx.done;
}
