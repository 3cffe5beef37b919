// One sync = one POST /api/v1/sync (replay.js): what it sends (commands, watched op_ids with the
// status last seen, the catalog version) and how its answer is applied (results, changed statuses,
// catalog changes to IndexedDB in one transaction). IndexedDB is fake-indexeddb's, in memory.
import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { loadCatalog } from "../../static/js/catalog.js";
import { catalogState, readCatalog } from "../../static/js/catalog-store.js";
import { CATALOG_TABLES, db } from "../../static/js/db.js";
import * as outbox from "../../static/js/outbox.js";
import { replay } from "../../static/js/replay.js";

const NURSE = { id: 7, name: "Nurse Ada" };
const SNAPSHOT = {
  version: "v1",
  products: [{ id: 1, gtin: "05012345100012", name: "IV cannula 20G", tracked_by_lot: true },
    { id: 1, gtin: "15012345100019", name: "IV cannula 20G", tracked_by_lot: true, pack_quantity: 10 }],
  lots: [{ id: 10, product_id: 1, name: "A1", expiry: "2030-01-01", recalled: false },
    { id: 11, product_id: 1, name: "B2", expiry: "2030-06-01", recalled: false }],
  locations: [{ id: 1, barcode: "WARD-3B", parent_id: null, usage: "internal" }, { id: 2, barcode: "WARD-4C", parent_id: null, usage: "internal" }],
  receipts: [],
  stock: [{ product_id: 1, location_id: 1, lot_id: 10, quantity: 4 }, { product_id: 1, location_id: 1, lot_id: null, quantity: 2 }],
  par_levels: [{ product_id: 1, location_id: 1, minimum: 2, maximum: 8 }],
  replenishments: [],
};

/** A fetch that records each request and answers with `answer(body)` ({status, body} or a thrown error). */
function server(answer) {
  const requests = [];
  const fetcher = async (url, options) => {
    const body = JSON.parse(options.body);
    requests.push({ url, options, body });
    const reply = await answer(body, requests.length);
    return { status: reply.status ?? 200, ok: (reply.status ?? 200) < 300, json: async () => reply.body ?? {} };
  };
  return { requests, fetcher };
}

/** The answer a server gives to `body` when it accepts every command; `extra` adds statuses and catalog. */
const accepting = (extra = {}) => (body) => ({
  body: { results: body.commands.map((c) => ({ op_id: c.op_id, result: "accepted", status: "queued", message: "" })), statuses: {},
    catalog: { version: body.catalog || "v1", unchanged: true }, ...extra },
});

beforeEach(async () => {
  const database = await db();
  for (const store of ["outbox", "meta", "catalog"]) await database.clear(store);
  await outbox.device(); // a new id and token
  await outbox.updateDevice({ linked_users: [NURSE.id] });
});

async function withCatalog(snapshot = SNAPSHOT) {
  const { fetcher } = server(() => ({ body: { results: [], statuses: {}, catalog: { version: snapshot.version, full: true, snapshot } } }));
  const summary = await replay({ force: true, fetcher });
  assert.equal(summary.catalog, "updated");
}

test("a sync is one exchange carrying the unsent commands, the watched op_ids with their last status, and the catalog version", async () => {
  await withCatalog();
  const first = await outbox.capture("consume", { gtin: "05012345100012", lot: "A1" }, { user: NURSE });
  const second = await outbox.capture("consume", { gtin: "05012345100012", lot: "B2" }, { user: NURSE });
  const done = await outbox.capture("consume", { gtin: "05012345100012", lot: "B2" }, { user: NURSE });
  await outbox.update({ [first.op_id]: { state: "sent", server_status: "queued" }, [done.op_id]: { state: "sent", server_status: "done" } });
  const me = await outbox.device();
  const { requests, fetcher } = server(accepting());

  const summary = await replay({ fetcher });

  assert.equal(requests.length, 1);
  const [{ url, options, body }] = requests;
  assert.equal(url, "/api/v1/sync");
  assert.equal(options.method, "POST");
  assert.equal(options.headers.Authorization, `Bearer ${me.token}`);
  assert.equal(options.credentials, "omit");
  assert.equal(body.device_id, me.device_id);
  assert.deepEqual(body.commands.map((c) => c.op_id), [second.op_id]);
  assert.deepEqual(Object.keys(body.commands[0]).sort(), ["captured_at", "device_seq", "kind", "op_id", "payload", "raw_scans", "user_id"]);
  assert.deepEqual(body.watch, { [first.op_id]: "queued" }); // a done command is not watched any more
  assert.equal(body.catalog, "v1");
  assert.equal(summary.sent, 1);
  assert.equal((await outbox.get(second.op_id)).state, "sent");
});

