// CSV import with a preview, and CSV export. The page reads the file's header row (to offer its columns);
// the server does the real parsing and says, by line number, what it would skip or refuse, and the page
// shows each of those lines as written in the file so a person can recognise them.
// The export needs the session's Authorization header, which a plain link can't carry, so it is fetched
// and saved through a Blob URL.
import { busy, clearErrors, doneLoading, el, fillProblem, showErrors } from "./dom.js";
import { call, callRaw, categoryLabel, fillCategorySelect, handledAccess, isDate, startPage, today } from "./spending-common.js";

const $ = (id) => document.getElementById(id);
const MAX_BYTES = 5 * 1024 * 1024;
const HEADER_BYTES = 64 * 1024; // the header row is in the first few bytes; never read a big file whole
const DELIMITERS = { comma: ",", semicolon: ";", tab: "\t" };
const DELIMITER_NAMES = { comma: "commas", semicolon: "semicolons", tab: "tabs" };
// Header names banks use, per role, tried in order (case-insensitive, whole name).
const GUESSES = {
  date: [/^date$/i, /^(transaction|booking|posting|posted|value) ?date$/i, /^datum$/i, /^buchungstag$/i, /^fecha$/i, /date/i],
  amount: [/^amount$/i, /^betrag$/i, /^montant$/i, /^importe$/i, /^value$/i, /amount|betrag|montant|importe/i],
  payee: [/^payee$/i, /^merchant$/i, /^(counterparty|beneficiary|recipient)$/i, /^description$/i, /^name$/i, /^empf(ä|ae)nger$/i, /payee|merchant/i],
  category: [/^category$/i, /^kategorie$/i, /category/i],
  external_id: [/^(id|transaction ?id|reference|ref|fitid)$/i, /transaction ?id/i],
  note: [/^(note|notes|memo|comment)$/i, /^verwendungszweck$/i, /memo|note/i],
};

const form = $("import-form");
const fileInput = $("file");
const mapSelects = [...form.querySelectorAll("select[data-map]")];
const result = $("import-result");

let me = null;
let file = null;
let headerText = ""; // the first bytes of the chosen file, as text

// ------------------------------------------------------------------------------------------ header row

/** The first non-blank record's cells, honouring double quotes (a quoted cell may hold the delimiter). */
function headerCells(text, delimiter) {
  const source = text.replace(/^\ufeff/, "");
  let start = 0;
  while (start < source.length) {
    const cells = [];
    let cell = "";
    let quoted = false;
    let i = start;
    for (; i < source.length; i += 1) {
      const ch = source[i];
      if (quoted) {
        if (ch === '"' && source[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === delimiter) {
        cells.push(cell);
        cell = "";
      } else if (ch === "\n" || ch === "\r") break;
      else cell += ch;
    }
    cells.push(cell);
    const trimmed = cells.map((c) => c.trim());
    if (trimmed.some(Boolean)) return trimmed;
    start = i + 1; // a blank line before the header
  }
  return [];
}

/** For "auto": the delimiter that splits the header into the most cells. */
function guessDelimiter(text) {
  let best = "comma";
  let most = 0;
  for (const [name, char] of Object.entries(DELIMITERS)) {
    const count = headerCells(text, char).length;
    if (count > most) {
      best = name;
      most = count;
    }
  }
  return best;
}

function chosenDelimiter() {
  const value = form.elements.delimiter.value;
  return value === "auto" ? guessDelimiter(headerText) : value;
}

function guessColumn(role, columns, taken) {
  for (const pattern of GUESSES[role]) {
    const hit = columns.find((c) => pattern.test(c) && !taken.has(c));
    if (hit) return hit;
  }
  return "";
}

/** Fill the column selects from the header row, keeping earlier choices that still exist. */
function fillColumns() {
  const hint = $("columns-hint");
  if (!headerText) {
    for (const select of mapSelects) {
      select.replaceChildren(el("option", { value: "", text: "Choose a file first" }));
      select.disabled = true;
    }
    hint.textContent = "Choose a file and these fill in from its header row.";
    return;
  }
  const delimiter = chosenDelimiter();
  const columns = [...new Set(headerCells(headerText, DELIMITERS[delimiter]).filter(Boolean))];
  const taken = new Set();
  for (const select of mapSelects) {
    const role = select.dataset.map;
    const previous = select.value;
    const optional = select.hasAttribute("data-optional");
    select.replaceChildren(
      el("option", { value: "", text: optional ? "— None —" : "Choose a column" }),
      ...columns.map((c) => el("option", { value: c, text: c })),
    );
    select.disabled = false;
    const pick = previous && columns.includes(previous) ? previous : guessColumn(role, columns, taken);
    select.value = pick;
    if (pick) taken.add(pick);
  }
  const how = form.elements.delimiter.value === "auto" ? ` (looks like it's separated by ${DELIMITER_NAMES[delimiter]})` : "";
  hint.textContent = columns.length
    ? `The header row has ${columns.length} column${columns.length === 1 ? "" : "s"}${how}. Check each choice below.`
    : "We couldn't find a header row in this file.";
  if (columns.length === 1 && /[,;\t]/.test(columns[0])) {
    hint.textContent += " Only one column: is the delimiter right?";
  }
}

function readHeader(chosen) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener("load", () => resolve(String(reader.result || "")));
    reader.addEventListener("error", () => reject(reader.error));
    reader.readAsText(chosen.slice(0, HEADER_BYTES), "utf-8");
  });
}

