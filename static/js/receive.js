// Receive (storekeeper): pick an open receipt (or scan its reference, or start an unplanned
// receipt), scan each box: product, lot, expiry and quantity shown large; confirm or correct the
// quantity (scanning the next box confirms the previous one); expected vs received per line; save
// the boxes, then validate with or without a backorder.
// The list of open receipts is the one this handheld's catalog holds (so a tap on it always finds
// the receipt), less what this handheld validated and the server has not applied yet, with what it
// received and has not sent yet added.
import { forgetLoaded, loadCatalog, refreshCatalog } from "./catalog.js";
import { listen } from "./db.js";
import { formatDate, formatNumber, nt, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { el, itemLine, lotAndExpiry, runWorkflow, wireLine } from "./workflow.js";

let localReceived = new Map(); // receipt reference -> (product_id -> quantity) in this handheld's unfinished receive commands
let localValidated = new Set(); // receipts validated on this handheld, not yet closed in its catalog

const definition = {
  name: "receive",
  fresh: (previous) => ({
    receipt: previous?.receipt || null, unplanned: previous?.unplanned || false, destination: previous?.destination || null,
    pending: null, lines: [], raw_scans: [], validating: false,
  }),
  prompt(ctx) {
    const { receipt, unplanned, destination } = ctx.draft;
    if (unplanned && !destination) return t("Unplanned receipt: scan the location it goes to");
    if (!receipt && !unplanned) return t("Pick a receipt below or scan its reference");
    return t("Scan each box's label");
  },
  canConfirm: (ctx) => Boolean((ctx.draft.receipt || ctx.draft.destination) && (ctx.draft.lines.length || ctx.draft.pending)),

  onScan(ctx, scan) {
    const { draft, catalog } = ctx;
    if (scan.kind === "receipt") return pickReceipt(ctx, scan.code);
    if (scan.kind === "location") return scanLocation(ctx, scan.code);
    if (!draft.receipt && !(draft.unplanned && draft.destination)) return { level: "error", title: definition.prompt(ctx) };
    if (scan.kind !== "product" || !scan.gtin) return { level: "error", title: t("Scan the box's product label"), lines: [t("This code has no GTIN.")] };
    const product = catalog.product(scan.gtin);
    const elsewhere = draft.receipt && product && !receiptLine(ctx, product.id) ? otherReceiptWith(ctx, product.id) : null;
    if (elsewhere) {
      return {
        level: "warn", title: t("Not on %(receipt)s", { receipt: draft.receipt }), big: product.name,
        lines: [t("%(product)s is expected on %(other)s, not on %(receipt)s.", { product: product.name, other: elsewhere.reference, receipt: draft.receipt })],
        hint: t("Save this receipt's boxes and pick %(other)s, or add it to %(receipt)s anyway.", { other: elsewhere.reference, receipt: draft.receipt }),
        actions: [ctx.hold(t("Add to %(receipt)s anyway", { receipt: draft.receipt }), () => takeBox(ctx, scan))],
      };
    }
    return takeBox(ctx, scan);
  },

  async confirm(ctx) {
    commitPending(ctx);
    const saved = await saveLines(ctx);
    await refreshLocal(ctx);
    return { done: true, level: "ok", title: t("Boxes saved on this handheld"), big: t("%(count)s received", { count: saved }),
      lines: [navigator.onLine ? t("Sending now.") : t("No network: they are sent when the network is back.")] };
  },

  renderExtra(ctx) {
    const { draft, root } = ctx;
    const chosen = Boolean(draft.receipt || draft.unplanned);
    root.querySelector("#receipt-picker").hidden = chosen;
    root.querySelector("#receipt-context").hidden = !chosen;
    drawReceipts(ctx);
    root.querySelector("#ctx-receipt").classList.toggle("chip-set", chosen);
    root.querySelector("#ctx-receipt").textContent = draft.receipt || (draft.destination ? t("Unplanned → %(location)s", { location: draft.destination }) : t("Unplanned: scan a location"));
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
        const received = line.received + (localReceived.get(draft.receipt)?.get(line.product_id) || 0) + here;
        const state = received === line.expected ? "expected-done" : received > line.expected ? "expected-over" : "";
        return el("tr", { class: state }, el("td", {}, product?.name || t("product %(id)s", { id: String(line.product_id) })),
          el("td", {}, formatNumber(line.expected)), el("td", {}, formatNumber(received)));
      }));
    }
  },

  actions: {
    "pick-receipt": (ctx, button) => pickReceipt(ctx, button.dataset.receipt),
    "refresh-receipts": async (ctx) => {
      const answer = await refreshCatalog();
      await reloadCatalog(ctx);
      return answer === "offline" ? { level: "warn", title: t("No network"), lines: [t("The list is the one this handheld has; it is refreshed when the network is back.")] } : null;
    },
    unplanned: (ctx) => {
      Object.assign(ctx.draft, { unplanned: true, receipt: null, destination: null });
      return { level: "idle", title: definition.prompt(ctx) };
    },
    "clear-receipt": (ctx) => {
      if (ctx.draft.lines.length || ctx.draft.pending) return { level: "warn", title: t("Save or start over first"), lines: [t("Boxes of this receipt are not saved yet.")] };
      ctx.draft = definition.fresh(null);
      return { level: "idle", title: definition.prompt(ctx) };
    },
    "qty-minus": (ctx) => stepQuantity(ctx, -1),
    "qty-plus": (ctx) => stepQuantity(ctx, +1),
    "qty-add": (ctx) => {
      const added = commitPending(ctx);
      if (!added) return null;
      return { level: "ok", title: t("Added: %(product)s", { product: added.line.name }), big: `× ${formatNumber(added.quantity)}`,
        lines: [t("%(count)s of lot %(lot)s so far.", { count: added.line.quantity, lot: added.line.lot || "–" }), t("Scan the next box.")] };
    },
    "validate-open": (ctx) => {
      ctx.draft.validating = true;
      requestAnimationFrame(() => ctx.root.querySelector("#validate-choice").scrollIntoView({ block: "nearest" }));
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
        user: ctx.user, summary: backorder ? t("Validated %(receipt)s, the rest as a backorder", { receipt }) : t("Validated %(receipt)s, no backorder", { receipt }),
      });
      ctx.draft.receipt = null; // `fresh` keeps nothing of a validated receipt
      ctx.draft.unplanned = false;
      await refreshLocal(ctx);
      return { done: true, level: "ok", title: t("%(receipt)s validated on this handheld", { receipt }),
        lines: [backorder ? t("What is missing stays open as a backorder.") : t("No backorder: the receipt is closed."),
          navigator.onLine ? t("Sending now.") : t("No network: it is sent when the network is back.")] };
    },
  },
};

