// The live stream: one WebSocket per page. New posts wait behind a "N new posts" banner so the
// reader's place never moves; counts and the notification badge update in place; after a drop
// the socket reconnects with backoff and resumes from the last status it saw.
//
// Counts (comments, reactions, polls) come only for the statuses on screen: the page tells the
// socket which ones with `{"type": "watch", "status_ids": [...]}` (at most 200, replacing the
// previous set), again as the reader scrolls and after every reconnection. Any page works:
// whatever shows a status's counts (a card in a feed, a community, a profile, a status page, the
// comments of a blog post or an idea) is watched while it is on screen.

const BACKOFF_MS = [500, 1000, 2000, 5000, 10000, 20000];
const WATCH_LIMIT = 200;
const WATCH_DEBOUNCE_MS = 400; // after the last change (scrolling)…
const WATCH_MIN_GAP_MS = 1000; // …and no more than one a second (the server closes a socket
// that sends more than 20 messages in 10 s)
const WATCH_MARGIN = "200px 0px"; // a card about to scroll in is already watched
// What shows a status's live counts, and where its id is.
const WATCHABLE = [
  ["article.status[id^='status-']", (el) => el.id.slice("status-".length)],
  [".reactions[id^='reactions-']", (el) => el.id.slice("reactions-".length)],
  ["[data-poll-status]", (el) => el.dataset.pollStatus],
  ["#comment-list[data-status-id]", (el) => el.dataset.statusId],
];

const timeline = document.getElementById("timeline");
const banner = document.getElementById("new-posts");
// A community's page (`data-community` on its timeline) shows only that community's new posts;
// the socket also carries the rest of the reader's feed.
const community = timeline ? timeline.dataset.community || "" : "";
const pending = new Set();
let lastId = 0;
let attempt = 0;
let socket = null;

// Resume from the newest status the reader has: the first card of the timeline (feed order is
// by time, and the server resumes after that status in the same order).
const newest = timeline && timeline.querySelector("article.status[id^='status-']");
if (newest) lastId = Number(newest.id.slice("status-".length)) || 0;

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const current = new WebSocket(`${scheme}://${location.host}/ws/stream/`);
  socket = current;
  current.addEventListener("open", () => {
    attempt = 0;
    // A new socket watches nothing: say what is on screen first, then catch up.
    sentWatch = "";
    sendWatch();
    if (lastId) current.send(JSON.stringify({ type: "resume", after: lastId }));
  });
  current.addEventListener("message", (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    handle(event);
  });
  current.addEventListener("close", (closed) => {
    if (socket === current) socket = null;
    if (closed.code === 4401) return; // logged out or deactivated: stay closed
    const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    attempt += 1;
    setTimeout(connect, delay + Math.random() * 250);
  });
}

function handle(event) {
  switch (event.type) {
    case "status.created":
      statusCreated(event.status);
      break;
    case "status.updated":
      refreshCards([event.status.id]);
      break;
    case "reaction.changed":
      reactionsChanged(event.status_id, event.reaction_counts);
      break;
    case "comment.created":
      commentCreated(event);
      break;
    case "poll.changed":
      pollChanged(event.status_id, event.poll);
      break;
    case "notification.created":
      bumpBadge();
      break;
    case "blog.published":
      // Every employee is notified of a new post, and its card joins the feed.
      bumpBadge();
      if (event.post && event.post.status_id) statusCreated({ id: event.post.status_id });
      break;
    case "idea.updated":
      // Ideas pages listen (static/js/ideas.js): one socket per page, whatever the page.
      document.dispatchEvent(new CustomEvent("es:idea-updated", { detail: event.idea }));
      break;
    default:
      break;
  }
}

function statusCreated(status) {
  lastId = status.id;
  if (!timeline || !banner || document.getElementById(`status-${status.id}`)) return;
  if (community && !(status.community && status.community.slug === community)) return;
  pending.add(status.id);
  const count = pending.size;
  banner.querySelector("[data-count]").textContent =
    count === 1 ? "1 new post" : `${count} new posts`;
  banner.hidden = false;
}

