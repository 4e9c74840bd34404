// The picture viewer: a gallery's thumbnail opens the full picture in a dialog, with its
// description, the previous and next pictures of the post (buttons and arrow keys), and Escape
// or "Close" to go back where you were. Without this file the link opens the picture itself.

let dialog;
let links = [];
let index = 0;

function build() {
  dialog = document.createElement("dialog");
  dialog.className = "viewer";
  dialog.setAttribute("aria-label", "Picture viewer");
  dialog.innerHTML = `
    <figure class="viewer__figure">
      <img class="viewer__image" alt="">
      <figcaption class="viewer__caption" aria-live="polite"></figcaption>
    </figure>
    <div class="viewer__bar">
      <button class="btn btn--subtle btn--sm" type="button" data-viewer-prev>Previous</button>
      <button class="btn btn--subtle btn--sm" type="button" data-viewer-next>Next</button>
      <a class="btn btn--subtle btn--sm" data-viewer-open target="_blank" rel="noopener">Open full size</a>
      <button class="btn btn--primary btn--sm" type="button" data-viewer-close>Close</button>
    </div>`;
  dialog.querySelector("[data-viewer-prev]").addEventListener("click", () => show(index - 1));
  dialog.querySelector("[data-viewer-next]").addEventListener("click", () => show(index + 1));
  dialog.querySelector("[data-viewer-close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") show(index - 1);
    if (event.key === "ArrowRight") show(index + 1);
  });
  dialog.addEventListener("close", () => links[index]?.focus());
  document.body.append(dialog);
}

function show(i) {
  if (!links.length) return;
  index = (i + links.length) % links.length;
  const link = links[index];
  const image = dialog.querySelector(".viewer__image");
  image.src = link.href;
  image.alt = link.dataset.alt || "";
  if (link.dataset.width) {
    image.width = Number(link.dataset.width);
    image.height = Number(link.dataset.height);
  }
  const count = links.length > 1 ? ` (${index + 1} of ${links.length})` : "";
  dialog.querySelector(".viewer__caption").textContent = (link.dataset.alt || "") + count;
  dialog.querySelector("[data-viewer-open]").href = link.href;
  for (const button of dialog.querySelectorAll("[data-viewer-prev], [data-viewer-next]")) {
    button.hidden = links.length < 2;
  }
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-viewer]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  if (typeof HTMLDialogElement !== "function") return;
  event.preventDefault();
  if (!dialog) build();
  const gallery = link.closest("[data-gallery]");
  links = gallery ? [...gallery.querySelectorAll("a[data-viewer]")] : [link];
  show(links.indexOf(link));
  dialog.showModal();
  dialog.querySelector("[data-viewer-close]").focus();
});