/** The scanned box waits for its quantity (the previous one is added). Never green unless checked. */
function takeBox(ctx, scan) {
  const { draft, catalog } = ctx;
  const line = { ...itemLine(ctx, scan) };
  line.quantity = line.per_scan;
  if (draft.pending?.level === "warn" && draft.pending.key !== line.key) {
    // An amber box is added by a tap, not by scanning a different one.
    return { level: "error", title: t("First add the previous box: %(product)s", { product: draft.pending.name }),
      lines: [t("Lot %(lot)s: check it, then tap Add; then scan this box again.", { lot: draft.pending.lot || "–" })] };
  }
  const added = commitPending(ctx);
  const product = catalog.product(scan.gtin);
  const verdict = ctx.verdict(scan);
  const warnings = [];
  if (!product) warnings.push(t("Not in the catalog: a supervisor links it to a product when it syncs."));
  else if (verdict.unchecked) warnings.push(t("New lot %(lot)s: this handheld cannot check its recall status; the server does when it syncs.", { lot: scan.lot || "" }));
  if (product?.tracked_by_lot && !scan.lot) warnings.push(t("No lot on this label: scan the label with the lot (10)."));
  if (draft.receipt && product && !receiptLine(ctx, product.id)) warnings.push(t("Not expected on %(receipt)s.", { receipt: draft.receipt }));
  if (verdict.recalled) warnings.push(t("This lot is RECALLED: set the box aside."));
  if (verdict.expired) warnings.push(t("The expiry date (%(date)s) has passed.", { date: formatDate(verdict.expiry) }));
  else if (verdict.nearExpiry) warnings.push(t("Expires soon: on %(date)s.", { date: formatDate(verdict.nearExpiry) }));
  line.level = warnings.length ? "warn" : "ok";
  draft.pending = line;
  ctx.root.querySelector("#qty-input").value = String(line.quantity);
  return {
    level: warnings.length ? "warn" : "ok",
    title: line.name,
    big: `× ${formatNumber(line.quantity)}`,
    lines: [lotAndExpiry(line.lot, scan.expiry), line.pack, added ? t("Previous box added (× %(count)s).", { count: added.quantity }) : ""],
    hint: warnings.join(" ") || t("Correct the quantity if needed, then Add (or scan the next box)."),
  };
}

