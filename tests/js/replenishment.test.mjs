// Ward replenishment's rules on the handheld: what is low, whether a card was already asked for,
// and first expiry, first out in the store. Pure: a catalog snapshot and this handheld's outbox.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Catalog } from "../../static/js/catalog.js";
import { alreadyAsked, cardQuantity, lowAt, pickVerdict, queuedConsumption, suggestedLot, transfersByWard } from "../../static/js/replenishment.js";

const GAUZE = "05012345100036";
const GLOVES = "05012345100067";
const snapshot = {
  version: "2026-12-07T08:00:00",
  products: [{ id: 1, gtin: GAUZE, name: "Gauze" }, { id: 2, gtin: GLOVES, name: "Gloves" }],
  lots: [
    { id: 10, product_id: 1, name: "GZ-OLD", expiry: "2020-01-01" },
    { id: 11, product_id: 1, name: "GZ-EARLY", expiry: "2030-01-31" },
    { id: 12, product_id: 1, name: "GZ-LATE", expiry: "2031-06-30" },
    { id: 13, product_id: 1, name: "GZ-RECALL", expiry: "2029-01-01", recalled: true },
    { id: 14, product_id: 1, name: "GZ-WARD", expiry: "2029-03-01" },
  ],
  locations: [
    { id: 100, barcode: "STORE", name: "Central store", parent_id: null, usage: "internal" },
    { id: 200, barcode: "WARD-3B", name: "Ward 3B", parent_id: null, usage: "internal" },
    { id: 201, barcode: "WARD-3B-SUPPLY", name: "Supply Room", parent_id: 200, usage: "internal" },
    { id: 300, barcode: "WARD-ICU", name: "ICU", parent_id: null, usage: "internal" },
  ],
  stock: [
    { product_id: 1, location_id: 100, lot_id: 10, quantity: 50 },
    { product_id: 1, location_id: 100, lot_id: 11, quantity: 40 },
    { product_id: 1, location_id: 100, lot_id: 12, quantity: 40 },
    { product_id: 1, location_id: 100, lot_id: 13, quantity: 40 },
    { product_id: 1, location_id: 201, lot_id: 14, quantity: 12 },
    { product_id: 2, location_id: 201, lot_id: null, quantity: 30 },
  ],
  par_levels: [
    { product_id: 1, location_id: 201, minimum: 10, maximum: 30 },
    { product_id: 2, location_id: 201, minimum: 20, maximum: 50 },
  ],
  replenishments: [
    { id: 7, reference: "WH/INT/00007", state: "open", source_id: 100, destination_id: 300, lines: [{ product_id: 2, requested: 20, picked: 0, lots: [] }] },
    { id: 8, reference: "WH/INT/00008", state: "done", source_id: 100, destination_id: 201, lines: [{ product_id: 1, requested: 20, picked: 20, lots: [] }] },
  ],
};
const catalog = new Catalog(snapshot);
const consume = (quantity, extra = {}) => ({ kind: "consume", state: "pending", captured_at: "2026-12-07T09:00:00Z",
  payload: { location: "WARD-3B-SUPPLY", lines: [{ gtin: GAUZE, lot: "GZ-WARD", quantity }] }, ...extra });
const request = (extra = {}) => ({ kind: "replenish_request", state: "pending", captured_at: "2026-12-07T10:32:00Z",
  payload: { location: "WARD-3B-SUPPLY", gtin: GAUZE, quantity: 20, card: "" }, ...extra });

test("nothing is low while on hand stays above the minimum", () => {
  assert.deepEqual(lowAt(catalog, [], "WARD-3B-SUPPLY"), []);
});

test("consumption queued on this handheld counts: at the minimum the product is low, with the refill to the maximum", () => {
  const low = lowAt(catalog, [consume(2)], "WARD-3B-SUPPLY");
  assert.equal(low.length, 1);
  assert.equal(low[0].product.name, "Gauze");
  assert.equal(low[0].onHand, 10);
  assert.equal(low[0].refill, 20);
  assert.equal(low[0].asked, null);
});

test("consumption already settled before the catalog was made is not taken twice", () => {
  const old = consume(2, { state: "sent", server_status: "done", settled_at: "2026-12-07T07:00:00Z" });
  assert.equal(queuedConsumption(catalog, [old], 1, "WARD-3B-SUPPLY"), 0);
  const recent = consume(2, { state: "sent", server_status: "done", settled_at: "2026-12-07T09:00:00Z" });
  assert.equal(queuedConsumption(catalog, [recent], 1, "WARD-3B-SUPPLY"), 2);
  assert.equal(queuedConsumption(catalog, [consume(2, { state: "sent", server_status: "discarded" })], 1, "WARD-3B-SUPPLY"), 0);
});

test("consumption at a ward's sub-location counts for the ward, another ward's does not", () => {
  assert.equal(queuedConsumption(catalog, [consume(3)], 1, "WARD-3B"), 3);
  assert.equal(queuedConsumption(catalog, [consume(3)], 1, "WARD-ICU"), 0);
});

test("a card asks for its par level's maximum minus minimum", () => {
  assert.equal(cardQuantity(snapshot.par_levels[0]), 20);
});

test("a request queued on this handheld is found again with its time; a refused or discarded one is not", () => {
  assert.deepEqual(alreadyAsked(catalog, [request()], 1, "WARD-3B-SUPPLY"), { how: "queued", at: "2026-12-07T10:32:00Z", quantity: 20 });
  assert.equal(alreadyAsked(catalog, [request({ state: "failed" })], 1, "WARD-3B-SUPPLY"), null);
  assert.equal(alreadyAsked(catalog, [request({ state: "sent", server_status: "discarded" })], 1, "WARD-3B-SUPPLY"), null);
  assert.equal(alreadyAsked(catalog, [request()], 2, "WARD-3B-SUPPLY"), null);
  assert.equal(alreadyAsked(catalog, [request()], 1, "WARD-ICU"), null);
});

test("an open transfer line still to deliver counts as asked; a done transfer does not", () => {
  assert.deepEqual(alreadyAsked(catalog, [], 2, "WARD-ICU"), { how: "open", reference: "WH/INT/00007" });
  assert.equal(alreadyAsked(catalog, [], 1, "WARD-3B-SUPPLY"), null);
});

test("open transfers are grouped by the ward they go to", () => {
  const groups = transfersByWard(catalog);
  assert.deepEqual(groups.map((g) => [g.ward, g.transfers.map((t) => t.reference)]), [["WARD-ICU", ["WH/INT/00007"]]]);
});

test("first expiry, first out in the store: expired and recalled lots are never suggested, a later lot is allowed amber", () => {
  assert.equal(suggestedLot(catalog, 1, "STORE").lot.name, "GZ-EARLY");
  assert.equal(pickVerdict(catalog, 1, "GZ-EARLY", "STORE").verdict, "first");
  const later = pickVerdict(catalog, 1, "GZ-LATE", "STORE");
  assert.equal(later.verdict, "later");
  assert.equal(later.suggestion.lot.name, "GZ-EARLY");
  assert.equal(pickVerdict(catalog, 1, "GZ-WARD", "STORE").verdict, "not_in_store");
  assert.equal(suggestedLot(catalog, 2, "STORE"), null);
});
