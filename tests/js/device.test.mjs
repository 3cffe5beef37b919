// The device's pure rules: how replay treats each answer, its backoff, and the offline catalog's
// verdicts (expired / recalled / FEFO / wards) that let a scan be refused without the network.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Catalog, lineKey, packWords } from "../../static/js/catalog.js";
import { useCatalogue } from "../../static/js/i18n.js";
import { backoffMs, classifyBatch, classifyResult } from "../../static/js/replay.js";

test("replay classifies batch answers: keep on 401/403 and 5xx/timeouts, split on 413, fail the batch on other 4xx", () => {
  assert.equal(classifyBatch(200), "results");
  for (const status of [401, 403]) assert.equal(classifyBatch(status), "login");
  for (const status of [408, 429, 500, 502, 503, 504]) assert.equal(classifyBatch(status), "retry");
  assert.equal(classifyBatch(413), "split");
  for (const status of [400, 404, 422]) assert.equal(classifyBatch(status), "refused");
  assert.equal(classifyResult({ result: "accepted" }), "sent");
  assert.equal(classifyResult({ result: "duplicate" }), "sent");
  assert.equal(classifyResult({ result: "rejected", message: "no" }), "failed");
});

test("backoff grows exponentially with jitter and stops at five minutes", () => {
  assert.equal(backoffMs(1, () => 0), 1000);
  assert.equal(backoffMs(1, () => 1), 2000);
  assert.equal(backoffMs(4, () => 1), 16000);
  assert.equal(backoffMs(30, () => 1), 300000);
  assert.ok(backoffMs(30, () => 0) >= 150000);
});

const DAY = "2026-06-01";
const catalog = new Catalog({
  products: [{ id: 1, gtin: "05012345100012", name: "IV cannula 20G", tracked_by_lot: true },
    { id: 2, gtin: "5012345100029", name: "Syringe 10 ml", tracked_by_lot: true }],
  lots: [
    { id: 10, product_id: 1, name: "OLD", expiry: "2026-05-01", recalled: false },
    { id: 11, product_id: 1, name: "NEAR", expiry: "2026-06-20", recalled: false },
    { id: 12, product_id: 1, name: "FAR", expiry: "2027-06-01", recalled: false },
    { id: 20, product_id: 2, name: "BAD", expiry: "2028-01-01", recalled: true },
  ],
  locations: [
    { id: 1, barcode: "CS-STOCK", parent_id: null, usage: "internal" },
    { id: 2, barcode: "WARD-3B", parent_id: null, usage: "internal" },
    { id: 3, barcode: "WARD-3B-SUPPLY", parent_id: 2, usage: "internal" },
  ],
  receipts: [{ id: 1, reference: "CS/IN/00001", state: "open", destination_id: 1, lines: [] }],
  stock: [
    { product_id: 1, location_id: 3, lot_id: 10, quantity: 4 },
    { product_id: 1, location_id: 3, lot_id: 12, quantity: 9 },
    { product_id: 1, location_id: 1, lot_id: 11, quantity: 50 },
  ],
});

test("an expired lot is refused by the catalog's expiry or the label's, a recalled one whatever its date", () => {
  assert.equal(catalog.verdict({ gtin: "05012345100012", lot: "OLD" }, DAY).usable, false);
  assert.match(catalog.verdict({ gtin: "05012345100012", lot: "OLD" }, DAY).reason, /expired on 2026-05-01/);
  assert.equal(catalog.verdict({ gtin: "05012345100012", lot: "FAR" }, DAY).usable, true);
  assert.equal(catalog.verdict({ gtin: "05012345100012", lot: "UNKNOWN", expiry: "2026-01-31" }, DAY).expired, true);
  const recalled = catalog.verdict({ gtin: "05012345100029", lot: "BAD" }, DAY); // a 13-digit GTIN in the catalog
  assert.equal(recalled.recalled, true);
  assert.match(recalled.reason, /recalled/);
});

