// Receive (storekeeper): pick an open receipt (or scan its reference, or start an unplanned
// receipt), scan each box: product, lot, expiry and quantity shown large; confirm or correct the
// quantity (scanning the next box confirms the previous one); expected vs received per line; save
// the boxes, then validate with or without a backorder.
import { listen } from "./db.js";
import * as outbox from "./outbox.js";
import { el, itemLine, runWorkflow, wireLine } from "./workflow.js";
import { today } from "./catalog.js";

let localReceived = new Map(); // product_id -> quantity in this handheld's unsent or unfinished receive commands

const definition = {
  name: "receive",
  fresh: (previous) => ({
    receipt: previous?.receipt || null, unplanned: previous?.unplanned || false, destination: previous?.destination || null,
    pending: null, lines: [], raw_scans: [], validating: false,
  }),
  prompt(ctx) {
    const { receipt, unplanned, destination } = ctx.draft;
    if (unplanned && !destination) return "Unplanned receipt: scan the location it goes to";
    if (!receipt && !unplanned) return "Pick a receipt above or scan its reference";
    return "Scan each box's label";
  },
  canConfirm: (ctx) => Boolean((ctx.draft.receipt || ctx.draft.destination) && (ctx.draft.lines.length || ctx.draft.pending)),

  onScan(ctx, scan) {
    const { draft, catalog } = ctx;
    if (scan.kind === "receipt") return pickReceipt(ctx, scan.code);
    if (scan.kind === "location") {
      if (!draft.unplanned) return { level: "error", title: "This is a location", lines: ["Pick a receipt, or tap “Unplanned receipt” first."] };
      const location = catalog.location(scan.code);
      if (location && location.usage !== "internal") return { level: "error", title: `${scan.code} is not a stock location` };
      draft.destination = scan.code;
      return { level: "ok", title: "Receiving into", big: scan.code, lines: [location?.name || "", "Now scan each box."] };
    }
    if (!draft.receipt && !(draft.unplanned && draft.destination)) return { level: "error", title: definition.prompt(ctx) };
    if (scan.kind !== "product" || !scan.gtin) return { level: "error", title: "Scan the box's product label", lines: ["This code has no GTIN."] };
    const added = commitPending(ctx);
    const line = { ...itemLine(ctx, scan), quantity: scan.quantity || 1 };
    const product = catalog.product(scan.gtin);
    const warnings = [];
    if (!product) warnings.push("Not in the catalog: a supervisor links it to a product when it syncs.");
    if (product?.tracked_by_lot && !scan.lot) warnings.push("No lot on this label: scan the label with the lot (10).");
    if (draft.receipt && product && !receiptLine(ctx, product.id)) warnings.push(`Not expected on ${draft.receipt}.`);
    if (scan.expiry && scan.expiry < today()) warnings.push("The label's expiry date has passed.");
    draft.pending = line;
    ctx.root.querySelector("#qty-input").value = String(line.quantity);
    return {
      level: warnings.length ? "warn" : "ok",
      title: line.name,
      big: `× ${line.quantity}`,
      lines: [`Lot ${line.lot || "–"} · expires ${scan.expiry || "–"}`, added ? `Previous box added (× ${added.quantity}).` : ""],
      hint: warnings.join(" ") || "Correct the quantity if needed, then Add (or scan the next box).",
    };
  },

  async confirm(ctx) {
    commitPending(ctx);
    const saved = await saveLines(ctx);
    await refreshLocal(ctx);
    return { done: true, level: "ok", title: "Boxes saved on this handheld", big: `${saved} box line${saved === 1 ? "" : "s"}`,
      lines: [navigator.onLine ? "Sending now." : "No network: they are sent when the network is back."] };
  },

  renderExtra(ctx) {
    const { draft, root } = ctx;
    const chosen = Boolean(draft.receipt || draft.unplanned);
    root.querySelector("#receipt-picker").hidden = chosen;
    root.querySelector("#receipt-context").hidden = !chosen;
    root.querySelector("#ctx-receipt").textContent = draft.receipt || (draft.destination ? `Unplanned → ${draft.destination}` : "Unplanned: scan a location");
    root.querySelector("#qty-confirm").hidden = !draft.pending;
    root.querySelector("#validate-open").disabled = !draft.receipt;
    root.querySelector("#validate-choice").hidden = !(draft.validating && draft.receipt);
    const receipt = draft.receipt && ctx.catalog.receipt(draft.receipt);
    root.querySelector("#expected").hidden = !receipt;
    if (receipt) {
      root.querySelector("#expected-rows").replaceChildren(...receipt.lines.map((line) => {
        const product = ctx.catalog.products.get(line.product_id);
        const here = draft.lines.filter((l) => l.product_id === line.product_id).reduce((sum, l) => sum + l.quantity, 0)
          + (draft.pending?.product_id === line.product_id ? draft.pending.quantity : 0);
        const received = line.received + (localReceived.get(line.product_id) || 0) + here;
        const state = received === line.expected ? "expected-done" : received > line.expected ? "expected-over" : "";
        return el("tr", { class: state }, el("td", {}, product?.name || `product ${line.product_id}`),
          el("td", {}, String(line.expected)), el("td", {}, String(received)));
      }));
    }
  },

  actions: {
    "pick-receipt": (ctx, button) => pickReceipt(ctx, button.dataset.receipt),
    unplanned: (ctx) => {
      Object.assign(ctx.draft, { unplanned: true, receipt: null, destination: null });
      return { level: "idle", title: definition.prompt(ctx) };
    },
    "clear-receipt": (ctx) => {
      if (ctx.draft.lines.length || ctx.draft.pending) return { level: "warn", title: "Save or start over first", lines: ["Boxes of this receipt are not saved yet."] };
      ctx.draft = definition.fresh(null);
      return { level: "idle", title: definition.prompt(ctx) };
    },
    "qty-minus": (ctx) => stepQuantity(ctx, -1),
    "qty-plus": (ctx) => stepQuantity(ctx, +1),
    "qty-add": (ctx) => {
      const added = commitPending(ctx);
      if (!added) return null;
      return { level: "ok", title: `Added: ${added.line.name}`, big: `× ${added.quantity}`,
        lines: [`${added.line.quantity} of lot ${added.line.lot || "–"} so far.`, "Scan the next box."] };
    },
    "validate-open": (ctx) => {
      ctx.draft.validating = true;
      return null;
    },
    "validate-cancel": (ctx) => {
      ctx.draft.validating = false;
      return null;
    },
    validate: async (ctx, button) => {
      const receipt = ctx.draft.receipt;
      commitPending(ctx);
      await saveLines(ctx);
      const backorder = button.dataset.backorder === "true";
      await outbox.capture("receive_validate", { receipt, backorder }, {
        user: ctx.user, summary: `Validated ${receipt}${backorder ? ", the rest as a backorder" : ", no backorder"}`,
      });
      ctx.draft.receipt = null; // `fresh` keeps nothing of a validated receipt
      ctx.draft.unplanned = false;
      await refreshLocal(ctx);
      if (navigator.onLine) globalThis.htmx?.trigger(document.body, "refresh-receipts");
      return { done: true, level: "ok", title: `${receipt} validated on this handheld`,
        lines: [backorder ? "What is missing stays open as a backorder." : "No backorder: the receipt is closed.",
          navigator.onLine ? "Sending now." : "No network: it is sent when the network is back."] };
    },
  },
};

