// Raw scanned text -> a scan, on the device, offline. The same rules as scanners/ on the server
// (tests/js/gs1.test.mjs runs both on tests/fixtures/scan_cases.json): GS1 element strings with
// FNC1 as \x1d or a wedge replacement, AIM symbology identifiers, the (01)… form, GS1 Digital Link,
// EAN/UPC, HIBC (hibc.js) and our own prefixed codes.
import { CHECK_DIGITS, DATES, PATTERNS, TABLE, WORDS } from "./gs1-ais.js";
import { parseHibc } from "./hibc.js";
import { t } from "./i18n.js";
import { AmbiguousCode, CheckDigitError, GS, InvalidGS1, UnrecognizedCode } from "./scan-errors.js";

export { AmbiguousCode, CheckDigitError, GS, InvalidGS1, InvalidHIBC, ScanError, UnrecognizedCode, shown } from "./scan-errors.js";
export const DEFAULT_CONFIG = Object.freeze({
  gs_replacements: ["<GS>", "^]", "|", "~", ""],
  location_prefixes: ["LOC:"],
  badge_prefixes: ["BADGE:"],
  internal_prefixes: ["INT:"],
  bin_card_prefixes: ["BIN:"],
  exact_codes: {},
});

const AIS = new Map();
for (const entry of TABLE.split(",")) {
  const [ai, fixed, max, pattern] = entry.split(":");
  AIS.set(ai, { ai, fixed: Number(fixed) || null, max: Number(max), pattern: new RegExp(`^${PATTERNS[Number(pattern)]}$`) });
}
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;
const NATIONAL = { 710: "DE", 711: "FR", 712: "ES", 713: "BR", 714: "PT", 715: "US" };
const GS1_IDS = new Set(["]d2", "]e0", "]C1", "]Q3", "]J1"]);
const GTIN_IDS = new Set(["]E0", "]E3", "]E4", "]I1"]);
const MAX_READINGS = 16;
const restricted = () => t("This is a restricted circulation number: it is only unique inside the company that printed it.");

// WORDS (generated, shared with scanners/) in the page's language, for the AIs on medical labels.
const FIELD_WORDS = {
  "00": () => t("the SSCC"), "01": () => t("the GTIN"), "02": () => t("the GTIN of the contents"), "10": () => t("the lot"),
  11: () => t("the production date"), 15: () => t("the best-before date"), 16: () => t("the sell-by date"), 17: () => t("the expiry date"),
  21: () => t("the serial number"), 240: () => t("the additional product number"), 241: () => t("the customer part number"),
  30: () => t("the count"), 37: () => t("the count of items"), 414: () => t("the location GLN"), 7003: () => t("the expiry date and time"),
  7240: () => t("the clinical trial protocol"), 8004: () => t("the asset number (GIAI)"), 8020: () => t("the payment slip reference"),
};
export const describe = (ai) => {
  const words = FIELD_WORDS[ai]?.() || WORDS[ai];
  return words ? `${words} (AI ${ai})` : t("the field (AI %(ai)s)", { ai });
};
const isDigits = (text) => /^[0-9]+$/.test(text);
export const toHri = (elements) => elements.map((e) => `(${e.ai})${e.value}`).join("");

export function checkDigit(body) {
  let total = 0;
  for (let i = 0; i < body.length; i++) total += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (total % 10)) % 10;
}

function isRestricted(gtin) {
  if (gtin.startsWith("000000")) return "02".includes(gtin[6]);
  return gtin[0] === "0" && (gtin[1] === "2" || ["02", "04"].includes(gtin.slice(1, 3)));
}

function upceToUpca(upce) {
  const [system, d, check] = [upce[0], upce.slice(1, 7), upce[7]];
  const last = d[5];
  let middle;
  if ("012".includes(last)) middle = d.slice(0, 2) + last + "0000" + d.slice(2, 5);
  else if (last === "3") middle = d.slice(0, 3) + "00000" + d.slice(3, 5);
  else if (last === "4") middle = d.slice(0, 4) + "00000" + d[4];
  else middle = d.slice(0, 5) + "0000" + last;
  return system + middle + check;
}

