// Pick and deliver refills (storekeeper, supervisor): the wards' open refills from the catalog,
// grouped by ward; choose one, scan each lot taken from the store shelf (first expiry, first out:
// the store's earliest-expiring usable lot is suggested, a later one is taken amber, an expired or
// recalled one refused), then at the ward scan its location label and tap Deliver. What was not
// picked stays as a backorder unless dropped. Offline like the other workflows.
import { listen } from "./db.js";
import { formatDate, formatNumber, nt, t } from "./i18n.js";
import { all, capture } from "./outbox.js";
import { pickVerdict, stillToPick, suggestedLot, transfersByWard } from "./replenishment.js";
import { checkedItem, el, lotAndExpiry, refuseItem, runWorkflow, wireLine } from "./workflow.js";

let commands = []; // this handheld's outbox, as last read

const definition = {
  name: "replenish-pick",
  fresh: () => ({ transfer: null, ward: null, lines: [], raw_scans: [] }),
  prompt(ctx) {
    const { transfer, ward, lines } = ctx.draft;
    if (!transfer) return t("Choose a ward's refill below");
    if (!ward) return lines.length ? t("Scan more lots, or the ward's location label at delivery") : t("Scan each lot you take from the store shelf");
    return t("Check the lots, then tap Deliver");
  },
  canConfirm: (ctx) => Boolean(ctx.draft.transfer && ctx.draft.ward && (ctx.draft.lines.length || pickedBefore(chosen(ctx)))),

  onScan(ctx, scan) {
    const transfer = chosen(ctx);
    if (!transfer) {
      if (scan.kind === "location") return chooseByWard(ctx, scan.code);
      return { level: "error", title: t("Choose a refill first"), lines: [t("Tap a ward's refill in the list below.")] };
    }
    if (scan.kind === "location") return scanWard(ctx, transfer, scan.code);
    if (ctx.draft.ward) return { level: "error", title: t("Already at the ward"), lines: [t("Tap Deliver, or tap the ward to go on picking.")] };
    const store = barcodeOf(ctx, transfer.source_id);
    const refusal = refuseItem(ctx, scan, store);
    if (refusal) return refusal;
    const product = ctx.catalog.product(scan.gtin);
    const line = product && transfer.lines.find((l) => l.product_id === product.id);
    if (!line) {
      return { level: "error", title: t("Not on this refill"), big: product?.name || t("GTIN %(gtin)s", { gtin: scan.gtin }),
        lines: [t("%(refill)s for %(ward)s does not ask for it.", { refill: transfer.reference, ward: barcodeOf(ctx, transfer.destination_id) })],
        hint: t("Put it back on the shelf.") };
    }
    return checkedItem(ctx, scan, t("Pick it anyway"), (item) => addPick(ctx, transfer, line, product, store, item));
  },

  async confirm(ctx) {
    const transfer = chosen(ctx);
    const { ward, lines } = ctx.draft;
    const backorder = !ctx.root.querySelector("#drop-rest").checked;
    const common = { user: ctx.user, rawScans: ctx.draft.raw_scans };
    if (lines.length) {
      await capture("replenish_pick", { transfer: transfer.reference, lines: lines.map(wireLine) },
        { ...common, summary: nt("Picked %(count)s item for %(refill)s: %(products)s", "Picked %(count)s items for %(refill)s: %(products)s", total(lines),
          { refill: transfer.reference, products: lines.map((l) => l.name).join(", ") }) });
    }
    await capture("replenish_deliver", { transfer: transfer.reference, location: ward, backorder },
      { ...common, summary: t("Delivered %(refill)s to %(ward)s", { refill: transfer.reference, ward }) });
    commands = await all();
    const short = shortLines(ctx, transfer);
    const rest = short.map(([line, missing]) => `${formatNumber(missing)} × ${productName(ctx, line.product_id)}`).join(", ");
    return {
      done: true, level: short.length ? "warn" : "ok", title: t("Delivered to %(ward)s", { ward }), big: transfer.reference,
      lines: [short.length ? (backorder ? t("Still to come (backorder): %(rest)s.", { rest }) : t("Dropped, not coming: %(rest)s.", { rest }))
        : t("Everything asked for was delivered."),
        navigator.onLine ? t("Sending now.") : t("No network: it is sent when the network is back.")],
    };
  },

  renderExtra(ctx) {
    const transfer = chosen(ctx);
    for (const [id, value, empty] of [
      ["#ctx-transfer", transfer && `${transfer.reference} → ${barcodeOf(ctx, transfer.destination_id)}`, t("choose below")],
      ["#ctx-ward", ctx.draft.ward, t("scan it there")],
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
      const transfer = openHere(ctx).find((open) => open.reference === button.dataset.reference);
      if (!transfer) return null;
      return choose(ctx, transfer);
    },
    "clear-transfer": (ctx) => {
      if (ctx.draft.lines.length) return { level: "warn", title: t("Lots are already picked for this refill"), lines: [t("Deliver it, or tap Start over.")] };
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
  return { level: "ok", title: t("Picking for %(ward)s", { ward: barcodeOf(ctx, transfer.destination_id) }), big: transfer.reference,
    lines: [first ? startWith(productName(ctx, first[0].product_id), first[1].lot) : "",
      t("Scan each lot you take from the shelf.")] };
}

function startWith(product, lot) {
  return lot.expiry ? t("Start with %(product)s: lot %(lot)s (expires %(date)s).", { product, lot: lot.name, date: formatDate(lot.expiry) })
    : t("Start with %(product)s: lot %(lot)s (does not expire).", { product, lot: lot.name });
}

function chooseByWard(ctx, code) {
  const location = ctx.catalog.location(code);
  const transfer = location && openHere(ctx).find((open) => open.destination_id === location.id);
  if (!transfer) return { level: "error", title: t("No refill waits for %(code)s", { code }), lines: [t("Choose a ward's refill in the list below.")] };
  return choose(ctx, transfer);
}

function scanWard(ctx, transfer, code) {
  const expected = barcodeOf(ctx, transfer.destination_id);
  if (code !== expected) {
    const name = ctx.catalog.locations.get(transfer.destination_id)?.name;
    return { level: "error", title: t("Wrong place: this is %(code)s", { code }), big: t("Deliver to %(ward)s", { ward: expected }),
      lines: [name ? t("%(refill)s goes to %(ward)s (%(name)s).", { refill: transfer.reference, ward: expected, name })
        : t("%(refill)s goes to %(ward)s.", { refill: transfer.reference, ward: expected })],
      hint: t("Scan the location label at %(ward)s.", { ward: expected }) };
  }
  if (!ctx.draft.lines.length && !pickedBefore(transfer)) {
    return { level: "error", title: t("Nothing picked yet"), lines: [t("Scan the lots you take from the store first.")] };
  }
  ctx.draft.ward = code;
  const short = shortLines(ctx, transfer);
  return { level: short.length ? "warn" : "ok", title: t("At the ward"), big: code,
    lines: [short.length ? t("Short: %(rest)s. It stays as a backorder.", { rest: short.map(([line, missing]) => `${formatNumber(missing)} × ${productName(ctx, line.product_id)}`).join(", ") })
      : t("Everything asked for is picked."),
      t("Tap Deliver.")] };
}

/** The lot goes on the list; first expiry, first out and what is still to pick are checked. */
function addPick(ctx, transfer, line, product, store, item) {
  const added = ctx.addLine(item, item.per_scan);
  const picked = pickedHere(ctx, product.id);
  const result = { level: "ok", title: product.name, big: `× ${formatNumber(added.quantity)}`,
    lines: [lotAndExpiry(added.lot, added.expiry), t("%(count)s of %(asked)s picked.", { count: picked, asked: line.requested - line.picked }), item.pack] };
  const notes = [];
  if (product.tracked_by_lot || added.lot) {
    const { verdict, suggestion } = pickVerdict(ctx.catalog, product.id, added.lot, store);
    if (verdict === "later" && suggestion) {
      notes.push(t("First expiry, first out: lot %(lot)s expires earlier (%(date)s); take it first if you can.",
        { lot: suggestion.lot.name, date: formatDate(suggestion.lot.expiry) }));
      added.note = t("later expiry");
    }
    if (verdict === "not_in_store") notes.push(t("The catalog shows none of lot %(lot)s in %(store)s; check the label.", { lot: added.lot, store }));
  }
  if (picked > line.requested - line.picked) notes.push(t("More than asked for: %(count)s.", { count: line.requested - line.picked }));
  if (notes.length) {
    added.level = "warn";
    added.note ||= t("check");
    Object.assign(result, { level: "warn", hint: notes.join(" ") });
  }
  return result;
}

/** Open refills not yet delivered from this handheld. */
function openHere(ctx) {
  const delivered = new Set(commands.filter((c) => c.kind === "replenish_deliver" && !["failed", "dismissed"].includes(c.state)
    && !(c.state === "sent" && c.server_status === "discarded")).map((c) => c.payload.transfer));
  return transfersByWard(ctx.catalog).flatMap((group) => group.transfers).filter((open) => !delivered.has(open.reference));
}

function chosen(ctx) {
  return ctx.draft.transfer ? ctx.catalog.replenishments.find((refill) => refill.reference === ctx.draft.transfer) || null : null;
}

const pickedBefore = (transfer) => Boolean(transfer?.lines.some((line) => line.picked > 0));
const total = (lines) => lines.reduce((sum, l) => sum + l.quantity, 0);
const barcodeOf = (ctx, id) => ctx.catalog.locations.get(id)?.barcode || t("location %(id)s", { id: String(id) });
const productName = (ctx, id) => ctx.catalog.products.get(id)?.name || t("product %(id)s", { id: String(id) });

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
    ...group.transfers.map((refill) => el("button", { type: "button", class: "button button-secondary button-wide transfer-choice", "data-action": "choose",
      "data-reference": refill.reference }, `${refill.reference}: ${refill.lines.map((l) => `${formatNumber(stillToPick(l))} × ${productName(ctx, l.product_id)}`).join(", ")}`)))));
  const count = groups.reduce((sum, g) => sum + g.transfers.length, 0);
  ctx.root.querySelector("#transfers-count").textContent = String(count);
  ctx.root.querySelector("#transfers-card").hidden = Boolean(transfer);
  ctx.root.querySelector("#transfers-empty").hidden = count > 0;
}

function groupsHere(ctx) {
  const open = new Set(openHere(ctx).map((refill) => refill.reference));
  return transfersByWard(ctx.catalog).map((g) => ({ ...g, transfers: g.transfers.filter((refill) => open.has(refill.reference)) })).filter((g) => g.transfers.length);
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
        el("span", { class: "line-detail" }, missing ? stillToPickWords(missing, best) : t("all %(count)s picked", { count: line.requested }))));
  }));
}

function stillToPickWords(missing, best) {
  if (!best) return t("%(count)s still to pick · none usable in the store", { count: missing });
  return t("%(count)s still to pick · take lot %(lot)s (exp. %(date)s) first", { count: missing, lot: best.lot.name, date: best.lot.expiry ? formatDate(best.lot.expiry) : "–" });
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
