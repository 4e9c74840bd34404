// Turn push notifications on or off for this browser (the notification settings page).
const section = document.querySelector("[data-push-available='1']");

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function keyBytes(base64url) {
  const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function send(method, body) {
  const response = await fetch("/api/v1/push/subscriptions/", {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  if (!response.ok && response.status !== 204) throw new Error(`HTTP ${response.status}`);
}

async function setUp() {
  if (!section) return;
  const state = section.querySelector("[data-push-state]");
  const enable = section.querySelector("[data-push-enable]");
  const disable = section.querySelector("[data-push-disable]");
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    state.textContent = "This browser cannot receive push notifications.";
    return;
  }
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  const show = (subscription) => {
    enable.hidden = Boolean(subscription);
    disable.hidden = !subscription;
    state.textContent = subscription
      ? "Push notifications are on for this device."
      : "Push notifications are off for this device.";
  };
  show(await registration.pushManager.getSubscription());
  enable.addEventListener("click", async () => {
    try {
      const answer = await fetch("/api/v1/push/vapid-public-key/", { credentials: "same-origin" });
      const { public_key: key } = await answer.json();
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(key),
      });
      await send("POST", subscription.toJSON());
      show(subscription);
    } catch (error) {
      state.textContent = `Push could not be turned on (${error.message}). Check the browser's permission for this site.`;
    }
  });
  disable.addEventListener("click", async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await send("DELETE", { endpoint: subscription.endpoint }).catch(() => {});
      await subscription.unsubscribe();
    }
    show(null);
  });
}

setUp();
