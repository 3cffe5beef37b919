// The page's side of syncing: when to replay (start, back online, page visible again, a timer,
// "Sync now", Background Sync when offline), keeping the device registered for whoever is logged
// in, and the sync badge every page shows. Each replay also brings the catalog up to date (replay.js).
import { listen } from "./db.js";
import { csrfToken, currentUser, endSession, ensureRegistered, flushLogout, sessionEnded } from "./device.js";
import { nt, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { replay, syncState } from "./replay.js";

const TIMER_MS = 20000;
let running = null;
let again = null;
let againForced = false;
let retryTimer = null;

/** Replay now (everything pending when `force`). Safe to call often: one run at a time, and a call
 * made during a run gets one more run right after (forced if any of those calls was): a command
 * captured while a sync was under way is not left for the timer. */
export function syncNow({ force = true } = {}) {
  if (running) {
    againForced ||= force;
    again ||= running.then(() => {
      const forced = againForced;
      again = null;
      againForced = false;
      return syncNow({ force: forced });
    });
    return again;
  }
  running = (async () => {
    try {
      if (!navigator.onLine) {
        await askBackgroundSync();
        return;
      }
      await flushLogout();
      const user = currentUser();
      if (user) await ensureRegistered(user);
      const csrf = user ? csrfToken() : ""; // a handheld not registered yet still gets its catalog for whoever is logged in
      const summary = await replay({ force, csrf });
      if (summary.login && user && (await ensureRegistered(user, { force: true }))) await replay({ force: true, csrf });
    } catch (error) {
      console.warn("sync failed", error);
    } finally {
      running = null;
      await updateBadge();
      await scheduleRetry();
    }
  })();
  return running;
}

/** Come back when the first command held back by its backoff is due (after a 5xx, a timeout or a
 * lost network), rather than on the 20 s timer: the backoff, not the timer, paces the retries. */
async function scheduleRetry() {
  clearTimeout(retryTimer);
  const at = await outbox.nextTryAt();
  if (at !== null) retryTimer = setTimeout(() => syncNow({ force: false }), at - Date.now());
}

/** After a command is captured: count it on the badge, then send it now if online (not waited for:
 * the screen goes on while it is sent), else let the browser wake us when it is. */
export async function syncSoon() {
  await updateBadge();
  if (navigator.onLine) syncNow({ force: false });
  else await askBackgroundSync();
}

async function askBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register("wardstock-replay");
  } catch {
    /* no Background Sync: the online event and the timer do it */
  }
}

/**
 * The badge, in words: "offline" whenever the browser is offline (whatever else), then how many
 * records wait to be sent from this handheld (everyone's: the handheld sends them all) and how many
 * of the logged-in person's own were refused or wait for a supervisor. Another person's refusals
 * are theirs: they are not shown to the next user of the handheld.
 */
export async function updateBadge() {
  const badge = document.getElementById("sync-badge");
  if (!badge) return;
  const user = currentUser();
  const [counts, state] = [await outbox.counts({ userId: user?.id ?? null }), await syncState()];
  const failed = counts.failed + counts.conflict;
  let status = "ok";
  let text = t("all sent");
  if (!navigator.onLine) [status, text] = ["offline", t("offline")];
  else if (state.needs_login && counts.pending) [status, text] = ["login", t("log in to send")];
  // TRANSLATORS: the sync badge, when some of your entries were refused or wait for a supervisor: "go and look".
  else if (failed) [status, text] = ["failed", t("check")];
  else if (counts.pending) [status, text] = ["pending", t("sending")];
  else if (counts.waiting) [status, text] = ["pending", t("on the server")];
  badge.dataset.state = status;
  badge.dataset.pending = String(counts.pending);
  badge.dataset.failed = String(failed);
  const pendingNode = badge.querySelector(".sync-pending");
  pendingNode.textContent = nt("%(count)s to send", "%(count)s to send", counts.pending);
  pendingNode.hidden = counts.pending === 0 && status !== "offline";
  const failedNode = badge.querySelector(".sync-failed");
  failedNode.textContent = nt("%(count)s to check", "%(count)s to check", failed);
  failedNode.hidden = failed === 0;
  badge.querySelector(".sync-text").textContent = text;
  badge.title = [
    nt("%(count)s entry waits to be sent from this handheld.", "%(count)s entries wait to be sent from this handheld.", counts.pending),
    t("Yours: refused %(refused)s, waiting for a supervisor %(parked)s.", { refused: counts.failed, parked: counts.conflict }),
  ].join(" ");
  badge.setAttribute("aria-label", t("Sync: %(state)s. %(details)s", { state: text, details: badge.title }));
  const notice = document.getElementById("sync-notice");
  if (notice) showNotice(notice, counts.pending, state.needs_login);
}

function showNotice(notice, pending, needsLogin) {
  if (document.body.dataset.session === "ended") {
    const again = document.createElement("a");
    again.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    again.textContent = t("log in again");
    // TRANSLATORS: %(login)s is the link "log in again".
    let sentence = t("Your session has ended: %(login)s to carry on. Nothing you scanned is lost: all you confirmed has been sent, and what is not confirmed yet stays here.");
    if (pending && needsLogin) {
      // TRANSLATORS: %(login)s is the link "log in again".
      sentence = nt("Your session has ended: %(login)s to carry on. Nothing you scanned is lost: %(count)s saved entry stays on this handheld and is sent once you log in.",
        "Your session has ended: %(login)s to carry on. Nothing you scanned is lost: %(count)s saved entries stay on this handheld and are sent once you log in.", pending);
    } else if (pending) {
      // TRANSLATORS: %(login)s is the link "log in again".
      sentence = nt("Your session has ended: %(login)s to carry on. Nothing you scanned is lost: %(count)s saved entry on this handheld is sent as soon as the server answers.",
        "Your session has ended: %(login)s to carry on. Nothing you scanned is lost: %(count)s saved entries on this handheld are sent as soon as the server answers.", pending);
    }
    const [before, after = ""] = sentence.split("%(login)s");
    notice.replaceChildren(before, again, after);
    notice.hidden = false;
    return;
  }
  notice.hidden = !(needsLogin && pending);
  notice.textContent = currentUser()
    ? t("Registering this handheld…")
    : nt("%(count)s saved entry on this handheld waits to be sent: log in to send it.",
      "%(count)s saved entries on this handheld wait to be sent: log in to send them.", pending);
}

/** Back online or the screen turned on: first learn whether the login survived the gap, then sync. */
async function resume(force) {
  if (await sessionEnded()) endSession();
  return syncNow({ force });
}

export function startSync() {
  listen(() => updateBadge());
  updateBadge(); // what this handheld keeps, at once: the first replay may take a while to answer
  addEventListener("online", () => resume(true));
  addEventListener("offline", () => updateBadge());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") resume(false);
  });
  setInterval(() => {
    if (document.visibilityState === "visible") syncNow({ force: false });
  }, TIMER_MS);
  return syncNow({ force: false });
}