async function fetchCards(ids) {
  const response = await fetch(`/statuses/cards/?ids=${ids.join(",")}`, {
    headers: { "X-Requested-With": "fetch" },
    credentials: "same-origin",
  });
  if (!response.ok) return [];
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  return [...doc.querySelectorAll("article.status")];
}

function activate(node) {
  if (window.htmx) window.htmx.process(node);
  document.dispatchEvent(new CustomEvent("es:content", { detail: node }));
}

async function showPending() {
  const ids = [...pending].sort((a, b) => b - a);
  pending.clear();
  banner.hidden = true;
  const cards = await fetchCards(ids);
  const empty = timeline.querySelector(".timeline__empty");
  if (empty && cards.length) empty.remove();
  for (const card of cards.reverse()) {
    timeline.prepend(card);
    activate(card);
  }
  const first = timeline.querySelector("article.status");
  if (first) {
    first.setAttribute("tabindex", "-1");
    first.focus();
  }
}

async function refreshCards(ids) {
  const present = ids.filter((id) => document.getElementById(`status-${id}`));
  if (!present.length) return;
  for (const card of await fetchCards(present)) {
    const old = document.getElementById(card.id);
    if (old && !old.contains(document.activeElement)) {
      old.replaceWith(card);
      activate(card);
    }
  }
}

function reactionsChanged(statusId, counts) {
  const group = document.getElementById(`reactions-${statusId}`);
  if (!group) return;
  for (const [kind, count] of Object.entries(counts)) {
    const button = group.querySelector(`.reaction--${kind}`);
    const label = button && button.querySelector(".reaction__count");
    if (!label) continue;
    label.textContent = String(count);
    label.classList.toggle("reaction__count--zero", count === 0);
    button.classList.toggle("reaction--has-count", count > 0);
  }
}

// The event is the same for everyone (no one's own choices, no anonymous voters): only the
// counts and a named poll's voters change; whether the reader voted stays as rendered.
function pollChanged(statusId, poll) {
  const box = document.getElementById(`poll-${statusId}`);
  if (!box || !poll) return;
  const voters = poll.voters_count;
  for (const option of poll.options) {
    const row = box.querySelector(`[data-option-id="${option.id}"]`);
    if (!row) continue;
    const votes = row.querySelector("[data-poll-votes]");
    if (votes) votes.textContent = String(option.votes_count);
    const pct = row.querySelector("[data-poll-pct]");
    if (pct) pct.textContent = String(voters ? Math.round((100 * option.votes_count) / voters) : 0);
    const meter = row.querySelector("[data-poll-meter]");
    if (meter) {
      meter.max = Math.max(voters, 1);
      meter.value = option.votes_count;
    }
    const list = row.querySelector("[data-poll-voter-list]");
    if (list && Array.isArray(option.voters)) {
      list.replaceChildren();
      option.voters.forEach((voter, i) => {
        if (i) list.append(", ");
        const link = document.createElement("a");
        link.href = `/people/${encodeURIComponent(voter.username)}/`;
        link.textContent = voter.display_name;
        list.append(link);
      });
      if (option.votes_count > option.voters.length) list.append(" and others");
    }
  }
  const count = box.querySelector("[data-poll-voters-count]");
  if (count) count.textContent = `${voters} ${voters === 1 ? "person" : "people"} voted`;
}

function commentCreated(event) {
  const link = document.getElementById(`status-${event.status_id}-comments`);
  const counter = link && link.querySelector(".status__comments-count");
  if (counter && typeof event.comment_count === "number") {
    const word = counter.querySelector(".status__comments-word");
    counter.firstChild.textContent = String(event.comment_count);
    if (word) word.textContent = event.comment_count === 1 ? " comment" : " comments";
  }
  const list = document.getElementById("comment-list");
  if (list && list.dataset.statusId === String(event.status_id)) {
    if (!document.getElementById(`comment-${event.comment.id}`)) {
      fetch(`/statuses/${event.status_id}/`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.text() : ""))
        .then((html) => {
          const doc = new DOMParser().parseFromString(html, "text/html");
          const fresh = doc.getElementById(`comment-${event.comment.id}`);
          if (fresh && !document.getElementById(fresh.id)) {
            list.append(fresh);
            activate(fresh);
          }
        });
    }
  }
}