test("the changed statuses are applied: a conflict shown, a done one settled, one the server lost sent again with its op_id", async () => {
  await withCatalog();
  const ids = [];
  for (let n = 0; n < 3; n++) ids.push((await outbox.capture("consume", { n }, { user: NURSE })).op_id);
  await outbox.update(Object.fromEntries(ids.map((id) => [id, { state: "sent", server_status: "queued" }])));
  const [conflicted, done, lost] = ids;
  const { requests, fetcher } = server(accepting({ statuses: {
    [conflicted]: { status: "conflict", conflict: "lot_unknown", message: "Lot A9 is not in Odoo.", refs: {}, attempts: 1 },
    [done]: { status: "done", conflict: null, message: "", refs: { move: 42 }, attempts: 1 },
    [lost]: { status: "unknown" },
  } }));

  await replay({ fetcher });

  assert.equal(requests.length, 1);
  assert.deepEqual(Object.keys(requests[0].body.watch).sort(), [...ids].sort());
  const shown = await outbox.get(conflicted);
  assert.equal(shown.server_status, "conflict");
  assert.equal(shown.conflict, "lot_unknown");
  assert.equal(shown.message, "Lot A9 is not in Odoo.");
  assert.equal((await outbox.counts({ userId: NURSE.id })).conflict, 1);
  const settled = await outbox.get(done);
  assert.deepEqual([settled.server_status, settled.refs], ["done", { move: 42 }]);
  assert.ok(settled.settled_at);
  const again = await outbox.get(lost);
  assert.deepEqual([again.state, again.op_id], ["pending", lost]);
});

test("a catalog delta changes only its rows, by key, and the loaded catalog sees it at once", async () => {
  await withCatalog();
  const before = await loadCatalog();
  assert.equal(before.verdict({ gtin: "05012345100012", lot: "A1" }).usable, true);
  const { requests, fetcher } = server(() => ({ body: { results: [], statuses: {}, catalog: { version: "v2", full: false, changes: {
    lots: { upsert: [{ id: 10, product_id: 1, name: "A1", expiry: "2030-01-01", recalled: true }], delete: [11] },
    locations: { upsert: [], delete: [[2]] },
    stock: { upsert: [{ product_id: 1, location_id: 1, lot_id: null, quantity: 5 }], delete: [[1, 1, 10]] },
    products: { upsert: [], delete: [[1, "15012345100019"]] },
    printers: { upsert: [{ id: 1 }] }, // a table this handheld does not keep
  } } } }));

  const summary = await replay({ force: true, fetcher });

  assert.equal(summary.catalog, "updated");
  assert.equal(requests[0].body.catalog, "v1");
  const stored = await readCatalog();
  assert.equal(stored.version, "v2");
  assert.deepEqual(stored.lots.map((l) => [l.id, l.recalled]), [[10, true]]);
  assert.deepEqual(stored.locations.map((l) => l.id), [1]);
  assert.deepEqual(stored.stock, [{ product_id: 1, location_id: 1, lot_id: null, quantity: 5 }]);
  assert.deepEqual(stored.products.map((p) => p.gtin), ["05012345100012"]);
  assert.deepEqual(stored.par_levels, SNAPSHOT.par_levels); // untouched
  const after = await loadCatalog();
  assert.notEqual(after, before);
  const verdict = after.verdict({ gtin: "05012345100012", lot: "A1" });
  assert.deepEqual([verdict.usable, verdict.recalled], [false, true]);
  const next = server(accepting());
  await replay({ force: true, fetcher: next.fetcher });
  assert.equal(next.requests[0].body.catalog, "v2");
});

test("a whole catalog replaces everything the handheld had", async () => {
  await withCatalog();
  const snapshot = { ...SNAPSHOT, version: "v9", lots: [{ id: 30, product_id: 1, name: "C3", expiry: null, recalled: false }], stock: [], locations: [SNAPSHOT.locations[0]] };
  await withCatalog(snapshot);
  const stored = await readCatalog();
  assert.equal(stored.version, "v9");
  assert.deepEqual(stored.lots.map((l) => l.name), ["C3"]);
  assert.deepEqual(stored.stock, []);
  assert.deepEqual(stored.locations.map((l) => l.barcode), ["WARD-3B"]);
  assert.equal((await loadCatalog()).lot(1, "A1"), null);
});