fileInput.addEventListener("change", async () => {
  clearErrors(form);
  result.hidden = true;
  file = fileInput.files && fileInput.files[0] ? fileInput.files[0] : null;
  headerText = "";
  const info = $("file-info");
  if (!file) {
    info.textContent = "UTF-8, with a header row, at most 5 MB.";
    fillColumns();
    return;
  }
  const size = file.size < 1024 ? `${file.size} bytes` : `${Math.ceil(file.size / 1024)} KB`;
  info.textContent = `${file.name}, ${size}.`;
  if (file.size > MAX_BYTES) {
    showErrors(form, { errors: [{ field: "body", message: "This file is larger than 5 MB. Export a shorter period from your bank." }] });
    fillColumns();
    return;
  }
  try {
    headerText = await readHeader(file);
  } catch {
    showErrors(form, { errors: [{ field: "body", message: "We couldn't read this file. Choose it again." }] });
    fillColumns();
    return;
  }
  if (headerText.includes("\ufffd")) {
    $("body-error").textContent = "This file doesn't look like UTF-8, so it will be refused. Save or export it as UTF-8 (CSV UTF-8) and choose it again.";
  }
  fillColumns();
});

form.elements.delimiter.addEventListener("change", fillColumns);
form.elements.date_format.addEventListener("change", () => {
  const custom = form.elements.date_format.value === "custom";
  $("custom-format-field").hidden = !custom;
  if (custom) form.elements.date_format_custom.focus();
});

// ------------------------------------------------------------------------------------------ import

/** The query string for the options chosen, or {problems} to show before sending. */
function importQuery(preview) {
  const problems = [];
  const params = new URLSearchParams();
  if (!file) problems.push({ field: "body", message: "Choose your bank's CSV file." });
  else if (file.size > MAX_BYTES) problems.push({ field: "body", message: "This file is larger than 5 MB. Export a shorter period from your bank." });
  for (const select of mapSelects) {
    const role = select.dataset.map;
    if (select.value) params.set(role, select.value);
    else if (!select.hasAttribute("data-optional") && file) {
      problems.push({ field: role, message: `Choose the column that holds the ${role}.` });
    }
  }
  let dateFormat = form.elements.date_format.value;
  if (dateFormat === "custom") {
    dateFormat = form.elements.date_format_custom.value.trim();
    if (!dateFormat.includes("%")) problems.push({ field: "date_format", message: "Type the date format as a pattern such as %d %b %Y." });
  }
  params.set("default_category", form.elements.default_category.value);
  params.set("delimiter", form.elements.delimiter.value);
  params.set("decimal", form.elements.decimal.value);
  params.set("date_format", dateFormat);
  params.set("sign", form.querySelector('input[name="sign"]:checked').value);
  if (preview) params.set("preview", "true");
  return { query: params.toString(), problems };
}

function count(label, value) {
  return el("div", {}, el("dt", { text: label }), el("dd", { class: "count", text: String(value) }));
}

const LINE_SHOWN = 120; // characters of a file line shown beside its reason

