import { api } from "./api.js";
import { uploadFile } from "./attachments.js";
import { setupNav } from "./session.js";
import { countTicketAfterReading, linkArticleFromAddress, suggestWhileTyping } from "./ticket-suggestions.js";

const form = document.getElementById("ticket-form");
const submit = document.getElementById("submit");
const fields = ["name", "email", "category", "priority", "subject", "description"];
let idempotencyKey = null; // one key per submission, reused if the same submission is retried

async function loadOptions() {
  try {
    const { categories } = await api("GET", "/tickets/options");
    const select = document.getElementById("category");
    const current = select.value;
    select.replaceChildren(...categories.map((c) => new Option(c.label, c.value, false, c.value === current)));
  } catch {
    /* the built-in list stays */
  }
}

const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Files that can't be sent, said before anything is created (the API checks them again, by their bytes). */
function checkFiles(files) {
  const wrong = files.filter((f) => f.size === 0 || f.size > MAX_FILE_BYTES);
  if (!wrong.length) return null;
  return wrong.map((f) => `${f.name} is ${f.size ? "larger than 10 MB" : "empty"}.`).join(" ");
}

/** Each file through the upload the 201's token allows (this ticket only, for 30 minutes); a refusal is
 * reported and the next file still goes: the ticket exists either way. */
async function sendFiles(ticket, files) {
  const progress = document.getElementById("files-progress");
  const status = document.getElementById("files-status");
  const attached = [];
  const refused = [];
  progress.hidden = false;
  for (const [i, file] of files.entries()) {
    progress.value = 0;
    status.textContent = `Uploading ${file.name} (${i + 1} of ${files.length})…`;
    try {
      const kept = await uploadFile({
        base: `/tickets/${ticket.id}/attachments`, token: ticket.upload_token, file,
        onProgress: (part) => { progress.value = part; },
      });
      attached.push(kept.filename);
    } catch (error) {
      const reason = error.message || "It could not be uploaded.";
      refused.push(reason.includes(file.name) ? reason : `${file.name}: ${reason}`);
    }
  }
  progress.hidden = true;
  status.textContent = "";
  return { attached, refused };
}

function showFilesOutcome({ attached, refused }) {
  const yes = document.getElementById("files-attached");
  const no = document.getElementById("files-refused");
  yes.textContent = attached.length ? `Attached: ${attached.join(", ")}.` : "";
  yes.hidden = !attached.length;
  no.textContent = refused.length
    ? `Not attached: ${refused.join(" ")} You can add files from the link in your confirmation email.` : "";
  no.hidden = !refused.length;
}

function clearErrors() {
  document.getElementById("files-error").textContent = "";
  for (const name of [...fields, "form"]) {
    document.getElementById(`${name}-error`).textContent = "";
    document.getElementById(name)?.removeAttribute("aria-invalid");
  }
}

function showErrors(error) {
  let placed = false;
  for (const { field, message } of error.errors || []) {
    const slot = document.getElementById(`${field}-error`);
    if (slot && fields.includes(field)) {
      slot.textContent = message;
      document.getElementById(field).setAttribute("aria-invalid", "true");
      if (!placed) document.getElementById(field).focus();
      placed = true;
    }
  }
  if (!placed) document.getElementById("form-error").textContent = error.message;
}

function checkLocally(data) {
  const errors = [];
  for (const name of ["name", "email", "subject", "description"]) {
    if (!data[name].trim()) errors.push({ field: name, message: "This field is required." });
  }
  if (data.email.trim() && !/^[^@\s]+@[^@\s]+\.[^@\s]{2,}$/.test(data.email.trim())) {
    errors.push({ field: "email", message: "Enter an email address like name@example.com." });
  }
  return errors;
}

form.addEventListener("input", () => { idempotencyKey = null; });

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const data = Object.fromEntries(fields.map((f) => [f, document.getElementById(f).value]));
  // The hidden spam trap: people never see it; a bot that fills it is answered as usual by the API.
  const trap = document.getElementById("website").value;
  if (trap) data.website = trap;
  const local = checkLocally(data);
  if (local.length) return showErrors({ errors: local });
  const files = [...document.getElementById("files").files];
  const wrongFiles = checkFiles(files);
  if (wrongFiles) {
    document.getElementById("files-error").textContent = wrongFiles;
    return document.getElementById("files").focus();
  }
  if (files.length) data.upload = true; // the 201 then carries a token for this ticket's files
  idempotencyKey ??= crypto.randomUUID();
  submit.disabled = true;
  submit.textContent = "Sending…";
  try {
    const ticket = await api("POST", "/tickets", { body: data, headers: { "Idempotency-Key": idempotencyKey } });
    if (files.length) submit.textContent = "Uploading files…";
    showFilesOutcome(files.length ? await sendFiles(ticket, files) : { attached: [], refused: [] });
    document.getElementById("ticket-number").textContent = `#${ticket.number}`;
    document.getElementById("ticket-email").textContent = ticket.email;
    document.getElementById("form-section").hidden = true;
    const done = document.getElementById("done-section");
    done.hidden = false;
    done.focus();
    form.reset();
    idempotencyKey = null;
    countTicketAfterReading();
  } catch (error) {
    showErrors(error);
  } finally {
    submit.disabled = false;
    submit.textContent = "Send request";
  }
});

document.getElementById("another").addEventListener("click", () => {
  document.getElementById("done-section").hidden = true;
  document.getElementById("form-section").hidden = false;
  document.getElementById("name").focus();
});

setupNav();
loadOptions();
suggestWhileTyping(document.getElementById("subject"));
linkArticleFromAddress(document.getElementById("description"));
