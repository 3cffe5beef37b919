// Pick and deliver refills (storekeeper, supervisor): the wards' open refills from the catalog,
// grouped by ward; choose one, scan each lot taken from the store shelf (first expiry, first out:
// the store's earliest-expiring usable lot is suggested, a later one is taken amber, an expired or
// recalled one refused), then at the ward scan its location label and tap Deliver. What was not
// picked stays as a backorder unless dropped. Offline like the other workflows.
import { listen } from "./db.js";
import { all, capture } from "./outbox.js";
import { pickVerdict, stillToPick, suggestedLot, transfersByWard } from "./replenishment.js";
import { checkedItem, el, refuseItem, runWorkflow, wireLine } from "./workflow.js";

let commands = []; // this handheld's outbox, as last read

const definition = {
  name: "replenish-pick",
  fresh: () => ({ transfer: null, ward: null, lines: [], raw_scans: [] }),
  prompt(ctx) {
    const { transfer, ward, lines } = ctx.draft;
    if (!transfer) return "Choose a ward's refill below";
    if (!ward) return lines.length ? "Scan more lots, or the ward's location label at delivery" : "Scan each lot you take from the store shelf";
    return "Check the lots, then tap Deliver";
  },
  canConfirm: (ctx) => Boolean(ctx.draft.transfer && ctx.draft.ward && (ctx.draft.lines.length || pickedBefore(chosen(ctx)))),

  onScan(ctx, scan) {
    const transfer = chosen(ctx);
    if (!transfer) {
      if (scan.kind === "location") return chooseByWard(ctx, scan.code);
      return { level: "error", title: "Choose a refill first", lines: ["Tap a ward's refill in the list below."] };
    }
    if (scan.kind === "location") return scanWard(ctx, transfer, scan.code);
    if (ctx.draft.ward) return { level: "error", title: "Already at the ward", lines: ["Tap Deliver, or tap the ward to go on picking."] };
    const store = barcodeOf(ctx, transfer.source_id);
    const refusal = refuseItem(ctx, scan, store);
    if (refusal) return refusal;
    const product = ctx.catalog.product(scan.gtin);
    const line = product && transfer.lines.find((l) => l.product_id === product.id);
    if (!line) {
      return { level: "error", title: "Not on this refill", big: product?.name || `GTIN ${scan.gtin}`,
        lines: [`${transfer.reference} for ${barcodeOf(ctx, transfer.destination_id)} does not ask for it.`], hint: "Put it back on the shelf." };
    }
    return checkedItem(ctx, scan, "Pick it anyway", (item) => addPick(ctx, transfer, line, product, store, item));
  },

  async confirm(ctx) {
    const transfer = chosen(ctx);
    const { ward, lines } = ctx.draft;
    const backorder = !ctx.root.querySelector("#drop-rest").checked;
    const common = { user: ctx.user, rawScans: ctx.draft.raw_scans };
    if (lines.length) {
      await capture("replenish_pick", { transfer: transfer.reference, lines: lines.map(wireLine) },
        { ...common, summary: `Picked ${total(lines)} item(s) for ${transfer.reference}: ${lines.map((l) => l.name).join(", ")}` });
    }
    await capture("replenish_deliver", { transfer: transfer.reference, location: ward, backorder },
      { ...common, summary: `Delivered ${transfer.reference} to ${ward}` });
    commands = await all();
    const short = shortLines(ctx, transfer);
    const rest = short.map(([line, missing]) => `${missing} × ${productName(ctx, line.product_id)}`).join(", ");
    return {
      done: true, level: short.length ? "warn" : "ok", title: `Delivered to ${ward}`, big: transfer.reference,
      lines: [short.length ? (backorder ? `Still to come (backorder): ${rest}.` : `Dropped, not coming: ${rest}.`) : "Everything asked for was delivered.",
        navigator.onLine ? "Sending now." : "No network: it is sent when the network is back."],
    };
  },

  renderExtra(ctx) {
    const transfer = chosen(ctx);
    for (const [id, value, empty] of [
      ["#ctx-transfer", transfer && `${transfer.reference} → ${barcodeOf(ctx, transfer.destination_id)}`, "choose below"],
      ["#ctx-ward", ctx.draft.ward, "scan it there"],
    ]) {
      const chip = ctx.root.querySelector(id);
      chip.textContent = value || empty;
      chip.classList.toggle("chip-set", Boolean(value));
    }
    drawTransfers(ctx, transfer);
    drawAsked(ctx, transfer);
    ctx.root.querySelector("#drop-box").hidden = !(transfer && ctx.draft.ward && shortLines(ctx, transfer).length);
  },

  actions: {
    choose(ctx, button) {
      const transfer = openHere(ctx).find((t) => t.reference === button.dataset.reference);
      if (!transfer) return null;
      return choose(ctx, transfer);
    },
    "clear-transfer": (ctx) => {
      if (ctx.draft.lines.length) return { level: "warn", title: "Lots are already picked for this refill", lines: ["Deliver it, or tap Start over."] };
      ctx.draft.transfer = null;
      ctx.draft.ward = null;
      return { level: "idle", title: definition.prompt(ctx) };
    },
    "clear-ward": (ctx) => {
      ctx.draft.ward = null;
      return { level: "idle", title: definition.prompt(ctx) };
    },
  },
};