/** The file's physical lines (split as the server's CSV reader splits them), or null if unreadable. */
async function fileLines(chosen) {
  try {
    return (await chosen.text()).replace(/^\ufeff/, "").split(/\r\n|\n|\r/);
  } catch {
    return null;
  }
}

function asWritten(lines, number) {
  const text = lines && number >= 1 ? lines[number - 1] : undefined;
  if (text === undefined) return "—";
  return text.length > LINE_SHOWN ? `${text.slice(0, LINE_SHOWN)}…` : text;
}

function linesTable(caption, lines, { withColumn = false, written = null } = {}) {
  const head = el("tr", {}, el("th", { scope: "col", text: "Line" }),
    written ? el("th", { scope: "col", text: "In the file" }) : null,
    withColumn ? el("th", { scope: "col", text: "Column" }) : null, el("th", { scope: "col", text: "Why" }));
  const rows = lines.map((item) => el(
    "tr",
    {},
    el("td", { class: "num", text: String(item.line) }),
    written ? el("td", { class: "as-written" }, el("code", { text: asWritten(written, item.line) })) : null,
    withColumn ? el("td", { text: item.column || "—" }) : null,
    el("td", { class: "reason", text: item.reason }),
  ));
  return el("div", { class: "table-wrap" },
    el("table", { class: "figures lines" }, el("caption", { text: caption }), el("thead", {}, head), el("tbody", {}, ...rows)));
}

function sampleTable(sample) {
  const head = el("tr", {}, ...["Line", "Date", "Payee", "Category", `Amount (${me.currency})`].map(
    (text, i) => el("th", { scope: "col", class: i === 0 || i === 4 ? "num" : null, text }),
  ));
  const rows = sample.map((r) => el(
    "tr",
    {},
    el("td", { class: "num", text: String(r.line) }),
    el("td", { text: r.date }),
    el("td", { text: r.payee || "—" }),
    el("td", { text: categoryLabel(r.category) }),
    el("td", { class: "num", text: r.amount }),
  ));
  return el("div", { class: "table-wrap" },
    el("table", { class: "figures" }, el("caption", { text: "How the first rows read (duplicates included)" }), el("thead", {}, head), el("tbody", {}, ...rows)));
}

function details(summary, open, ...content) {
  const box = el("details", { class: "result-block" }, el("summary", { text: summary }), ...content);
  box.open = open;
  return box;
}

function showResult(reply, preview, written) {
  $("result-title").textContent = preview ? "Preview: nothing stored yet" : "Import finished";
  $("result-message").textContent = reply.message;
  const counts = preview
    ? [count("Would import", reply.would_import), count("Already recorded", reply.duplicates),
      count("Credits skipped", reply.credits), count("Lines with errors", reply.invalid), count("Rows read", reply.rows)]
    : [count("Imported", reply.imported), count("Already recorded", reply.duplicates),
      count("Credits skipped", reply.credits), count("Lines with errors", reply.invalid), count("Rows read", reply.rows)];
  $("result-counts").replaceChildren(...counts);

  const note = $("result-note");
  const notes = [];
  if (preview && reply.delimiter) notes.push(`Read as separated by ${DELIMITER_NAMES[reply.delimiter] || reply.delimiter}.`);
  if (reply.stopped_at_line) {
    notes.push(`Storing stopped at line ${reply.stopped_at_line}: ${reply.not_stored} row${reply.not_stored === 1 ? " was" : "s were"} not stored. `
      + "Import the same file again to finish: what was stored is recognised and skipped.");
  }
  if (reply.truncated) notes.push("Only the first 1,000 skipped lines and errors are listed.");
  note.textContent = notes.join(" ");
  note.hidden = notes.length === 0;

  const blocks = [];
  if (preview && reply.sample && reply.sample.length) blocks.push(details(`First ${reply.sample.length} rows as read`, true, sampleTable(reply.sample)));
  if (reply.errors.length) blocks.push(details(`Lines with errors (${reply.errors.length})`, true, linesTable("Lines that can't be imported, and why", reply.errors, { withColumn: true, written })));
  if (reply.skipped.length) blocks.push(details(`Skipped lines (${reply.skipped.length})`, reply.skipped.length <= 20, linesTable("Lines skipped as already recorded or not expenses", reply.skipped, { written })));
  const actions = el("p", { class: "actions-row" });
  if (preview && reply.would_import > 0) {
    const go = el("button", { type: "button", text: `Import ${reply.would_import} expense${reply.would_import === 1 ? "" : "s"}` });
    go.addEventListener("click", () => runImport(false, go));
    actions.append(go);
  }
  if (!preview && reply.imported > 0) actions.append(el("a", { class: "button-link", href: "/spending/", text: "See your spending" }));
  blocks.push(actions);
  $("result-details").replaceChildren(...blocks);
  result.hidden = false;
  result.focus();
}

