// The handheld's translations, from the same .po catalogues as the server (served as JSON by
// views/i18n.py at /i18n/<lang>.json, kept for offline use by the service worker and here).
//   t("%(count)s boxes sent", {count: 3})      a sentence, its named placeholders filled in
//   nt("%(count)s box", "%(count)s boxes", n)   singular or plural by the catalogue's Plural-Forms
// English is the source language: a message the catalogue lacks is shown as its English msgid.
// Numbers given as placeholders are written the locale's way; formatDate / formatNumber do the same
// for dates and quantities shown on their own.
const CACHE = "i18n"; // the Cache API store shared with static/sw.js
const SOURCE = { locale: "en", plural: "(n != 1)", messages: {} };

let active = SOURCE;
let pluralIndex = compilePlural(SOURCE.plural);

/** The page's language (<html lang>, set by the server), as a BCP 47 tag. */
export function pageLanguage() {
  return globalThis.document?.documentElement?.lang || "en";
}

/** The active locale: the catalogue's, else the page's. */
export function locale() {
  return active === SOURCE ? pageLanguage() : active.locale.replace("_", "-");
}

/** Use this catalogue ({locale, plural, messages}) from now on; null goes back to English. */
export function useCatalogue(catalogue) {
  active = catalogue?.messages ? catalogue : SOURCE;
  pluralIndex = compilePlural(active.plural || SOURCE.plural);
}

/**
 * Load the page language's catalogue before the first sentence is shown. Online it comes through
 * the service worker (which answers from its copy and refreshes it); offline, or before the worker
 * controls the page, from the copy kept in the Cache API. Never fails: English is the fallback.
 */
export async function loadTranslations(language = pageLanguage()) {
  const base = String(language).toLowerCase().split(/[-_]/)[0];
  if (!/^[a-z]{2,3}$/.test(base) || base === "en") {
    useCatalogue(null);
    return active;
  }
  useCatalogue(await fetchCatalogue(`/i18n/${base}.json`));
  return active;
}

async function fetchCatalogue(url) {
  const caches = globalThis.caches;
  try {
    const response = await fetch(url, { credentials: "omit" });
    if (response.ok) {
      const copy = response.clone(); // taken now: the body is read below
      if (caches) await caches.open(CACHE).then((cache) => cache.put(url, copy)).catch(() => {});
      return await response.json();
    }
  } catch {
    /* offline and not yet controlled by the worker: the kept copy below */
  }
  try {
    const kept = caches && (await caches.match(url, { cacheName: CACHE }));
    return kept ? await kept.json() : null;
  } catch {
    return null;
  }
}

/** The translation of `msgid` with its %(name)s placeholders filled from `params`. */
export function t(msgid, params = {}) {
  const found = active.messages[msgid];
  return fill(typeof found === "string" && found ? found : msgid, params);
}

/**
 * Singular or plural by `n` (the catalogue's rule; English: one / other). `count` is `n` unless
 * `params` names it otherwise.
 */
export function nt(singular, plural, n, params = {}) {
  const values = { count: n, ...params };
  const forms = active.messages[singular];
  if (Array.isArray(forms)) {
    const form = forms[pluralIndex(Math.abs(Number(n)))];
    if (form) return fill(form, values);
  }
  return fill(Number(n) === 1 ? singular : plural, values);
}

function fill(text, params) {
  return text.replace(/%\((\w+)\)[sd]|%%/g, (whole, name) => {
    if (whole === "%%") return "%";
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === "number" ? formatNumber(value) : String(value ?? "");
  });
}

/** A number written the locale's way (1 234,5 in French, 1.234,5 in German). */
export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 3, ...options }).format(value);
}

const DAY_STYLE = { dateStyle: "medium" };
const MOMENT_STYLE = { dateStyle: "medium", timeStyle: "short" };

/**
 * A date the locale's way. `value`: an ISO date ("2026-05-01", a calendar day: shown as that day
 * wherever the handheld is), an ISO timestamp or a Date. Empty or unreadable values come back as given.
 * English without a region (the page says only "en": US or UK day order unknown) keeps ISO 8601.
 */
export function formatDate(value, options = DAY_STYLE) {
  if (!value) return value ?? "";
  const day = typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = day ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  if (locale() === "en" && (options === DAY_STYLE || options === MOMENT_STYLE)) return isoWords(date, day, options === MOMENT_STYLE);
  return new Intl.DateTimeFormat(locale(), { ...options, ...(day ? { timeZone: "UTC" } : {}) }).format(date);
}

/** A moment with its time (for sync times, queued commands), the locale's way. */
export function formatDateTime(value) {
  return formatDate(value, MOMENT_STYLE);
}

/** The time of day (10:32), 24-hour, the locale's way. */
export function formatTime(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value ?? "");
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
}

function isoWords(date, day, withTime) {
  const two = (n) => String(n).padStart(2, "0");
  if (day) return date.toISOString().slice(0, 10);
  const calendar = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return withTime ? `${calendar} ${two(date.getHours())}:${two(date.getMinutes())}` : calendar;
}

/**
 * The Plural-Forms expression of a .po header ("(n > 1)", "(n%10==1 && n%100!=11 ? 0 : ...)")
 * as a function of n. Read by a small parser of C's expression grammar: the page's CSP forbids eval.
 */
export function compilePlural(expression) {
  const tokens = String(expression).match(/\d+|n|\|\||&&|[=!<>]=|[-+*/%<>!?:()]/g) || [];
  let at = 0;
  const peek = () => tokens[at];
  const take = (token) => {
    if (tokens[at] !== token) throw new SyntaxError(`Plural-Forms: expected ${token} in ${expression}`);
    at += 1;
  };
  const BINARY = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "/", "%"]];
  const apply = {
    "||": (a, b) => +(a || b), "&&": (a, b) => +(a && b), "==": (a, b) => +(a === b), "!=": (a, b) => +(a !== b),
    "<": (a, b) => +(a < b), "<=": (a, b) => +(a <= b), ">": (a, b) => +(a > b), ">=": (a, b) => +(a >= b),
    "+": (a, b) => a + b, "-": (a, b) => a - b, "*": (a, b) => a * b, "/": (a, b) => Math.trunc(a / b), "%": (a, b) => a % b,
  };
  const ternary = () => {
    const test = binary(0);
    if (peek() !== "?") return test;
    take("?");
    const yes = ternary();
    take(":");
    const no = ternary();
    return (n) => (test(n) ? yes(n) : no(n));
  };
  const binary = (level) => {
    if (level === BINARY.length) return unary();
    let left = binary(level + 1);
    while (BINARY[level].includes(peek())) {
      const operate = apply[tokens[at++]];
      const [l, right] = [left, binary(level + 1)];
      left = (n) => operate(l(n), right(n));
    }
    return left;
  };
  const unary = () => {
    const token = tokens[at++];
    if (token === "!") {
      const operand = unary();
      return (n) => +!operand(n);
    }
    if (token === "(") {
      const inner = ternary();
      take(")");
      return inner;
    }
    if (token === "n") return (n) => n;
    if (/^\d+$/.test(token ?? "")) return () => Number(token);
    throw new SyntaxError(`Plural-Forms: unexpected ${token ?? "end"} in ${expression}`);
  };
  const rule = ternary();
  if (at !== tokens.length) throw new SyntaxError(`Plural-Forms: unexpected ${peek()} in ${expression}`);
  return (n) => Number(rule(n));
}
