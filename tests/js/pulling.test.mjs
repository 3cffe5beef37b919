// The expiry sweep's pull list, from the handheld's own catalog: recalled, expired, past the alert date.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Catalog } from "../../static/js/catalog.js";
import { pullList, pullReason, wasteReasonFor } from "../../static/js/pulling.js";

const DAY = "2026-06-15";
const catalog = new Catalog({
  products: [{ id: 1, gtin: "05012345100012", name: "IV cannula" }, { id: 2, gtin: "05012345100029", name: "Syringe" }],
  lots: [
    { id: 10, product_id: 1, name: "OLD", expiry: "2026-06-01" },
    { id: 11, product_id: 1, name: "SOON", expiry: "2026-07-01" }, // within 30 days
    { id: 12, product_id: 1, name: "ALERTED", expiry: "2026-12-01", alert_date: "2026-06-10" }, // its own alert date passed
    { id: 13, product_id: 1, name: "GOOD", expiry: "2027-06-01" },
    { id: 20, product_id: 2, name: "RECALLED", expiry: "2028-01-01", recalled: true },
  ],
  locations: [
    { id: 100, barcode: "WARD-3B", parent_id: null, usage: "internal" },
    { id: 101, barcode: "WARD-3B-SUPPLY", parent_id: 100, usage: "internal" },
    { id: 200, barcode: "WARD-ICU", parent_id: null, usage: "internal" },
  ],
  stock: [
    { product_id: 1, location_id: 101, lot_id: 10, quantity: 4 },
    { product_id: 1, location_id: 100, lot_id: 10, quantity: 1 },
    { product_id: 1, location_id: 101, lot_id: 11, quantity: 2 },
    { product_id: 1, location_id: 101, lot_id: 12, quantity: 3 },
    { product_id: 1, location_id: 101, lot_id: 13, quantity: 9 },
    { product_id: 2, location_id: 101, lot_id: 20, quantity: 5 },
    { product_id: 2, location_id: 200, lot_id: 20, quantity: 7 }, // another ward: not on this list
    { product_id: 1, location_id: 101, lot_id: 11, quantity: 0 },
  ],
});

test("a lot is pulled when recalled, expired, or past its alert date (its own, else near-expiry days before expiry)", () => {
  assert.equal(pullReason(catalog.lots.get(20), DAY, 30), "recalled");
  assert.equal(pullReason(catalog.lots.get(10), DAY, 30), "expired");
  assert.equal(pullReason(catalog.lots.get(11), DAY, 30), "near");
  assert.equal(pullReason(catalog.lots.get(11), DAY, 10), null); // 16 days out, 10 near-expiry days: it stays
  assert.equal(pullReason(catalog.lots.get(12), DAY, 30), "near");
  assert.equal(pullReason(catalog.lots.get(13), DAY, 30), null);
  assert.equal(pullReason(null, DAY, 30), null);
});

test("the pull list of a ward covers its sub-locations, adds a lot's units up, recalled first, and nothing of other wards", () => {
  const list = pullList(catalog, "WARD-3B", DAY, 30);
  assert.deepEqual(list.map((e) => [e.lot.name, e.why, e.quantity]), [
    ["RECALLED", "recalled", 5], ["OLD", "expired", 5], ["SOON", "near", 2], ["ALERTED", "near", 3],
  ]);
  assert.deepEqual(pullList(catalog, "WARD-3B-SUPPLY", DAY, 30).find((e) => e.lot.name === "OLD").quantity, 4);
  assert.deepEqual(pullList(catalog, "WARD-ICU", DAY, 30).map((e) => e.lot.name), ["RECALLED"]);
});

test("a box wasted in a sweep takes its reason from its lot; one pulled early says so in its note", () => {
  assert.deepEqual(wasteReasonFor("recalled", catalog.lots.get(20)), { reason: "recalled", note: "" });
  assert.deepEqual(wasteReasonFor("expired", catalog.lots.get(10)), { reason: "expired", note: "" });
  const early = wasteReasonFor("near", catalog.lots.get(11));
  assert.equal(early.reason, "other");
  assert.match(early.note, /2026-07-01/);
});