function pickReceipt(ctx, reference) {
  const receipt = ctx.catalog.receipt(reference);
  if (!receipt) return { level: "error", title: `Unknown receipt ${reference}`, lines: ["It is not among the open receipts on this handheld."] };
  if (["done", "cancel", "cancelled"].includes(receipt.state)) return { level: "error", title: `${reference} is already closed` };
  if (ctx.draft.lines.length && ctx.draft.receipt !== reference) return { level: "error", title: "Save the boxes of the current receipt first" };
  Object.assign(ctx.draft, { receipt: reference, unplanned: false, destination: null });
  return { level: "ok", title: "Receiving", big: reference, lines: [`${receipt.lines.length} product line(s) expected.`, "Scan each box's label."] };
}

function receiptLine(ctx, productId) {
  return ctx.catalog.receipt(ctx.draft.receipt)?.lines.find((line) => line.product_id === productId) || null;
}

/** The scanned box awaiting its quantity becomes a line (with the quantity in the field). */
function commitPending(ctx) {
  const pending = ctx.draft.pending;
  if (!pending) return null;
  const quantity = Number(ctx.root.querySelector("#qty-input").value);
  ctx.draft.pending = null;
  const added = Number.isFinite(quantity) && quantity > 0 ? quantity : pending.quantity;
  return { line: ctx.addLine(pending, added), quantity: added };
}

function stepQuantity(ctx, delta) {
  const field = ctx.root.querySelector("#qty-input");
  field.value = String(Math.max(1, (Number(field.value) || 1) + delta));
  if (ctx.draft.pending) ctx.draft.pending.quantity = Number(field.value);
  return { level: "idle", title: ctx.draft.pending?.name || "", big: `× ${field.value}` };
}

async function saveLines(ctx) {
  const { receipt, destination, lines } = ctx.draft;
  if (!lines.length) return 0;
  const common = { user: ctx.user, rawScans: ctx.draft.raw_scans };
  if (receipt) {
    await outbox.capture("receive", { receipt, lines: lines.map(wireLine) }, { ...common, summary: `Received ${lines.length} line(s) on ${receipt}` });
  } else {
    await outbox.capture("receive_unplanned", { destination, lines: lines.map(wireLine) },
      { ...common, summary: `Received ${lines.length} line(s) unplanned into ${destination}` });
  }
  const saved = lines.length;
  ctx.draft.lines = [];
  ctx.draft.raw_scans = [];
  return saved;
}

/** Quantities this handheld received on the current receipt that the catalog cannot know yet. */
async function refreshLocal(ctx) {
  const totals = new Map();
  for (const command of await outbox.all()) {
    const open = command.state === "pending" || (command.state === "sent" && command.server_status !== "done");
    if (command.kind !== "receive" || !open || command.payload.receipt !== ctx.draft.receipt) continue;
    for (const line of command.payload.lines) {
      const product = ctx.catalog.product(line.gtin);
      if (product) totals.set(product.id, (totals.get(product.id) || 0) + line.quantity);
    }
  }
  localReceived = totals;
  ctx.render();
}

runWorkflow(definition).then((ctx) => {
  refreshLocal(ctx);
  listen((topic) => (topic === "outbox" || topic === "catalog") && refreshLocal(ctx));
});
