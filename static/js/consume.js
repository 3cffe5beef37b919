// Consume (nurse): scan the ward location once per session, then each item used; an optional
// case / encounter reference (never a patient name). An expired or recalled lot is refused on
// the spot, online or offline, with the earlier-expiring lot to use instead; a supervisor
// override needs a reason (the command is then parked for a supervisor's decision on the server).
import { formatNumber, nt, t } from "./i18n.js";
import { capture } from "./outbox.js";
import { checkedItem, describeLot, itemLine, lotAndExpiry, refuseItem, runWorkflow, wireLine } from "./workflow.js";

let refused = null; // the last refused scan, for an override

const definition = {
  name: "consume",
  fresh: (previous) => ({ location: previous?.location || null, reference: "", lines: [], raw_scans: [] }),
  prompt: (ctx) => (ctx.draft.location ? t("Scan each item you use") : t("Scan the ward location label")),
  canConfirm: (ctx) => Boolean(ctx.draft.location && ctx.draft.lines.length),
  lineDetail: (line) => (line.override ? t("%(lot)s · override asked: “%(reason)s”", { lot: describeLot(line), reason: line.override.reason })
    : describeLot(line)),

  onScan(ctx, scan) {
    refused = null;
    hideOverride(ctx);
    if (scan.kind === "location") return scanLocation(ctx, scan.code);
    if (!ctx.draft.location) return { level: "error", title: t("Scan the ward location first"), lines: [t("Every item used is booked to a location.")] };
    const refusal = refuseItem(ctx, scan, ctx.draft.location);
    if (refusal) {
      if (refusal.refused) {
        refused = scan;
        refusal.actions = [overrideButton()];
      }
      return refusal;
    }
    return checkedItem(ctx, scan, t("Use it anyway"), (item) => {
      const line = ctx.addLine(item, item.per_scan);
      return {
        level: "ok",
        title: line.name,
        big: `× ${formatNumber(line.quantity)}`,
        lines: [lotAndExpiry(line.lot, line.expiry), item.pack],
      };
    });
  },

  async confirm(ctx) {
    const { location, lines } = ctx.draft;
    const reference = ctx.root.querySelector("#ctx-reference").value.trim().slice(0, 64);
    const plain = lines.filter((l) => !l.override);
    const overridden = lines.filter((l) => l.override);
    const common = { user: ctx.user, rawScans: ctx.draft.raw_scans };
    if (plain.length) {
      await capture("consume", { location, reference, lines: plain.map(wireLine) },
        { ...common, summary: nt("Used %(count)s item in %(location)s: %(products)s", "Used %(count)s items in %(location)s: %(products)s",
          plain.reduce((sum, l) => sum + l.quantity, 0), { location, products: plain.map((l) => l.name).join(", ") }) });
    }
    for (const line of overridden) {
      // One command per overridden lot, so only it waits for the supervisor.
      await capture("consume", { location, reference, lines: [wireLine(line)], override: line.override },
        { ...common, summary: t("Used %(product)s lot %(lot)s in %(location)s (override asked)", { product: line.name, lot: line.lot, location }) });
    }
    ctx.root.querySelector("#ctx-reference").value = "";
    const total = lines.reduce((sum, l) => sum + l.quantity, 0);
    return {
      done: true,
      level: "ok",
      title: t("Saved on this handheld"),
      big: nt("%(count)s item", "%(count)s items", total),
      lines: [navigator.onLine ? t("Sending now.") : t("No network: it is sent when the network is back.")],
    };
  },

  renderExtra(ctx) {
    const chip = ctx.root.querySelector("#ctx-location");
    const location = ctx.draft.location && ctx.catalog.location(ctx.draft.location);
    chip.textContent = ctx.draft.location ? `${ctx.draft.location}${location ? ` · ${location.name}` : ""}` : t("scan it");
    chip.classList.toggle("chip-set", Boolean(ctx.draft.location));
    const reference = ctx.root.querySelector("#ctx-reference");
    if (document.activeElement !== reference) reference.value = ctx.draft.reference || "";
    if (ctx.draft.reference) ctx.root.querySelector("#reference-box").open = true;
  },

  onChange(ctx, target) {
    if (target.id === "ctx-reference") ctx.draft.reference = target.value.trim().slice(0, 64);
  },

  actions: {
    "clear-location": (ctx) => {
      ctx.draft.location = null;
      return { level: "idle", title: t("Scan the ward location label") };
    },
    override: (ctx) => {
      if (!refused) return null;
      const box = ctx.root.querySelector("#override");
      box.hidden = false;
      box.querySelector("#override-reason").focus();
      return null;
    },
    "override-cancel": (ctx) => {
      refused = null;
      hideOverride(ctx);
      return { level: "idle", title: t("Not used"), lines: [definition.prompt(ctx)] };
    },
    "override-confirm": (ctx) => {
      const reason = ctx.root.querySelector("#override-reason").value.trim();
      if (!reason) return { level: "error", title: t("Give a reason for the override"), lines: [t("A supervisor reads it before allowing the lot.")] };
      if (!refused) return null;
      const item = itemLine(ctx, refused);
      const line = ctx.addLine({ ...item, key: `${item.key}|override`, override: { reason, requested_by: ctx.user.name } }, item.per_scan);
      refused = null;
      hideOverride(ctx);
      return { level: "warn", title: t("%(product)s: override asked", { product: line.name }), lines: [t("It is parked for a supervisor's decision when it syncs.")] };
    },
  },
};

/** A location scan: the ward location at the start; mid-list, a change that is asked, not assumed. */
function scanLocation(ctx, code) {
  const location = ctx.catalog.location(code);
  if (!location && !ctx.catalog.empty) return { level: "error", title: t("Unknown location %(code)s", { code }), lines: [t("Scan a location label of your ward.")] };
  if (location && location.usage !== "internal") {
    return { level: "error", title: t("%(code)s is not a stock location", { code }), lines: [t("Scan the ward's stock location label.")] };
  }
  if (!ctx.catalog.allows(ctx.user?.wards, code)) {
    return { level: "error", title: t("Not your ward: %(code)s", { code }), lines: [t("You may only use stock of %(wards)s.", { wards: ctx.user.wards.join(", ") })] };
  }
  const { draft } = ctx;
  if (code === draft.location) return { level: "ok", title: t("Ward location already set"), big: code, lines: [t("Now scan each item you use.")] };
  const count = draft.lines.reduce((sum, l) => sum + l.quantity, 0);
  if (draft.location && count) {
    return {
      level: "warn", title: t("You scanned another location: %(code)s", { code }),
      lines: [nt("%(count)s item is listed as used in %(location)s. It stays there unless you change it.",
        "%(count)s items are listed as used in %(location)s. They stay there unless you change it.", count, { location: draft.location })],
      hint: t("Confirm the items first, or tap below if they were used in the new location."),
      actions: [ctx.hold(t("Book them in %(code)s", { code }), () => setLocation(ctx, code, location))],
    };
  }
  return setLocation(ctx, code, location);
}

function setLocation(ctx, code, location) {
  ctx.draft.location = code;
  return { level: "ok", title: t("Ward location set"), big: code, lines: [location?.name || "", t("Now scan each item you use.")] };
}

function overrideButton() {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-warning";
  button.dataset.action = "override";
  button.textContent = t("Supervisor override…");
  return button;
}

function hideOverride(ctx) {
  const box = ctx.root.querySelector("#override");
  box.hidden = true;
  box.querySelector("#override-reason").value = "";
}

runWorkflow(definition);
