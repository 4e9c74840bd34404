// Progressive enhancements only: every page works without this file.

const relative = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, {
  numeric: "auto",
});
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const STEPS = [
  ["year", 31536000],
  ["month", 2592000],
  ["week", 604800],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

/** `<time datetime data-relative>` shows "3 hours ago"; the exact time stays in its title. */
function formatTimes(root) {
  for (const el of root.querySelectorAll("time[datetime][data-relative]")) {
    const date = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(date.getTime())) continue;
    const seconds = (date.getTime() - Date.now()) / 1000;
    const [unit, size] = STEPS.find(([, s]) => Math.abs(seconds) >= s) || ["second", 1];
    el.title ||= absolute.format(date);
    el.textContent =
      unit === "second" && Math.abs(seconds) < 45
        ? "just now"
        : relative.format(Math.round(seconds / size), unit);
  }
}

/** Menus are <details> (the account menu, a status's actions): they open and close without
 * JavaScript; this also closes them on Escape and on a click elsewhere. */
const MENUS = "details.account-menu, details.popover";

function closeMenus(except) {
  for (const menu of document.querySelectorAll(`:is(${MENUS})[open]`)) {
    if (menu !== except) menu.open = false;
  }
}
document.addEventListener("click", (event) => {
  closeMenus(event.target.closest(MENUS));
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = [...document.querySelectorAll(`:is(${MENUS})[open]`)].pop();
  if (open) {
    open.open = false;
    open.querySelector("summary").focus();
  }
});

/** `<span data-count-for="id">` counts what is left of its textarea's maxlength, near the end. */
function updateCount(counter) {
  const field = document.getElementById(counter.dataset.countFor);
  const max = Number(field?.getAttribute("maxlength"));
  if (!max) return;
  const left = max - field.value.length;
  counter.textContent = left <= 200 ? `${left.toLocaleString()} characters left` : "";
  counter.classList.toggle("composer__count--warn", left <= 200 && left > 20);
  counter.classList.toggle("composer__count--over", left <= 20);
}
document.addEventListener("input", (event) => {
  const id = event.target.id;
  if (!id) return;
  for (const counter of document.querySelectorAll(`[data-count-for="${CSS.escape(id)}"]`)) {
    updateCount(counter);
  }
});

/** After "Load more", move focus to the first new person so keyboard users keep their place. */
document.addEventListener("htmx:afterSettle", () => {
  const start = document.querySelector("[data-page-start]");
  if (!start) return;
  start.removeAttribute("data-page-start");
  start.querySelector("a:not([tabindex='-1'])")?.focus();
});

function enhance(root) {
  formatTimes(root);
  for (const counter of root.querySelectorAll("[data-count-for]")) updateCount(counter);
}
document.addEventListener("htmx:load", (event) => enhance(event.target));

/** An in-place action that fails says so below its form instead of silently doing nothing. */
function errorNote(elt, create) {
  const anchor = elt?.closest?.(".reactions, form");
  if (!anchor) return null;
  const next = anchor.nextElementSibling;
  if (next?.classList.contains("request-error")) return next;
  if (!create) return null;
  const note = document.createElement("p");
  note.className = "alert alert--error request-error";
  note.setAttribute("role", "alert");
  anchor.after(note);
  return note;
}
function requestError(event) {
  const note = errorNote(event.detail.elt, true);
  if (!note) return;
  note.textContent =
    event.type === "htmx:sendError"
      ? "Could not reach the server. Check your connection and try again."
      : "That did not work. Please try again in a moment.";
}
document.addEventListener("htmx:responseError", requestError);
document.addEventListener("htmx:sendError", requestError);
document.addEventListener("htmx:beforeRequest", (event) => {
  errorNote(event.detail.elt, false)?.remove();
});
enhance(document);
setInterval(() => formatTimes(document), 60000);

// A scrolling row of tabs shows the current one, even when it is past the right edge.
for (const current of document.querySelectorAll(".chip-row--scroll [aria-current='page']")) {
  const row = current.closest(".chip-row--scroll");
  row.scrollLeft = current.offsetLeft - row.offsetLeft - 16;
}