function isUpce(code) {
  if (!(code.length === 8 && isDigits(code) && "01".includes(code[0]))) return false;
  const upca = upceToUpca(code);
  return checkDigit(upca.slice(0, -1)) === Number(upca.at(-1));
}

function normalizeGtin(code, read) {
  if (!(isDigits(code) && [8, 12, 13, 14].includes(code.length))) {
    throw new UnrecognizedCode(read, t("a GTIN of 8, 12, 13 or 14 digits"), characters(code));
  }
  const expected = checkDigit(code.slice(0, -1));
  if (Number(code.at(-1)) !== expected) {
    throw new CheckDigitError(read, t("a GTIN ending in the check digit %(digit)s", { digit: String(expected) }), code.at(-1),
      t("The code is damaged or mistyped; scan it again or type it from the label."));
  }
  return code.padStart(14, "0");
}

/** "12 characters '…'": what was read instead, for an error's "found". */
const characters = (text) => t("%(count)s characters '%(text)s'", { count: text.length, text });

// --- dates -----------------------------------------------------------------

const daysIn = (year, month) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const TIME_LIMITS = { hh: 23, mi: 59, ss: 59 };

// GS1 General Specifications 7.12: the year within 49 years back and 50 years ahead of this year.
function centuryYear(yy, today = new Date()) {
  const current = today.getUTCFullYear();
  const diff = yy - (current % 100);
  return current - (current % 100) + (diff >= 51 ? -100 : diff <= -50 ? 100 : 0) + yy;
}

function layoutText(ai) {
  const parts = DATES[ai].map((part) => (part.includes("y") ? part.toUpperCase().replace("D0", "DD") : part));
  const layout = parts.join(" ");
  return DATES[ai].includes("yymmd0") ? t("%(layout)s, day 00 meaning the whole month", { layout }) : layout;
}

function partProblem(part, digits) {
  if (!part.includes("y")) { // hh, mi, ss or hhmi: two digits each
    for (let i = 0; i < part.length; i += 2) {
      const [unit, pair] = [part.slice(i, i + 2), digits.slice(i, i + 2)];
      if (Number(pair) > TIME_LIMITS[unit]) return t("which has %(unit)s %(value)s", { unit, value: pair });
    }
    return "";
  }
  const size = part.startsWith("yyyy") ? 4 : 2;
  let year = Number(digits.slice(0, size));
  if (size === 2) year = centuryYear(year);
  const [month, day] = [Number(digits.slice(size, size + 2)), Number(digits.slice(size + 2))];
  const pad = (n) => String(n).padStart(2, "0");
  if (month < 1 || month > 12) return t("which has month %(month)s", { month: pad(month) });
  if (day === 0) return part.endsWith("d0") ? "" : t("which has day 00, not allowed in this field");
  if (day > daysIn(year, month)) return t("which has day %(day)s in month %(month)s of %(year)s", { day: pad(day), month: pad(month), year: String(year) });
  return "";
}

// Why value is not a date/time in the AI's layout (scanners/gs1_dates.py), or "".
function dateProblem(ai, value) {
  let pos = 0;
  for (const raw of DATES[ai]) {
    const optional = raw.startsWith("[");
    const part = raw.replace(/[[\]]/g, "");
    if (optional && pos === value.length) break;
    const chunk = value.slice(pos, pos + part.length);
    if (chunk.length !== part.length || !isDigits(chunk)) return t("which does not fit the layout %(layout)s", { layout: layoutText(ai) });
    const problem = partProblem(part, chunk);
    if (problem) return problem;
    pos += part.length;
  }
  return pos === value.length ? "" : t("which does not fit the layout %(layout)s", { layout: layoutText(ai) });
}

