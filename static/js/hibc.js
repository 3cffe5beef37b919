// HIBC LIC (ANSI/HIBC 2.6) on the device, the same rules as scanners/hibc.py (both run tests/fixtures/scan_cases.json):
// primary "+ LIC(4) PCN(1-18) U/M(1) C", secondary "+ data L C", concatenated "+ LIC PCN U/M / data C", mod-43 check.
// Every flag announces a field and the field must follow: "/" secondary data, "$" a lot, "$+" a serial number, "$$"
// an expiry (its first digit says the layout; 7 says none) and a lot, "$$+" an expiry and a serial number, "$$8"/"$$9"
// a quantity, "/S", "/14D", "/16D" supplemental fields. An empty lot, serial or date is refused.
// The check character may be a space, so input is never trimmed.
import { t } from "./i18n.js";
import { CheckDigitError, InvalidHIBC } from "./scan-errors.js";

const CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
const ALNUM = /^[0-9A-Z]+$/;
const MAX_FIELD = 18;
const damaged = () => t("The label is damaged or was printed wrongly; type the lot and expiry from the label.");
const LAYOUTS = { 2: "MMDDYY", 3: "YYMMDD", 4: "YYMMDDHH", 5: "YYJJJ", 6: "YYJJJHH" };
const isDigits = (text) => /^[0-9]+$/.test(text);
const iso = (date) => date.toISOString().slice(0, 10);

/** Mod-43 check character over data (everything before it, including the leading '+'). */
export function checkCharacter(data) {
  let sum = 0;
  for (const c of data) sum += CHARSET.indexOf(c);
  return CHARSET[sum % 43];
}

/**
 * Parse HIBC LIC data starting with '+' (no AIM identifier) into
 * {primary: {labeler, product, unit_of_measure} | null, lot, serial, expiry, quantity, production_date, link}.
 */
export function parseHibc(text) {
  if (!text.startsWith("+") || text.length < 3) {
    throw new InvalidHIBC(text, t("HIBC data: '+', the data and a check character"), t("too little data"));
  }
  if (text.startsWith("+/")) {
    throw new InvalidHIBC(text, t("an HIBC supplier code (HIBC LIC)"), t("an HIBC provider code (+/), which is not supported"));
  }
  const bad = [...text].find((c) => !CHARSET.includes(c));
  if (bad !== undefined) {
    throw new InvalidHIBC(text, t("only capital letters, digits and - . space $ / + %%"), t("the character %(character)s", { character: JSON.stringify(bad) }));
  }
  const [data, check] = [text.slice(0, -1), text.at(-1)];
  const expected = checkCharacter(data);
  if (check !== expected) {
    throw new CheckDigitError(text, t("HIBC data ending in the check character '%(character)s'", { character: expected }), `'${check}'`,
      t("The code is damaged or mistyped; scan it again."));
  }
  const body = data.slice(1);
  if (body[0] === "$" || /^[0-9]/.test(body)) {
    if (body.length < 2) throw new InvalidHIBC(text, t("secondary HIBC data followed by a link character"), `'${body}'`);
    return secondary(body.slice(0, -1), text, null, body.at(-1));
  }
  const slash = body.indexOf("/");
  const product = primary(slash < 0 ? body : body.slice(0, slash), text);
  if (slash < 0) return record(product, null);
  if (slash === body.length - 1) {
    throw new InvalidHIBC(text, t("secondary data (expiry, lot or serial number) after '/'"), t("nothing"), damaged());
  }
  return secondary(body.slice(slash + 1), text, product, null);
}

const record = (primary, link) => ({ primary, lot: null, serial: null, expiry: null, quantity: null, production_date: null, link });

function primary(data, text) {
  if (!(data.length >= 6 && /^[A-Z]/.test(data) && ALNUM.test(data) && /[0-9]$/.test(data))) {
    throw new InvalidHIBC(text, t("a labeler code of 4 characters starting with a letter, a product code of 1 to 18 "
      + "letters or digits and a unit-of-measure digit"), `'${data}'`);
  }
  if (data.length - 5 > MAX_FIELD) {
    throw new InvalidHIBC(text, t("a product code of at most %(count)s characters", { count: MAX_FIELD }), t("%(count)s characters", { count: data.length - 5 }));
  }
  return { labeler: data.slice(0, 4), product: data.slice(4, -1), unit_of_measure: Number(data.at(-1)) };
}

