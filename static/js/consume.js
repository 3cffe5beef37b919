// Consume (nurse): scan the ward location once per session, then each item used; an optional
// case / encounter reference (never a patient name). An expired or recalled lot is refused on
// the spot, online or offline, with the earlier-expiring lot to use instead; a supervisor
// override needs a reason (the command is then parked for a supervisor's decision on the server).
import { capture } from "./outbox.js";
import { checkedItem, describeLot, itemLine, refuseItem, runWorkflow, wireLine } from "./workflow.js";

let refused = null; // the last refused scan, for an override

const definition = {
  name: "consume",
  fresh: (previous) => ({ location: previous?.location || null, reference: "", lines: [], raw_scans: [] }),
  prompt: (ctx) => (ctx.draft.location ? "Scan each item you use" : "Scan the ward location label"),
  canConfirm: (ctx) => Boolean(ctx.draft.location && ctx.draft.lines.length),
  lineDetail: (line) => describeLot(line) + (line.override ? ` · override asked: “${line.override.reason}”` : ""),

  onScan(ctx, scan) {
    refused = null;
    hideOverride(ctx);
    if (scan.kind === "location") return scanLocation(ctx, scan.code);
    if (!ctx.draft.location) return { level: "error", title: "Scan the ward location first", lines: ["Every item used is booked to a location."] };
    const refusal = refuseItem(ctx, scan, ctx.draft.location);
    if (refusal) {
      if (refusal.refused) {
        refused = scan;
        refusal.actions = [overrideButton()];
      }
      return refusal;
    }
    return checkedItem(ctx, scan, "Use it anyway", (item) => {
      const line = ctx.addLine(item, item.per_scan);
      return {
        level: "ok",
        title: line.name,
        big: `× ${line.quantity}`,
        lines: [`Lot ${line.lot || "–"} · expires ${line.expiry || "–"}`, item.pack],
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
        { ...common, summary: `Used ${plain.reduce((sum, l) => sum + l.quantity, 0)} item(s) in ${location}: ${plain.map((l) => l.name).join(", ")}` });
    }
    for (const line of overridden) {
      // One command per overridden lot, so only it waits for the supervisor.
      await capture("consume", { location, reference, lines: [wireLine(line)], override: line.override },
        { ...common, summary: `Used ${line.name} lot ${line.lot} in ${location} (override asked)` });
    }
    ctx.root.querySelector("#ctx-reference").value = "";
    const total = lines.reduce((sum, l) => sum + l.quantity, 0);
    return {
      done: true,
      level: "ok",
      title: "Saved on this handheld",
      big: `${total} item${total === 1 ? "" : "s"}`,
      lines: [navigator.onLine ? "Sending now." : "No network: it is sent when the network is back."],
    };
  },

  renderExtra(ctx) {
    const chip = ctx.root.querySelector("#ctx-location");
    const location = ctx.draft.location && ctx.catalog.location(ctx.draft.location);
    chip.textContent = ctx.draft.location ? `${ctx.draft.location}${location ? ` · ${location.name}` : ""}` : "scan it";
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
      return { level: "idle", title: "Scan the ward location label" };
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
      return { level: "idle", title: "Not used", lines: [definition.prompt(ctx)] };
    },
    "override-confirm": (ctx) => {
      const reason = ctx.root.querySelector("#override-reason").value.trim();
      if (!reason) return { level: "error", title: "Give a reason for the override", lines: ["A supervisor reads it before allowing the lot."] };
      if (!refused) return null;
        const item = itemLine(ctx, refused);
      const line = ctx.addLine({ ...item, key: `${item.key}|override`, override: { reason, requested_by: ctx.user.name } }, item.per_scan);
      refused = null;
      hideOverride(ctx);
      return { level: "warn", title: `${line.name}: override asked`, lines: ["It is parked for a supervisor's decision when it syncs."] };
    },
  },
};

/** A location scan: the ward location at the start; mid-list, a change that is asked, not assumed. */
function scanLocation(ctx, code) {
  const location = ctx.catalog.location(code);
  if (!location && !ctx.catalog.empty) return { level: "error", title: `Unknown location ${code}`, lines: ["Scan a location label of your ward."] };
  if (location && location.usage !== "internal") return { level: "error", title: `${code} is not a stock location`, lines: ["Scan the ward's stock location label."] };
  if (!ctx.catalog.allows(ctx.user?.wards, code)) {
    return { level: "error", title: `Not your ward: ${code}`, lines: [`You may only use stock of ${ctx.user.wards.join(", ")}.`] };
  }
  const { draft } = ctx;
  if (code === draft.location) return { level: "ok", title: "Ward location already set", big: code, lines: ["Now scan each item you use."] };
  const count = draft.lines.reduce((sum, l) => sum + l.quantity, 0);
  if (draft.location && count) {
    return {
      level: "warn", title: `You scanned another location: ${code}`,
      lines: [`${count} item${count === 1 ? " is" : "s are"} listed as used in ${draft.location}. They stay there unless you change it.`],
      hint: "Confirm the items first, or tap below if they were used in the new location.",
      actions: [ctx.hold(`Book them in ${code}`, () => setLocation(ctx, code, location))],
    };
  }
  return setLocation(ctx, code, location);
}

function setLocation(ctx, code, location) {
  ctx.draft.location = code;
  return { level: "ok", title: "Ward location set", big: code, lines: [location?.name || "", "Now scan each item you use."] };
}

function overrideButton() {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-warning";
  button.dataset.action = "override";
  button.textContent = "Supervisor override…";
  return button;
}

function hideOverride(ctx) {
  const box = ctx.root.querySelector("#override");
  box.hidden = true;
  box.querySelector("#override-reason").value = "";
}

runWorkflow(definition);