test("a delta that cannot be applied leaves the old catalog whole and makes the next sync ask for all of it", async () => {
  await withCatalog();
  const { fetcher } = server(() => ({ body: { results: [], statuses: {}, catalog: { version: "v2", full: false, changes: {
    lots: { upsert: [{ id: 10, product_id: 1, name: "A1", expiry: "2030-01-01", recalled: true }], delete: [11] },
    stock: { upsert: [{ product_id: 1, quantity: 3 }] }, // no location_id nor lot_id: no key
  } } } }));

  const summary = await replay({ force: true, fetcher });

  assert.equal(summary.catalog, "failed");
  const stored = await readCatalog();
  assert.deepEqual(stored.lots, SNAPSHOT.lots); // neither the recall nor the delete went in
  assert.deepEqual(stored.stock.length, 2);
  assert.equal((await loadCatalog()).verdict({ gtin: "05012345100012", lot: "A1" }).usable, true);
  assert.equal((await catalogState()).version, null);
  const next = server(() => ({ body: { results: [], statuses: {}, catalog: { version: "v2", full: true, snapshot: { ...SNAPSHOT, version: "v2" } } } }));
  await replay({ fetcher: next.fetcher }); // not forced: a failed catalog is asked at the next sync that carries anything
  await replay({ fetcher: next.fetcher, force: true });
  assert.equal(next.requests.at(-1).body.catalog, null);
  assert.equal((await catalogState()).version, "v2");
});

test("a delta from another version than the handheld's is not applied", async () => {
  await withCatalog();
  const { fetcher } = server(() => ({ body: { results: [], statuses: {}, catalog: { version: "v3", full: false, changes: { lots: { delete: [10, 11] } } } } }));
  await (await db()).put("meta", { ...(await catalogState()), version: "v2" }, "catalog"); // what the sync sends is read at send time: change it under its feet
  const orig = fetcher;
  const racing = async (url, options) => {
    const answer = await orig(url, options);
    await (await db()).put("meta", { ...(await catalogState()), version: "elsewhere" }, "catalog");
    return answer;
  };
  assert.equal((await replay({ force: true, fetcher: racing })).catalog, "failed");
  assert.equal((await readCatalog()).lots.length, 2);
});

test("with nothing to send nor watch, a sync asks for the catalog only every five minutes unless forced", async () => {
  await withCatalog();
  const { requests, fetcher } = server(accepting());
  await replay({ fetcher });
  assert.equal(requests.length, 0);
  await replay({ fetcher, force: true });
  assert.equal(requests.length, 1);
  const state = await catalogState();
  await (await db()).put("meta", { ...state, asked_at: new Date(Date.now() - 5 * 60 * 1000 - 1).toISOString() }, "catalog");
  await replay({ fetcher });
  assert.equal(requests.length, 2);
  await outbox.capture("consume", { n: 1 }, { user: NURSE });
  await replay({ fetcher }); // something to send: at once, and the catalog version rides along
  assert.equal(requests.length, 3);
  assert.equal(requests[2].body.catalog, "v1");
});

test("a handheld not registered yet sends nothing but gets its catalog with the session of whoever is logged in", async () => {
  await outbox.updateDevice({ linked_users: [] });
  await outbox.capture("consume", { n: 1 }, { user: NURSE });
  const { requests, fetcher } = server(() => ({ body: { results: [], statuses: {}, catalog: { version: "v1", full: true, snapshot: SNAPSHOT } } }));
  assert.equal((await replay({ fetcher })).login, true);
  assert.equal(requests.length, 0); // no session (the worker): nothing at all
  const summary = await replay({ fetcher, csrf: "page-csrf-token" });
  assert.equal(requests.length, 1);
  assert.deepEqual([requests[0].body.commands, requests[0].body.watch, requests[0].body.catalog], [[], {}, null]);
  assert.equal(requests[0].options.credentials, "same-origin");
  assert.equal(requests[0].options.headers.Authorization, undefined);
  assert.equal(requests[0].options.headers["X-CSRFToken"], "page-csrf-token"); // a POST with the session cookie needs it
  assert.deepEqual([summary.catalog, summary.kept], ["updated", 1]);
});