function bumpBadge() {
  const link = document.querySelector("a.nav-icon[href='/notifications/']");
  if (!link) return;
  let badge = link.querySelector(".nav-badge");
  if (!badge) {
    badge = document.createElement("span");
    badge.className = "nav-badge";
    badge.innerHTML = '0<span class="visually-hidden"> unread</span>';
    link.append(badge);
  }
  const current = Number.parseInt(badge.firstChild.textContent, 10) || 0;
  badge.firstChild.textContent = current >= 99 ? "99+" : String(current + 1);
}

// --- watching what is on screen ------------------------------------------------------------

const onScreen = new Map(); // element -> status id, for the elements intersecting the viewport
const tracked = new WeakSet();
let sentWatch = ""; // the ids last sent on this socket, sorted and joined ("": none)
let watchTimer = 0;
let lastWatchAt = 0;

function watchedIds() {
  const ids = new Set();
  for (const id of onScreen.values()) {
    if (ids.size >= WATCH_LIMIT) break;
    ids.add(id);
  }
  return [...ids];
}

function sendWatch() {
  watchTimer = 0;
  if (!socket || socket.readyState !== WebSocket.OPEN) return; // sent again on open
  const ids = watchedIds();
  const key = [...ids].sort((a, b) => a - b).join(",");
  if (key === sentWatch) return;
  sentWatch = key;
  lastWatchAt = Date.now();
  socket.send(JSON.stringify({ type: "watch", status_ids: ids }));
}

function scheduleWatch() {
  if (watchTimer) clearTimeout(watchTimer);
  const gap = Math.max(WATCH_DEBOUNCE_MS, lastWatchAt + WATCH_MIN_GAP_MS - Date.now());
  watchTimer = setTimeout(sendWatch, gap);
}

const visibility =
  "IntersectionObserver" in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            const id = Number(idOf(entry.target));
            if (entry.isIntersecting && id > 0) onScreen.set(entry.target, id);
            else onScreen.delete(entry.target);
          }
          scheduleWatch();
        },
        { rootMargin: WATCH_MARGIN },
      )
    : null;

function idOf(el) {
  for (const [selector, read] of WATCHABLE) if (el.matches(selector)) return read(el);
  return "";
}

const WATCHABLE_ANY = WATCHABLE.map(([selector]) => selector).join(",");

function watchablesIn(root) {
  const found = root.matches(WATCHABLE_ANY) ? [root] : [];
  return found.concat([...root.querySelectorAll(WATCHABLE_ANY)]);
}

function track(root) {
  for (const el of watchablesIn(root)) {
    if (tracked.has(el)) continue;
    tracked.add(el);
    if (visibility) visibility.observe(el);
    else onScreen.set(el, Number(idOf(el))); // no observer: watch every card on the page
  }
}

function untrack(root) {
  let changed = false;
  for (const el of watchablesIn(root)) {
    if (!tracked.has(el)) continue;
    tracked.delete(el);
    if (visibility) visibility.unobserve(el);
    changed = onScreen.delete(el) || changed;
  }
  if (changed) scheduleWatch();
}

function startWatching() {
  track(document.body);
  // Cards come and go: pages loaded in place, new posts shown, cards refreshed or replaced.
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      for (const node of mutation.removedNodes) if (node.nodeType === 1) untrack(node);
      for (const node of mutation.addedNodes) if (node.nodeType === 1) track(node);
    }
    if (!visibility) scheduleWatch(); // (with an observer, its callback schedules)
  }).observe(document.body, { childList: true, subtree: true });
  if (!visibility) scheduleWatch();
}

if (banner) banner.querySelector("button").addEventListener("click", showPending);
if (document.body.dataset.stream === "on") {
  startWatching();
  connect();
}
