// Transfer (storekeeper; nurse within their wards): scan the source location, the items (lot and
// quantity from the label), then the destination; confirm. Checked on the device before it is
// kept: the user's wards, expired/recalled lots, and what the catalog says is on hand at the source.
import { capture } from "./outbox.js";
import { checkedItem, fefoHint, refuseItem, runWorkflow, wireLine } from "./workflow.js";

const definition = {
  name: "transfer",
  fresh: () => ({ source: null, destination: null, lines: [], raw_scans: [] }),
  prompt(ctx) {
    const { source, destination, lines } = ctx.draft;
    if (!source) return "Scan the location you take the items from";
    if (!lines.length) return "Scan each item to move";
    if (!destination) return "Scan more items, or the destination location";
    return "Check the items, then confirm the transfer";
  },
  canConfirm: (ctx) => Boolean(ctx.draft.source && ctx.draft.destination && ctx.draft.lines.length),

  onScan(ctx, scan) {
    const { draft } = ctx;
    if (scan.kind === "location") return scanLocation(ctx, scan.code);
    if (!draft.source) return { level: "error", title: "Scan the source location first", lines: ["Where do these items come from?"] };
    if (draft.destination) {
      return { level: "error", title: "The destination is already scanned", lines: ["Confirm this transfer first, or tap the destination to change it."] };
    }
    const refusal = refuseItem(ctx, scan, draft.source);
    if (refusal) return refusal;
    return checkedItem(ctx, scan, "Move it anyway", (item) => addItem(ctx, scan, item));
  },

  async confirm(ctx) {
    const { source, destination, lines } = ctx.draft;
    await capture("transfer", { source, destination, lines: lines.map(wireLine) }, {
      user: ctx.user, rawScans: ctx.draft.raw_scans, summary: `Moved ${lines.reduce((sum, l) => sum + l.quantity, 0)} item(s) from ${source} to ${destination}: ${lines.map((l) => l.name).join(", ")}`,
    });
    const total = lines.reduce((sum, l) => sum + l.quantity, 0);
    return {
      done: true, level: "ok", title: "Transfer saved on this handheld", big: `${total} → ${destination}`,
      lines: [navigator.onLine ? "Sending now." : "No network: it is sent when the network is back."],
    };
  },

  renderExtra(ctx) {
    for (const [id, value, empty] of [
      ["#ctx-source", ctx.draft.source, "scan it"],
      ["#ctx-destination", ctx.draft.destination, ctx.draft.lines.length ? "scan it now" : "after the items"],
    ]) {
      const chip = ctx.root.querySelector(id);
      chip.textContent = value || empty;
      chip.classList.toggle("chip-set", Boolean(value));
    }
  },

  actions: {
    "clear-source": (ctx) => {
      if (ctx.draft.lines.length) return { level: "warn", title: "Items are already scanned from this source", lines: ["Confirm or start over to change the source."] };
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
    big: `× ${line.quantity}`,
    lines: [`Lot ${line.lot || "–"} · expires ${line.expiry || "–"}`, item.pack],
  };
  const product = ctx.catalog.product(scan.gtin);
  const lot = product && scan.lot ? ctx.catalog.lot(product.id, scan.lot) : null;
  const available = product ? ctx.catalog.onHand(product.id, lot?.id ?? null, draft.source) : null;
  if (available !== null && !ctx.catalog.empty && available < line.quantity) {
    result.level = "warn";
    result.hint = `The catalog shows ${available} of this lot at ${draft.source}; a supervisor decides if it is short when it syncs.`;
  } else if (product) {
    const first = ctx.catalog.fefo(product.id, draft.source)[0];
    if (first && first.here > 0 && first.lot.name !== scan.lot && (first.lot.expiry || "") < (line.expiry || "9999")) {
      result.level = "warn";
      result.hint = `First expiry, first out: ${fefoHint(ctx.catalog, product, draft.source, scan.lot)}`;
    }
  }
  return result;
}

function scanLocation(ctx, code) {
  const { draft, catalog, user } = ctx;
  const location = catalog.location(code);
  if (!location && !catalog.empty) return { level: "error", title: `Unknown location ${code}`, lines: ["Scan a stock location label."] };
  if (location && location.usage !== "internal") return { level: "error", title: `${code} is not a stock location`, lines: ["Transfers go between stock locations."] };
  if (!catalog.allows(user?.wards, code)) {
    return { level: "error", title: `Not your ward: ${code}`, lines: [`You may only move stock within ${user.wards.join(", ")}.`] };
  }
  if (!draft.source || !draft.lines.length) {
    draft.source = code;
    return { level: "ok", title: "From", big: code, lines: [location?.name || "", "Now scan each item to move."] };
  }
  if (code === draft.source) return { level: "error", title: `${code} is the source`, lines: ["Scan a different destination."] };
  if (draft.destination && draft.destination !== code) {
    return { level: "warn", title: `You scanned another destination: ${code}`, lines: [`The items go to ${draft.destination} unless you change it.`],
      actions: [ctx.hold(`Send them to ${code}`, () => setDestination(ctx, code, location))] };
  }
  return setDestination(ctx, code, location);
}

function setDestination(ctx, code, location) {
  ctx.draft.destination = code;
  return { level: "ok", title: "To", big: code, lines: [location?.name || "", "Check the items, then confirm."] };
}

runWorkflow(definition);