test("no network, login, busy: nothing is lost, and the op_ids stay the same when sent again", async () => {
  await withCatalog();
  const command = await outbox.capture("consume", { n: 1 }, { user: NURSE });
  for (const fail of [() => { throw new TypeError("Failed to fetch"); }, () => ({ status: 401, body: { message: "Log in." } }), () => ({ status: 503 })]) {
    const { requests, fetcher } = server(fail);
    const summary = await replay({ fetcher, force: true });
    assert.equal(requests.length, 1);
    assert.equal(summary.kept, 1);
    const kept = await outbox.get(command.op_id);
    assert.equal(kept.state, "pending");
    assert.ok(kept.next_try_at > Date.now());
  }
  const { requests, fetcher } = server(accepting());
  await replay({ fetcher, force: true });
  assert.deepEqual(requests[0].body.commands.map((c) => c.op_id), [command.op_id]);
  assert.equal((await outbox.get(command.op_id)).state, "sent");
});

test("a 413 sends the commands again in halves; a single command still too large is refused with the server's sentence", async () => {
  await withCatalog();
  const ids = [];
  for (let n = 0; n < 5; n++) ids.push((await outbox.capture("consume", { n }, { user: NURSE })).op_id);
  const tooBig = ids[3];
  const { requests, fetcher } = server((body) => (body.commands.length > 2 || body.commands.some((c) => c.op_id === tooBig)
    ? { status: 413, body: { message: "This request is 2.1 MB; the server takes at most 2 MB." } }
    : accepting()(body)));

  const summary = await replay({ fetcher, force: true });

  assert.deepEqual([summary.sent, summary.failed, summary.kept], [4, 1, 0]);
  const sentIds = requests.filter((r) => r.body.commands.length <= 2 && !r.body.commands.some((c) => c.op_id === tooBig)).flatMap((r) => r.body.commands.map((c) => c.op_id));
  assert.deepEqual(sentIds.sort(), ids.filter((id) => id !== tooBig).sort());
  const refused = await outbox.get(tooBig);
  assert.equal(refused.state, "failed");
  assert.match(refused.message, /at most 2 MB/);
});

test("more commands than a batch go in several exchanges, each with the catalog version", async () => {
  await withCatalog();
  for (let n = 0; n < 150; n++) await outbox.capture("consume", { n }, { user: NURSE });
  const { requests, fetcher } = server(accepting());
  const summary = await replay({ fetcher });
  assert.deepEqual(requests.map((r) => r.body.commands.length), [100, 50]);
  assert.ok(requests.every((r) => r.body.catalog === "v1"));
  assert.equal(summary.sent, 150);
});

test("a thousand watched op_ids are asked in two exchanges of 500, the catalog version in each", async () => {
  await withCatalog();
  const ids = [];
  for (let n = 0; n < 1000; n++) ids.push((await outbox.capture("consume", { n }, { user: NURSE })).op_id);
  await outbox.update(Object.fromEntries(ids.map((id) => [id, { state: "sent", server_status: "queued" }])));
  const { requests, fetcher } = server(accepting());
  await replay({ fetcher });
  assert.deepEqual(requests.map((r) => Object.keys(r.body.watch).length), [500, 500]);
  assert.deepEqual(requests.flatMap((r) => Object.keys(r.body.watch)).sort(), [...ids].sort());
  assert.ok(requests.every((r) => r.body.commands.length === 0 && r.body.catalog === "v1"));
});

test("a stock row without a lot has one key whether the lot is given as null or as the server's 0", async () => {
  const { catalogKey } = await import("../../static/js/db.js");
  const row = { product_id: 1, location_id: 2, lot_id: null, quantity: 3 };
  assert.deepEqual(catalogKey("stock", [1, 2, 0], { fromRow: false }), catalogKey("stock", row));
  assert.deepEqual(catalogKey("stock", [1, 2, null], { fromRow: false }), catalogKey("stock", row));
  assert.deepEqual(catalogKey("lots", 10, { fromRow: false }), catalogKey("lots", { id: 10 }));
  assert.throws(() => catalogKey("par_levels", [1], { fromRow: false }), /without its key/);
});

