// A handheld updated from the version that kept its catalog as one "snapshot" record: the database
// keeps its version (an open tab on the old code keeps its outbox), the queued commands are untouched,
// and the catalog's rows move under their keys once, its version with them.
import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { test } from "node:test";
import { openDB } from "../../static/vendor/idb.js";

/** The device database exactly as the earlier db.js made it, with a queue and a catalog in it. */
async function earlierDatabaseWith(commands, snapshot) {
  const old = await openDB("wardstock", 1, {
    upgrade(database) {
      const outbox = database.createObjectStore("outbox", { keyPath: "op_id" });
      outbox.createIndex("by_seq", "device_seq");
      outbox.createIndex("by_state", "state");
      database.createObjectStore("meta");
      database.createObjectStore("catalog");
      database.createObjectStore("drafts");
    },
  });
  for (const command of commands) await old.put("outbox", command);
  await old.put("meta", { device_id: "hh-old", token: "t", linked_users: [7], seq: commands.length }, "device");
  await old.put("meta", '"v1"', "catalog_etag");
  await old.put("catalog", snapshot, "snapshot");
  await old.put("drafts", { lines: [1] }, "consume");
  return old; // still open, as a tab running the old code would keep it
}

test("a database with queued commands and the old catalog record loses nothing, and the catalog moves under its keys", async () => {
  const commands = Array.from({ length: 250 }, (_, n) => ({
    op_id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, kind: "consume", device_seq: n + 1, user_id: 7,
    state: ["pending", "sent", "failed"][n % 3], server_status: n % 3 === 1 ? "queued" : null, payload: { n }, attempts: 0, next_try_at: 0,
  }));
  const snapshot = {
    version: "v1", fetched_at: "2026-12-01T10:00:00Z",
    products: [{ id: 1, gtin: "05012345100012", name: "IV cannula 20G" }],
    lots: [{ id: 10, product_id: 1, name: "A1", expiry: "2030-01-01", recalled: true }],
    locations: [{ id: 1, barcode: "WARD-3B", parent_id: null }],
    receipts: [], stock: [{ product_id: 1, location_id: 1, lot_id: null, quantity: 3 }], par_levels: [], replenishments: [],
  };
  const oldTab = await earlierDatabaseWith(commands, snapshot);

  const outbox = await import("../../static/js/outbox.js");
  const { readCatalog, catalogState } = await import("../../static/js/catalog-store.js");
  const { loadCatalog } = await import("../../static/js/catalog.js");
  const { db } = await import("../../static/js/db.js");
  const kept = await outbox.all();
  assert.deepEqual(kept, commands);
  assert.equal((await outbox.inState("pending")).length, 84);
  assert.equal((await outbox.device()).device_id, "hh-old");
  assert.deepEqual(await readCatalog(), snapshot);
  assert.equal((await catalogState()).version, "v1");
  assert.equal((await loadCatalog()).verdict({ gtin: "05012345100012", lot: "A1" }).recalled, true);
  const database = await db();
  assert.equal(await database.get("catalog", "snapshot"), undefined);
  assert.deepEqual(await database.get("catalog", ["lots", 10]), snapshot.lots[0]);
  assert.equal(await database.get("meta", "catalog_etag"), undefined);
  assert.deepEqual(await database.get("drafts", "consume"), { lines: [1] });
  const next = await outbox.capture("consume", { n: 251 }, { user: { id: 7, name: "Ada" } });
  assert.equal(next.device_seq, 251);
  // The tab on the old code still reaches the outbox: the database kept its version.
  assert.equal((await oldTab.getAll("outbox")).length, 251);
  oldTab.close();
});
