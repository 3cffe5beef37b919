// The device's own database (IndexedDB through idb): the outbox, the device's identity and
// token, the offline catalog (a row per key, so a change of one lot is written as one row) and
// workflow drafts. Opened the same way by pages and the service worker. Its version stays 1: a new
// version would cut off a page still running the old code (an open tab during an update) from its
// outbox until it is reloaded; the catalog's rows fit in the "catalog" store as it is.
import { openDB } from "../vendor/idb.js";

export const DB_NAME = "wardstock";
const VERSION = 1;
const CHANNEL = "wardstock";
let opened = null;

/**
 * The catalog's tables and the fields that make a row's key, as POST /api/v1/sync names them. A row
 * is kept in the "catalog" store under [table, …its key] (see catalogKey).
 */
export const CATALOG_TABLES = {
  products: ["id", "gtin"],
  lots: ["id"],
  locations: ["id"],
  receipts: ["id"],
  stock: ["product_id", "location_id", "lot_id"],
  par_levels: ["product_id", "location_id"],
  replenishments: ["id"],
};

/**
 * A row's key in the "catalog" store: [table, …its key fields in order], no lot (null, or 0 as the
 * server's cache keeps it) as "" (IndexedDB keys cannot hold null). `value` is a row, or a key as the
 * server sends it for a delete: the fields' values in order, or the bare id of a one-field key. A key
 * without one of its fields is an error.
 */
export function catalogKey(table, value, { fromRow = true } = {}) {
  const fields = CATALOG_TABLES[table];
  let parts;
  if (fromRow) parts = fields.map((field) => value?.[field]);
  else parts = Array.isArray(value) ? value : [value];
  if (parts.length !== fields.length || parts.some((part) => part === undefined)) {
    throw new Error(`A ${table} ${fromRow ? "row" : "key"} without its key (${fields.join(", ")}): ${JSON.stringify(value)}`);
  }
  return [table, ...parts.map((part, n) => (part === null || (fields[n] === "lot_id" && part === 0) ? "" : part))];
}

export function db() {
  opened ||= openDB(DB_NAME, VERSION, {
    upgrade(database) {
      const outbox = database.createObjectStore("outbox", { keyPath: "op_id" });
      outbox.createIndex("by_seq", "device_seq");
      outbox.createIndex("by_state", "state");
      database.createObjectStore("meta"); // device, sync, catalog ({version, fetched_at, asked_at, …})
      database.createObjectStore("catalog"); // catalog rows under [table, …key] (catalog-store.js)
      database.createObjectStore("drafts"); // one per workflow
    },
    blocking() {
      // A newer version is waiting: let it open.
      opened?.then((database) => database.close());
      opened = null;
    },
  });
  return opened;
}

export async function getMeta(key, fallback = null) {
  return (await (await db()).get("meta", key)) ?? fallback;
}

export async function setMeta(key, value) {
  await (await db()).put("meta", value, key);
}

// What this page announced so far: a listener added later is told of each once (see listen).
const announcedHere = new Set();

/** Tell every page and the service worker that something changed (outbox, sync, catalog). */
export function announce(topic) {
  announcedHere.add(topic);
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ topic });
    channel.close();
  } catch {
    /* no BroadcastChannel: pages refresh on their timer */
  }
}

/**
 * Call `callback(topic)` whenever something changes. A listener added after this page announced a
 * change is told of it once at once: it may have read the state before that change (a page's first
 * sync can bring the catalog before its screen has started listening). Returns how to stop listening.
 */
export function listen(callback) {
  for (const topic of announcedHere) setTimeout(() => callback(topic), 0);
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event) => callback(event.data.topic);
    return () => channel.close();
  } catch {
    return () => {}; /* see announce */
  }
}
