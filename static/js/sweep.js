// Expiry sweep (every stock role; nurses in their wards): scan a location, and the handheld lists what
// must come off its shelves — recalled, expired, past its alert date — from its own catalog, offline
// too. Each box scanned is pulled in one step: to quarantine (the store) or as waste, whichever is
// chosen above the list. On confirm, what the list expected but nobody scanned is named first.
import { today } from "./catalog.js";
import { formatDate, formatNumber, t } from "./i18n.js";
import { capture } from "./outbox.js";
import { pullList, pullReason, pullWords, wasteReasonFor } from "./pulling.js";
import { checkedItem, describeLot, el, lineKey, lotAndExpiry, nearExpiryDays, runWorkflow, wireLine } from "./workflow.js";

/** What happens to a pulled box, as a line's detail says it. */
const actionWords = (action) => (action === "waste" ? t("wasted") : t("to quarantine"));

const definition = {
  name: "sweep",
  fresh: (previous) => ({ location: null, action: previous?.action || null, lines: [], raw_scans: [], review: false }),
  prompt: (ctx) => (ctx.draft.location ? t("Scan each box you pull") : t("Scan the location you sweep")),
  canConfirm: (ctx) => Boolean(ctx.draft.location && ctx.draft.lines.length),
  lineDetail: (line) => (line.action === "waste" ? t("%(lot)s · wasted (%(reason)s)", { lot: describeLot(line), reason: line.reason })
    : t("%(lot)s · to quarantine", { lot: describeLot(line) })),

  onScan(ctx, scan) {
    const { draft, catalog } = ctx;
    if (scan.kind === "location") return scanLocation(ctx, scan.code);
    if (!draft.location) return { level: "error", title: t("Scan the location first"), lines: [t("The list of what to pull is per location.")] };
    if (scan.kind !== "product" || !scan.gtin) return { level: "error", title: t("Scan a box's label"), lines: [t("This code is not a product.")] };
    const product = catalog.product(scan.gtin);
    if (product?.tracked_by_lot && !scan.lot) {
      return { level: "error", title: t("%(product)s: which lot?", { product: product.name }), lines: [t("Scan the label that carries the lot (10).")] };
    }
    const verdict = ctx.verdict(scan);
    const why = verdict.recalled ? "recalled" : verdict.expired ? "expired" : pullReason(verdict.lot, today(), nearExpiryDays());
    if (!why && !verdict.unchecked) {
      return { level: "error", title: t("Leave it on the shelf"), big: product.name,
        lines: [verdict.expiry ? t("Lot %(lot)s is good until %(date)s: it is not on the pull list.", { lot: scan.lot || "–", date: formatDate(verdict.expiry) })
          : t("Lot %(lot)s has no expiry date: it is not on the pull list.", { lot: scan.lot || "–" })],
        hint: t("A damaged or opened box is recorded under Waste.") };
    }
    return checkedItem(ctx, scan, t("Pull it anyway"), (item) => pull(ctx, item, why || "near", verdict), { warnNearExpiry: false });
  },

  async confirm(ctx) {
    const { draft } = ctx;
    const missing = notFound(ctx);
    if (missing.length && !draft.review) {
      draft.review = true;
      return { level: "warn", title: t("%(count)s on the list not found yet", { count: missing.length }), lines: [t("Look for them once more. Confirm again to note them as not found.")] };
    }
    const notFoundWords = missing.map((entry) => t("%(product)s lot %(lot)s (%(count)s)", { product: entry.product.name, lot: entry.lot.name, count: entry.quantity }));
    const common = { user: ctx.user, rawScans: draft.raw_scans };
    const noted = (summary) => (notFoundWords.length ? t("%(summary)s; not found: %(missing)s", { summary, missing: notFoundWords.join(", ") }) : summary);
    const quarantined = draft.lines.filter((l) => l.action === "quarantine");
    if (quarantined.length) {
      await capture("quarantine", { source: draft.location, lines: quarantined.map(wireLine) },
        { ...common, summary: noted(t("Sweep of %(location)s: %(count)s to quarantine", { location: draft.location, count: units(quarantined) })) });
    }
    for (const group of byReason(draft.lines.filter((l) => l.action === "waste"))) {
      await capture("scrap", { location: draft.location, lines: group.lines.map(wireLine), reason: group.reason, note: group.note },
        { ...common, summary: noted(t("Sweep of %(location)s: %(count)s wasted (%(reason)s)", { location: draft.location, count: units(group.lines), reason: group.reason })) });
    }
    return {
      done: true, level: missing.length ? "warn" : "ok", title: t("Sweep saved on this handheld"), big: t("%(count)s pulled", { count: units(draft.lines) }),
      lines: [...notFoundWords.map((words) => t("Not found: %(what)s", { what: words })), navigator.onLine ? t("Sending now.") : t("No network: it is sent when the network is back.")],
    };
  },

  renderExtra(ctx) {
    const { draft, root } = ctx;
    const chip = root.querySelector("#ctx-location");
    chip.textContent = draft.location || t("scan it");
    chip.classList.toggle("chip-set", Boolean(draft.location));
    if (!canQuarantine(ctx)) draft.action = "waste";
    else draft.action ||= "quarantine";
    for (const button of root.querySelectorAll("[data-action=mode]")) {
      button.setAttribute("aria-pressed", String(button.dataset.mode === draft.action));
    }
    const list = draft.location ? pullList(ctx.catalog, draft.location, today(), nearExpiryDays()) : [];
    const pulled = pulledUnits(draft.lines);
    root.querySelector("#pull-count").textContent = String(list.length);
    root.querySelector("#pull-empty").hidden = !draft.location || list.length > 0;
    root.querySelector("#pull-list").replaceChildren(...list.map((entry) => {
      const done = pulled.get(entry.key) || 0;
      const level = done >= entry.quantity ? "ok" : entry.why === "near" ? "warn" : "error";
      return el("li", { class: `line line-${level}`, dataset: { key: entry.key, why: entry.why } },
        el("div", { class: "line-main" },
          el("strong", { class: "line-name" }, entry.product.name),
          el("span", { class: "line-detail" }, t("Lot %(lot)s · %(why)s", { lot: entry.lot.name, why: pullWords(entry.why, entry.lot) }))),
        el("span", { class: "count-chip" }, t("%(count)s of %(total)s", { count: done, total: entry.quantity })));
    }));
    root.querySelector("#confirm").textContent = draft.review && notFound(ctx).length ? t("Confirm, note not found") : t("Confirm pulled");
  },

  actions: {
    "clear-location": (ctx) => {
      if (ctx.draft.lines.length) return { level: "warn", title: t("Confirm or start over first"), lines: [t("Boxes pulled from %(location)s are not confirmed.", { location: ctx.draft.location })] };
      ctx.draft.location = null;
      return { level: "idle", title: definition.prompt(ctx) };
    },
    mode: (ctx, button) => {
      ctx.draft.action = button.dataset.mode;
      const title = ctx.draft.action === "waste" ? t("Each box you scan now is wasted") : t("Each box you scan now goes to quarantine");
      return { level: "idle", title, lines: [definition.prompt(ctx)] };
    },
  },
};

