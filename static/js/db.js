// The device's own database (IndexedDB through idb): the outbox, the device's identity and
// token, the catalog snapshot and workflow drafts. Opened the same way by pages and the service worker.
import { openDB } from "../vendor/idb.js";

export const DB_NAME = "wardstock";
const VERSION = 1;
const CHANNEL = "wardstock";
let opened = null;

export function db() {
  opened ||= openDB(DB_NAME, VERSION, {
    upgrade(database) {
      const outbox = database.createObjectStore("outbox", { keyPath: "op_id" });
      outbox.createIndex("by_seq", "device_seq");
      outbox.createIndex("by_state", "state");
      database.createObjectStore("meta"); // device, sync, catalog_etag
      database.createObjectStore("catalog"); // "snapshot"
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
