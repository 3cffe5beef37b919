// Every page loads this module: the page language's translations, the service worker, persistent
// storage, syncing and the sync badge, then the page's own module (named by <body data-page>), once
// the translations are in (its first sentence is already in the page's language). No inline script.
import { endSession, flushLogout, freshFormToken, lockWhenIdle, logOut } from "./device.js";
import { loadTranslations } from "./i18n.js";
import { startSync, syncNow } from "./sync.js";

const translations = loadTranslations(); // asked first: the worker's kept copy answers in a few ms

const PAGES_CACHE = "pages"; // the service worker's cache of pages (static/sw.js)
const PAGES = {
  consume: "./consume.js",
  transfer: "./transfer.js",
  count: "./count.js",
  receive: "./receive.js",
  replenish: "./replenish.js",
  "replenish-pick": "./replenish-pick.js",
  queue: "./queue.js",
  scanner: "./scanner-setup.js",
  sweep: "./sweep.js",
  waste: "./waste.js",
  "vendor-return": "./vendor-return.js",
  "waste-dashboard": "./waste-dashboard.js",
  recall: "./recall.js",
};

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return null;
  try {
    const registration = await navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/", updateViaCache: "none" });
    // A page whose navigation began while the worker was still installing is not claimed by it: ask again.
    navigator.serviceWorker.ready.then((ready) => {
      if (!navigator.serviceWorker.controller) ready.active?.postMessage({ type: "claim" });
    });
    return registration;
  } catch (error) {
    console.warn("service worker not registered", error);
    return null;
  }
}

async function askPersistentStorage() {
  // Unsynced commands must survive storage pressure: ask the browser not to evict this site.
  try {
    if (navigator.storage?.persist && !(await navigator.storage.persisted())) await navigator.storage.persist();
  } catch {
    /* not granted: the outbox still works, it may just be evicted under pressure */
  }
}

function hookLogout() {
  for (const form of document.querySelectorAll("form[data-logout]")) {
    // Ended here at once, online or not; the outbox is never cleared, only the cached pages go.
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      logOut(form);
    });
  }
}

/**
 * The login forms may come from the service worker's copy (after a logout offline): offline they
 * say so instead of showing the browser's error page; online they take a fresh form token first.
 */
function hookLogin() {
  for (const form of document.querySelectorAll("form[data-login]")) {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.fresh === "true") return;
      event.preventDefault();
      const notice = document.getElementById("login-offline");
      if (!navigator.onLine) {
        notice.hidden = false;
        return;
      }
      await flushLogout();
      const token = await freshFormToken();
      if (!token) {
        notice.hidden = false;
        return;
      }
      for (const input of form.querySelectorAll("input[name$=csrf_token]")) input.value = token;
      form.dataset.fresh = "true";
      form.requestSubmit();
    });
  }
}

/**
 * Keep for offline use this page and the screens the home page names (a[data-warm]), as the
 * logged-in user sees them now. Done from the page with the Cache API once the worker is active:
 * a page that loaded before the worker controlled it never passed through its cache.
 */
async function warmPages() {
  if (!document.body.dataset.userId || !("caches" in globalThis)) return;
  await navigator.serviceWorker?.ready;
  const links = [...document.querySelectorAll("a[data-warm]")].map((a) => a.getAttribute("href"));
  const urls = [...new Set([location.pathname + location.search, ...(links.length ? ["/", ...links] : [])])];
  const cache = await caches.open(PAGES_CACHE);
  for (const url of urls) {
    if (await cache.match(url)) continue;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(url, response);
    } catch {
      /* offline: keep what is there */
    }
  }
}

function hookSessionEnd() {
  // A fragment asked after the server ended the session comes back as the login page (htmx follows
  // the redirect): say that the session ended instead of drawing a login form inside this page.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const url = event.detail.xhr?.responseURL;
    if (url && new URL(url).pathname === "/login") {
      event.detail.shouldSwap = false;
      endSession();
    }
  });
}

async function boot() {
  const registration = registerServiceWorker();
  hookLogout();
  hookLogin();
  hookSessionEnd();
  lockWhenIdle();
  askPersistentStorage();
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-action=sync-now]")) syncNow({ force: true });
  });
  await translations;
  const page = PAGES[document.body.dataset.page];
  const pageModule = page ? import(page).catch((error) => console.error(`page module ${page}`, error)) : null;
  await registration;
  warmPages();
  await startSync();
  await pageModule;
  document.documentElement.dataset.booted = "true";
}

boot();
