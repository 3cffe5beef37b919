// The offline catalog, kept in IndexedDB (catalog-store.js) and brought up to date by each sync
// (replay.js), indexed in memory so a scan is looked up in microseconds, online or not.
// `Catalog` is pure (tests/js/device.test.mjs); loadCatalog/refreshCatalog reach the storage.
import { currentCatalog } from "./catalog-store.js";
import { csrfToken, currentUser } from "./device.js";
import { formatDate, t } from "./i18n.js";
import { replay } from "./replay.js";

export function today(now = new Date()) {
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 10);
}

/** Days before a lot's expiry from which it is shown as near expiry, when the catalog gives no alert date. */
export const DEFAULT_NEAR_EXPIRY_DAYS = 30;

/** An ISO date moved by `days` (calendar arithmetic in UTC, so no time zone shifts the day). */
export function addDays(isoDate, days) {
  const moved = new Date(`${isoDate}T00:00:00Z`);
  moved.setUTCDate(moved.getUTCDate() + days);
  return moved.toISOString().slice(0, 10);
}

export class Catalog {
  constructor(snapshot = {}) {
    this.version = snapshot.version || null;
    this.fetchedAt = snapshot.fetched_at || null;
    // A product is listed once per GTIN (its own, a box's): by id, the first entry of one unit per scan.
    this.products = new Map();
    for (const p of snapshot.products || []) {
      const known = this.products.get(p.id);
      if (!known || (packOf(known) !== 1 && packOf(p) === 1)) this.products.set(p.id, p);
    }
    this.byGtin = new Map((snapshot.products || []).map((p) => [String(p.gtin).padStart(14, "0"), p]));
    this.lots = new Map((snapshot.lots || []).map((l) => [l.id, l]));
    this.lotsByProduct = new Map();
    for (const lot of snapshot.lots || []) {
      if (!this.lotsByProduct.has(lot.product_id)) this.lotsByProduct.set(lot.product_id, []);
      this.lotsByProduct.get(lot.product_id).push(lot);
    }
    this.locations = new Map((snapshot.locations || []).map((l) => [l.id, l]));
    this.byBarcode = new Map((snapshot.locations || []).map((l) => [l.barcode, l]));
    this.receipts = snapshot.receipts || [];
    this.stock = snapshot.stock || [];
    this.parLevels = snapshot.par_levels || []; // ward replenishment (replenishment.js)
    this.replenishments = snapshot.replenishments || [];
  }

  get empty() {
    return this.products.size === 0;
  }

  product(gtin) {
    return gtin ? this.byGtin.get(String(gtin).padStart(14, "0")) || null : null;
  }

  /** Units one scan of this GTIN stands for: a box's GTIN its content, anything else 1. */
  packQuantity(gtin) {
    const entry = this.product(gtin);
    return entry ? packOf(entry) : 1;
  }

  /** The GTIN a line is kept under: the product's own, so a box and a single one of it add up on one line. */
  unitGtin(gtin) {
    const entry = this.product(gtin);
    const unit = entry && this.products.get(entry.id);
    return unit?.gtin && packOf(unit) === 1 ? unit.gtin : gtin;
  }

  lot(productId, name) {
    return (this.lotsByProduct.get(productId) || []).find((lot) => lot.name === name) || null;
  }

  location(barcode) {
    return this.byBarcode.get(barcode) || null;
  }

  receipt(reference) {
    return this.receipts.find((r) => r.reference === reference) || null;
  }

  openReceipts() {
    return this.receipts.filter((r) => !["done", "cancel", "cancelled"].includes(r.state));
  }

  /** Barcodes from a location up to the top: a ward includes its sub-locations. */
  path(barcode) {
    const path = [];
    const seen = new Set();
    let current = this.location(barcode);
    while (current && !seen.has(current.id)) {
      seen.add(current.id);
      path.push(current.barcode);
      current = current.parent_id ? this.locations.get(current.parent_id) : null;
    }
    return path;
  }

  /** May a user bound to `wards` act here? (Unbound users: wards is empty → everywhere.) */
  allows(wards, barcode) {
    if (!wards || wards.length === 0) return true;
    return this.path(barcode).some((code) => wards.includes(code));
  }

  /** Location ids of a location and everything under it. */
  subtree(barcode) {
    const root = this.location(barcode);
    if (!root) return new Set();
    const ids = new Set([root.id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const loc of this.locations.values()) {
        if (loc.parent_id && ids.has(loc.parent_id) && !ids.has(loc.id)) {
          ids.add(loc.id);
          grew = true;
        }
      }
    }
    return ids;
  }

  onHand(productId, lotId, barcode) {
    const location = this.location(barcode);
    if (!location) return null;
    return this.stock
      .filter((s) => s.product_id === productId && (s.lot_id || null) === (lotId || null) && s.location_id === location.id)
      .reduce((sum, s) => sum + s.quantity, 0);
  }

  /** Product/lot pairs with stock at a location (not its children): what a count expects to find. */
  expectedAt(barcode) {
    const location = this.location(barcode);
    if (!location) return [];
    return this.stock.filter((s) => s.location_id === location.id && s.quantity > 0).map((s) => {
      const product = this.products.get(s.product_id);
      const lot = s.lot_id ? this.lots.get(s.lot_id) : null;
      return { product, lot, quantity: s.quantity, key: lineKey(product?.gtin, lot?.name) };
    }).filter((entry) => entry.product);
  }