function secondary(data, text, product, link) {
  const result = record(product, link);
  let serialFollows = false;
  let rest;
  if (data.startsWith("$$")) {
    rest = data.slice(2);
    if (rest.startsWith("+")) [serialFollows, rest] = [true, rest.slice(1)];
    if (!rest) throw new InvalidHIBC(text, t("an expiry date format flag 0-7 after '%(text)s'", { text: data }), t("nothing"), damaged());
    if (rest[0] === "8" || rest[0] === "9") {
      const size = rest[0] === "8" ? 2 : 5;
      const digits = rest.slice(1, 1 + size);
      if (!(digits.length === size && isDigits(digits))) {
        throw new InvalidHIBC(text, t("a quantity of %(count)s digits after '%(flag)s'", { count: size, flag: `$$${rest[0]}` }), `'${digits}'`);
      }
      [result.quantity, rest] = [Number(digits), rest.slice(1 + size)];
    }
    [result.expiry, rest] = expiry(rest, text);
  } else if (data.startsWith("$+")) {
    [serialFollows, rest] = [true, data.slice(2)];
  } else if (data.startsWith("$")) {
    rest = data.slice(1);
  } else {
    [result.expiry, rest] = [hibcDate(data.slice(0, 5), "YYJJJ", text), data.slice(5)];
  }
  const [ident, ...supplements] = rest.split("/");
  withIdentifier(result, ident, serialFollows, text, data.slice(0, data.length - rest.length) || null);
  for (const supplement of supplements) withSupplement(result, supplement, text);
  return result;
}

/** `after`: the flag the identifier follows ("$", "/S"), or null after the expiry date. */
function withIdentifier(result, ident, isSerial, text, after) {
  if (!ident) throw new InvalidHIBC(text, identifierAfter(isSerial, after), t("nothing"), damaged());
  if (!ALNUM.test(ident) || ident.length > MAX_FIELD) {
    const expected = isSerial ? t("a serial number of 1 to %(count)s letters or digits", { count: MAX_FIELD })
      : t("a lot of 1 to %(count)s letters or digits", { count: MAX_FIELD });
    throw new InvalidHIBC(text, expected, `'${ident}'`);
  }
  result[isSerial ? "serial" : "lot"] = ident;
}

function identifierAfter(isSerial, after) {
  if (after === null) return isSerial ? t("a serial number after the expiry date") : t("a lot after the expiry date");
  return isSerial ? t("a serial number after '%(flag)s'", { flag: after }) : t("a lot after '%(flag)s'", { flag: after });
}

// Supplemental data fields: /S serial, /14D expiry and /16D production date YYYYMMDD.
function withSupplement(result, supplement, text) {
  if (supplement.startsWith("S") && result.serial === null) return withIdentifier(result, supplement.slice(1), true, text, "/S");
  if (supplement.startsWith("14D") && result.expiry === null) {
    result.expiry = hibcDate(supplement.slice(3), "YYYYMMDD", text);
    return undefined;
  }
  if (supplement.startsWith("16D") && result.production_date === null) {
    result.production_date = hibcDate(supplement.slice(3), "YYYYMMDD", text);
    return undefined;
  }
  throw new InvalidHIBC(text, t("supplemental data /S, /14D or /16D, each at most once"), `'/${supplement}'`);
}

// Expiry after '$$' (and after a quantity): its first character tells the date layout.
function expiry(rest, text) {
  const flag = rest.slice(0, 1);
  if (flag === "0" || flag === "1") return [hibcDate(rest.slice(0, 4), "MMYY", text), rest.slice(4)];
  if (flag in LAYOUTS) {
    const layout = LAYOUTS[flag];
    return [hibcDate(rest.slice(1, 1 + layout.length), layout, text), rest.slice(1 + layout.length)];
  }
  if (flag === "7") return [null, rest.slice(1)];
  throw new InvalidHIBC(text, t("a date format flag 0-7 after '$$'"), flag ? `'${flag}'` : t("nothing"), damaged());
}

// A date in an HIBC layout as YYYY-MM-DD; two-digit years are 20YY, MMYY means the month's last day.
function hibcDate(digits, layout, text) {
  const problem = () => new InvalidHIBC(text, t("a date %(layout)s", { layout }),
    digits ? t("'%(text)s', which is not a real date", { text: digits }) : t("nothing"), digits ? "" : damaged());
  if (digits.length !== layout.length || !isDigits(digits)) throw problem();
  const part = {};
  for (const key of "YMDJH") part[key] = Number([...digits].filter((_, i) => layout[i] === key).join("") || 0);
  const year = layout.includes("YYYY") ? part.Y : 2000 + part.Y;
  if (part.H > 23) throw problem();
  if (layout.includes("J")) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    if (part.J < 1 || part.J > (leap ? 366 : 365)) throw problem();
    return iso(new Date(Date.UTC(year, 0, part.J)));
  }
  if (part.M < 1 || part.M > 12) throw problem();
  const last = new Date(Date.UTC(year, part.M, 0)).getUTCDate();
  const day = layout.includes("D") ? part.D : last;
  if (day < 1 || day > last) throw problem();
  return iso(new Date(Date.UTC(year, part.M - 1, day)));
}