function choose(ctx, transfer) {
  ctx.draft.transfer = transfer.reference;
  ctx.draft.ward = null;
  const first = transfer.lines.map((line) => [line, suggestedLot(ctx.catalog, line.product_id, barcodeOf(ctx, transfer.source_id))])
    .find(([line, lot]) => lot && stillToPick(line) > 0);
  return { level: "ok", title: `Picking for ${barcodeOf(ctx, transfer.destination_id)}`, big: transfer.reference,
    lines: [first ? `Start with ${productName(ctx, first[0].product_id)}: lot ${first[1].lot.name} (expires ${first[1].lot.expiry || "never"}).` : "",
      "Scan each lot you take from the shelf."] };
}

function chooseByWard(ctx, code) {
  const location = ctx.catalog.location(code);
  const transfer = location && openHere(ctx).find((t) => t.destination_id === location.id);
  if (!transfer) return { level: "error", title: `No refill waits for ${code}`, lines: ["Choose a ward's refill in the list below."] };
  return choose(ctx, transfer);
}

function scanWard(ctx, transfer, code) {
  const expected = barcodeOf(ctx, transfer.destination_id);
  if (code !== expected) {
    return { level: "error", title: `Wrong place: this is ${code}`, big: `Deliver to ${expected}`,
      lines: [`${transfer.reference} goes to ${expected}${ctx.catalog.locations.get(transfer.destination_id)?.name ? ` (${ctx.catalog.locations.get(transfer.destination_id).name})` : ""}.`],
      hint: `Scan the location label at ${expected}.` };
  }
  if (!ctx.draft.lines.length && !pickedBefore(transfer)) {
    return { level: "error", title: "Nothing picked yet", lines: ["Scan the lots you take from the store first."] };
  }
  ctx.draft.ward = code;
  const short = shortLines(ctx, transfer);
  return { level: short.length ? "warn" : "ok", title: "At the ward", big: code,
    lines: [short.length ? `Short: ${short.map(([line, missing]) => `${missing} × ${productName(ctx, line.product_id)}`).join(", ")}. It stays as a backorder.` : "Everything asked for is picked.",
      "Tap Deliver."] };
}

/** The lot goes on the list; first expiry, first out and what is still to pick are checked. */
function addPick(ctx, transfer, line, product, store, item) {
  const added = ctx.addLine(item, item.per_scan);
  const picked = pickedHere(ctx, product.id);
  const result = { level: "ok", title: product.name, big: `× ${added.quantity}`,
    lines: [`Lot ${added.lot || "–"} · expires ${added.expiry || "–"}`, `${picked} of ${line.requested - line.picked} picked.`, item.pack] };
  const notes = [];
  if (product.tracked_by_lot || added.lot) {
    const { verdict, suggestion } = pickVerdict(ctx.catalog, product.id, added.lot, store);
    if (verdict === "later" && suggestion) notes.push(`First expiry, first out: lot ${suggestion.lot.name} expires earlier (${suggestion.lot.expiry}); take it first if you can.`);
    if (verdict === "not_in_store") notes.push(`The catalog shows none of lot ${added.lot} in ${store}; check the label.`);
  }
  if (picked > line.requested - line.picked) notes.push(`More than asked for: ${line.requested - line.picked}.`);
  if (notes.length) {
    added.level = "warn";
    added.note = notes[0].startsWith("First") ? "later expiry" : "check";
    Object.assign(result, { level: "warn", hint: notes.join(" ") });
  }
  return result;
}

