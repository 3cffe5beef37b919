// "My queue": every command captured on this handheld, whoever captured it, with its state here
// and on the server; retry or set aside a refused one. The server's own view of this device comes
// as an htmx fragment (the page's server_queue block), asked only when online.
import { listen } from "./db.js";
import { el } from "./feedback.js";
import { formatDateTime, formatTime, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { syncState } from "./replay.js";
import { currentUser } from "./device.js";
import { syncNow } from "./sync.js";

// Functions, so each is said in the language loaded when the list is drawn.
const KINDS = {
  consume: () => t("Used"), transfer: () => t("Moved"), count: () => t("Counted"), receive: () => t("Received"),
  receive_unplanned: () => t("Received (unplanned)"), receive_validate: () => t("Receipt validated"),
};

const LABELS = {
  pending: () => t("waiting to be sent"),
  failed: () => t("refused by the server"),
  dismissed: () => t("set aside"),
  queued: () => t("on the server, queued"),
  syncing: () => t("being applied"),
  retrying: () => t("the inventory is not answering; retrying"),
  conflict: () => t("waiting for a supervisor"),
  done: () => t("applied"),
  discarded: () => t("discarded by a supervisor"),
};

function stateOf(command) {
  return command.state === "sent" ? command.server_status || "queued" : command.state;
}

/** One record. Another person's shows what it is and its state, not their messages or buttons. */
function item(command) {
  const state = stateOf(command);
  const user = currentUser();
  const mine = user && (command.user_id === user.id || user.role === "supervisor");
  const when = formatDateTime(command.captured_at);
  const actions = mine && command.state === "failed"
    ? el("div", { class: "row" },
      el("button", { type: "button", class: "button button-secondary", "data-queue-action": "retry", "data-op": command.op_id }, t("Try again")),
      el("button", { type: "button", class: "button button-secondary", "data-queue-action": "dismiss", "data-op": command.op_id }, t("Set aside")))
    : null;
  return el("li", { class: `queue-item state-${command.state} server-${command.server_status || "none"}`, dataset: { op: command.op_id, state } },
    el("p", {}, el("span", { class: `status-chip status-${state}` }, LABELS[state]?.() || state), " ",
      el("strong", {}, KINDS[command.kind]?.() || command.kind.replace("_", " "))),
    el("p", {}, command.summary || ""),
    el("p", { class: "help" }, t("Captured by %(name)s, %(when)s · #%(number)s",
      { name: command.user_name || t("user %(id)s", { id: String(command.user_id) }), when, number: String(command.device_seq) })),
    mine && command.message ? el("p", { class: state === "failed" || state === "conflict" ? "field-error" : "help" }, command.message) : null,
    actions);
}

async function draw() {
  const commands = (await outbox.all()).reverse();
  const sync = await syncState();
  document.getElementById("queue-list").replaceChildren(...commands.map(item));
  document.getElementById("queue-empty").hidden = commands.length > 0;
  const counts = await outbox.counts({ userId: currentUser()?.id ?? null });
  const status = [t("%(count)s waiting to be sent", { count: counts.pending }), t("%(count)s of yours refused", { count: counts.failed }),
    t("%(count)s of yours waiting for a supervisor", { count: counts.conflict })];
  if (!navigator.onLine) status.unshift(t("Offline"));
  else if (sync.needs_login) status.unshift(t("Log in to send"));
  if (sync.last_ok_at) status.push(t("last sent %(time)s", { time: formatTime(sync.last_ok_at) }));
  document.getElementById("queue-status").textContent = status.join(" · ");
}

let serverTimer = null;
function refreshServerView() {
  // Debounced: a sync announces several changes in a row.
  clearTimeout(serverTimer);
  serverTimer = setTimeout(() => {
    if (navigator.onLine && globalThis.htmx && deviceId) htmx.trigger(document.body, "refresh-server-queue");
  }, 300);
}

let deviceId = "";
document.addEventListener("htmx:configRequest", (event) => {
  // Tell the server which handheld this is (its id lives in IndexedDB, not in a cookie).
  if (event.detail.elt?.id === "server-queue") event.detail.parameters.device_id = deviceId;
});

document.getElementById("queue-list").addEventListener("click", async (event) => {
  const button = event.target.closest("[data-queue-action]");
  if (!button) return;
  if (button.dataset.queueAction === "retry") {
    await outbox.retry(button.dataset.op);
    syncNow({ force: true });
  } else {
    await outbox.dismiss(button.dataset.op);
  }
  draw();
});

listen(() => {
  draw();
  refreshServerView();
});
addEventListener("online", () => {
  draw();
  refreshServerView();
});
addEventListener("offline", draw);
setInterval(draw, 5000);
// Learn the device id before the first fragment request goes out.
outbox.device().then((me) => {
  deviceId = me.device_id;
  draw();
  refreshServerView();
});
