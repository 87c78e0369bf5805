// Wanshan's service worker: keeps the last public board, the need pages and the impact page
// readable when the connection drops, and says so on the page. Served by the server at /sw.js
// with this build's version in place of __VERSION__, so a new build replaces the old worker
// and its caches by itself.
//
// What it keeps: the client's files (/pkg/, icons) and the public pages below, as last seen.
// What it never keeps: anything but GET, anything under /api/, any page the server did not
// mark `X-Wanshan-Offline: keep` (it never marks what a signed-in person is shown), a need
// that is gone (its copy is deleted on 404), and every other page.
"use strict";

const VERSION = "__VERSION__";
const STATIC_CACHE = `wanshan-static-${VERSION}`;
const PAGE_CACHE = `wanshan-pages-${VERSION}`;
const MAX_PAGES = 40;
const NETWORK_TIMEOUT_MS = 5000;
const STATIC_FILES = [
  "/pkg/wanshan.css",
  "/pkg/wanshan.js",
  "/pkg/wanshan_bg.wasm",
  "/favicon.svg",
  "/icons/icon-192.png",
  "/manifest.webmanifest",
];

// The public pages worth keeping: the board (by its filter), a need's page, the impact page.
function isKeptPage(url) {
  return url.pathname === "/" || /^\/needs\/\d+$/.test(url.pathname) || url.pathname === "/impact";
}

// The address a kept page is kept under: a need's page and the impact page without any query;
// the board with its filter only (window, town), or not at all (null) when the address carries
// anything else (a form's outcome, a tracking tag), so a crafted link cannot fill the cache.
function keptKey(url) {
  if (url.pathname !== "/") return url.origin + url.pathname;
  const kept = new URLSearchParams();
  for (const [name, value] of url.searchParams) {
    if (name !== "window" && name !== "town") return null;
    kept.append(name, value);
  }
  kept.sort();
  const query = kept.toString();
  return url.origin + "/" + (query ? "?" + query : "");
}

function isStatic(url) {
  return url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/") || url.pathname === "/favicon.svg";
}

// Only what the server marked as keepable (a public page that rendered whole: never anything a
// signed-in person is shown) and only a plain 200 from this site.
function mayKeepPage(response) {
  return response.status === 200 && response.type === "basic" && response.headers.get("X-Wanshan-Offline") === "keep";
}

function mayKeepFile(response) {
  return response.status === 200 && response.type === "basic";
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      .then((cache) => cache.addAll(STATIC_FILES.map((file) => new Request(file, { cache: "reload" }))))
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("wanshan-") && name !== STATIC_CACHE && name !== PAGE_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (isStatic(url)) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate" && isKeptPage(url)) {
    event.respondWith(networkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => offlinePage(null)));
  }
});

// The client's files: from the network when it answers (the browser's own HTTP cache still
// applies), so a page after a deploy never runs an old client; the kept copy when offline.
async function staticFirst(request) {
  const cache = await caches.open(STATIC_CACHE);
  try {
    const response = await fetch(request);
    if (mayKeepFile(response)) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function networkFirst(request) {
  const cache = await caches.open(PAGE_CACHE);
  const key = keptKey(new URL(request.url));
  let response;
  try {
    response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
  } catch (error) {
    const kept = key && (await cache.match(key));
    if (kept) return markOffline(kept);
    return offlinePage();
  }
  if (key && mayKeepPage(response)) {
    await cache.put(key, response.clone());
    trim(cache);
  } else if (key && (response.ok || response.status === 404 || response.status === 410)) {
    // Not keepable now (a signed-in person's page) or gone (a withdrawn need): any older copy
    // of this address goes too, so the device never shows what is no longer public.
    await cache.delete(key);
  }
  return response;
}

async function trim(cache) {
  const keys = await cache.keys();
  for (const key of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) {
    await cache.delete(key);
  }
}

const NOTICE = {
  "zh-CN": "离线：这是您上次在线时看到的内容，可能已经变化。连上网络后会自动更新。",
  en: "Offline: this is what you saw when you were last online; it may have changed. It updates by itself when you are back online.",
};

// The kept page with a notice at the top of its body saying it is what was last seen.
async function markOffline(response) {
  const html = await response.text();
  const lang = /<html[^>]*\blang="en"/.test(html) ? "en" : "zh-CN";
  const notice = `<div class="offline-banner" role="status" data-testid="offline-banner">${NOTICE[lang]}</div>`;
  const marked = html.replace(/<body([^>]*)>/, (body) => `${body}${notice}`);
  // The page's own headers (its Content-Security-Policy, whose nonce matches the kept HTML,
  // and the rest), not to be stored again.
  const headers = new Headers(response.headers);
  headers.set("Cache-Control", "no-store");
  headers.delete("X-Wanshan-Offline");
  headers.delete("Content-Length");
  headers.delete("Content-Encoding");
  return new Response(marked, { status: 200, headers });
}

function offlinePage() {
  const html = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>离线 · Offline</title><link rel="stylesheet" href="/pkg/wanshan.css"></head><body><main><h1>网络已断开</h1><div class="offline-banner" role="status" data-testid="offline-banner">这个页面还没有保存在本机，连上网络后再打开。<span lang="en">Offline: this page was not kept on this device. Open it again when you are back online.</span></div><p><a href="/">需求墙 · The board</a></p></main></body></html>`;
  return new Response(html, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}
