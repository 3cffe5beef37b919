// The device database's upgrade from version 1 (the catalog as one "snapshot" record) to version 2
// (one object store per catalog table): the queued commands all survive, and so does the catalog.
import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { test } from "node:test";
import { openDB } from "../../static/vendor/idb.js";

/** Version 1 of the device database exactly as db.js made it before, with a queue and a catalog in it. */
async function versionOneWith(commands, snapshot) {
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
  old.close();
}

test("an old database with queued commands upgrades without losing any, and keeps its catalog", async () => {
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
  await versionOneWith(commands, snapshot);

  const outbox = await import("../../static/js/outbox.js");
  const { readCatalog, catalogState } = await import("../../static/js/catalog-store.js");
  const { loadCatalog } = await import("../../static/js/catalog.js");
  const kept = await outbox.all();
  assert.equal(kept.length, 250);
  assert.deepEqual(kept, commands);
  assert.equal((await outbox.inState("pending")).length, 84);
  assert.equal((await outbox.device()).device_id, "hh-old");
  const catalog = await readCatalog();
  assert.deepEqual({ ...catalog, fetched_at: snapshot.fetched_at }, snapshot);
  assert.equal((await catalogState()).version, "v1");
  assert.equal((await loadCatalog()).verdict({ gtin: "05012345100012", lot: "A1" }).recalled, true);
  const { db } = await import("../../static/js/db.js");
  const database = await db();
  assert.equal(database.version, 2);
  assert.equal(database.objectStoreNames.contains("catalog"), false);
  assert.equal(await database.get("meta", "catalog_etag"), undefined);
  assert.deepEqual(await database.get("drafts", "consume"), { lines: [1] });
  const next = await outbox.capture("consume", { n: 251 }, { user: { id: 7, name: "Ada" } });
  assert.equal(next.device_seq, 251);
});