// The date a checked value starts with, as YYYY-MM-DD; day 00 is the month's last day.
function firstDate(ai, value) {
  const size = DATES[ai][0].startsWith("yyyy") ? 4 : 2;
  let year = Number(value.slice(0, size));
  if (size === 2) year = centuryYear(year);
  const month = Number(value.slice(size, size + 2));
  const day = Number(value.slice(size + 2, size + 4)) || daysIn(year, month);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

// --- element strings ---------------------------------------------------------

function aiAt(prefix) {
  for (let n = 2; n <= 4; n++) if (AIS.has(prefix.slice(0, n))) return AIS.get(prefix.slice(0, n));
  return null;
}

// One element checked against the GS1 rules: {ai, value, date} or {problem: [ErrorClass, expected, found, hint]}.
function validate(ai, value) {
  const what = describe(ai.ai);
  if (!value) return { problem: [InvalidGS1, t("%(field)s followed by its data", { field: what }), t("nothing"), t("The code is cut short.")] };
  if (ai.fixed && value.length !== ai.fixed) {
    return { problem: [InvalidGS1, t("%(field)s of exactly %(count)s digits", { field: what, count: ai.fixed }), characters(value), t("The code is cut short.")] };
  }
  if (value.length > ai.max) {
    return { problem: [InvalidGS1, t("%(field)s of at most %(count)s characters", { field: what, count: ai.max }), characters(value),
      t("A separator may be missing after this field.")] };
  }
  // The AI's own pattern says which characters it takes: most take CSET 82, a few CSET 39 ('#' in 8010) or 64.
  const inFormat = ai.pattern.test(value);
  if (!inFormat && !CSET82.test(value)) {
    const bad = [...value].find((c) => !CSET82.test(c));
    return { problem: [InvalidGS1, t("%(field)s made of GS1 characters", { field: what }),
      t("the character %(character)s in '%(text)s'", { character: JSON.stringify(bad), text: value })] };
  }
  if (ai.ai in DATES) {
    const problem = dateProblem(ai.ai, value);
    if (problem) return { problem: [InvalidGS1, t("%(field)s as %(layout)s", { field: what, layout: layoutText(ai.ai) }), `'${value}', ${problem}`] };
  }
  if (!inFormat) return { problem: [InvalidGS1, t("%(field)s in the GS1 format", { field: what }), `'${value}'`] };
  if (ai.ai in CHECK_DIGITS) {
    const [start, size] = CHECK_DIGITS[ai.ai];
    const digits = value.slice(start, start + size);
    const expected = checkDigit(digits.slice(0, -1));
    if (Number(digits.at(-1)) !== expected) {
      return { problem: [CheckDigitError, t("%(field)s with the check digit %(digit)s as digit %(position)s", { field: what, digit: String(expected), position: start + size }),
        digits.at(-1), t("The code is damaged or was printed wrongly; do not use it.")] };
    }
  }
  return { ai: ai.ai, value, date: ai.ai in DATES ? firstDate(ai.ai, value) : null };
}

function element(ai, value, read) {
  const result = validate(ai, value);
  if (result.problem) {
    const [ErrorClass, ...rest] = result.problem;
    throw new ErrorClass(read, ...rest);
  }
  return result;
}

function checked(elements, read) {
  const values = new Map();
  for (const e of elements) {
    if (!values.has(e.ai)) values.set(e.ai, e.value);
    else if (values.get(e.ai) !== e.value) {
      throw new InvalidGS1(read, t("%(field)s once", { field: describe(e.ai) }),
        t("it twice with different values '%(first)s' and '%(second)s'", { first: values.get(e.ai), second: e.value }), t("Do not use this code."));
    }
  }
  return elements;
}

function splitStrict(payload, read) {
  const pairs = [];
  for (const segment of payload.split(GS)) {
    let pos = 0;
    while (pos < segment.length) {
      const ai = aiAt(segment.slice(pos, pos + 4));
      if (!ai) {
        throw new InvalidGS1(read, t("a GS1 Application Identifier"),
          t("'%(text)s' at position %(position)s of '%(segment)s', which is none", { text: segment.slice(pos, pos + 4), position: pos + 1, segment }));
      }
      const start = pos + ai.ai.length;
      const end = ai.fixed ? start + ai.fixed : segment.length;
      pairs.push([ai, segment.slice(start, end)]);
      pos = end;
    }
  }
  return pairs;
}

// The valid readings of a separator-less element string and whether the list is complete (scanners/gs1.py
// _readings): every cut into element strings that each pass validate(); an AI repeated with another value is invalid,
// with the same value redundant but valid. From the end backwards, each position keeps the elements that can start
// there and lead to the end, and how many readings follow (counted up to MAX_READINGS + 1).
function readings(payload) {
  const options = new Map();
  const count = new Map([[payload.length, 1]]);
  for (let pos = payload.length - 1; pos >= 0; pos--) {
    const ai = aiAt(payload.slice(pos, pos + 4));
    if (!ai) continue;
    const start = pos + ai.ai.length;
    const last = Math.min(payload.length, start + ai.max);
    const ends = ai.fixed ? [start + ai.fixed] : Array.from({ length: Math.max(0, last - start) }, (_, i) => start + 1 + i);
    const here = [];
    for (const end of ends) {
      if (!count.has(end)) continue;
      const result = validate(ai, payload.slice(start, end));
      if (!result.problem) here.push([result, end]);
    }
    if (here.length) {
      options.set(pos, here);
      count.set(pos, Math.min(MAX_READINGS + 1, here.reduce((sum, [, end]) => sum + count.get(end), 0)));
    }
  }
  const total = payload ? count.get(0) ?? 0 : 0;
  const found = [];
  const stack = total > 0 && total <= MAX_READINGS ? [[0, []]] : [];
  while (stack.length) { // every option leads to the end, so this walks exactly the counted readings
    const [pos, acc] = stack.pop();
    if (pos === payload.length) found.push(acc);
    for (const [element, end] of [...(options.get(pos) ?? [])].reverse()) stack.push([end, [...acc, element]]);
  }
  const consistent = (reading) => {
    const values = new Map();
    return reading.every((e) => (values.has(e.ai) ? values.get(e.ai) === e.value : values.set(e.ai, e.value)));
  };
  return { found: found.filter(consistent), complete: total <= MAX_READINGS };
}

function parseElementString(payload, read, mayBeMissing) {
  payload = payload.replace(/^\x1d+/, "");
  const strict = () => checked(splitStrict(payload, read).map(([ai, value]) => element(ai, value, read)), read);
  if (payload.includes(GS) || !mayBeMissing) return [strict(), false];
  const { found, complete } = readings(payload);
  if (complete && found.length === 0) return [strict(), false];
  if (found.length !== 1 || !complete) {
    const listed = found.slice(0, 3).map(toHri).join(t(" or "));
    const meanings = !complete ? t("none, so it can mean more readings than can be listed")
      : found.length > 3 ? t("none, so it can mean %(readings)s or more", { readings: listed }) : t("none, so it can mean %(readings)s", { readings: listed });
    throw new AmbiguousCode(read, t("separators between the variable-length fields"), meanings,
      t("Set the scanner to send the GS separator (or a replacement such as '|'), or type the lot and serial number from the label."));
  }
  const reading = found[0];
  return [reading, reading.slice(0, -1).some((e) => !AIS.get(e.ai).fixed)];
}

function knownAi(code, read) {
  const ai = AIS.get(code);
  if (!ai) throw new InvalidGS1(read, t("a GS1 Application Identifier"), t("(%(code)s), which does not exist", { code }));
  return ai;
}

function parseHri(payload, read) {
  const parts = payload.replace(/\s+/g, "").split(/\((\d{2,4})\)/);
  if (parts[0] || parts.length < 3) throw new InvalidGS1(read, t("GS1 data written as (AI)value(AI)value"), `'${payload}'`);
  const elements = [];
  for (let i = 1; i < parts.length; i += 2) elements.push(element(knownAi(parts[i], read), parts[i + 1], read));
  return checked(elements, read);
}

const PRIMARY_KEYS = new Set(["00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8013", "8017", "8018"]);

function parseDigitalLink(uri, read) {
  let url;
  try {
    url = new URL(uri);
  } catch {
    throw new UnrecognizedCode(read, t("a GS1 Digital Link web address carrying a GTIN"), t("the web address '%(address)s'", { address: uri }));
  }
  const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const start = segments.findIndex((s, i) => PRIMARY_KEYS.has(s) && i + 1 < segments.length);
  if (start < 0) {
    throw new UnrecognizedCode(read, t("a GS1 Digital Link web address carrying a GTIN"), t("the web address '%(address)s' (no primary key)", { address: uri }));
  }
  const pairs = [];
  for (let i = start; i + 1 < segments.length; i += 2) pairs.push([segments[i], segments[i + 1]]);
  for (const [key, value] of url.searchParams) if (/^\d{2,4}$/.test(key) && AIS.has(key)) pairs.push([key, value]);
  return checked(pairs.map(([code, value]) => {
    if (code === "01" && isDigits(value) && [8, 12, 13].includes(value.length)) value = value.padStart(14, "0");
    return element(knownAi(code, read), value, read);
  }), read);
}

// --- interpretation ----------------------------------------------------------

function splitSymbology(text) {
  const match = /^\][cdeopszABCDEFGHIJKLMNOPQRSTUXZ][0-9A-Za-z]/.exec(text);
  if (!match) return [null, text];
  const id = match[0];
  return [{ id, family: GS1_IDS.has(id) ? "gs1" : GTIN_IDS.has(id) ? "gtin" : "text" }, text.slice(3)];
}

