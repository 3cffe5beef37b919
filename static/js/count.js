// Count (auditor, storekeeper): scan a location, then every item there; each scan adds one (or
// the label's count) and the number can be corrected. Blind by default: the expected quantity is
// never shown. Before submitting, what the inventory expects here but nobody counted is listed,
// to be marked missing (counted 0). Each product/lot becomes one count command carrying the
// on-hand this handheld's catalog showed (seen_on_hand), for the server's conflict check.
import { formatNumber, nt, t } from "./i18n.js";
import { capture } from "./outbox.js";
import { checkedItem, el, lineKey, runWorkflow } from "./workflow.js";

const definition = {
  name: "count",
  minQuantity: 0,
  fresh: (previous) => ({ location: previous?.location || null, lines: [], raw_scans: [], review: false }),
  prompt: (ctx) => (ctx.draft.location ? t("Scan every item here, one scan per item") : t("Scan the location you count")),
  canConfirm: (ctx) => Boolean(ctx.draft.location && ctx.draft.lines.length),
  lineDetail: (line) => [line.lot ? t("Lot %(lot)s", { lot: line.lot }) : t("no lot"), line.pack || "", line.missing ? t("marked missing") : "", line.note || ""]
    .filter(Boolean).join(" · "),

  onScan(ctx, scan) {
    const { draft, catalog } = ctx;
    if (scan.kind === "location") {
      const location = catalog.location(scan.code);
      if (!location && !catalog.empty) return { level: "error", title: t("Unknown location %(code)s", { code: scan.code }), lines: [t("Scan a stock location label.")] };
      if (draft.lines.length && scan.code !== draft.location) {
        return { level: "error", title: t("Still counting %(location)s", { location: draft.location }), lines: [t("Submit this count (or start over) before counting another location.")] };
      }
      draft.location = scan.code;
      return { level: "ok", title: t("Counting"), big: scan.code, lines: [location?.name || "", t("Scan every item here.")] };
    }
    if (!draft.location) return { level: "error", title: t("Scan the location first"), lines: [t("A count is always of one location.")] };
    if (scan.kind !== "product" || !scan.gtin) return { level: "error", title: t("Scan an item's label"), lines: [t("This code is not a product.")] };
    const product = catalog.product(scan.gtin);
    if (product?.tracked_by_lot && !scan.lot) {
      return { level: "error", title: t("%(product)s: which lot?", { product: product.name }), lines: [t("Counts are per lot: scan the label with the lot (10).")] };
    }
    const counted = draft.lines.find((l) => l.key === lineKey(catalog.unitGtin(scan.gtin), scan.lot));
    if (scan.serial && counted?.serials?.includes(scan.serial)) {
      return { level: "warn", title: t("%(product)s: this one is already counted", { product: counted.name }), big: t("Counted %(count)s", { count: counted.quantity }),
        lines: [t("Serial %(serial)s was scanned before; it is counted once.", { serial: scan.serial })] };
    }
    return checkedItem(ctx, scan, t("Count it"), (item) => countItem(ctx, scan, item), { warnNearExpiry: false });
  },

  async confirm(ctx) {
    const { draft } = ctx;
    const missing = uncounted(ctx);
    if (missing.length && !draft.review) {
      draft.review = true;
      return {
        level: "warn", title: nt("%(count)s expected item is not counted", "%(count)s expected items are not counted", missing.length),
        lines: [t("Look for them. Mark what is not there as missing, or scan it; then submit again.")],
      };
    }
    for (const line of draft.lines) {
      await capture("count", {
        location: draft.location, gtin: line.gtin, lot: line.lot || null, counted: line.quantity, seen_on_hand: line.seen_on_hand ?? null,
      }, { user: ctx.user, rawScans: draft.raw_scans, summary: line.lot
        ? t("Counted %(count)s × %(product)s lot %(lot)s in %(location)s", { count: line.quantity, product: line.name, lot: line.lot, location: draft.location })
        : t("Counted %(count)s × %(product)s in %(location)s", { count: line.quantity, product: line.name, location: draft.location }) });
    }
    return {
      done: true, level: "ok", title: t("Count saved on this handheld"), big: nt("%(count)s line", "%(count)s lines", draft.lines.length),
      lines: [navigator.onLine ? t("Sending now.") : t("No network: it is sent when the network is back.")],
    };
  },

  renderExtra(ctx) {
    const { draft, root } = ctx;
    const chip = root.querySelector("#ctx-location");
    chip.textContent = draft.location || t("scan a location");
    chip.classList.toggle("chip-set", Boolean(draft.location));
    const missing = uncounted(ctx);
    const section = root.querySelector("#missing");
    section.hidden = !(draft.review && missing.length);
    root.querySelector("#missing-list").replaceChildren(...missing.map((entry) => el("li", { class: "line line-warn", dataset: { key: entry.key } },
      el("div", { class: "line-main" }, el("strong", { class: "line-name" }, entry.product.name),
        el("span", { class: "line-detail" }, entry.lot ? t("Lot %(lot)s", { lot: entry.lot.name }) : t("no lot"))),
      el("button", { type: "button", class: "button button-secondary", "data-action": "mark-missing", "data-key": entry.key }, t("Not here (0)")))));
    root.querySelector("#confirm").textContent = draft.review && missing.length ? t("Submit anyway") : t("Submit count");
  },

  actions: {
    "clear-location": (ctx) => {
      if (ctx.draft.lines.length) return { level: "warn", title: t("Submit or start over first"), lines: [t("This location's count is not submitted.")] };
      ctx.draft.location = null;
      return { level: "idle", title: definition.prompt(ctx) };
    },
    "mark-missing": (ctx, button) => {
      const entry = uncounted(ctx).find((e) => e.key === button.dataset.key);
      if (!entry) return null;
      ctx.draft.lines.push({
        key: entry.key, gtin: entry.product.gtin, product_id: entry.product.id, name: entry.product.name, lot: entry.lot?.name || null,
        expiry: entry.lot?.expiry || null, quantity: 0, seen_on_hand: entry.quantity, missing: true, level: "warn",
      });
      return { level: "warn", title: t("%(product)s: missing", { product: entry.product.name }), big: t("Counted %(count)s", { count: 0 }),
        lines: [entry.lot ? t("Lot %(lot)s", { lot: entry.lot.name }) : ""] };
    },
  },
};