test("a page or worker just started asks for the catalog at its first sync, whatever the last one asked", async () => {
  const { catalogDue } = await import("../../static/js/replay.js");
  const now = Date.parse("2026-12-07T12:00:00Z");
  const recent = { version: "v1", asked_at: "2026-12-07T11:59:00Z", failed_at: null };
  assert.equal(catalogDue(recent, now, false), true);
  assert.equal(catalogDue(recent, now, true), false);
  assert.equal(catalogDue({ ...recent, asked_at: "2026-12-07T11:54:59Z" }, now, true), true);
  assert.equal(catalogDue({ version: null, asked_at: "2026-12-07T11:59:00Z", failed_at: null }, now, true), true);
  assert.equal(catalogDue({ version: null, asked_at: "2026-12-07T11:59:00Z", failed_at: "2026-12-07T11:59:00Z" }, now, true), false);
});

/** Each table's rows in key order, to compare catalogs whatever order their rows came in. */
async function byKey(snapshot) {
  const { catalogKey } = await import("../../static/js/db.js");
  const text = (table, row) => JSON.stringify(catalogKey(table, row));
  return Object.fromEntries(Object.keys(CATALOG_TABLES).map((table) => [table,
    [...snapshot[table]].sort((a, b) => text(table, a).localeCompare(text(table, b)))]));
}

test("the catalog kept in memory after a delta is the one stored, without reading it all again", async () => {
  const { currentCatalog } = await import("../../static/js/catalog-store.js");
  await withCatalog();
  await loadCatalog();
  const { fetcher } = server(() => ({ body: { results: [], statuses: {}, catalog: { version: "v2", full: false, changes: {
    lots: { upsert: [{ id: 10, product_id: 1, name: "A1", expiry: "2030-01-01", recalled: true }, { id: 12, product_id: 1, name: "C3", expiry: null, recalled: false }], delete: [11] },
    stock: { upsert: [], delete: [[1, 1, 0]] },
  } } } }));
  await replay({ force: true, fetcher });
  const inMemory = await currentCatalog();
  const stored = await readCatalog();
  assert.equal(inMemory.version, "v2");
  assert.deepEqual(await byKey(inMemory), await byKey(stored));
  assert.deepEqual(stored.stock, [SNAPSHOT.stock[0]]); // [1, 1, 0]: the row without a lot
});

test("a catalog changed by another page or the worker is read again", async () => {
  await withCatalog();
  assert.equal((await loadCatalog()).lot(1, "A1").recalled, false);
  const database = await db(); // what the worker's sync writes, outside this module's memory
  const tx = database.transaction(["catalog", "meta"], "readwrite");
  await tx.objectStore("catalog").put({ ...SNAPSHOT.lots[0], recalled: true }, ["lots", 10]);
  await tx.objectStore("meta").put({ ...(await tx.objectStore("meta").get("catalog")), version: "v2", fetched_at: new Date().toISOString() }, "catalog");
  await tx.done;
  assert.equal((await loadCatalog()).lot(1, "A1").recalled, true);
});

test("a 400 about the watched op_ids or the catalog version keeps the commands; one about the batch refuses them", async () => {
  await withCatalog();
  const command = await outbox.capture("consume", { n: 1 }, { user: NURSE });
  const watchRefused = server(() => ({ status: 400, body: { error: "too_many_ids", message: "Watch at most 500 op_ids at a time; this request has 501." } }));
  await replay({ force: true, fetcher: watchRefused.fetcher });
  const kept = await outbox.get(command.op_id);
  assert.equal(kept.state, "pending");
  assert.match(kept.message, /Watch at most 500/);
  const batchRefused = server(() => ({ status: 400, body: { error: "bad_batch", message: "commands must be a list." } }));
  await replay({ force: true, fetcher: batchRefused.fetcher });
  const refused = await outbox.get(command.op_id);
  assert.deepEqual([refused.state, refused.message], ["failed", "commands must be a list."]);
});

test("a screen that starts listening after the first sync brought the catalog is told of it", async () => {
  const { listen } = await import("../../static/js/db.js");
  await withCatalog(); // announced "catalog" before anyone listened
  const heard = await new Promise((resolve) => {
    const topics = [];
    const stop = listen((topic) => topics.push(topic));
    setTimeout(() => {
      stop();
      resolve(topics);
    }, 20);
  });
  assert.ok(heard.includes("catalog"), heard);
});