function restoreSeparators(payload, replacements) {
  for (const r of [...replacements].filter(Boolean).sort((a, b) => b.length - a.length)) payload = payload.replaceAll(r, GS);
  return payload;
}

function matchCode(payload, config, read) {
  if (Object.hasOwn(config.exact_codes, payload)) return [config.exact_codes[payload], payload];
  const prefixes = [
    ...config.location_prefixes.map((p) => [p, "location"]),
    ...config.badge_prefixes.map((p) => [p, "badge"]),
    ...config.internal_prefixes.map((p) => [p, "internal"]),
    ...config.bin_card_prefixes.map((p) => [p, "bin_card"]),
  ].sort((a, b) => b[0].length - a[0].length);
  for (const [prefix, kind] of prefixes) {
    if (prefix && payload.startsWith(prefix)) {
      const code = payload.slice(prefix.length);
      // eslint-disable-next-line no-control-regex
      if (!code.trim() || /[\x00-\x1f\x7f]/.test(code)) {
        throw new UnrecognizedCode(read, codeAfter(kind, prefix), t("nothing usable"), t("The label may be damaged."));
      }
      return [kind, code];
    }
  }
  return null;
}

/** What a prefix promises: "a location code after 'LOC:'". */
function codeAfter(kind, prefix) {
  if (kind === "location") return t("a location code after '%(prefix)s'", { prefix });
  if (kind === "badge") return t("a badge code after '%(prefix)s'", { prefix });
  if (kind === "bin_card") return t("a bin card code after '%(prefix)s'", { prefix });
  return t("an internal code after '%(prefix)s'", { prefix });
}

