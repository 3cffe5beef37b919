// The small step engine the four workflows share. A workflow module gives a definition:
//   name, fresh(previous) -> a new draft, prompt(ctx) -> what to scan next,
//   onScan(ctx, scan) -> a result for the panel, confirm(ctx) -> a result after capturing commands
//   ({done: true} starts a fresh draft and syncs),
//   canConfirm(ctx), lineDetail(line), renderExtra(ctx), actions {name: (ctx, button) => result}.
// The engine reads scans (wedge, camera, photo), interprets them on the device (gs1.js), keeps the
// draft in IndexedDB so a reload (offline too) loses nothing, and draws the shared parts.
import { Catalog, DEFAULT_NEAR_EXPIRY_DAYS, lineKey, loadCatalog, forgetLoaded, packWords, today } from "./catalog.js";
import { db, listen } from "./db.js";
import { currentUser } from "./device.js";
import { el, show } from "./feedback.js";
import { formatDate, nt, t } from "./i18n.js";
import { DEFAULT_CONFIG, interpret, shown } from "./gs1.js";
import { attachScanInput } from "./scan-input.js";
import { gsReplacements, scannerSettings } from "./scanner-settings.js";
import { syncSoon } from "./sync.js";

export { el, lineKey };

export function describeLot(line) {
  const parts = [];
  if (line.lot) parts.push(t("Lot %(lot)s", { lot: line.lot }));
  if (line.expiry) parts.push(t("exp. %(date)s", { date: formatDate(line.expiry) }));
  if (line.pack) parts.push(line.pack);
  if (line.note) parts.push(line.note);
  return parts.join(" · ") || t("no lot on the label");
}

/** "Lot X · expires <date>" for a result panel ("–" for what the label does not say). */
export function lotAndExpiry(lot, expiry) {
  return t("Lot %(lot)s · expires %(date)s", { lot: lot || "–", date: expiry ? formatDate(expiry) : "–" });
}

