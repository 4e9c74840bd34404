// The live stream: one WebSocket per page. New posts wait behind a "N new posts" banner so the
// reader's place never moves; counts and the notification badge update in place; after a drop
// the socket reconnects with backoff and resumes from the last status it saw.

const BACKOFF_MS = [500, 1000, 2000, 5000, 10000, 20000];

const timeline = document.getElementById("timeline");
const banner = document.getElementById("new-posts");
// A community's page (`data-community` on its timeline) shows only that community's new posts;
// the socket also carries the rest of the reader's feed.
const community = timeline ? timeline.dataset.community || "" : "";
const pending = new Set();
let lastId = 0;
let attempt = 0;

// Resume from the newest status the reader has: the first card of the timeline (feed order is
// by time, and the server resumes after that status in the same order).
const newest = timeline && timeline.querySelector("article.status[id^='status-']");
if (newest) lastId = Number(newest.id.slice("status-".length)) || 0;

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/stream/`);
  socket.addEventListener("open", () => {
    attempt = 0;
    if (lastId) socket.send(JSON.stringify({ type: "resume", after: lastId }));
  });
  socket.addEventListener("message", (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    handle(event);
  });
  socket.addEventListener("close", (closed) => {
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

if (banner) banner.querySelector("button").addEventListener("click", showPending);
if (document.body.dataset.stream === "on") connect();