const blank = (kind, raw, symbology) => ({
  kind, raw, symbology, gtin: null, lot: null, expiry: null, serial: null, quantity: null, production_date: null, code: null,
  hibc: null, additional_id: null, customer_part_number: null, national_codes: [], gln: null, gln_extension: null, giai: null,
  sscc: null, elements: [], warnings: [],
});

function hibcScan(payload, text, id) {
  const record = parseHibc(payload);
  const scan = blank("product", text, id);
  const { primary } = record;
  Object.assign(scan, {
    lot: record.lot, expiry: record.expiry, serial: record.serial, quantity: record.quantity, production_date: record.production_date,
    code: primary ? `+${primary.labeler}${primary.product}${primary.unit_of_measure}` : null, hibc: primary,
  });
  if (!primary) {
    scan.warnings.push(t("This is the second part of an HIBC label (link character '%(link)s'); scan the first part to identify the product.", { link: record.link }));
  }
  return scan;
}

/** A two-bin card (scanners/bin_card.py): the product's GTIN, ":", the ward location's barcode. */
function binCardScan(code, text, id) {
  const cut = code.indexOf(":");
  const [gtin, location] = cut < 0 ? [code, ""] : [code.slice(0, cut), code.slice(cut + 1)];
  if (!gtin || !location.trim()) {
    throw new UnrecognizedCode(text, t("a two-bin card: the product's GTIN, ':' and the ward location's barcode"), `'${code.slice(0, 40)}'`,
      t("The card may be damaged; print it again from the par levels page."));
  }
  return { ...blank("bin_card", text, id), gtin: normalizeGtin(gtin, text), code: location };
}

