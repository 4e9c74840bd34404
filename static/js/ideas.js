// Ideas pages: when an executive changes an idea's state (`idea.updated`, relayed by stream.js),
// its state badges and vote counts change in place, and on the idea's own page the history and
// the decision form are refreshed from the server. Every page works without this file.

const page = document.querySelector("[data-idea-page]");

function updateBadges(idea) {
  for (const badge of document.querySelectorAll(`[data-idea-state="${idea.id}"]`)) {
    badge.className = `badge idea-state idea-state--${idea.state}`;
    const label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = "State: ";
    badge.replaceChildren(label, document.createTextNode(idea.state_label));
  }
  for (const count of document.querySelectorAll(`[data-idea-votes="${idea.id}"]`)) {
    count.textContent = String(idea.votes_count);
  }
}

async function refreshPage(idea) {
  const response = await fetch(location.pathname, { credentials: "same-origin" });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  // The history, the decision form (its choices follow the state) and the vote button (votes
  // close after a decision). A form someone is typing in is left alone.
  for (const id of ["idea-history", "idea-decision", `idea-vote-${idea.id}`]) {
    const old = document.getElementById(id);
    const fresh = doc.getElementById(id);
    if (old && old.contains(document.activeElement)) continue;
    if (old && fresh) {
      old.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
    } else if (old) {
      old.remove();
    }
  }
  const note = document.getElementById("idea-live-note");
  if (note) {
    note.textContent = `This idea is now ${idea.state_label.toLowerCase()}.`;
  }
}

document.addEventListener("es:idea-updated", (event) => {
  const idea = event.detail;
  if (!idea || typeof idea.id !== "number") return;
  updateBadges(idea);
  if (page && page.dataset.ideaPage === String(idea.id)) refreshPage(idea);
});
