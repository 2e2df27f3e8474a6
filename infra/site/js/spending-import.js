// CSV import with a preview, and CSV export. The file is sent as downloaded; the server detects how it is
// written and the preview says what it found, in words and as the choices below. Only what a person
// changes is sent as an option (so a choice left alone is detected again for the next file). The page reads
// the table's header row to offer its columns; the server says, by line number, what it would skip or
// refuse, and the page shows each of those lines as written in the file so a person can recognise them.
// The export needs the session's Authorization header, which a plain link can't carry, so it is fetched
// and saved through a Blob URL.
import { busy, clearErrors, doneLoading, el, fillProblem, showErrors } from "./dom.js";
import {
  call, callRaw, categoryLabel, dayLabel, fillCategorySelect, handledAccess, isDate, moneyText, startPage, today, useProfile,
} from "./spending-common.js";

const $ = (id) => document.getElementById(id);
const MAX_BYTES = 5 * 1024 * 1024;
const HEADER_BYTES = 64 * 1024; // the header row is in the first few bytes; never read a big file whole
const DELIMITERS = { comma: ",", semicolon: ";", tab: "\t" };
const DELIMITER_NAMES = { comma: "commas", semicolon: "semicolons", tab: "tabs", pipe: "pipes" };
const HEADER_SEARCH = 40; // records looked at to find the table's header below any account details
// Header names banks use, per role, tried in order (case-insensitive, whole name).
const GUESSES = {
  date: [/^date$/i, /^(transaction|booking|posting|posted|value) ?date$/i, /^datum$/i, /^buchungstag$/i, /^buchungsdatum$/i, /^buchung$/i, /^fecha$/i, /date|datum/i],
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

/** The first records' cells, honouring double quotes (a quoted cell may hold the delimiter). */
function recordsOf(text, delimiter) {
  const source = text.replace(/^\ufeff/, "");
  const records = [];
  let start = 0;
  while (start < source.length && records.length < HEADER_SEARCH) {
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
    if (source[i] === "\r" && source[i + 1] === "\n") i += 1;
    records.push(cells.map((c) => c.trim()));
    start = i + 1;
  }
  return records;
}

/** The table's header: the first record as wide as most records (lines above it are account details). */
function headerCells(text, delimiter) {
  const records = recordsOf(text, delimiter).filter((cells) => cells.filter(Boolean).length >= 1);
  const widths = new Map();
  for (const cells of records) widths.set(cells.length, (widths.get(cells.length) || 0) + 1);
  let width = 0;
  let most = 0;
  for (const [w, n] of widths) {
    if (w >= 2 && (n * (w - 1) > most || (n * (w - 1) === most && w > width))) {
      width = w;
      most = n * (w - 1);
    }
  }
  const header = records.find((cells) => cells.length >= width && cells.filter(Boolean).length >= Math.max(2, width / 2));
  return header || records[0] || [];
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
    const detectable = !optional || select.hasAttribute("data-detected");
    select.replaceChildren(
      el("option", { value: "", text: detectable ? "Detect it" : "— None —" }),
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

function readHeader(chosen, encoding = "utf-8") {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener("load", () => resolve(String(reader.result || "")));
    reader.addEventListener("error", () => reject(reader.error));
    reader.readAsText(chosen.slice(0, HEADER_BYTES), encoding);
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
  if (headerText.includes("\ufffd")) headerText = await readHeader(file, "windows-1252"); // as the server reads it
  for (const select of mapSelects) delete select.dataset.touched;
  fillColumns();
});

form.elements.delimiter.addEventListener("change", fillColumns);
// A column chosen by hand is sent; one left as guessed from the header is detected by the server.
for (const select of mapSelects) select.addEventListener("change", () => { select.dataset.touched = "1"; });
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
    if (select.value && select.dataset.touched) params.set(select.dataset.map, select.value);
  }
  let dateFormat = form.elements.date_format.value;
  if (dateFormat === "custom") {
    dateFormat = form.elements.date_format_custom.value.trim();
    if (!dateFormat.includes("%")) problems.push({ field: "date_format", message: "Type the date format as a pattern such as %d %b %Y." });
  }
  const chosen = {
    default_category: form.elements.default_category.value === "other" ? "" : form.elements.default_category.value,
    delimiter: form.elements.delimiter.value === "auto" ? "" : form.elements.delimiter.value,
    decimal: form.elements.decimal.value,
    date_format: dateFormat,
    sign: form.querySelector('input[name="sign"]:checked').value,
  };
  for (const [name, value] of Object.entries(chosen)) if (value) params.set(name, value);
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
  const head = el("tr", {}, ...["Line", "Date", "Payee", "Category", "Amount"].map(
    (text, i) => el("th", { scope: "col", class: i === 0 || i === 4 ? "num" : null, text }),
  ));
  const rows = sample.map((r) => el(
    "tr",
    {},
    el("td", { class: "num", text: String(r.line) }),
    el("td", { text: isDate(r.date) ? dayLabel(r.date) : r.date }),
    el("td", { text: r.payee || "—" }),
    el("td", { text: categoryLabel(r.category) }),
    el("td", { class: "num", text: moneyText(r.amount) }),
  ));
  return el("div", { class: "table-wrap" },
    el("table", { class: "figures" }, el("caption", { text: "How the first rows read (duplicates included)" }), el("thead", {}, head), el("tbody", {}, ...rows)));
}