  /**
   * Can this scanned item be used (consumed, moved)? Uses the label's expiry and the catalog's lot.
   * {product, lot, expiry, expired, recalled, usable, reason, unchecked, nearExpiry}
   * `reason`: why the lot is refused (recalled, expired), in the page's language; "" when usable.
   * `unchecked`: a sentence saying what could not be checked on this handheld (an unknown product,
   * an unknown lot: its recall status is not known here), or "" when everything was checked.
   * `nearExpiry`: the expiry date when the lot is past its alert date (the catalog's `alert_date`,
   * or `nearDays` before its expiry) but not expired; else null.
   */
  verdict(scan, day = today(), nearDays = DEFAULT_NEAR_EXPIRY_DAYS) {
    const product = this.product(scan.gtin);
    const lot = product && scan.lot ? this.lot(product.id, scan.lot) : null;
    const expiry = [lot?.expiry, scan.expiry].filter(Boolean).sort()[0] || null;
    const recalled = Boolean(lot?.recalled);
    const expired = Boolean(expiry && expiry < day);
    const name = product ? product.name : t("GTIN %(gtin)s", { gtin: scan.gtin });
    let reason = "";
    if (recalled) reason = t("Lot %(lot)s of %(product)s has been recalled: do not use it. Set it aside for return.", { lot: scan.lot, product: name });
    else if (expired) reason = t("Lot %(lot)s of %(product)s expired on %(date)s: do not use it.", { lot: scan.lot || t("(no lot)"), product: name, date: formatDate(expiry) });
    let unchecked = "";
    if (this.empty) unchecked = t("This handheld has no catalog yet: the product, its lot's recall status and the stock could not be checked.");
    else if (!product) unchecked = t("GTIN %(gtin)s is not in this handheld's catalog: the product, its recall status and the stock could not be checked.", { gtin: scan.gtin });
    else if (scan.lot && !lot) unchecked = t("Lot %(lot)s of %(product)s is not known on this handheld: its recall status and the stock could not be checked.", { lot: scan.lot, product: name });
    const alert = lot?.alert_date || (expiry ? addDays(expiry, -nearDays) : null);
    const nearExpiry = !expired && expiry && alert && alert <= day ? expiry : null;
    return { product, lot, expiry, expired, recalled, usable: !(expired || recalled), reason, unchecked, nearExpiry };
  }

  /**
   * First-expiry-first-out: usable lots of a product, earliest expiry first, with what is on hand
   * at `barcode` (and its sub-locations) and elsewhere.
   */
  fefo(productId, barcode, day = today()) {
    const here = barcode ? this.subtree(barcode) : new Set();
    return (this.lotsByProduct.get(productId) || [])
      .filter((lot) => !lot.recalled && !(lot.expiry && lot.expiry < day))
      .map((lot) => {
        const quants = this.stock.filter((s) => s.product_id === productId && s.lot_id === lot.id && s.quantity > 0);
        const atHere = quants.filter((s) => here.has(s.location_id)).reduce((sum, s) => sum + s.quantity, 0);
        const elsewhere = quants.filter((s) => !here.has(s.location_id))
          .map((s) => this.locations.get(s.location_id)?.barcode).filter(Boolean);
        return { lot, here: atHere, elsewhere };
      })
      .filter((entry) => entry.here > 0 || entry.elsewhere.length > 0)
      .sort((a, b) => (b.here > 0) - (a.here > 0) || String(a.lot.expiry || "9999").localeCompare(String(b.lot.expiry || "9999")));
  }

  /** Our own codes for the GS1 parser: every location barcode and receipt reference, matched exactly. */
  exactCodes() {
    const codes = {};
    for (const loc of this.locations.values()) codes[loc.barcode] = "location";
    for (const receipt of this.receipts) codes[receipt.reference] = "receipt";
    return codes;
  }
}

const packOf = (entry) => Number(entry.pack_quantity) || 1;

/** What a box scan means, in words a nurse reads: "1 box = 10"; "" for a single item. */
export const packWords = (pack) => (pack > 1 ? t("1 box = %(count)s", { count: pack }) : "");

export const lineKey = (gtin, lot) => `${gtin || ""}|${lot || ""}`;

// --- storage -------------------------------------------------------------------

let cached = null;
let cachedFrom = null;

/** The stored catalog, indexed; built again only when the stored one changed (here, in another page or the worker). */
export async function loadCatalog() {
  const snapshot = await currentCatalog();
  if (!cached || cachedFrom !== snapshot) {
    cached = new Catalog(snapshot);
    cachedFrom = snapshot;
  }
  return cached;
}

/**
 * Bring the catalog up to date now: a sync (which also sends what waits to be sent). Returns
 * "updated", "unchanged", "offline", "failed" (kept the old one) or "error <status>".
 */
export async function refreshCatalog({ fetcher = fetch } = {}) {
  return (await replay({ force: true, csrf: currentUser() ? csrfToken() : "", fetcher })).catalog;
}

export function forgetLoaded() {
  cached = null;
}
