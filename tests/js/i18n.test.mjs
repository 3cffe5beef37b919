// The handheld's translations (static/js/i18n.js): placeholders, plural rules read from a .po's
// Plural-Forms, English when a message is missing, and dates and numbers the locale's way.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { WORDS } from "../../static/js/gs1-ais.js";
import { describe } from "../../static/js/gs1.js";
import { compilePlural, formatDate, formatDateTime, formatNumber, loadTranslations, nt, t, useCatalogue } from "../../static/js/i18n.js";

const FRENCH = {
  locale: "fr",
  plural: "(n > 1)",
  messages: {
    "Scan the ward location label": "Scannez l'étiquette de l'emplacement du service",
    "Lot %(lot)s of %(product)s expired on %(date)s: do not use it.": "Le lot %(lot)s de %(product)s a expiré le %(date)s : ne l'utilisez pas.",
    "%(count)s item": ["%(count)s article", "%(count)s articles"],
  },
};
const GERMAN = {
  locale: "de",
  plural: "(n != 1)",
  messages: { "%(count)s item": ["%(count)s Artikel", "%(count)s Artikel"], "Saved on this handheld": "Auf diesem Handgerät gespeichert" },
};

afterEach(() => useCatalogue(null));

test("named placeholders are filled in the translated sentence, in the translation's order", () => {
  useCatalogue(FRENCH);
  assert.equal(t("Scan the ward location label"), "Scannez l'étiquette de l'emplacement du service");
  assert.equal(t("Lot %(lot)s of %(product)s expired on %(date)s: do not use it.", { lot: "OLD-1", product: "Gauze", date: "1 mai 2026" }),
    "Le lot OLD-1 de Gauze a expiré le 1 mai 2026 : ne l'utilisez pas.");
});

test("a placeholder the caller did not give stays visible rather than vanishing; %% is a percent sign", () => {
  assert.equal(t("Lot %(lot)s of %(product)s", { lot: "A" }), "Lot A of %(product)s");
  assert.equal(t("100%% of %(n)s", { n: "x" }), "100% of x");
});

test("a message missing from the catalogue, or no catalogue at all, is shown in English", () => {
  assert.equal(t("Sending now."), "Sending now.");
  useCatalogue(FRENCH);
  assert.equal(t("Sending now."), "Sending now.");
  assert.equal(t("Used %(count)s in %(where)s", { count: "2", where: "WARD-3B" }), "Used 2 in WARD-3B");
  assert.equal(nt("%(count)s box", "%(count)s boxes", 3), "3 boxes");
});

test("plurals follow the catalogue's rule: French counts 0 and 1 as singular, German and English only 1", () => {
  assert.equal(nt("%(count)s item", "%(count)s items", 0), "0 items");
  assert.equal(nt("%(count)s item", "%(count)s items", 1), "1 item");
  useCatalogue(FRENCH);
  assert.deepEqual([0, 1, 2].map((n) => nt("%(count)s item", "%(count)s items", n)), ["0 article", "1 article", "2 articles"]);
  useCatalogue(GERMAN);
  assert.deepEqual([0, 1, 2].map((n) => nt("%(count)s item", "%(count)s items", n)), ["0 Artikel", "1 Artikel", "2 Artikel"]);
});

test("Plural-Forms expressions of other languages are evaluated without eval", () => {
  const polish = compilePlural("(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)");
  assert.deepEqual([1, 2, 4, 5, 12, 22, 25, 112].map(polish), [0, 1, 1, 2, 2, 1, 2, 2]);
  assert.deepEqual([0, 1, 2].map(compilePlural("0")), [0, 0, 0]);
  assert.deepEqual([0, 1, 2].map(compilePlural("!(n == 1)")), [1, 0, 1]);
  assert.throws(() => compilePlural("n > 1; alert(1)"), SyntaxError);
});

test("numbers are written the locale's way, also inside sentences", () => {
  useCatalogue(FRENCH);
  assert.equal(formatNumber(1234.5).replace(/\s/gu, " "), "1 234,5");
  assert.equal(nt("%(count)s item", "%(count)s items", 1500).replace(/\s/gu, " "), "1 500 articles");
  useCatalogue(GERMAN);
  assert.equal(formatNumber(1234.5), "1.234,5");
  useCatalogue(null);
  assert.equal(formatNumber(1234.5), "1,234.5");
});

test("a calendar date is the same day in every locale and time zone, written the locale's way", () => {
  useCatalogue(FRENCH);
  assert.equal(formatDate("2026-05-01"), "1 mai 2026");
  assert.equal(formatDate("2026-12-31", { day: "2-digit", month: "2-digit", year: "numeric" }), "31/12/2026");
  useCatalogue(GERMAN);
  assert.equal(formatDate("2026-05-01"), "01.05.2026");
  assert.equal(formatDate(""), "");
  useCatalogue(null); // English without a region: ISO 8601, neither US nor UK day order
  assert.equal(formatDate("2026-05-01"), "2026-05-01");
  assert.equal(formatDateTime(new Date(2026, 4, 1, 9, 5)), "2026-05-01 09:05");
  assert.equal(formatDate("not a date"), "not a date");
});

test("loading: English needs no catalogue; a language the server does not have falls back to English", async () => {
  const asked = [];
  globalThis.fetch = async (url) => {
    asked.push(url);
    return url === "/i18n/fr.json" ? new Response(JSON.stringify(FRENCH)) : new Response("There is no translation", { status: 404 });
  };
  try {
    await loadTranslations("en-GB");
    assert.deepEqual(asked, []);
    await loadTranslations("fr-FR");
    assert.equal(t("Scan the ward location label"), "Scannez l'étiquette de l'emplacement du service");
    await loadTranslations("xx");
    assert.equal(t("Scan the ward location label"), "Scan the ward location label");
    assert.deepEqual(asked, ["/i18n/fr.json", "/i18n/xx.json"]);
  } finally {
    delete globalThis.fetch;
  }
});

test("a catalogue fetched once is kept (Cache API) and used when the network is gone", async () => {
  const kept = new Map();
  globalThis.caches = {
    open: async () => ({ put: async (url, response) => kept.set(url, await response.text()) }),
    match: async (url) => (kept.has(url) ? new Response(kept.get(url)) : undefined),
  };
  globalThis.fetch = async () => new Response(JSON.stringify(FRENCH));
  try {
    await loadTranslations("fr");
    assert.deepEqual(JSON.parse(kept.get("/i18n/fr.json")), FRENCH);
    useCatalogue(null);
    globalThis.fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    await loadTranslations("fr");
    assert.equal(t("Scan the ward location label"), "Scannez l'étiquette de l'emplacement du service");
  } finally {
    delete globalThis.fetch;
    delete globalThis.caches;
  }
});

test("GS1 field names in scan errors: the generated table's words in English, translated in French", () => {
  for (const ai of Object.keys(WORDS)) assert.equal(describe(ai), `${WORDS[ai]} (AI ${ai})`);
  assert.equal(describe("8010"), "the field (AI 8010)");
  useCatalogue({ ...FRENCH, messages: { "the expiry date": "la date de péremption" } });
  assert.equal(describe("17"), "la date de péremption (AI 17)");
});