test("an unknown lot or product says what could not be checked; the label's expiry is still checked", () => {
  const unknownLot = catalog.verdict({ gtin: "05012345100012", lot: "NEW-99", expiry: "2027-06-01" }, DAY);
  assert.equal(unknownLot.usable, true);
  assert.match(unknownLot.unchecked, /Lot NEW-99 .* not known on this handheld: its recall status/);
  assert.equal(catalog.verdict({ gtin: "05012345100012", lot: "NEW-99", expiry: "2026-01-31" }, DAY).expired, true);
  assert.match(catalog.verdict({ gtin: "09999999999994", lot: "X" }, DAY).unchecked, /not in this handheld's catalog/);
  assert.match(new Catalog({}).verdict({ gtin: "05012345100012", lot: "FAR" }, DAY).unchecked, /no catalog yet/);
  assert.equal(catalog.verdict({ gtin: "05012345100012", lot: "FAR" }, DAY).unchecked, "");
});

test("the verdict's sentences and a box's words are in the active catalogue's language, dates the locale's way", () => {
  useCatalogue({ locale: "fr", plural: "(n > 1)", messages: {
    "Lot %(lot)s of %(product)s expired on %(date)s: do not use it.": "Le lot %(lot)s de %(product)s est périmé depuis le %(date)s : ne l'utilisez pas.",
    "GTIN %(gtin)s is not in this handheld's catalog: the product, its recall status and the stock could not be checked.": "Le GTIN %(gtin)s n'est pas dans le catalogue de ce terminal.",
    "1 box = %(count)s": "1 boîte = %(count)s",
  } });
  try {
    assert.equal(catalog.verdict({ gtin: "05012345100012", lot: "OLD" }, DAY).reason, "Le lot OLD de IV cannula 20G est périmé depuis le 1 mai 2026 : ne l'utilisez pas.");
    assert.equal(catalog.verdict({ gtin: "09999999999994", lot: "X" }, DAY).unchecked, "Le GTIN 09999999999994 n'est pas dans le catalogue de ce terminal.");
    assert.equal(packWords(10), "1 boîte = 10");
  } finally {
    useCatalogue(null);
  }
});

test("a lot within the near-expiry days (or past the catalog's alert date) is near expiry, with its date", () => {
  assert.equal(catalog.verdict({ gtin: "05012345100012", lot: "NEAR" }, DAY, 30).nearExpiry, "2026-06-20");
  assert.equal(catalog.verdict({ gtin: "05012345100012", lot: "NEAR" }, DAY, 5).nearExpiry, null);
  assert.equal(catalog.verdict({ gtin: "05012345100012", lot: "FAR" }, DAY, 30).nearExpiry, null);
  const alerted = new Catalog({ products: [{ id: 1, gtin: "05012345100012", name: "IV" }],
    lots: [{ id: 1, product_id: 1, name: "A", expiry: "2027-06-01", alert_date: "2026-05-01" }] });
  assert.equal(alerted.verdict({ gtin: "05012345100012", lot: "A" }, DAY).nearExpiry, "2027-06-01");
});

test("FEFO offers usable lots on the ward first, earliest expiry first, then those elsewhere", () => {
  const offered = catalog.fefo(1, "WARD-3B", DAY).map((entry) => [entry.lot.name, entry.here, entry.elsewhere]);
  assert.deepEqual(offered, [["FAR", 9, []], ["NEAR", 0, ["CS-STOCK"]]]);
});

test("wards include their sub-locations; unbound users go everywhere", () => {
  assert.equal(catalog.allows(["WARD-3B"], "WARD-3B-SUPPLY"), true);
  assert.equal(catalog.allows(["WARD-3B"], "CS-STOCK"), false);
  assert.equal(catalog.allows([], "CS-STOCK"), true);
});

test("exact codes, on-hand and what a blind count expects", () => {
  assert.deepEqual(catalog.exactCodes(), { "CS-STOCK": "location", "WARD-3B": "location", "WARD-3B-SUPPLY": "location", "CS/IN/00001": "receipt" });
  assert.equal(catalog.onHand(1, 12, "WARD-3B-SUPPLY"), 9);
  assert.deepEqual(catalog.expectedAt("WARD-3B-SUPPLY").map((e) => e.key), [lineKey("05012345100012", "OLD"), lineKey("05012345100012", "FAR")]);
});

test("a box's GTIN stands for its units and goes on its product's own line; the product by id is the single one", () => {
  const boxFirst = new Catalog({ products: [
    { id: 2, gtin: "15012345100026", name: "Syringe", pack_quantity: 10 },
    { id: 2, gtin: "05012345100029", name: "Syringe", pack_quantity: 1 },
    { id: 3, gtin: "05012345100036", name: "Gauze" },
  ] });
  assert.equal(boxFirst.packQuantity("15012345100026"), 10);
  assert.equal(boxFirst.packQuantity("5012345100029"), 1);
  assert.equal(boxFirst.packQuantity("05012345100036"), 1, "an entry without pack_quantity is one unit");
  assert.equal(boxFirst.packQuantity("09999999999999"), 1, "an unknown GTIN counts as one");
  assert.equal(boxFirst.unitGtin("15012345100026"), "05012345100029");
  assert.equal(boxFirst.products.get(2).gtin, "05012345100029");
  assert.equal(boxFirst.verdict({ gtin: "15012345100026", lot: "L1" }, DAY).product.name, "Syringe");
  const onlyBoxes = new Catalog({ products: [{ id: 4, gtin: "", name: "Kit" }, { id: 4, gtin: "15012345100026", name: "Kit", pack_quantity: 5 }] });
  assert.equal(onlyBoxes.unitGtin("15012345100026"), "15012345100026", "no GTIN of its own: the box's is kept");
  assert.equal(packWords(10), "1 box = 10");
  assert.equal(packWords(1), "");
});

test("a scanner known to pass separators on reads a lot-last label whole; an unchecked one is refused the ambiguous cut", async () => {
  const { DEFAULT_CONFIG, interpret } = await import("../../static/js/gs1.js");
  const { gsReplacements } = await import("../../static/js/scanner-settings.js");
  const label = "01050123451000291728110610SYR10-2502"; // (10)SYR10-2502, or (10)SYR10- then (250)2
  assert.deepEqual(gsReplacements(DEFAULT_CONFIG.gs_replacements, null), DEFAULT_CONFIG.gs_replacements);
  assert.deepEqual(gsReplacements(DEFAULT_CONFIG.gs_replacements, ""), DEFAULT_CONFIG.gs_replacements);
  for (const separator of ["\u001d", "~"]) {
    const config = { ...DEFAULT_CONFIG, gs_replacements: gsReplacements(DEFAULT_CONFIG.gs_replacements, separator) };
    assert.ok(!config.gs_replacements.includes(""));
    assert.equal(interpret(label, config).lot, "SYR10-2502");
  }
  assert.throws(() => interpret(label, DEFAULT_CONFIG), (error) => error.name === "AmbiguousCode");
});
