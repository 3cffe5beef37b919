// Wardstock's service worker (a module; served from /sw.js by views/device.py, which fills in the
// version and the precache list). It keeps the app usable offline:
//  - the app shell (CSS, our modules, vendor files, the camera wasm, icons) is precached, cache-first;
//  - pages and htmx fragments are network-first with the last good copy as fallback; the cache
//    honours Vary, and pages answer Vary: HX-Request, so a fragment never stands in for a page;
//  - the handheld's translations (/i18n/<lang>.json, the page's language) are answered from their
//    kept copy at once and refreshed behind (static/js/i18n.js keeps a copy too, before this worker
//    controls the page), so every page shows its language offline;
//  - /api/ is never cached nor replayed here: the device outbox (IndexedDB) and replay.js own that;
//  - Background Sync and every start of the worker run a replay.
import { replay } from "/static/js/replay.js";

const VERSION = "__VERSION__";
const PRECACHE = ["__PRECACHE__"];
const SHELL = `shell-${VERSION}`;
const PAGES = "pages";
const TRANSLATIONS = "i18n"; // the same cache static/js/i18n.js keeps its copy in
const OFFLINE_PAGE = "/device/offline";
const LOGIN_PAGE = "/login"; // precached without cookies: names no one; what a logout offline shows

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    // Without cookies: the shell is the same for everyone, and a request that carried the session
    // could overwrite the cookie a concurrent login just set (and with it the CSRF token).
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload", credentials: "omit" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith("shell-") && name !== SHELL) await caches.delete(name);
    await self.clients.claim();
    replay().catch(() => {});
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(shellFirst(request));
    return;
  }
  if (url.pathname.startsWith("/i18n/")) {
    event.respondWith(keptThenRefreshed(request, event));
    return;
  }
  event.respondWith(networkFirst(request));
});

async function shellFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

/** The kept copy at once (refreshed behind, for the next page); the network when there is none yet. */
async function keptThenRefreshed(request, event) {
  const cache = await caches.open(TRANSLATIONS);
  const refresh = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(request, response.clone());
    return response;
  });
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) {
    event.waitUntil(refresh.catch(() => {}));
    return kept;
  }
  return refresh;
}

async function networkFirst(request) {
  const cache = await caches.open(PAGES);
  const login = new URL(request.url).pathname === LOGIN_PAGE;
  try {
    const response = await fetch(request);
    const html = (response.headers.get("Content-Type") || "").startsWith("text/html");
    // Only a page as the logged-in user saw it: not a redirect to the login screen, not an error,
    // not the login screen (it names who is logged in; the anonymous copy is in the shell).
    if (response.ok && html && !response.redirected && !login) await cache.put(request, response.clone());
    if (response.redirected && new URL(response.url).pathname === "/login") await caches.delete(PAGES);
    return response;
  } catch (error) {
    if (login) {
      const anonymous = await caches.match(LOGIN_PAGE, { ignoreSearch: true, cacheName: SHELL });
      if (anonymous) return anonymous;
    }
    const cached = await cache.match(request); // matches on Vary (HX-Request) like any HTTP cache
    if (cached) return cached;
    if (request.mode === "navigate") {
      const offline = await caches.match(OFFLINE_PAGE);
      if (offline) return offline;
    }
    throw error;
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === "wardstock-replay") event.waitUntil(replay({ force: true }));
});

self.addEventListener("message", (event) => {
  const { type } = event.data || {};
  if (type === "claim") {
    event.waitUntil(self.clients.claim());
  } else if (type === "replay") {
    event.waitUntil(replay({ force: true }));
  }
});
