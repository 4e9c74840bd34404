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

/** The account menu is a <details>: also close it on Escape and on a click elsewhere. */
function closeMenus(except) {
  for (const menu of document.querySelectorAll("details.account-menu[open]")) {
    if (menu !== except) menu.open = false;
  }
}
document.addEventListener("click", (event) => {
  closeMenus(event.target.closest("details.account-menu"));
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.querySelector("details.account-menu[open]");
  if (open) {
    open.open = false;
    open.querySelector("summary").focus();
  }
});

/** After "Load more", move focus to the first new person so keyboard users keep their place. */
document.addEventListener("htmx:afterSettle", () => {
  const start = document.querySelector("[data-page-start]");
  if (!start) return;
  start.removeAttribute("data-page-start");
  start.querySelector("a")?.focus();
});

document.addEventListener("htmx:load", (event) => formatTimes(event.target));
formatTimes(document);
setInterval(() => formatTimes(document), 60000);

// A scrolling row of tabs shows the current one, even when it is past the right edge.
for (const current of document.querySelectorAll(".chip-row--scroll [aria-current='page']")) {
  const row = current.closest(".chip-row--scroll");
  row.scrollLeft = current.offsetLeft - row.offsetLeft - 16;
}