/** A location scan: the destination of an unplanned receipt; with a receipt picked, it is not a box. */
function scanLocation(ctx, code) {
  const { draft, catalog } = ctx;
  const location = catalog.location(code);
  if (draft.receipt) {
    const receipt = catalog.receipt(draft.receipt);
    const into = receipt && catalog.locations.get(receipt.destination_id)?.barcode;
    return { level: "warn", title: t("%(code)s is a location, not a box", { code }),
      lines: [into ? t("%(receipt)s goes into %(location)s; nothing changed.", { receipt: draft.receipt, location: into })
        : t("%(receipt)s goes into its receipt's location; nothing changed.", { receipt: draft.receipt }), t("Scan each box's label.")] };
  }
  if (!draft.unplanned) return { level: "error", title: t("This is a location"), lines: [t("Pick a receipt, or tap “Unplanned receipt” first.")] };
  if (location && location.usage !== "internal") return { level: "error", title: t("%(code)s is not a stock location", { code }) };
  if (draft.destination && draft.destination !== code && (draft.lines.length || draft.pending)) {
    return { level: "warn", title: t("You scanned another location: %(code)s", { code }),
      lines: [t("The boxes scanned go into %(location)s unless you change it.", { location: draft.destination })],
      actions: [ctx.hold(t("Receive them into %(code)s", { code }), () => setDestination(ctx, code, location))] };
  }
  return setDestination(ctx, code, location);
}

function setDestination(ctx, code, location) {
  ctx.draft.destination = code;
  return { level: "ok", title: t("Receiving into"), big: code, lines: [location?.name || "", t("Now scan each box.")] };
}

/** Another open receipt that expects this product. */
function otherReceiptWith(ctx, productId) {
  return ctx.catalog.openReceipts().find((r) => r.reference !== ctx.draft.receipt && r.lines.some((l) => l.product_id === productId)) || null;
}

/**
 * The receipt picked from the list or scanned. One this handheld's catalog does not hold yet (a new
 * handheld whose catalog is still on its way) is looked for again in a freshly fetched catalog.
 */
async function pickReceipt(ctx, reference) {
  if (!ctx.catalog.receipt(reference)) {
    ctx.say({ level: "idle", title: t("Looking for %(receipt)s…", { receipt: reference }), lines: [t("Fetching this handheld's list of receipts.")] }, { sound: false });
    await refreshCatalog();
    await reloadCatalog(ctx);
  }
  const receipt = ctx.catalog.receipt(reference);
  if (!receipt) {
    return { level: "error", title: t("Unknown receipt %(receipt)s", { receipt: reference }),
      lines: [navigator.onLine ? t("It is not among the open receipts the server sent to this handheld.") : t("No network: this handheld cannot fetch its list of receipts now.")] };
  }
  if (["done", "cancel", "cancelled"].includes(receipt.state) || localValidated.has(reference)) return { level: "error", title: t("%(receipt)s is already closed", { receipt: reference }) };
  if (ctx.draft.lines.length && ctx.draft.receipt !== reference) return { level: "error", title: t("Save the boxes of the current receipt first") };
  Object.assign(ctx.draft, { receipt: reference, unplanned: false, destination: null });
  return { level: "ok", title: t("Receiving"), big: reference, lines: [nt("%(count)s product expected.", "%(count)s products expected.", receipt.lines.length), t("Scan each box's label.")] };
}

