// Ask the store (nurse, storekeeper, supervisor): scan the ward location to see what is running
// low there, from this handheld's own catalog minus what it has queued as used; tap "Ask for" on a
// line, or scan an empty bin's two-bin card. Each ask is a `replenish_request` in the outbox, offline
// too; asking again before the refill arrives says when it was asked instead of asking twice.
import { listen } from "./db.js";
import { formatNumber, formatTime, nt, t } from "./i18n.js";
import { all, capture } from "./outbox.js";
import { alreadyAsked, cardQuantity, lowAt, parLevel } from "./replenishment.js";
import { syncSoon } from "./sync.js";
import { el, runWorkflow } from "./workflow.js";

let commands = []; // this handheld's outbox, as last read

const definition = {
  name: "replenish",
  fresh: (previous) => ({ location: previous?.location || null, lines: [], raw_scans: [] }),
  prompt: (ctx) => (ctx.draft.location ? t("Scan an empty bin's card, or tap Ask for") : t("Scan an empty bin's card, or the ward location label")),
  canConfirm: () => false,

  async onScan(ctx, scan) {
    commands = await all();
    if (scan.kind === "location") return setWard(ctx, scan.code);
    if (scan.kind === "bin_card") return scanCard(ctx, scan);
    return { level: "error", title: t("This is not a bin card"), lines: [t("Scan the card on the empty bin, or the ward location label.")] };
  },

  renderExtra(ctx) {
    const chip = ctx.root.querySelector("#ctx-location");
    const location = ctx.draft.location && ctx.catalog.location(ctx.draft.location);
    chip.textContent = ctx.draft.location ? `${ctx.draft.location}${location ? ` · ${location.name}` : ""}` : t("scan it");
    chip.classList.toggle("chip-set", Boolean(ctx.draft.location));
    drawLow(ctx);
  },

  actions: {
    "clear-location": (ctx) => {
      ctx.draft.location = null;
      return { level: "idle", title: definition.prompt(ctx) };
    },
    async ask(ctx, button) {
      commands = await all();
      const product = ctx.catalog.product(button.dataset.gtin);
      const row = product && lowAt(ctx.catalog, commands, ctx.draft.location).find((r) => r.product.id === product.id);
      if (!row) return { level: "idle", title: t("Not running low any more"), lines: [t("Nothing was asked for.")] };
      return ask(ctx, { product, location: ctx.draft.location, quantity: row.refill, card: "", raw: null });
    },
  },
};

function setWard(ctx, code) {
  const location = ctx.catalog.location(code);
  if (!location && !ctx.catalog.empty) return { level: "error", title: t("Unknown location %(code)s", { code }), lines: [t("Scan a location label of your ward.")] };
  if (!ctx.catalog.allows(ctx.user?.wards, code)) {
    return { level: "error", title: t("Not your ward: %(code)s", { code }), lines: [t("You may only ask for %(wards)s.", { wards: ctx.user.wards.join(", ") })] };
  }
  ctx.draft.location = code;
  const low = lowAt(ctx.catalog, commands, code).length;
  return { level: "ok", title: t("Ward location"), big: code,
    lines: [location?.name || "", low ? nt("%(count)s product is running low here.", "%(count)s products are running low here.", low) : t("Nothing is running low here.")] };
}