export async function runWorkflow(definition) {
  const root = document.querySelector("[data-workflow]");
  const user = currentUser();
  const draftKey = `${definition.name}:${user?.id ?? "nobody"}`;
  const database = await db();
  const ctx = {
    root,
    user,
    definition,
    catalog: await loadCatalog(),
    draft: (await database.get("drafts", draftKey)) || definition.fresh(null),
    panel: root.querySelector("#result"),
    say(result, options) {
      show(ctx.panel, result, options);
      const top = root.querySelector(".workflow-top");
      if (top) top.scrollTop = 0; // a new result is read from its first line
    },
    async save() {
      await database.put("drafts", ctx.draft, draftKey);
    },
    render() {
      render(ctx);
    },
    /** Add `quantity` to the line with this key (or create it); returns the line. */
    addLine(line, quantity) {
      const found = ctx.draft.lines.find((l) => l.key === line.key);
      if (found) {
        found.quantity += quantity;
        return found;
      }
      const fresh = { ...line, quantity };
      ctx.draft.lines.push(fresh);
      return fresh;
    },
    config() {
      return { ...DEFAULT_CONFIG, gs_replacements: gsReplacements(DEFAULT_CONFIG.gs_replacements), exact_codes: ctx.catalog.exactCodes() };
    },
    /** The catalog's verdict on a scanned item, with this site's near-expiry days. */
    verdict(scan) {
      return ctx.catalog.verdict(scan, today(), nearExpiryDays());
    },
    /**
     * A button that goes on with `proceed` (which returns a result) only when tapped: the deliberate
     * second tap an unchecked item needs. The next scan or tap of anything else forgets it.
     */
    hold(label, proceed) {
      held = proceed;
      return el("button", { type: "button", class: "button button-warning", "data-action": "go-on" }, label);
    },
  };
  let held = null;
  ctx.draft.raw_scans ||= [];

  const handle = async (raw, source) => {
    held = null;
    let scan;
    try {
      scan = interpret(raw, ctx.config(), { source });
    } catch (error) {
      ctx.say({ level: "error", title: t("Cannot use this code"), lines: [error.message || String(error)] });
      return;
    }
    ctx.draft.raw_scans.push(raw);
    const result = await definition.onScan(ctx, scan);
    if (!result.keepRaw && result.level === "error") ctx.draft.raw_scans.pop();
    ctx.render();
    ctx.say(result);
    await ctx.save();
  };

  // One scan at a time, in the order they came: a scan arriving while the last one is still being
  // looked up waits for it (and so does what is said about it).
  let scans = Promise.resolve();
  const inTurn = (work) => {
    scans = scans.then(work, work);
    return scans;
  };
  ctx.scan = (raw, source) => inTurn(() => handle(raw, source));
  const field = root.querySelector("#scan-field");
  const input = attachScanInput(field, (raw, { source: how }) => ctx.scan(raw, how), {
    onDuplicate: (raw) => inTurn(() => ctx.say({ level: "warn", title: t("Same scan twice at once"),
      lines: [t("The scanner sent %(code)s twice in one go; it is taken once.", { code: scannedName(ctx, raw) }),
        t("Scan it again if there is a second one.")] })),
    onWaiting: (text) => showWaiting(root, text),
  });
  ctx.focus = input.focus;
  showScannerNotice(root);

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action], [data-line-action]");
    if (!button || button.disabled) return;
    const action = button.dataset.action;
    let result = null;
    const proceed = held;
    held = null;
    if (button.dataset.lineAction) result = lineAction(ctx, button);
    else if (action === "go-on") result = proceed ? await proceed() : null;
    else if (action === "keyboard") toggleKeyboard(root, field, button);
    else if (action === "camera") result = await startCamera(ctx);
    else if (action === "camera-stop") (await import("./camera.js")).stopCamera();
    else if (action === "reset") result = reset(ctx, button);
    else if (action === "confirm" && !currentUser()) {
      // The server ended the session (sync.js found out): nothing new in that user's name.
      result = { level: "error", title: t("Not saved: log in again"),
        lines: [t("Your session has ended. What you scanned stays here; log in again to confirm it.")] };
    } else if (action === "confirm") {
      button.disabled = true;
      try {
        result = await definition.confirm(ctx);
      } catch (error) {
        result = { level: "error", title: t("Not saved"), lines: [error.message || String(error)] };
      }
    } else if (definition.actions?.[action]) result = await definition.actions[action](ctx, button);
    if (result?.done) {
      // Commands are in the outbox: start a fresh draft (keeping what `fresh` keeps) and send soon. The
      // badge counts them before "saved" shows, so it never says "all sent" about what was just saved.
      ctx.draft = definition.fresh(ctx.draft);
      await syncSoon();
    }
    if (result) ctx.say(result);
    await ctx.save();
    ctx.render();
    const active = document.activeElement;
    if (!active || !active.matches("input, textarea, select")) input.focus();
  });
  root.addEventListener("change", async (event) => {
    const qty = event.target.closest("[data-line-qty]");
    if (qty) {
      const line = ctx.draft.lines.find((l) => l.key === qty.closest("[data-key]").dataset.key);
      const value = Number(qty.value);
      if (line && Number.isFinite(value) && value >= (definition.minQuantity ?? 1)) line.quantity = value;
      await ctx.save();
      ctx.render();
    }
    if (definition.onChange) {
      definition.onChange(ctx, event.target);
      await ctx.save();
    }
  });
  root.querySelector("#photo-input")?.addEventListener("change", (event) => uploadPhoto(ctx, event.target));

  listen(async (topic) => {
    if (topic !== "catalog") return;
    forgetLoaded();
    ctx.catalog = await loadCatalog();
    ctx.render();
    markReady(ctx);
  });

  ctx.render();
  ctx.say({ level: "idle", title: definition.prompt(ctx) }, { sound: false });
  markReady(ctx);
  input.focus();
  return ctx;
}

function markReady(ctx) {
  ctx.root.dataset.ready = "true";
  ctx.root.dataset.catalog = ctx.catalog instanceof Catalog && !ctx.catalog.empty ? "loaded" : "empty";
}

function render(ctx) {
  const { definition, draft, root } = ctx;
  const list = root.querySelector("#lines");
  if (list) {
    list.replaceChildren(...draft.lines.map((line) => lineNode(definition, line)));
    root.querySelector("#lines-empty").hidden = draft.lines.length > 0;
    root.querySelector("#lines-count").textContent = String(draft.lines.length);
  }
  const confirm = root.querySelector("#confirm");
  if (confirm) confirm.disabled = !definition.canConfirm(ctx);
  definition.renderExtra?.(ctx);
}

