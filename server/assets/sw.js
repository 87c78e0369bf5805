// Wanshan's service worker: keeps the last public board, the need pages and the impact page
// readable when the connection drops, and says so on the page. Served by the server at /sw.js
// with this build's version in place of __VERSION__, so a new build replaces the old worker
// and its caches by itself.
//
// What it keeps: the client's files (/pkg/, icons) and the public pages below, as last seen.
// What it never keeps: anything but GET, anything under /api/, any page the server marked
// private or no-store (everything a signed-in person is shown), and every other page.
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

// The public pages worth keeping: the board (any filter), a need's page, the impact page.
function isKeptPage(url) {
  return url.pathname === "/" || /^\/needs\/\d+$/.test(url.pathname) || url.pathname === "/impact";
}

function isStatic(url) {
  return url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/") || url.pathname === "/favicon.svg";
}

// Whether the server allows this response to be kept on the device.
function mayKeep(response) {
  if (!response || !response.ok || response.type !== "basic") return false;
  const control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return !control.includes("no-store") && !control.includes("private");
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      .then((cache) => cache.addAll(STATIC_FILES))
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

async function staticFirst(request) {
  const cache = await caches.open(STATIC_CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (mayKeep(response)) cache.put(request, response.clone());
  return response;
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
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (mayKeep(response)) {
      await cache.put(request, response.clone());
      trim(cache);
    } else if (response.ok) {
      // A page the server says is private (a signed-in person's): any older public copy of
      // this address goes too, so the device never shows a stale mix.
      await cache.delete(request);
    }
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) return markOffline(kept);
    return offlinePage(request);
  }
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
  return new Response(marked, {
    status: 200,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function offlinePage() {
  const html = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>离线 · Offline</title><link rel="stylesheet" href="/pkg/wanshan.css"></head><body><main><h1>网络已断开</h1><div class="offline-banner" role="status" data-testid="offline-banner">这个页面还没有保存在本机，连上网络后再打开。<span lang="en">Offline: this page was not kept on this device. Open it again when you are back online.</span></div><p><a href="/">需求墙 · The board</a></p></main></body></html>`;
  return new Response(html, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}
