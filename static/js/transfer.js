// Transfer (storekeeper; nurse within their wards): scan the source location, the items (lot and
// quantity from the label), then the destination; confirm. Checked on the device before it is
// kept: the user's wards, expired/recalled lots, and what the catalog says is on hand at the source.
import { formatNumber, nt, t } from "./i18n.js";
import { capture } from "./outbox.js";
import { checkedItem, fefoHint, lotAndExpiry, refuseItem, runWorkflow, wireLine } from "./workflow.js";

const definition = {
  name: "transfer",
  fresh: () => ({ source: null, destination: null, lines: [], raw_scans: [] }),
  prompt(ctx) {
    const { source, destination, lines } = ctx.draft;
    if (!source) return t("Scan the location you take the items from");
    if (!lines.length) return t("Scan each item to move");
    if (!destination) return t("Scan more items, or the destination location");
    return t("Check the items, then confirm the transfer");
  },
  canConfirm: (ctx) => Boolean(ctx.draft.source && ctx.draft.destination && ctx.draft.lines.length),

  onScan(ctx, scan) {
    const { draft } = ctx;
    if (scan.kind === "location") return scanLocation(ctx, scan.code);
    if (!draft.source) return { level: "error", title: t("Scan the source location first"), lines: [t("Where do these items come from?")] };
    if (draft.destination) {
      return { level: "error", title: t("The destination is already scanned"), lines: [t("Confirm this transfer first, or tap the destination to change it.")] };
    }
    const refusal = refuseItem(ctx, scan, draft.source);
    if (refusal) return refusal;
    return checkedItem(ctx, scan, t("Move it anyway"), (item) => addItem(ctx, scan, item));
  },

  async confirm(ctx) {
    const { source, destination, lines } = ctx.draft;
    await capture("transfer", { source, destination, lines: lines.map(wireLine) }, {
      user: ctx.user, rawScans: ctx.draft.raw_scans, summary: nt("Moved %(count)s item from %(source)s to %(destination)s: %(products)s", "Moved %(count)s items from %(source)s to %(destination)s: %(products)s",
        lines.reduce((sum, l) => sum + l.quantity, 0), { source, destination, products: lines.map((l) => l.name).join(", ") }),
    });
    const total = lines.reduce((sum, l) => sum + l.quantity, 0);
    return {
      done: true, level: "ok", title: t("Transfer saved on this handheld"), big: `${formatNumber(total)} → ${destination}`,
      lines: [navigator.onLine ? t("Sending now.") : t("No network: it is sent when the network is back.")],
    };
  },

  renderExtra(ctx) {
    for (const [id, value, empty] of [
      ["#ctx-source", ctx.draft.source, t("scan it")],
      ["#ctx-destination", ctx.draft.destination, ctx.draft.lines.length ? t("scan it now") : t("after the items")],
    ]) {
      const chip = ctx.root.querySelector(id);
      chip.textContent = value || empty;
      chip.classList.toggle("chip-set", Boolean(value));
    }
  },

  actions: {
    "clear-source": (ctx) => {
      if (ctx.draft.lines.length) return { level: "warn", title: t("Items are already scanned from this source"), lines: [t("Confirm or start over to change the source.")] };
      ctx.draft.source = null;
      return { level: "idle", title: definition.prompt(ctx) };
    },
    "clear-destination": (ctx) => {
      ctx.draft.destination = null;
      return { level: "idle", title: definition.prompt(ctx) };
    },
  },
};

/** The item goes on the list; the catalog's stock at the source and first-expiry-first-out are checked. */
function addItem(ctx, scan, item) {
  const { draft } = ctx;
  const line = ctx.addLine(item, item.per_scan);
  const result = {
    level: "ok",
    title: line.name,
    big: `× ${formatNumber(line.quantity)}`,
    lines: [lotAndExpiry(line.lot, line.expiry), item.pack],
  };
  const product = ctx.catalog.product(scan.gtin);
  const lot = product && scan.lot ? ctx.catalog.lot(product.id, scan.lot) : null;
  const available = product ? ctx.catalog.onHand(product.id, lot?.id ?? null, draft.source) : null;
  if (available !== null && !ctx.catalog.empty && available < line.quantity) {
    result.level = "warn";
    result.hint = t("The catalog shows %(count)s of this lot at %(location)s; a supervisor decides if it is short when it syncs.", { count: available, location: draft.source });
  } else if (product) {
    const first = ctx.catalog.fefo(product.id, draft.source)[0];
    if (first && first.here > 0 && first.lot.name !== scan.lot && (first.lot.expiry || "") < (line.expiry || "9999")) {
      result.level = "warn";
      result.hint = t("First expiry, first out: %(advice)s", { advice: fefoHint(ctx.catalog, product, draft.source, scan.lot) });
    }
  }
  return result;
}

function scanLocation(ctx, code) {
  const { draft, catalog, user } = ctx;
  const location = catalog.location(code);
  if (!location && !catalog.empty) return { level: "error", title: t("Unknown location %(code)s", { code }), lines: [t("Scan a stock location label.")] };
  if (location && location.usage !== "internal") return { level: "error", title: t("%(code)s is not a stock location", { code }), lines: [t("Transfers go between stock locations.")] };
  if (!catalog.allows(user?.wards, code)) {
    return { level: "error", title: t("Not your ward: %(code)s", { code }), lines: [t("You may only move stock within %(wards)s.", { wards: user.wards.join(", ") })] };
  }
  if (!draft.source || !draft.lines.length) {
    draft.source = code;
    return { level: "ok", title: t("From"), big: code, lines: [location?.name || "", t("Now scan each item to move.")] };
  }
  if (code === draft.source) return { level: "error", title: t("%(code)s is the source", { code }), lines: [t("Scan a different destination.")] };
  if (draft.destination && draft.destination !== code) {
    return { level: "warn", title: t("You scanned another destination: %(code)s", { code }),
      lines: [t("The items go to %(location)s unless you change it.", { location: draft.destination })],
      actions: [ctx.hold(t("Send them to %(code)s", { code }), () => setDestination(ctx, code, location))] };
  }
  return setDestination(ctx, code, location);
}

function setDestination(ctx, code, location) {
  ctx.draft.destination = code;
  return { level: "ok", title: t("To"), big: code, lines: [location?.name || "", t("Check the items, then confirm.")] };
}

runWorkflow(definition);