function lineNode(definition, line) {
  const level = line.override ? "warn" : line.level || "ok";
  return el("li", { class: `line line-${level}`, dataset: { key: line.key } },
    el("div", { class: "line-main" },
      el("strong", { class: "line-name" }, line.name),
      el("span", { class: "line-detail" }, definition.lineDetail ? definition.lineDetail(line) : describeLot(line))),
    el("div", { class: "stepper" },
      el("button", { type: "button", class: "button button-secondary", "data-line-action": "minus",
        "aria-label": t("One less %(product)s", { product: line.name }) }, "−"),
      el("input", { class: "field qty-field", type: "number", inputmode: "numeric", min: String(definition.minQuantity ?? 1), step: "1",
        value: String(line.quantity), "data-line-qty": true, "aria-label": t("Quantity of %(product)s", { product: line.name }) }),
      el("button", { type: "button", class: "button button-secondary", "data-line-action": "plus",
        "aria-label": t("One more %(product)s", { product: line.name }) }, "+")),
    el("button", { type: "button", class: "button line-remove", "data-line-action": "remove",
      "aria-label": t("Remove %(product)s", { product: line.name }) }, "×"));
}

function lineAction(ctx, button) {
  const key = button.closest("[data-key]").dataset.key;
  const line = ctx.draft.lines.find((l) => l.key === key);
  if (!line) return null;
  const minimum = ctx.definition.minQuantity ?? 1;
  if (button.dataset.lineAction === "plus") line.quantity += 1;
  else if (button.dataset.lineAction === "minus") line.quantity = Math.max(minimum, line.quantity - 1);
  else {
    ctx.draft.lines = ctx.draft.lines.filter((l) => l !== line);
    return { level: "idle", title: t("Removed %(product)s", { product: line.name }), lines: [ctx.definition.prompt(ctx)] };
  }
  return null;
}

function reset(ctx, button) {
  if (ctx.draft.lines.length && button.dataset.armed !== "true") {
    button.dataset.armed = "true";
    button.textContent = t("Tap again to discard");
    setTimeout(() => {
      button.dataset.armed = "false";
      button.textContent = t("Start over");
    }, 4000);
    return { level: "warn", title: nt("Discard %(count)s line not yet confirmed?", "Discard %(count)s lines not yet confirmed?", ctx.draft.lines.length),
      lines: [t("Tap “Start over” again to discard them.")] };
  }
  button.dataset.armed = "false";
  button.textContent = t("Start over");
  ctx.draft = ctx.definition.fresh(null);
  return { level: "idle", title: ctx.definition.prompt(ctx) };
}

/** Typing by hand is its own path: the soft keyboard, a "Use" button, and the text taken as typed. */
function toggleKeyboard(root, field, button) {
  const typing = field.dataset.typing !== "true";
  field.dataset.typing = String(typing);
  field.setAttribute("inputmode", typing ? "text" : "none");
  field.placeholder = typing ? t("Type the code, then Use") : t("Scan here");
  button.setAttribute("aria-pressed", String(typing));
  root.querySelector("#scan-use").hidden = !typing;
  field.blur();
  field.focus();
}

/** Text in the scan field without its end of scan: said, never used. */
function showWaiting(root, text) {
  const node = root.querySelector("#scan-waiting");
  if (!node) return;
  node.hidden = !text;
  if (!text) return;
  node.replaceChildren(t("Half a scan is waiting: “%(text)s”. A scan is taken only when the scanner ends it with Enter; nothing is used until then.",
    { text: shown(text).slice(0, 40) }), " ", el("a", { href: "/device/scanner" }, t("Scanner setup")));
}

/** A scanner the setup page found sending no end of scan cannot be used: say so on every workflow. */
function showScannerNotice(root) {
  const node = root.querySelector("#scanner-notice");
  if (!node) return;
  node.hidden = scannerSettings().terminator !== "none";
  if (!node.hidden) {
    node.replaceChildren(t("This handheld's scanner sends no Enter at the end of a scan, so Wardstock cannot tell where a scan ends and takes none. Add Enter as its suffix in the scanner's settings."),
      " ", el("a", { href: "/device/scanner#datawedge" }, t("Scanner setup")));
  }
}

