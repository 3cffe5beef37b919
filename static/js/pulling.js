// What an expiry sweep pulls: the pure rules (tests/js/pulling.test.mjs), from the handheld's own
// catalog, offline too. A box is pulled when its lot is recalled, expired, or past its alert date
// (the catalog's `alert_date`, else `nearDays` before its expiry).
import { addDays, lineKey } from "./catalog.js";
import { formatDate, t } from "./i18n.js";

/** Why a lot must come off the shelf on `day`: "recalled", "expired", "near", or null when it may stay. */
export function pullReason(lot, day, nearDays) {
  if (!lot) return null;
  if (lot.recalled) return "recalled";
  if (!lot.expiry) return null;
  if (lot.expiry < day) return "expired";
  const alert = lot.alert_date || addDays(lot.expiry, -nearDays);
  return alert <= day ? "near" : null;
}

/** How a pull reason reads on the list, in a nurse's words. */
export function pullWords(why, lot) {
  if (why === "recalled") return t("RECALLED");
  if (why === "expired") return t("EXPIRED %(date)s", { date: formatDate(lot.expiry) });
  return t("expires %(date)s", { date: formatDate(lot.expiry) });
}

/**
 * What should be pulled at a location and everything under it: one entry per product and lot, with
 * the units the catalog shows there. Recalled first, then expired, then by expiry.
 */
export function pullList(catalog, barcode, day, nearDays) {
  const here = catalog.subtree(barcode);
  const entries = new Map();
  for (const stock of catalog.stock) {
    if (!here.has(stock.location_id) || !(stock.quantity > 0) || !stock.lot_id) continue;
    const lot = catalog.lots.get(stock.lot_id);
    const why = pullReason(lot, day, nearDays);
    const product = catalog.products.get(stock.product_id);
    if (!why || !product) continue;
    const key = lineKey(product.gtin, lot.name);
    const entry = entries.get(key) || { key, product, lot, why, quantity: 0 };
    entry.quantity += stock.quantity;
    entries.set(key, entry);
  }
  const order = { recalled: 0, expired: 1, near: 2 };
  return [...entries.values()].sort((a, b) => order[a.why] - order[b.why] || String(a.lot.expiry).localeCompare(String(b.lot.expiry)));
}

/** The waste reason a pulled box gets without asking: what made it unusable ("other" with a note for a box pulled early). */
export function wasteReasonFor(why, lot) {
  if (why === "recalled") return { reason: "recalled", note: "" };
  if (why === "expired") return { reason: "expired", note: "" };
  const note = lot?.expiry ? t("Pulled in an expiry sweep before its expiry (%(date)s)", { date: formatDate(lot.expiry) })
    : t("Pulled in an expiry sweep; its lot has no expiry date");
  return { reason: "other", note };
}
