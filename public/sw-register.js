// Registers the service worker (it keeps the last board and need pages readable offline).
// The browser checks /sw.js for a new version on every visit, bypassing its HTTP cache.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" }).catch(function () {});
  });
}