/** The product's name for a raw scan, when the catalog knows it (else the code as read). */
function scannedName(ctx, raw) {
  try {
    const product = ctx.catalog.product(interpret(raw, ctx.config()).gtin);
    if (product) return product.name;
  } catch {
    /* not a code: show it as read */
  }
  return shown(raw);
}

/** This site's near-expiry days (NEAR_EXPIRY_DAYS), as the page carries them. */
export function nearExpiryDays() {
  const days = Number(document.body.dataset.nearExpiryDays);
  return Number.isInteger(days) && days >= 0 ? days : DEFAULT_NEAR_EXPIRY_DAYS;
}

async function startCamera(ctx) {
  try {
    const camera = await import("./camera.js");
    await camera.startCamera(ctx.root.querySelector("#camera"), ({ raw }) => {
      performance.clearMarks("scan-received");
      performance.mark("scan-received");
      ctx.scan(raw, "camera");
    });
    return { level: "idle", title: t("Camera on: hold the code in the frame") };
  } catch (error) {
    return { level: "error", title: t("The camera cannot scan here"), lines: [error.message || String(error)], hint: t("Take a photo instead, or use the scanner.") };
  }
}

async function uploadPhoto(ctx, inputNode) {
  const file = inputNode.files?.[0];
  inputNode.value = "";
  if (!file) return;
  if (!navigator.onLine) {
    ctx.say({ level: "error", title: t("Photos are read by the server"), lines: [t("There is no network now; use the scanner or the camera.")] });
    return;
  }
  ctx.say({ level: "idle", title: t("Reading the photo…") }, { sound: false });
  const { csrfToken } = await import("./device.js");
  const body = new FormData();
  body.append("photo", file);
  try {
    const response = await fetch("/device/photo", { method: "POST", body, headers: { "X-CSRFToken": csrfToken() } });
    const answer = await response.json();
    if (!response.ok || !answer.reads?.length) {
      ctx.say({ level: "error", title: t("No barcode read"), lines: [answer.message || t("The server answered %(status)s.", { status: String(response.status) })] });
      return;
    }
    for (const read of answer.reads) await ctx.scan(read.raw, "camera");
  } catch (error) {
    ctx.say({ level: "error", title: t("The photo could not be sent"), lines: [String(error)] });
  }
}

/** The earlier-expiring usable lot to take instead (first expiry, first out), as a sentence. */
export function fefoHint(catalog, product, location, exceptLot) {
  const best = catalog.fefo(product.id, location).find((entry) => entry.lot.name !== exceptLot);
  if (!best) return t("No usable lot of this product is in stock anywhere; ask the store.");
  const lot = best.lot.name;
  if (!best.lot.expiry) {
    return best.here > 0 ? t("Use lot %(lot)s (does not expire) instead: %(count)s here.", { lot, count: best.here })
      : t("Use lot %(lot)s (does not expire) instead: none here; in %(places)s.", { lot, places: best.elsewhere.join(", ") });
  }
  const date = formatDate(best.lot.expiry);
  return best.here > 0 ? t("Use lot %(lot)s (expires %(date)s) instead: %(count)s here.", { lot, date, count: best.here })
    : t("Use lot %(lot)s (expires %(date)s) instead: none here; in %(places)s.", { lot, date, places: best.elsewhere.join(", ") });
}

/** For consume and transfer: the checks an item scan must pass, or null when it may be used. */
export function refuseItem(ctx, scan, location) {
  if (scan.kind !== "product") {
    return { level: "error", title: notAnItem(scan.kind), lines: [t("Scan an item's label, or a location.")] };
  }
  if (!scan.gtin) return { level: "error", title: t("No product number on this label"), lines: [t("Scan the barcode that carries the GTIN (01).")] };
  const verdict = ctx.verdict(scan);
  if (verdict.product?.tracked_by_lot && !scan.lot) {
    return { level: "error", title: t("%(product)s: which lot?", { product: verdict.product.name }),
      lines: [t("This product is tracked by lot; scan the label that carries the lot (10).")] };
  }
  if (!verdict.usable) {
    return {
      level: "error", refused: true, verdict,
      title: verdict.recalled ? t("RECALLED — do not use") : t("EXPIRED — do not use"),
      big: verdict.product ? verdict.product.name : t("GTIN %(gtin)s", { gtin: scan.gtin }),
      lines: [verdict.reason],
      hint: verdict.product ? fefoHint(ctx.catalog, verdict.product, location, scan.lot) : "",
    };
  }
  return null;
}

