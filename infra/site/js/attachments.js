// A ticket's attachments on its pages: the list (download links, built as text, never HTML) and the file
// picker that uploads straight to storage: ask the API for an upload, POST the file there with progress,
// then ask the API to check and keep it. The API says why a file is refused; the page shows those words.
import { api } from "./api.js";
import { el } from "./dom.js";

const MAX_BYTES = 10 * 1024 * 1024;

export function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The list of files: each a download link (the link lives five minutes: reload the page for a fresh one). */
export function attachmentList(attachments) {
  if (!attachments.length) return el("p", { class: "meta", text: "No files yet." });
  return el(
    "ul",
    { class: "attachments" },
    attachments.map((file) =>
      el(
        "li",
        {},
        el("a", { href: file.url, download: file.filename, rel: "noopener noreferrer", text: file.filename }),
        el("span", { class: "meta", text: ` · ${sizeText(file.size)}` }),
      ),
    ),
  );
}

function postWithProgress(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append("file", file); // last: storage reads the fields before the file
    const request = new XMLHttpRequest();
    request.open("POST", upload.url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else if (/EntityTooLarge/.test(request.responseText)) reject({ message: "The file is larger than 10 MB." });
      else reject({ message: `The upload was refused (${request.status}). Try again.` });
    });
    request.addEventListener("error", () => reject({ message: "The upload failed: check your connection and try again." }));
    request.send(form);
  });
}

/** Upload one file to the ticket (`base` is /tickets/<id>/attachments or /agent/tickets/<id>/attachments). */
export async function uploadFile({ base, token, file, onProgress = () => {} }) {
  if (file.size > MAX_BYTES) throw { message: `${file.name} is larger than 10 MB.` };
  if (file.size === 0) throw { message: `${file.name} is empty.` };
  const started = await api("POST", base, { token, body: { filename: file.name, size: file.size } });
  await postWithProgress(started.upload, file, onProgress);
  return api("POST", `${base}/${started.id}/complete`, { token });
}

/** Wire a form holding a file input, a progress bar and a status line; `onDone` reloads the page's data, and
 * `afterwards` says who hears about the files, and when (the desk's file notice). */
export function setupAttachForm({ form, base, token, onDone, afterwards = "" }) {
  const input = form.querySelector("input[type=file]");
  const progress = form.querySelector("progress");
  const status = form.querySelector("[data-attach-status]");
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.className = "meta";
    status.textContent = "";
    const files = [...input.files];
    if (!files.length) {
      status.className = "error";
      status.textContent = "Choose a file first.";
      return;
    }
    button.disabled = true;
    progress.hidden = false;
    const kept = [];
    try {
      for (const file of files) {
        progress.value = 0;
        status.textContent = `Uploading ${file.name}…`;
        const done = await uploadFile({ base, token: token(), file, onProgress: (part) => { progress.value = part; } });
        kept.push(done.filename);
      }
      form.reset();
      status.className = "success";
      status.textContent = `Attached: ${kept.join(", ")}.${afterwards ? ` ${afterwards}` : ""}`;
      await onDone();
    } catch (error) {
      status.className = "error";
      status.textContent = kept.length ? `Attached ${kept.join(", ")}; then: ${error.message}` : error.message;
      if (kept.length) await onDone();
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
}