async function reloadCatalog(ctx) {
  forgetLoaded();
  ctx.catalog = await loadCatalog();
}

/** The open receipts as this handheld knows them (its catalog and its own unsent work). */
function drawReceipts(ctx) {
  const list = ctx.root.querySelector("#receipts");
  if (!list || ctx.catalog.empty) return; // no catalog yet: the server's list stays, and a tap waits for the catalog
  const open = ctx.catalog.openReceipts().filter((r) => !localValidated.has(r.reference));
  const name = (id) => ctx.catalog.products.get(id)?.name || t("product %(id)s", { id: String(id) });
  list.replaceChildren(...open.map((receipt) => {
    const mine = localReceived.get(receipt.reference) || new Map();
    const destination = ctx.catalog.locations.get(receipt.destination_id)?.barcode || "";
    const lines = receipt.lines.map((l) => `${name(l.product_id)} (${Math.round(l.received + (mine.get(l.product_id) || 0))}/${Math.round(l.expected)})`);
    return el("button", { type: "button", class: "pick", "data-action": "pick-receipt", "data-receipt": receipt.reference },
      el("strong", {}, receipt.reference),
      el("span", { class: "help" }, t("into %(location)s · %(lines)s", { location: destination, lines: lines.join(", ") })));
  }));
  if (!open.length) list.replaceChildren(el("p", { class: "help" }, t("No open receipts.")));
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
  return { level: "idle", title: ctx.draft.pending?.name || "", big: `× ${formatNumber(Number(field.value))}` };
}

async function saveLines(ctx) {
  const { receipt, destination, lines } = ctx.draft;
  if (!lines.length) return 0;
  const common = { user: ctx.user, rawScans: ctx.draft.raw_scans };
  if (receipt) {
    await outbox.capture("receive", { receipt, lines: lines.map(wireLine) }, { ...common, summary: t("Received %(count)s on %(receipt)s: %(products)s",
      { count: lines.reduce((sum, l) => sum + l.quantity, 0), receipt, products: lines.map((l) => l.name).join(", ") }) });
  } else {
    await outbox.capture("receive_unplanned", { destination, lines: lines.map(wireLine) }, { ...common, summary: t("Received %(count)s unplanned into %(location)s: %(products)s",
      { count: lines.reduce((sum, l) => sum + l.quantity, 0), location: destination, products: lines.map((l) => l.name).join(", ") }) });
  }
  const saved = lines.reduce((sum, l) => sum + l.quantity, 0);
  ctx.draft.lines = [];
  ctx.draft.raw_scans = [];
  return saved;
}

/** What this handheld received and validated that its catalog cannot know yet. */
async function refreshLocal(ctx) {
  const received = new Map();
  const validated = new Set();
  for (const command of await outbox.all()) {
    const open = command.state === "pending" || (command.state === "sent" && command.server_status !== "done" && command.server_status !== "discarded");
    const kept = open || (command.state === "sent" && command.server_status === "done");
    if (command.kind === "receive_validate" && kept) validated.add(command.payload.receipt);
    if (command.kind !== "receive" || !open) continue;
    const totals = received.get(command.payload.receipt) || new Map();
    for (const line of command.payload.lines) {
      const product = ctx.catalog.product(line.gtin);
      if (product) totals.set(product.id, (totals.get(product.id) || 0) + line.quantity);
    }
    received.set(command.payload.receipt, totals);
  }
  localReceived = received;
  // A receipt the catalog still lists as open after its validation was applied is closed all the same.
  localValidated = validated;
  ctx.render();
}

runWorkflow(definition).then((ctx) => {
  refreshLocal(ctx);
  listen((topic) => (topic === "outbox" || topic === "catalog") && refreshLocal(ctx));
});
