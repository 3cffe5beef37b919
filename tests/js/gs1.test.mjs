// The device's GS1 parser against the table the server's scanners/ package is tested on.
// Run: node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { cameraRaw, interpret } from "../../static/js/gs1.js";

const FIXTURE = new URL("../fixtures/scan_cases.json", import.meta.url);
const { cases } = JSON.parse(readFileSync(FIXTURE, "utf8"));
const CORE = ["kind", "gtin", "lot", "expiry", "serial", "quantity", "production_date", "code"];

function run(c) {
  return interpret(c.raw, c.config || {}, { source: c.source || "wedge" });
}

for (const [index, c] of cases.entries()) {
  test(`${String(index).padStart(3, "0")} ${c.name}`, () => {
    if ("error" in c) {
      assert.throws(() => run(c), (error) => {
        assert.equal(error.name, c.error, error.message);
        assert.match(error.message, /^Read '.*': expected .+, but found .+\./s);
        return true;
      });
      return;
    }
    const scan = run(c);
    for (const name of new Set([...CORE, ...Object.keys(c.expect)])) {
      const wanted = c.expect[name] ?? null;
      const got = name === "warnings" ? scan.warnings.length : scan[name];
      assert.deepEqual(got ?? null, wanted, `${c.name}: ${name} is ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}; warnings ${scan.warnings}`);
    }
  });
}

test("a camera DataMatrix with GS1 content gets the GS1 identifier, a location label stays text", () => {
  assert.equal(cameraRaw("data_matrix", "0105012345100012\x1d10IVC20-B245"), "]d20105012345100012\x1d10IVC20-B245");
  assert.equal(cameraRaw("code_128", "WARD-3B"), "WARD-3B");
  assert.equal(cameraRaw("ean_13", "5012345100012"), "]E05012345100012");
  const scan = interpret(cameraRaw("data_matrix", "010501234510001217280131\x1d10LOT1"), {}, { source: "camera" });
  assert.equal(scan.lot, "LOT1");
});

test("exact codes (the catalog's location barcodes) are matched before anything else", () => {
  const scan = interpret("WARD-3B-SUPPLY", { exact_codes: { "WARD-3B-SUPPLY": "location" } });
  assert.deepEqual([scan.kind, scan.code], ["location", "WARD-3B-SUPPLY"]);
});

test("a camera UPC-A or UPC-E is sent as AIM prescribes, 13 digits under ]E0, and reads as the same GTIN", () => {
  assert.equal(cameraRaw("upc_a", "002345678906"), "]E00002345678906");
  assert.equal(cameraRaw("upc_e", "01234565"), "]E00012345000065");
  assert.equal(interpret(cameraRaw("upc_e", "01234565"), {}, { source: "camera" }).gtin, "00012345000065");
  assert.equal(interpret(cameraRaw("ean_8", "96385074"), {}, { source: "camera" }).gtin, "00000096385074");
});