// What each EAN/UPC/ITF symbology identifier announces (ISO/IEC 15424, GS1 General Specifications 5.1.2):
// ]E0 carries EAN-13, UPC-A and UPC-E all as 13 digits; ]E3 the same with a 2- or 5-digit add-on.
const SYMBOLOGY_LENGTHS = {
  "]E0": [[13], () => t("an EAN-13 (or a UPC-A/UPC-E sent as 13 digits): 13 digits")],
  "]E3": [[15, 18], () => t("an EAN-13 with a 2- or 5-digit add-on: 15 or 18 digits")],
  "]E4": [[8], () => t("an EAN-8: 8 digits")],
  "]I1": [[14], () => t("an ITF-14: 14 digits")],
};

function gtinScan(digits, text, id) {
  const announced = SYMBOLOGY_LENGTHS[id];
  if (announced && !(isDigits(digits) && announced[0].includes(digits.length))) {
    throw new UnrecognizedCode(text, t("what the symbology identifier %(id)s announces, %(what)s", { id, what: announced[1]() }), characters(digits),
      t("The scanner's symbology settings may be wrong; scan again or type the number under the barcode."));
  }
  if (id === "]E3") digits = digits.slice(0, 13); // the add-on (issue number, price) does not identify the item
  if (!(isDigits(digits) && [8, 12, 13, 14].includes(digits.length))) {
    throw new UnrecognizedCode(text, t("an EAN/UPC or ITF-14 of 8, 12, 13 or 14 digits"), `'${digits}'`);
  }
  if (digits.length === 8 && id === null) {
    const upce = isUpce(digits);
    const ean8 = checkDigit(digits.slice(0, -1)) === Number(digits.at(-1));
    if (upce && ean8) {
      throw new AmbiguousCode(text, t("an EAN-8 or a UPC-E"), t("8 digits that are valid as both"),
        t("Set the scanner to send AIM symbology identifiers, or type the number under the barcode."));
    }
    if (upce) digits = upceToUpca(digits);
  }
  const scan = blank("product", text, id);
  scan.gtin = normalizeGtin(digits, text);
  if (isRestricted(scan.gtin)) scan.warnings.push(restricted());
  return scan;
}

function gs1Scan(elements, text, id) {
  const value = Object.fromEntries(elements.map((e) => [e.ai, e.value]));
  const dates = Object.fromEntries(elements.filter((e) => e.date).map((e) => [e.ai, e.date]));
  const scan = blank("product", text, id);
  if ("01" in value && "02" in value) throw new InvalidGS1(text, t("either a GTIN (01) or a content GTIN (02)"), t("both"), t("Do not use this code."));
  if ("254" in value && !("414" in value)) throw new InvalidGS1(text, t("a GLN extension (254) together with its GLN (414)"), t("the extension alone"));
  scan.gtin = value["01"] || value["02"] || null;
  if (scan.gtin && isRestricted(scan.gtin)) scan.warnings.push(restricted());
  if ("17" in value && value["17"].endsWith("00")) {
    scan.warnings.push(t("The expiry date gives only a month; it is taken as the last day of that month."));
  }
  const counts = ["30", "37"].filter((ai) => ai in value).map((ai) => Number(value[ai]));
  if (counts.length === 2) scan.warnings.push(t("The code carries two counts (30 and 37); the variable count (30) is used."));
  if (!scan.gtin) {
    if (value["414"]) {
      scan.kind = "location";
      scan.code = value["254"] ? `${value["414"]}/${value["254"]}` : value["414"];
    } else if (value["8004"]) {
      [scan.kind, scan.code] = ["asset", value["8004"]];
    } else if (value["00"]) {
      [scan.kind, scan.code] = ["logistic_unit", value["00"]];
    } else if (["10", "21", "17"].some((ai) => ai in value)) {
      scan.warnings.push(t("This code has no GTIN; scan the product's GTIN barcode as well."));
    } else {
      throw new UnrecognizedCode(text, t("GS1 data identifying a product, location, asset or logistic unit"), t("only %(fields)s", { fields: toHri(elements) }));
    }
  }
  Object.assign(scan, {
    lot: value["10"] ?? null, expiry: dates["17"] ?? dates["7003"] ?? null, serial: value["21"] ?? null, quantity: counts.length ? counts[0] : null,
    production_date: dates["11"] ?? null, additional_id: value["240"] ?? null, customer_part_number: value["241"] ?? null,
    national_codes: Object.entries(NATIONAL).filter(([ai]) => ai in value).map(([ai, country]) => ({ ai, country, value: value[ai] })),
    gln: value["414"] ?? null, gln_extension: value["254"] ?? null, giai: value["8004"] ?? null, sscc: value["00"] ?? null,
    elements: elements.map((e) => [e.ai, e.value]),
  });
  return scan;
}