async function runImport(preview, button) {
  clearErrors(form);
  const { query, problems } = importQuery(preview);
  if (problems.length) {
    result.hidden = true;
    showErrors(form, { errors: problems });
    return;
  }
  const restore = busy(button, preview ? "Reading the file…" : "Importing…");
  form.setAttribute("aria-busy", "true");
  let reply;
  try {
    const response = await callRaw("POST", `/expenses/import?${query}`, { body: file, contentType: "text/csv; charset=utf-8" });
    reply = await response.json();
  } catch (error) {
    restore();
    form.setAttribute("aria-busy", "false");
    if (handledAccess(error)) return;
    result.hidden = true;
    const shaped = error && typeof error.status === "number" ? error : { message: "We couldn't send the file. Choose it again and retry.", errors: [] };
    // The server names the option at fault by its query name; a custom date format's slot is date_format.
    showErrors(form, shaped);
    if (form.elements.date_format.value === "custom" && (shaped.errors || []).some((e) => e.field === "date_format")) {
      form.elements.date_format_custom.setAttribute("aria-invalid", "true");
      form.elements.date_format_custom.focus();
    }
    return;
  }
  const written = reply.errors.length || reply.skipped.length ? await fileLines(file) : null;
  restore();
  form.setAttribute("aria-busy", "false");
  showResult(reply, preview, written);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  runImport(true, $("preview-button"));
});
$("import-button").addEventListener("click", () => runImport(false, $("import-button")));

// ------------------------------------------------------------------------------------------ export

const exportForm = $("export-form");
const exportStatus = $("export-status");

function fileNameFrom(response, fallback) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="?([^";]+)"?/i.exec(disposition);
  const name = match ? match[1].trim() : "";
  return /^[\w.-]+\.csv$/.test(name) ? name : fallback;
}

exportForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(exportForm);
  exportStatus.textContent = "";
  const from = exportForm.elements.from.value;
  const to = exportForm.elements.to.value;
  const problems = [];
  if (!isDate(from)) problems.push({ field: "from", message: "Choose the first day to export." });
  if (!isDate(to)) problems.push({ field: "to", message: "Choose the last day to export." });
  else if (isDate(from) && to < from) problems.push({ field: "to", message: "The end date comes before the start date." });
  if (problems.length) {
    showErrors(exportForm, { errors: problems });
    return;
  }
  const button = $("export-button");
  const restore = busy(button, "Preparing…");
  let response;
  let blob;
  try {
    response = await callRaw("GET", `/expenses/export?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { accept: "text/csv" });
    blob = await response.blob();
  } catch (error) {
    restore();
    if (handledAccess(error)) return;
    showErrors(exportForm, error && typeof error.status === "number" ? error : { message: "The download was interrupted. Try again." });
    return;
  }
  restore();
  const name = fileNameFrom(response, `pennydesk-${from}-to-${to}.csv`);
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name, class: "visually-hidden", tabindex: "-1" }, name);
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  const size = blob.size < 1024 ? `${blob.size} bytes` : `${Math.ceil(blob.size / 1024)} KB`;
  exportStatus.textContent = `Saved ${name} (${size}).`;
  button.focus();
});

// ------------------------------------------------------------------------------------------ start

async function start() {
  if (!startPage("transfer-view")) return;
  try {
    me = await call("GET", "/me");
  } catch (error) {
    if (handledAccess(error)) return;
    doneLoading();
    fillProblem({
      title: "We couldn't load your account",
      text: error.message,
      links: [{ href: window.location.href, text: "Try again", primary: true }],
    });
    return;
  }
  fillCategorySelect(form.elements.default_category, me.categories, "other");
  fillColumns();
  const now = today();
  exportForm.elements.from.value = `${now.slice(0, 4)}-01-01`;
  exportForm.elements.to.value = now;
  $("transfer-view").hidden = false;
  doneLoading();
}

start();
