// Polls, progressive enhancements only: without this file the composer shows all six option
// fields and a poll form stays until the server says the poll is closed.
//
// - The composer's "Add a poll" shows two options and an "Add an option" button; closing
//   "Add a poll" disables its fields, so a closed panel never posts a poll.
// - A poll form whose end time passes while the page is open stops taking votes.
// (Live counts: stream.js, on `poll.changed`.)

function enhanceComposer(root) {
  for (const panel of root.querySelectorAll("details.composer__poll")) {
    if (panel.dataset.enhanced) continue;
    panel.dataset.enhanced = "true";
    const fieldset = panel.querySelector("fieldset");
    const add = panel.querySelector("[data-poll-add]");
    const extras = [...panel.querySelectorAll("[data-poll-extra]")];
    for (const extra of extras) {
      if (!extra.querySelector("input").value.trim()) extra.hidden = true;
    }
    const refresh = () => {
      if (add) add.hidden = !extras.some((extra) => extra.hidden);
    };
    refresh();
    add?.addEventListener("click", () => {
      const next = extras.find((extra) => extra.hidden);
      if (!next) return;
      next.hidden = false;
      next.querySelector("input").focus();
      refresh();
    });
    const sync = () => {
      fieldset.disabled = !panel.open;
    };
    sync();
    panel.addEventListener("toggle", () => {
      sync();
      if (panel.open) panel.querySelector("input")?.focus();
    });
  }
}

function closeEnded(root) {
  const now = Date.now();
  for (const ends of root.querySelectorAll("[data-poll-ends]")) {
    const at = new Date(ends.dataset.pollEnds).getTime();
    if (Number.isNaN(at) || at > now) continue;
    const poll = ends.closest(".poll");
    ends.removeAttribute("data-poll-ends");
    ends.firstChild.textContent = "Closed ";
    if (!poll) continue;
    poll.classList.add("poll--closed");
    const form = poll.querySelector(".poll__form");
    if (form) {
      for (const control of form.querySelectorAll("input, button")) control.disabled = true;
    }
  }
}

function enhance(root) {
  enhanceComposer(root);
  closeEnded(root);
}

document.addEventListener("htmx:load", (event) => enhance(event.target));
document.addEventListener("es:content", (event) => enhance(event.detail));
enhance(document);
setInterval(() => closeEnded(document), 15000);