/**
 * Interpret one scan. `raw` is what a wedge scanner typed (source "wedge", the default) or, for
 * source "camera", the symbology identifier + the symbol's exact content. Throws a ScanError.
 */
export function interpret(raw, config = DEFAULT_CONFIG, { source = "wedge" } = {}) {
  config = { ...DEFAULT_CONFIG, ...config };
  const fromSymbol = source === "camera";
  const text = fromSymbol ? raw : raw.replace(/[\r\n]+$/, "");
  const [symbology, payload] = splitSymbology(text);
  if (!payload) throw new UnrecognizedCode(text, t("the content of a barcode"), t("nothing"), t("Scan again."));
  const id = symbology ? symbology.id : null;
  const coded = matchCode(payload, config, text);
  if (coded?.[0] === "bin_card") return binCardScan(coded[1], text, id);
  if (coded) return { ...blank(coded[0], text, id), code: coded[1] };
  const family = symbology ? symbology.family : null;
  if (family === "gtin" || (family === null && isDigits(payload) && [8, 12, 13, 14].includes(payload.length))) {
    return gtinScan(payload, text, id);
  }
  if (family === "gs1" || family === null) {
    const elementString = fromSymbol ? payload : restoreSeparators(payload, config.gs_replacements);
    if (family === "gs1" || /^[0-9]{2}/.test(elementString.replace(/^\x1d+/, ""))) {
      const mayBeMissing = !fromSymbol && config.gs_replacements.includes("");
      const [elements, inferred] = parseElementString(elementString, text, mayBeMissing);
      const scan = gs1Scan(elements, text, id);
      if (inferred) scan.warnings.push(t("The separators were missing; the only valid reading is %(reading)s.", { reading: toHri(elements) }));
      return scan;
    }
  }
  if (/^https?:\/\//i.test(payload)) return gs1Scan(parseDigitalLink(payload, text), text, id);
  if (payload.startsWith("(")) return gs1Scan(parseHri(payload, text), text, id);
  if (payload.startsWith("+")) return hibcScan(payload, text, id);
  throw new UnrecognizedCode(text, t("a GS1, HIBC, EAN/UPC, location, badge, internal or two-bin card code"),
    t("'%(text)s', which is none of these", { text: payload.slice(0, 20) }), t("Check the scanner settings or the code's prefix."));
}

/** What a camera decoder (BarcodeDetector) gives, as the raw text a handheld sending AIM identifiers would type. */
export function cameraRaw(format, text) {
  // AIM sends UPC-A and UPC-E as 13 digits under ]E0, as zxing-cpp does on the server; BarcodeDetector gives 12 and 8.
  if (format === "upc_a" && /^[0-9]{12}$/.test(text)) return "]E00" + text;
  if (format === "upc_e" && /^[01][0-9]{7}$/.test(text)) return "]E00" + upceToUpca(text);
  const ids = { ean_13: "]E0", upc_a: "]E0", upc_e: "]E0", ean_8: "]E4", itf: "]I1" };
  if (ids[format]) return ids[format] + text;
  // BarcodeDetector does not say whether a DataMatrix/QR/Code 128 carries GS1 data; GS1 data starts with an AI digit
  // (or a leading FNC1 as GS), anything else is text (locations, badges, links).
  const gs1 = { data_matrix: "]d2", qr_code: "]Q3", code_128: "]C1", databar: "]e0", databar_expanded: "]e0" }[format];
  if (gs1 && /^\x1d?[0-9]{2}/.test(text)) {
    try {
      interpret(gs1 + text, DEFAULT_CONFIG, { source: "camera" });
      return gs1 + text;
    } catch {
      /* not GS1: keep it as text */
    }
  }
  return text;
}
