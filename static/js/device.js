// Who is logged in on this page (from the body's data- attributes, never inline script) and the
// device's registration: POST /api/v1/devices once per user while logged in, with the handheld's own
// token (made on it, kept in IndexedDB): the first user registers it, the next ones are linked to it.
import { announce, getMeta, setMeta } from "./db.js";
import * as outbox from "./outbox.js";

export function currentUser() {
  const data = document.body.dataset;
  if (!data.userId) return null;
  return {
    id: Number(data.userId),
    name: data.userName || "",
    role: data.userRole || "",
    wards: (data.userWards || "").split(" ").filter(Boolean),
  };
}

export function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

/**
 * Make sure the server knows the device's token and that `user` is linked to it (a command is
 * accepted only from users who logged in on the device): 201 the first time (only this user
 * linked), 200 for each next user. A record from before tokens were made here has none: the
 * server then makes one and sends it.
 */
let registering = Promise.resolve(false);

export function ensureRegistered(user, options = {}) {
  // One at a time: a second call made while the first is out would go without the token it brings.
  registering = registering.then(() => register(user, options), () => register(user, options));
  return registering;
}

async function register(user, { force = false } = {}) {
  if (!user || !navigator.onLine) return false;
  const me = await outbox.device();
  if (!force && me.linked_users.includes(user.id)) return true;
  let response;
  try {
    response = await fetch("/api/v1/devices", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        ...(me.token ? { Authorization: `Bearer ${me.token}` } : {}),
      },
      body: JSON.stringify({ device_id: me.device_id, name: navigator.userAgent.slice(0, 120) }),
    });
  } catch {
    return false;
  }
  if (response.status === 401) endSession(); // the server ended this page's login meanwhile
  if (response.status !== 200 && response.status !== 201) return false;
  const { token, user_id: userId } = await response.json();
  const linked = response.status === 201 ? [userId] : [...new Set([...me.linked_users, userId])];
  await outbox.updateDevice({ token: token || me.token, linked_users: linked });
  const sync = await getMeta("sync", {});
  await setMeta("sync", { ...sync, needs_login: false, last_error: "" });
  return true;
}

/**
 * Has the server ended this page's login (idle logout, or the longest shift) while the handheld
 * was offline or asleep? Asked only when it comes back online or the screen is turned on, with the
 * session cookie and no token: a 401 means the session is gone. Never ask on a timer: every asked
 * question counts as activity and would keep an idle session alive.
 */
export async function sessionEnded() {
  if (!currentUser() || !navigator.onLine) return false;
  try {
    const response = await fetch("/api/v1/commands/status?ids=", { credentials: "same-origin", cache: "no-store" });
    return response.status === 401;
  } catch {
    return false; // no answer: the next return online asks again
  }
}

/**
 * A handheld left lying about, online or not, stops acting for its last user after the server's
 * idle time (body data-idle-minutes) without a touch, a key or a scan. The server ends an idle
 * login too, but an offline handheld only learns of it when it is back. The check runs before
 * the touch counts, so the tap that wakes an idle handheld cannot confirm in that user's name.
 */
export function lockWhenIdle() {
  const minutes = Number(document.body.dataset.idleMinutes);
  if (!currentUser() || !(minutes > 0)) return;
  const limit = minutes * 60 * 1000;
  let last = Date.now();
  const idle = () => Date.now() - last >= limit;
  const touched = () => {
    if (idle()) endSession();
    else last = Date.now();
  };
  for (const type of ["pointerdown", "keydown", "input"]) addEventListener(type, touched, { capture: true, passive: true });
  const timer = setInterval(() => {
    if (!idle()) return;
    clearInterval(timer);
    endSession();
  }, 15 * 1000);
}

/**
 * The page stops acting for a user whose session ended: nothing new is confirmed in their name
 * (drafts and the outbox stay), it no longer shows them as logged in, and the cached pages go, as
 * at logout (they carry the user's name and form tokens, and would otherwise open as logged in offline).
 */
export function endSession() {
  if (document.body.dataset.session === "ended") return;
  for (const key of ["userId", "userName", "userRole", "userWards"]) delete document.body.dataset[key];
  document.body.dataset.session = "ended";
  for (const stale of document.querySelectorAll(".whobar .who, form[data-logout]")) stale.remove();
  globalThis.caches?.delete("pages").catch(() => {});
  announce("session");
}

// --- Logging out, offline too ---------------------------------------------------------------------
// The page ends the session here at once (nothing more in that user's name, the cached pages go,
// the login screen comes from the service worker's copy), and the server's session is ended at the
// next contact (flushLogout). The outbox is not touched: each command stays its capturer's.
const LOGOUT_PENDING = "logout_pending";
const LOGOUT_WAIT_MS = 4000;

export async function logOut(form) {
  const user = currentUser();
  if (user) await setMeta(LOGOUT_PENDING, { user_id: user.id, at: new Date().toISOString() });
  endSession();
  await globalThis.caches?.delete("pages").catch(() => {});
  await endServerSession(new FormData(form).get("csrf_token"));
  location.replace("/login");
}

/** A logout made offline is finished on the server once it answers; only this page's own user's. */
export async function flushLogout() {
  const pending = await getMeta(LOGOUT_PENDING);
  if (!pending || !navigator.onLine) return;
  const user = currentUser();
  if (user && user.id !== pending.user_id) {
    await setMeta(LOGOUT_PENDING, null); // someone logged in since: their login ended the old session
    return;
  }
  if (user) endSession(); // a page from the server that still shows the person who logged out
  if (await endServerSession(await freshFormToken())) {
    if (user) location.replace("/login");
  }
}

async function endServerSession(token) {
  if (!token || !navigator.onLine) return false;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), LOGOUT_WAIT_MS);
  try {
    const response = await fetch("/logout", {
      method: "POST", body: new URLSearchParams({ csrf_token: token }), credentials: "same-origin", redirect: "manual", signal: controller.signal,
    });
    // 302 to the login page (opaque here), or 401: this browser's session is gone either way.
    if (response.type === "opaqueredirect" || response.ok || response.status === 401) {
      await setMeta(LOGOUT_PENDING, null);
      return true;
    }
  } catch {
    /* no answer: the next contact tries again */
  } finally {
    clearTimeout(timer);
  }
  return false;
}

/** The form token of the session this browser carries now (the login page's, asked fresh). */
export async function freshFormToken() {
  try {
    const response = await fetch("/login", { credentials: "same-origin", cache: "no-store" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    return page.querySelector("input[name=csrf_token]")?.value || "";
  } catch {
    return "";
  }
}
