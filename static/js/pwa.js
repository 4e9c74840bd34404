// Registers the service worker (/sw.js, root scope): the installable app, the offline page and
// push notifications. A progressive enhancement: every page works without it.
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  });
}