function scanLocation(ctx, code) {
  const { draft, catalog, user } = ctx;
  const location = catalog.location(code);
  if (!location && !catalog.empty) return { level: "error", title: t("Unknown location %(code)s", { code }), lines: [t("Scan a stock location label.")] };
  if (location && location.usage !== "internal") return { level: "error", title: t("%(code)s is not a stock location", { code }), lines: [t("Scan the label of a shelf or store room.")] };
  if (!catalog.allows(user?.wards, code)) return { level: "error", title: t("Not your ward: %(code)s", { code }), lines: [t("You may only sweep %(wards)s.", { wards: user.wards.join(", ") })] };
  if (draft.lines.length && code !== draft.location) {
    return { level: "error", title: t("Still sweeping %(location)s", { location: draft.location }), lines: [t("Confirm what you pulled (or start over) before the next location.")] };
  }
  draft.location = code;
  const list = pullList(catalog, code, today(), nearExpiryDays());
  return {
    level: list.length ? "warn" : "ok", title: t("Sweeping %(code)s", { code }), big: list.length ? t("%(count)s to pull", { count: list.length }) : t("Nothing to pull"),
    lines: [location?.name || "", list.length ? t("Find each one on the list and scan it.") : t("No recalled, expired or expiring stock here.")],
  };
}

/** A scanned box goes on the list with the action chosen now, and for waste the reason its lot gives. */
function pull(ctx, item, why, verdict) {
  const action = ctx.draft.action;
  const { reason, note } = action === "waste" ? wasteReasonFor(why, verdict.lot) : { reason: "", note: "" };
  const line = ctx.addLine({ ...item, key: `${item.key}|${action}`, unit_key: item.key, action, reason, note, level: why === "near" ? "warn" : "error" }, item.per_scan);
  const onList = pullList(ctx.catalog, ctx.draft.location, today(), nearExpiryDays()).find((entry) => entry.key === item.key);
  const done = pulledUnits(ctx.draft.lines).get(item.key) || 0;
  return {
    level: "ok", title: `${line.name}: ${actionWords(action)}`, big: `× ${formatNumber(line.quantity)}`,
    lines: [why === "near" ? lotAndExpiry(line.lot, line.expiry) : t("Lot %(lot)s · %(why)s", { lot: line.lot || "–", why: pullWords(why, verdict.lot || {}) }),
      onList ? t("%(count)s of %(total)s on the list pulled.", { count: done, total: onList.quantity }) : t("It was not on this location's list.")],
  };
}

function pulledUnits(lines) {
  const units = new Map();
  for (const line of lines) units.set(line.unit_key, (units.get(line.unit_key) || 0) + line.quantity);
  return units;
}

function notFound(ctx) {
  if (!ctx.draft.location) return [];
  const pulled = pulledUnits(ctx.draft.lines);
  return pullList(ctx.catalog, ctx.draft.location, today(), nearExpiryDays()).filter((entry) => !pulled.has(lineKey(entry.product.gtin, entry.lot.name)));
}

function byReason(lines) {
  const groups = new Map();
  for (const line of lines) {
    const key = `${line.reason}|${line.note}`;
    if (!groups.has(key)) groups.set(key, { reason: line.reason, note: line.note, lines: [] });
    groups.get(key).lines.push(line);
  }
  return [...groups.values()];
}

const units = (lines) => lines.reduce((sum, l) => sum + l.quantity, 0);
const canQuarantine = (ctx) => ctx.root.dataset.canQuarantine === "true";

runWorkflow(definition);