/** The title for a code that is not an item's label, by what it is. */
function notAnItem(kind) {
  const titles = {
    location: () => t("This is a location code"),
    badge: () => t("This is a badge code"),
    internal: () => t("This is an internal code"),
    bin_card: () => t("This is a two-bin card"),
    receipt: () => t("This is a receipt's code"),
    asset: () => t("This is an asset code"),
    logistic_unit: () => t("This is a pallet or shipment code (SSCC)"),
  };
  return (titles[kind] || (() => t("This is not an item's label")))();
}

/**
 * An item that passed refuseItem: used at once when everything was checked, else held (amber)
 * with a sentence saying what could not be checked until the user taps `goOn`. `add()` takes the
 * item and returns its result; a near-expiry lot is taken amber, with its date (unless
 * `warnNearExpiry` is false: a count records what is there, whatever its date).
 */
export function checkedItem(ctx, scan, goOn, add, { warnNearExpiry = true } = {}) {
  const verdict = ctx.verdict(scan);
  if (!warnNearExpiry) verdict.nearExpiry = null;
  const notes = (line) => {
    const result = add(line);
    const warnings = [];
    if (verdict.unchecked) warnings.push(t("Not checked: %(why)s", { why: verdict.unchecked }));
    if (verdict.nearExpiry) warnings.push(t("Expires soon: on %(date)s. Use it first.", { date: formatDate(verdict.nearExpiry) }));
    if (warnings.length) Object.assign(result, { level: "warn", hint: [...warnings, result.hint].filter(Boolean).join(" ") });
    return result;
  };
  const line = { ...itemLine(ctx, scan), level: verdict.unchecked || verdict.nearExpiry ? "warn" : "ok",
    note: verdict.unchecked ? t("not checked on this handheld") : verdict.nearExpiry ? t("expires soon") : "" };
  // Asked once per product and lot: the next boxes of a lot already taken go on amber without asking again.
  if (!verdict.unchecked || ctx.draft.lines.some((l) => l.key === line.key)) return notes(line);
  return {
    level: "warn",
    title: t("Not checked: decide"),
    big: verdict.product ? verdict.product.name : t("GTIN %(gtin)s", { gtin: scan.gtin }),
    lines: [verdict.unchecked, t("Lot %(lot)s · expires %(date)s (the label's date is checked: not expired).",
      { lot: scan.lot || "–", date: scan.expiry ? formatDate(scan.expiry) : "–" })],
    hint: t("Tap “%(button)s” only if you are sure; otherwise set it aside and ask the store.", { button: goOn }),
    actions: [ctx.hold(goOn, () => notes(line))],
  };
}

/**
 * A scanned item as a line. `per_scan`: the units this scan adds: the label's own count of items
 * (AI 30) where it has one (GS1: the items the labelled thing contains, so never multiplied), else a
 * box's content; `pack`: "1 box = 10" for a box, else "". A box goes on its product's own GTIN line,
 * and commands carry units: the server never multiplies again.
 */
export function itemLine(ctx, scan) {
  const product = ctx.catalog.product(scan.gtin);
  const lot = product && scan.lot ? ctx.catalog.lot(product.id, scan.lot) : null;
  const pack = ctx.catalog.packQuantity(scan.gtin);
  const gtin = ctx.catalog.unitGtin(scan.gtin);
  return {
    key: lineKey(gtin, scan.lot),
    gtin,
    per_scan: scan.quantity || pack,
    pack: packWords(pack),
    product_id: product?.id ?? null,
    name: product?.name || t("Unknown product %(gtin)s", { gtin: scan.gtin }),
    lot: scan.lot,
    expiry: scan.expiry || lot?.expiry || null, // shown
    label_expiry: scan.expiry || null, // sent: what the label says
    level: product ? "ok" : "warn",
  };
}

/** A line as the device API takes it. */
export const wireLine = (line) => ({ gtin: line.gtin, lot: line.lot || null, expiry: line.label_expiry || null, quantity: line.quantity });