function scanCard(ctx, scan) {
  const { catalog } = ctx;
  const code = scan.code;
  const location = catalog.location(code);
  const product = catalog.product(scan.gtin);
  if (!location || !product) {
    const missing = !location ? t("The location %(code)s on the card is not in this handheld's catalog.", { code })
      : t("The product %(gtin)s on the card is not in this handheld's catalog.", { gtin: scan.gtin });
    return { level: "error", title: t("This card is not known on this handheld"), lines: [missing],
      hint: t("Connect to the network so the catalog updates, then scan the card again.") };
  }
  if (!catalog.allows(ctx.user?.wards, code)) {
    return { level: "error", title: t("Not your ward: %(code)s", { code }), big: product.name, lines: [t("You may only ask for %(wards)s.", { wards: ctx.user.wards.join(", ") })] };
  }
  ctx.draft.location = code;
  const level = parLevel(catalog, product.id, code);
  if (!level) {
    return { level: "error", title: t("No par level for this card"), big: product.name,
      lines: [t("%(code)s has no minimum and maximum for %(product)s, so the refill quantity is not known.", { code, product: product.name })],
      hint: t("Ask a supervisor to set its par level, then scan the card again.") };
  }
  const asked = alreadyAsked(catalog, commands, product.id, code);
  if (asked) return onItsWay(product, code, asked);
  return ask(ctx, { product, location: code, quantity: cardQuantity(level), card: scan.raw, raw: scan.raw });
}

function onItsWay(product, code, asked) {
  const when = asked.how === "queued" ? t("Already asked for at %(time)s — on its way", { time: formatTime(asked.at) }) : t("Already asked for — on its way");
  const where = asked.how === "queued" ? t("%(count)s asked for %(code)s from this handheld.", { count: asked.quantity, code })
    : t("It is on the store's refill %(refill)s for %(code)s.", { refill: asked.reference, code });
  return { level: "warn", title: when, big: product.name, lines: [where, t("Nothing more was asked: the refill is coming.")] };
}

async function ask(ctx, { product, location, quantity, card, raw }) {
  const asked = alreadyAsked(ctx.catalog, commands, product.id, location);
  if (asked) return onItsWay(product, location, asked);
  if (quantity <= 0) return { level: "error", title: t("Nothing to ask for"), big: product.name, lines: [t("Its par level's maximum is not above its minimum.")] };
  await capture("replenish_request", { location, gtin: product.gtin, quantity, card }, {
    user: ctx.user, rawScans: raw ? [raw] : [], summary: t("Asked the store for %(count)s × %(product)s for %(location)s", { count: quantity, product: product.name, location }),
  });
  commands = await all();
  syncSoon();
  return { level: "ok", title: t("Asked the store"), big: `${formatNumber(quantity)} × ${product.name}`,
    lines: [t("For %(location)s.", { location }), navigator.onLine ? t("Sending now.") : t("No network: it is sent when the network is back.")] };
}

function drawLow(ctx) {
  const list = ctx.root.querySelector("#low-list");
  const empty = ctx.root.querySelector("#low-empty");
  const rows = ctx.draft.location ? lowAt(ctx.catalog, commands, ctx.draft.location) : [];
  list.replaceChildren(...rows.map((row) => el("li", { class: `line line-${row.asked ? "ok" : "warn"}`, dataset: { gtin: row.product.gtin } },
    el("div", { class: "line-main" },
      el("strong", { class: "line-name" }, row.product.name),
      el("span", { class: "line-detail" }, t("%(count)s left · min %(minimum)s · max %(maximum)s", { count: row.onHand, minimum: row.level.minimum, maximum: row.level.maximum }))),
    row.asked
      ? el("span", { class: "line-note" }, row.asked.how === "queued" ? t("Asked %(time)s, on its way", { time: formatTime(row.asked.at) }) : t("On its way"))
      : el("button", { type: "button", class: "button button-primary button-ask", "data-action": "ask", "data-gtin": row.product.gtin },
        t("Ask for %(count)s", { count: row.refill })))));
  ctx.root.querySelector("#low-count").textContent = String(rows.length);
  empty.hidden = rows.length > 0;
  empty.textContent = ctx.draft.location ? t("Nothing is running low at %(location)s.", { location: ctx.draft.location }) : t("Scan the ward location label to see what is running low.");
}

const ctx = await runWorkflow(definition);
const redraw = async () => {
  commands = await all();
  drawLow(ctx);
};
listen((topic) => {
  if (topic === "outbox" || topic === "catalog") redraw();
});
redraw();
