// The device's own database (IndexedDB through idb): the outbox, the device's identity and
// token, the offline catalog (one object store per catalog table, so a change of one lot is written
// as one row) and workflow drafts. Opened the same way by pages and the service worker.
import { openDB } from "../vendor/idb.js";

export const DB_NAME = "wardstock";
const VERSION = 2;
const CHANNEL = "wardstock";
let opened = null;

/**
 * The catalog's tables and the fields that make a row's key, as POST /api/v1/sync names them. Each
 * table is the object store `catalog_<table>`, its rows kept under that key (see catalogKey).
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
export const catalogStore = (table) => `catalog_${table}`;

/**
 * A row's key in its store: its key fields in order, no lot (null, or 0 as the server's cache keeps
 * it) as "" (IndexedDB keys cannot hold null). `value` is a row, or a key as the server sends it for a delete: the fields'
 * values in order, or the bare id of a one-field key. A key without one of its fields is an error.
 */
export function catalogKey(table, value, { fromRow = true } = {}) {
  const fields = CATALOG_TABLES[table];
  let parts;
  if (fromRow) parts = fields.map((field) => value?.[field]);
  else parts = Array.isArray(value) ? value : [value];
  if (parts.length !== fields.length || parts.some((part) => part === undefined)) {
    throw new Error(`A ${table} ${fromRow ? "row" : "key"} without its key (${fields.join(", ")}): ${JSON.stringify(value)}`);
  }
  return parts.map((part, n) => (part === null || (fields[n] === "lot_id" && part === 0) ? "" : part)); // lot 0: no lot, as the server keeps it
}

export function db() {
  opened ||= openDB(DB_NAME, VERSION, {
    async upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        const outbox = database.createObjectStore("outbox", { keyPath: "op_id" });
        outbox.createIndex("by_seq", "device_seq");
        outbox.createIndex("by_state", "state");
        database.createObjectStore("meta"); // device, sync, catalog ({version, fetched_at, checked_at})
        database.createObjectStore("drafts"); // one per workflow
      }
      if (oldVersion < 2) {
        for (const table of Object.keys(CATALOG_TABLES)) database.createObjectStore(catalogStore(table));
        if (database.objectStoreNames.contains("catalog")) await moveSnapshot(database, transaction);
      }
    },
    blocking() {
      // A newer version is waiting: let it open.
      opened?.then((database) => database.close());
      opened = null;
    },
  });
  return opened;
}

/**
 * Version 1 kept the catalog as one "snapshot" record: its rows move to the tables, its version to
 * meta. A row that cannot be keyed is left out, and then no version is kept, so the next sync asks
 * for a whole catalog: the upgrade itself must never fail, or the outbox could not be opened.
 */
async function moveSnapshot(database, transaction) {
  const snapshot = await transaction.objectStore("catalog").get("snapshot");
  let whole = Boolean(snapshot?.version);
  for (const [table, rows] of Object.entries(snapshot || {})) {
    if (!(table in CATALOG_TABLES) || !Array.isArray(rows)) continue;
    const store = transaction.objectStore(catalogStore(table));
    for (const row of rows) {
      let key;
      try {
        key = catalogKey(table, row);
      } catch {
        whole = false;
        continue;
      }
      await store.put(row, key);
    }
  }
  if (whole) {
    await transaction.objectStore("meta").put({ version: snapshot.version, fetched_at: snapshot.fetched_at || null, checked_at: null }, "catalog");
  }
  await transaction.objectStore("meta").delete("catalog_etag");
  database.deleteObjectStore("catalog");
}

export async function getMeta(key, fallback = null) {
  return (await (await db()).get("meta", key)) ?? fallback;
}

export async function setMeta(key, value) {
  await (await db()).put("meta", value, key);
}

/** Tell every page and the service worker that something changed (outbox, sync, catalog). */
export function announce(topic) {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ topic });
    channel.close();
  } catch {
    /* no BroadcastChannel: pages refresh on their timer */
  }
}

export function listen(callback) {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event) => callback(event.data.topic);
  } catch {
    /* see announce */
  }
}
