// What Waste and Return to vendor share: scan the location, then each box (expired and recalled
// lots are taken: that is the point), set the quantity, pick a reason from the short list on the
// page (other needs a note), confirm: one command with the reason. The reason chips come from the
// page (templates/expiry/_reasons.html), so the list is the server's.
import { formatNumber, nt, t } from "./i18n.js";
import { capture } from "./outbox.js";
import { checkedItem, describeLot, lotAndExpiry, runWorkflow, wireLine } from "./workflow.js";

/**
 * `kind`: the command ("scrap" or "vendor_return"); `where`: its location field ("location" or
 * "source"); `words`: {summary({count, location, reason, products}): the queue's sentence,
 * title: what the confirm result says}, both in the page's language.
 */
export function runDisposal({ name, kind, where, words }) {
  const definition = {
    name,
    fresh: (previous) => ({ location: previous?.location || null, reason: "", note: "", lines: [], raw_scans: [] }),
    prompt: (ctx) => {
      if (!ctx.draft.location) return t("Scan the location label");
      if (!ctx.draft.lines.length) return t("Scan each box");
      return ctx.draft.reason ? t("Check the quantities, then confirm") : t("Pick a reason below");
    },
    canConfirm: (ctx) => Boolean(ctx.draft.location && ctx.draft.lines.length && ctx.draft.reason && (ctx.draft.reason !== "other" || ctx.draft.note)),
    lineDetail: (line) => describeLot(line),

    onScan(ctx, scan) {
      if (scan.kind === "location") return scanLocation(ctx, scan.code);
      if (!ctx.draft.location) return { level: "error", title: t("Scan the location first"), lines: [t("Where is the stock now?")] };
      if (scan.kind !== "product" || !scan.gtin) return { level: "error", title: t("Scan a box's label"), lines: [t("This code is not a product.")] };
      const verdict = ctx.verdict(scan);
      if (verdict.product?.tracked_by_lot && !scan.lot) {
        return { level: "error", title: t("%(product)s: which lot?", { product: verdict.product.name }), lines: [t("Scan the label that carries the lot (10).")] };
      }
      return checkedItem(ctx, scan, t("Take it anyway"), (item) => {
        const line = ctx.addLine(item, item.per_scan);
        const suggested = verdict.recalled ? "recalled" : verdict.expired ? "expired" : "";
        const chosenNow = suggested && !ctx.draft.reason;
        if (chosenNow) ctx.draft.reason = suggested;
        return {
          level: "ok", title: line.name, big: `× ${formatNumber(line.quantity)}`,
          lines: [lotAndExpiry(line.lot, line.expiry), verdict.recalled ? t("RECALLED") : verdict.expired ? t("EXPIRED") : "", item.pack,
            chosenNow ? t("Reason set to %(reason)s; change it below if it is wrong.", { reason: reasonName(ctx, suggested) }) : ctx.draft.reason ? "" : t("Pick a reason below.")],
        };
      }, { warnNearExpiry: false });
    },

    async confirm(ctx) {
      const { location, lines, reason, note } = ctx.draft;
      const total = lines.reduce((sum, l) => sum + l.quantity, 0);
      await capture(kind, { [where]: location, lines: lines.map(wireLine), reason, note },
        { user: ctx.user, rawScans: ctx.draft.raw_scans,
          summary: words.summary({ count: total, location, reason: note ? `${reason}: ${note}` : reason, products: lines.map((l) => l.name).join(", ") }) });
      ctx.root.querySelector("#reason-note").value = "";
      return { done: true, level: "ok", title: words.title, big: nt("%(count)s item", "%(count)s items", total),
        lines: [navigator.onLine ? t("Sending now.") : t("No network: it is sent when the network is back.")] };
    },

    renderExtra(ctx) {
      const { draft, root } = ctx;
      const chip = root.querySelector("#ctx-location");
      chip.textContent = draft.location || t("scan it");
      chip.classList.toggle("chip-set", Boolean(draft.location));
      for (const button of root.querySelectorAll("[data-action=reason]")) button.setAttribute("aria-pressed", String(button.dataset.reason === draft.reason));
      const note = root.querySelector("#reason-note");
      if (document.activeElement !== note) note.value = draft.note;
      root.querySelector("#note-box").hidden = draft.reason !== "other" && !draft.note;
      note.required = draft.reason === "other";
    },

    onChange(ctx, target) {
      if (target.id === "reason-note") {
        ctx.draft.note = target.value.trim().slice(0, 200);
        ctx.render();
      }
    },

    actions: {
      "clear-location": (ctx) => {
        if (ctx.draft.lines.length) return { level: "warn", title: t("Confirm or start over first"), lines: [t("Boxes from %(location)s are listed.", { location: ctx.draft.location })] };
        ctx.draft.location = null;
        return { level: "idle", title: definition.prompt(ctx) };
      },
      reason: (ctx, button) => {
        ctx.draft.reason = button.dataset.reason;
        if (ctx.draft.reason === "other" && !ctx.draft.note) {
          ctx.render();
          ctx.root.querySelector("#reason-note").focus();
          return { level: "warn", title: t("Other: say what happened"), lines: [t("Write a short note; it is kept with the record.")] };
        }
        return { level: "idle", title: t("Reason: %(reason)s", { reason: button.textContent.trim() }), lines: [definition.prompt(ctx)] };
      },
    },
  };

  function scanLocation(ctx, code) {
    const { draft, catalog, user } = ctx;
    const location = catalog.location(code);
    if (!location && !catalog.empty) return { level: "error", title: t("Unknown location %(code)s", { code }), lines: [t("Scan a stock location label.")] };
    if (location && location.usage !== "internal") return { level: "error", title: t("%(code)s is not a stock location", { code }), lines: [t("Scan the label of the shelf the boxes are on.")] };
    if (!catalog.allows(user?.wards, code)) return { level: "error", title: t("Not your ward: %(code)s", { code }), lines: [t("You may only act on %(wards)s.", { wards: user.wards.join(", ") })] };
    if (draft.lines.length && code !== draft.location) {
      return { level: "error", title: t("The boxes listed are from %(location)s", { location: draft.location }), lines: [t("Confirm them (or start over) before another location.")] };
    }
    draft.location = code;
    return { level: "ok", title: t("Location"), big: code, lines: [location?.name || "", t("Now scan each box.")] };
  }

  return runWorkflow(definition);
}

/** A reason as its chip on the page names it (the server's words, in the page's language). */
function reasonName(ctx, reason) {
  return ctx.root.querySelector(`[data-action=reason][data-reason="${reason}"]`)?.textContent.trim() || reason;
}