/** Open refills not yet delivered from this handheld. */
function openHere(ctx) {
  const delivered = new Set(commands.filter((c) => c.kind === "replenish_deliver" && !["failed", "dismissed"].includes(c.state)
    && !(c.state === "sent" && c.server_status === "discarded")).map((c) => c.payload.transfer));
  return transfersByWard(ctx.catalog).flatMap((group) => group.transfers).filter((t) => !delivered.has(t.reference));
}

function chosen(ctx) {
  return ctx.draft.transfer ? ctx.catalog.replenishments.find((t) => t.reference === ctx.draft.transfer) || null : null;
}

const pickedBefore = (transfer) => Boolean(transfer?.lines.some((line) => line.picked > 0));
const total = (lines) => lines.reduce((sum, l) => sum + l.quantity, 0);
const barcodeOf = (ctx, id) => ctx.catalog.locations.get(id)?.barcode || `location ${id}`;
const productName = (ctx, id) => ctx.catalog.products.get(id)?.name || `product ${id}`;

function pickedHere(ctx, productId) {
  return ctx.draft.lines.filter((l) => l.product_id === productId).reduce((sum, l) => sum + l.quantity, 0);
}

/** Lines of the refill still short after this pick: [line, units missing]. */
function shortLines(ctx, transfer) {
  return transfer.lines.map((line) => [line, stillToPick(line, pickedHere(ctx, line.product_id))]).filter(([, missing]) => missing > 0);
}

function drawTransfers(ctx, transfer) {
  const box = ctx.root.querySelector("#transfers");
  const groups = transfer ? [] : groupsHere(ctx);
  box.replaceChildren(...groups.map((group) => el("div", { class: "ward-group", dataset: { ward: group.ward } },
    el("h3", { class: "ward-title" }, `${group.ward}${group.name ? ` · ${group.name}` : ""}`),
    ...group.transfers.map((t) => el("button", { type: "button", class: "button button-secondary button-wide transfer-choice", "data-action": "choose",
      "data-reference": t.reference }, `${t.reference}: ${t.lines.map((l) => `${stillToPick(l)} × ${productName(ctx, l.product_id)}`).join(", ")}`)))));
  const count = groups.reduce((sum, g) => sum + g.transfers.length, 0);
  ctx.root.querySelector("#transfers-count").textContent = String(count);
  ctx.root.querySelector("#transfers-card").hidden = Boolean(transfer);
  ctx.root.querySelector("#transfers-empty").hidden = count > 0;
}

function groupsHere(ctx) {
  const open = new Set(openHere(ctx).map((t) => t.reference));
  return transfersByWard(ctx.catalog).map((g) => ({ ...g, transfers: g.transfers.filter((t) => open.has(t.reference)) })).filter((g) => g.transfers.length);
}

function drawAsked(ctx, transfer) {
  ctx.root.querySelector("#asked-card").hidden = !transfer;
  if (!transfer) return;
  const store = barcodeOf(ctx, transfer.source_id);
  ctx.root.querySelector("#asked").replaceChildren(...transfer.lines.map((line) => {
    const missing = stillToPick(line, pickedHere(ctx, line.product_id));
    const best = suggestedLot(ctx.catalog, line.product_id, store);
    return el("li", { class: `line line-${missing ? "warn" : "ok"}`, dataset: { productId: String(line.product_id) } },
      el("div", { class: "line-main" },
        el("strong", { class: "line-name" }, productName(ctx, line.product_id)),
        el("span", { class: "line-detail" }, missing ? `${missing} still to pick${best ? ` · take lot ${best.lot.name} (exp. ${best.lot.expiry || "–"}) first` : " · none usable in the store"}`
          : `all ${line.requested} picked`)));
  }));
}

const ctx = await runWorkflow(definition);
const redraw = async () => {
  commands = await all();
  ctx.render();
};
listen((topic) => {
  if (topic === "outbox" || topic === "catalog") redraw();
});
redraw();