/** One more of this product and lot (or the label's count), with its serial remembered. */
function countItem(ctx, scan, item) {
  const { draft, catalog } = ctx;
  const product = catalog.product(scan.gtin);
  const lot = product && scan.lot ? catalog.lot(product.id, scan.lot) : null;
  const seen = product && (lot || !scan.lot) ? catalog.onHand(product.id, lot?.id ?? null, draft.location) : null;
  const existing = draft.lines.find((l) => l.key === item.key);
  const line = ctx.addLine({ ...item, seen_on_hand: existing ? existing.seen_on_hand : seen, missing: false, serials: [] }, item.per_scan);
  line.missing = false;
  if (scan.serial) line.serials = [...(line.serials || []), scan.serial];
  return {
    level: "ok",
    title: line.name,
    big: t("Counted %(count)s", { count: line.quantity }),
    lines: [scan.quantity > 1 ? t("Lot %(lot)s · %(count)s from the label", { lot: line.lot || "–", count: scan.quantity }) : t("Lot %(lot)s", { lot: line.lot || "–" }),
      item.pack],
  };
}

/** What the catalog expects at the location that nobody counted yet (no quantities: blind count). */
function uncounted(ctx) {
  if (!ctx.draft.location) return [];
  const counted = new Set(ctx.draft.lines.map((l) => l.key));
  return ctx.catalog.expectedAt(ctx.draft.location).filter((entry) => !counted.has(lineKey(entry.product.gtin, entry.lot?.name)));
}

runWorkflow(definition);