const DECIMAL_EXAMPLES = { dot: "1,234.56", comma: "1.234,56" };

/** Each "Detect it" choice says what was found; the column choices list the table's real header. */
function showDetected(reply) {
  const settings = reply.settings || {};
  const found = (select, text) => {
    const option = select.querySelector('option[value=""], option[value="auto"]');
    if (option && text) option.textContent = `Detect it (found: ${text})`;
  };
  found(form.elements.delimiter, DELIMITER_NAMES[reply.delimiter]);
  found(form.elements.decimal, DECIMAL_EXAMPLES[settings.decimal]);
  found(form.elements.date_format, settings.date_format);
  const dates = form.elements.date_format;
  for (const pattern of reply.date_choices || []) {
    if (![...dates.options].some((o) => o.value === pattern)) dates.append(el("option", { value: pattern, text: pattern }));
  }
  if ((reply.date_readings || []).length) {
    const ways = reply.date_readings.map((r) => `${r.reads_as} (${r.date_format})`).join(" or ");
    $("date_format-error").textContent = `The dates read two ways: ${reply.date_readings[0].example} is ${ways}. Choose the date format.`;
  }
  const columns = [...new Set((reply.columns || []).filter(Boolean))];
  if (!columns.length) return;
  for (const select of mapSelects) {
    if (select.dataset.touched) continue;
    const role = select.dataset.map;
    const detectable = !select.hasAttribute("data-optional") || select.hasAttribute("data-detected");
    select.replaceChildren(
      el("option", { value: "", text: detectable ? `Detect it${settings[role] ? ` (found: ${settings[role]})` : ""}` : "— None —" }),
      ...columns.map((c) => el("option", { value: c, text: c })),
    );
    select.disabled = false;
  }
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
  if (reply.holds) counts.splice(3, 0, count("Pending holds skipped", reply.holds));
  if (reply.zeros) counts.splice(3, 0, count("Zero rows skipped", reply.zeros));
  if (reply.other_currency) counts.splice(3, 0, count("Other currency skipped", reply.other_currency));
  $("result-counts").replaceChildren(...counts);

  const note = $("result-note");
  const notes = [];
  if (preview && reply.detected) notes.push(`Detected: ${reply.detected}.`);
  else if (preview && reply.delimiter) notes.push(`Read as separated by ${DELIMITER_NAMES[reply.delimiter] || reply.delimiter}.`);
  if (preview && reply.date_choices && reply.date_choices.length) {
    notes.push("Every day in the file is 12 or less, so its dates read two ways: choose the date format (day first or month first) before importing.");
  }
  if (preview) showDetected(reply);
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
    // No charset: the file goes as downloaded and its encoding is detected.
    const response = await callRaw("POST", `/expenses/import?${query}`, { body: file, contentType: "text/csv" });
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
    useProfile(me); // amounts and dates in the profile's locale
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
