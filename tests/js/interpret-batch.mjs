// Reads [{raw, source}] as JSON on stdin and writes what the device's parser makes of each, for
// tests/js/test_generated_agreement.py (Python generates the cases and compares with scanners/).
import { readFileSync } from "node:fs";
import { interpret } from "../../static/js/gs1.js";

const FIELDS = ["kind", "gtin", "lot", "expiry", "serial", "quantity", "production_date", "code", "elements"];

function outcome({ raw, source }) {
  try {
    const scan = interpret(raw, {}, { source });
    return { ...Object.fromEntries(FIELDS.map((name) => [name, scan[name] ?? null])), warnings: scan.warnings.length };
  } catch (error) {
    if (!error.expected) throw error;
    return { error: error.name };
  }
}

const cases = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(outcome)));
