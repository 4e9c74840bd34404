// The composer's attachments: chosen files are uploaded at once (POST /api/v1/uploads/), each
// picture asks for a description (alt text) for people who cannot see it, and the ids of the
// uploads go with the status in the hidden `attachments` field. Posting waits for uploads and
// descriptions, and says clearly what is missing. Without this file the composer has no file
// input (the server takes attachments through the API).

const MAX = 10; // a status; a form may say fewer (data-attach-max: 4 on a comment)

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function sizeLabel(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function api(url, { headers = {}, ...options }) {
  const response = await fetch(url, {
    ...options,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json", ...headers },
  });
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  if (!response.ok) {
    const message =
      body.detail || (body.file && body.file[0]) || (body.alt && body.alt[0]) || "Upload failed.";
    throw new Error(message);
  }
  return body;
}

function enhance(root) {
  for (const box of root.querySelectorAll("[data-attach]")) {
    if (box.dataset.enhanced) continue;
    box.dataset.enhanced = "true";
    box.hidden = false;
    const form = box.closest("form");
    const input = box.querySelector("[data-attach-input]");
    const list = box.querySelector("[data-attach-list]");
    const hidden = form.querySelector("input[name=attachments]");
    const error = box.querySelector("[data-attach-error]");
    const items = [];
    const max = Number(box.dataset.attachMax) || MAX;

    const sync = () => {
      hidden.value = items.filter((item) => item.id).map((item) => item.id).join(",");
      input.disabled = items.length >= max;
    };

    const add = (file, known) => {
      const item = { id: known?.id || "", kind: known?.kind || "", pending: null, alt: null };
      const li = document.createElement("li");
      li.className = "upload-item";
      li.innerHTML = `
        <img class="upload-item__preview" alt="" hidden>
        <div class="upload-item__body">
          <span class="upload-item__name"></span>
          <span class="upload-item__state" role="status">Uploading…</span>
        </div>
        <button class="btn btn--subtle btn--sm" type="button">Remove</button>`;
      li.querySelector(".upload-item__name").textContent = known?.name || file.name;
      li.querySelector("button").addEventListener("click", () => {
        items.splice(items.indexOf(item), 1);
        li.remove();
        sync();
        input.focus();
      });
      list.append(li);
      items.push(item);
      item.li = li;

      const ready = (body) => {
        item.id = body.id;
        item.kind = body.kind;
        const state = li.querySelector(".upload-item__state");
        state.textContent = `${sizeLabel(body.size)} · ${body.kind === "image" ? "picture" : body.kind}`;
        if (body.thumbnail_url) {
          const preview = li.querySelector(".upload-item__preview");
          preview.src = body.thumbnail_url;
          preview.hidden = false;
        }
        if (body.kind === "image") {
          const field = document.createElement("label");
          field.className = "field__label";
          const altId = `alt-${body.id}`;
          field.htmlFor = altId;
          field.textContent = "Describe this picture for people who cannot see it (required)";
          const alt = document.createElement("input");
          alt.type = "text";
          alt.id = altId;
          alt.className = "upload-item__alt";
          alt.maxLength = 1000;
          alt.setAttribute("aria-required", "true"); // checked on submit, with our message
          alt.value = body.alt || "";
          alt.dataset.attachAlt = "";
          alt.addEventListener("change", () => {
            item.pending = api(`/api/v1/uploads/${body.id}/`, {
              method: "PATCH",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ alt: alt.value }),
            })
              .catch((exc) => {
                state.textContent = exc.message;
              })
              .finally(() => {
                item.pending = null;
              });
          });
          item.alt = alt;
          li.querySelector(".upload-item__body").append(field, alt);
        }
        sync();
      };

      if (known) {
        ready(known);
      } else {
        const data = new FormData();
        data.append("file", file);
        item.pending = api("/api/v1/uploads/", { method: "POST", body: data })
          .then(ready)
          .catch((exc) => {
            li.classList.add("upload-item--error");
            li.querySelector(".upload-item__state").textContent = `${file.name}: ${exc.message}`;
            item.failed = true;
          })
          .finally(() => {
            item.pending = null;
          });
      }
    };

    // A form sent back with errors keeps its uploads: show them again.
    for (const id of hidden.value.split(",").filter(Boolean)) {
      api(`/api/v1/uploads/${id}/`, { method: "GET" })
        .then((body) => add(null, body))
        .catch(() => {});
    }

    input.addEventListener("change", () => {
      error.textContent = "";
      const files = [...input.files];
      if (items.length + files.length > max) {
        error.textContent = `At most ${max} attachments here.`;
      }
      for (const file of files.slice(0, max - items.length)) add(file);
      input.value = "";
    });

    // Before htmx (or the browser) sends the form: uploads finished, every picture described.
    form.addEventListener(
      "submit",
      async (event) => {
        const waiting = items.filter((item) => item.pending).map((item) => item.pending);
        const undescribed = items.find((item) => item.alt && !item.alt.value.trim());
        const failed = items.find((item) => item.failed);
        if (!waiting.length && !undescribed && !failed) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        if (failed) {
          error.textContent = "Remove the files that could not be uploaded, then post.";
          failed.li.querySelector("button").focus();
          return;
        }
        if (undescribed) {
          error.textContent =
            "Describe every picture before posting: people who cannot see it read the description.";
          undescribed.alt.focus();
          return;
        }
        error.textContent = "Finishing the uploads…";
        await Promise.allSettled(waiting);
        error.textContent = "";
        form.requestSubmit();
      },
      true,
    );
  }
}

document.addEventListener("htmx:load", (event) => enhance(event.target));
enhance(document);
