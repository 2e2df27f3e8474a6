// The month view: pick a month, add an expense in a few keystrokes, see the month's expenses (edit,
// delete, load more), the month against its budgets and the last six months. Amounts are the API's
// decimal strings throughout; the charts get Number(...) copies only to draw bar lengths.
import { busy, clearErrors, doneLoading, el, fillProblem, showErrors } from "./dom.js";
import { chartsAvailable, drawCategoryChart, drawTrendChart } from "./spending-charts.js";
import { offerRule, suggestCategory } from "./spending-rule-offer.js";
import {
  amountInput,
  amountPlaceholder,
  call,
  categoryLabel,
  currentMonth,
  dayEl,
  dayLabel,
  fillCategorySelect,
  handledAccess,
  isDate,
  isMonth,
  isOver,
  monthLabel,
  monthName,
  moneyText,
  newIdempotencyKey,
  percentText,
  recall,
  remaining,
  remember,
  shiftMonth,
  startPage,
  tidyAmount,
  today,
  useProfile,
} from "./spending-common.js";

const TREND_MONTHS = 6;
const $ = (id) => document.getElementById(id);

const view = $("spending-view");
const addForm = $("add-form");
const addAmount = $("add-amount");
const addCategory = $("add-category");
const addDate = $("add-date");
const addPayee = $("add-payee");
const addSubmit = $("add-submit");
const addStatus = $("add-status");
const listSection = $("list-section");
const listStatus = $("list-status");
const listError = $("list-error");
const ledger = $("ledger");
const ledgerBody = $("ledger-body");
const loadMoreButton = $("load-more");
const editDialog = $("edit-dialog");
const editForm = $("edit-form");
const deleteDialog = $("delete-dialog");

const state = {
  me: null,
  month: currentMonth(),
  expenses: [],
  cursor: null,
  listSeq: 0,
  summarySeq: 0,
  trendSeq: 0,
  pendingAdd: null, // {key, body}: a retry of the same expense reuses its Idempotency-Key
  editing: null,
  deleting: null,
  opener: null, // {id, action} of the row button that opened a dialog, for focus when it closes
  afterClose: null, // where focus goes when a dialog closes after a change
};

function currency() {
  return state.me ? state.me.currency : "";
}

function decimals() {
  return state.me ? state.me.decimals : 2;
}

function money(text) {
  return moneyText(text);
}

function inMonth(expense, month = state.month) {
  return typeof expense.date === "string" && expense.date.startsWith(`${month}-`);
}

// Newest first, as the API lists them: by date, then the time entered (ids of new expenses sort by it too).
function newestFirst(a, b) {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  if (a.created_at !== b.created_at) return String(a.created_at) < String(b.created_at) ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

// ------------------------------------------------------------------------------------------ month

function monthFromUrl() {
  const month = new URLSearchParams(window.location.search).get("month");
  return isMonth(month) ? month : currentMonth();
}

function showMonth(month, { announce = false } = {}) {
  state.month = month;
  const label = monthLabel(month);
  const params = new URLSearchParams(window.location.search);
  if (month === currentMonth()) params.delete("month");
  else params.set("month", month);
  const query = params.toString();
  window.history.replaceState(window.history.state, "", `${window.location.pathname}${query ? `?${query}` : ""}`);
  document.title = `${label} · Spending · Pennydesk`;
  $("month-title").textContent = label;
  $("this-month").hidden = month === currentMonth();
  $("prev-month").setAttribute("aria-label", `Previous month, ${monthLabel(shiftMonth(month, -1))}`);
  $("next-month").setAttribute("aria-label", `Next month, ${monthLabel(shiftMonth(month, 1))}`);
  $("summary-title").textContent = `${monthName(month)} against your budget`;
  $("list-title").textContent = `Expenses in ${label}`;
  $("ledger-caption").textContent = `Expenses in ${label}, newest first`;
  $("month-status").textContent = announce ? `Showing ${label}.` : "";
  state.expenses = [];
  state.cursor = null;
  renderList();
  loadList();
  loadSummary();
}

$("prev-month").addEventListener("click", () => showMonth(shiftMonth(state.month, -1), { announce: true }));
$("next-month").addEventListener("click", () => showMonth(shiftMonth(state.month, 1), { announce: true }));
$("this-month").addEventListener("click", () => {
  showMonth(currentMonth(), { announce: true });
  $("month-title").focus(); // the button that had focus just hid itself
});

// ------------------------------------------------------------------------------------------ list

function actionButton(action, expense, text, className) {
  const what = [expense.amount && money(expense.amount), expense.payee, dayLabel(expense.date)].filter(Boolean).join(", ");
  const button = el("button", { type: "button", class: className, "data-action": action },
    text, el("span", { class: "visually-hidden", text: ` expense: ${what}` }));
  button.addEventListener("click", () => (action === "edit" ? openEdit(expense, button) : openDelete(expense, button)));
  return button;
}

function row(expense) {
  const payee = el("td", { class: "payee", "data-label": "Payee" });
  if (expense.payee) payee.append(el("span", { class: "payee-name", text: expense.payee }));
  else payee.append(el("span", { class: "meta", text: "No payee" }));
  if (expense.note) payee.append(el("span", { class: "expense-note", text: expense.note }));
  if (expense.recurring_id) {
    payee.append(" ", el("span", { class: "badge recurring-badge", title: "Recorded by a recurring expense (settings)" },
      el("span", { "aria-hidden": "true", text: "↻" }), el("span", { class: "visually-hidden", text: "recurring" })));
  }
  return el(
    "tr",
    { "data-expense-id": expense.id },
    el("td", { class: "date", "data-label": "Date" }, dayEl(expense.date)),
    payee,
    el("td", { class: "category", "data-label": "Category", text: categoryLabel(expense.category) }),
    el("td", { class: "num amount", "data-label": "Amount", text: money(expense.amount) }),
    el(
      "td",
      { class: "row-actions", "data-label": "Actions" },
      actionButton("edit", expense, "Edit", "secondary small"),
      actionButton("delete", expense, "Delete", "secondary small danger-outline"),
    ),
  );
}

function focusRowButton(id, action) {
  const tr = [...ledgerBody.querySelectorAll("tr[data-expense-id]")].find((r) => r.dataset.expenseId === id);
  const button = tr ? tr.querySelector(`button[data-action="${action}"]`) : null;
  if (button) button.focus();
  return Boolean(button);
}

function renderList() {
  // Re-rendering replaces the rows: keep focus on the same button of the same expense if it was in the list.
  const active = document.activeElement;
  const activeRow = active && ledgerBody.contains(active) ? active.closest("tr") : null;
  const keep = activeRow ? { id: activeRow.dataset.expenseId, action: active.dataset.action } : null;

  ledgerBody.replaceChildren(...state.expenses.map(row));
  const count = state.expenses.length;
  ledger.hidden = count === 0;
  const empty = $("list-empty");
  empty.replaceChildren(
    `Nothing recorded in ${monthLabel(state.month)} yet. Add an expense above, or `,
    el("a", { href: "/spending/import.html", text: "import a bank file" }),
    ".",
  );
  empty.hidden = count > 0 || $("list-loading").hidden === false;
  loadMoreButton.hidden = !state.cursor;
  $("list-count").textContent = count === 0 ? "" : `${count} expense${count === 1 ? "" : "s"}${state.cursor ? " shown, more to load" : ""}`;
  const payees = [...new Set(state.expenses.map((e) => e.payee).filter(Boolean))].slice(0, 50);
  $("payees").replaceChildren(...payees.map((p) => el("option", { value: p })));

  if (keep && keep.id && keep.action) focusRowButton(keep.id, keep.action);
}

/** Load the month's first page. `ensure`/`removeId` patch in a change the list may not show yet. */
async function loadList({ ensure = null, removeId = null } = {}) {
  const seq = ++state.listSeq;
  const month = state.month;
  listError.textContent = "";
  listSection.setAttribute("aria-busy", "true");
  if (!state.expenses.length) {
    $("list-loading").hidden = false;
    $("list-empty").hidden = true;
  }
  let data;
  try {
    data = await call("GET", `/expenses?month=${encodeURIComponent(month)}`);
  } catch (error) {
    if (seq !== state.listSeq) return;
    listSection.setAttribute("aria-busy", "false");
    $("list-loading").hidden = true;
    if (handledAccess(error)) return;
    listError.textContent = `We couldn't load the expenses: ${error.message}`;
    return;
  }
  if (seq !== state.listSeq) return; // the month changed meanwhile
  listSection.setAttribute("aria-busy", "false");
  $("list-loading").hidden = true;
  let items = data.expenses.filter((e) => e.id !== removeId);
  if (ensure && inMonth(ensure, month)) {
    items = items.filter((e) => e.id !== ensure.id);
    const last = items[items.length - 1];
    // Only add it where this first page reaches, else the next page holds it anyway.
    if (!data.next_cursor || !last || newestFirst(ensure, last) < 0) {
      items.push(ensure);
      items.sort(newestFirst);
    }
  }
  state.expenses = items;
  state.cursor = data.next_cursor;
  renderList();
}

loadMoreButton.addEventListener("click", async () => {
  const seq = state.listSeq;
  const before = state.expenses.length;
  listError.textContent = "";
  const restore = busy(loadMoreButton, "Loading…");
  let data;
  try {
    data = await call("GET", `/expenses?month=${encodeURIComponent(state.month)}&cursor=${encodeURIComponent(state.cursor)}`);
  } catch (error) {
    restore();
    if (handledAccess(error)) return;
    listError.textContent = `We couldn't load more: ${error.message}`;
    loadMoreButton.focus();
    return;
  }
  restore();
  if (seq !== state.listSeq) return;
  const known = new Set(state.expenses.map((e) => e.id));
  state.expenses = state.expenses.concat(data.expenses.filter((e) => !known.has(e.id)));
  state.cursor = data.next_cursor;
  renderList();
  const added = state.expenses.length - before;
  listStatus.textContent = `Loaded ${added} more expense${added === 1 ? "" : "s"}; ${state.expenses.length} shown${state.cursor ? "" : ", that's all of them"}.`;
  if (state.cursor) loadMoreButton.focus();
  else if (state.expenses[before]) focusRowButton(state.expenses[before].id, "edit");
  else $("list-title").focus();
});

// ------------------------------------------------------------------------------------------ summary

function figureRow(label, ...cells) {
  return el("tr", {}, el("th", { scope: "row", text: label }), ...cells.map((c) => el("td", { class: "num", text: c })));
}

function renderSummary(report) {
  $("summary-total").textContent = money(report.total);
  const limitLine = $("summary-limit");
  const bar = $("budget-bar");
  const fill = $("budget-fill");
  const left = $("summary-left");
  if (report.limit) {
    limitLine.textContent = `of your ${money(report.limit)} budget · ${percentText(report.percent_used)} used`;
    const percent = typeof report.percent_used === "number" ? report.percent_used : 0;
    fill.style.width = `${Math.max(0, Math.min(percent, 100))}%`;
    const over = isOver(report.total, report.limit, decimals());
    bar.classList.toggle("over", over);
    bar.hidden = false;
    const difference = remaining(report.limit, report.total, decimals());
    if (difference === null) left.textContent = "";
    else if (difference.startsWith("-")) left.textContent = `${money(difference.slice(1))} over budget`;
    else left.textContent = `${money(difference)} left`;
    left.classList.toggle("over-text", over);
  } else {
    limitLine.replaceChildren("No monthly budget set. ", el("a", { href: "/spending/settings.html", text: "Set one in Settings" }));
    bar.hidden = true;
    left.textContent = "";
  }

  const rows = report.categories;
  $("category-empty").hidden = rows.length > 0;
  $("category-figures").hidden = rows.length === 0;
  $("category-table-body").replaceChildren(
    ...rows.map((c) => {
      const over = c.limit !== null && isOver(c.total, c.limit, decimals());
      return figureRow(
        categoryLabel(c.category),
        money(c.total),
        c.limit === null ? "No limit" : money(c.limit),
        c.limit === null ? "—" : `${percentText(c.percent_used)}${over ? " (over)" : ""}`,
      );
    }),
  );
  if (rows.length && chartsAvailable()) {
    const hasLimits = rows.some((c) => c.limit !== null);
    $("category-chart-box").style.height = `${Math.max(150, rows.length * (hasLimits ? 44 : 30) + (hasLimits ? 70 : 40))}px`;
    // Drawn after the box is visible, so Chart.js measures its real width.
    requestAnimationFrame(() => drawCategoryChart($("category-chart"), report, decimals()));
  }
}

async function loadSummary() {
  const seq = ++state.summarySeq;
  const month = state.month;
  $("summary-error").textContent = "";
  $("summary-section").setAttribute("aria-busy", "true");
  let report;
  try {
    report = await call("GET", `/reports/monthly?month=${encodeURIComponent(month)}`);
  } catch (error) {
    if (seq !== state.summarySeq) return;
    $("summary-section").setAttribute("aria-busy", "false");
    $("summary-loading").hidden = true;
    if (handledAccess(error)) return;
    $("summary-error").textContent = `We couldn't load the month's totals: ${error.message}`;
    return;
  }
  if (seq !== state.summarySeq) return;
  $("summary-section").setAttribute("aria-busy", "false");
  $("summary-loading").hidden = true;
  $("summary-body").hidden = false;
  renderSummary(report);
}

async function loadTrend() {
  const seq = ++state.trendSeq;
  $("trend-error").textContent = "";
  $("trend-section").setAttribute("aria-busy", "true");
  let points;
  try {
    points = await call("GET", `/reports/trend?months=${TREND_MONTHS}`);
  } catch (error) {
    if (seq !== state.trendSeq) return;
    $("trend-section").setAttribute("aria-busy", "false");
    $("trend-loading").hidden = true;
    if (handledAccess(error)) return;
    $("trend-error").textContent = `We couldn't load the trend: ${error.message}`;
    return;
  }
  if (seq !== state.trendSeq) return;
  $("trend-section").setAttribute("aria-busy", "false");
  $("trend-loading").hidden = true;
  $("trend-figures").hidden = false;
  $("trend-table-body").replaceChildren(
    ...points.map((p) => figureRow(monthLabel(p.month), money(p.total), p.limit === null ? "No budget" : money(p.limit))),
  );
  if (chartsAvailable()) requestAnimationFrame(() => drawTrendChart($("trend-chart"), points, currency(), decimals()));
}

function refreshAfterChange(change) {
  loadList(change);
  loadSummary();
  loadTrend();
}

// ------------------------------------------------------------------------------------------ add

addForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(addForm);
  addStatus.textContent = "";
  const body = { amount: tidyAmount(addAmount.value), category: addCategory.value, date: addDate.value };
  const payee = addPayee.value.trim();
  if (payee) body.payee = payee;
  const problems = [];
  if (!body.amount) problems.push({ field: "amount", message: "Enter the amount, like 12.50." });
  if (!body.category) problems.push({ field: "category", message: "Choose a category." });
  if (!isDate(body.date)) problems.push({ field: "date", message: "Choose the date of the expense." });
  if (problems.length) {
    showErrors(addForm, { errors: problems });
    return;
  }
  // One key per expense: pressing Add again after a failure retries the same one, never records it twice.
  const json = JSON.stringify(body);
  if (!state.pendingAdd || state.pendingAdd.body !== json) state.pendingAdd = { key: newIdempotencyKey(), body: json };
  const restore = busy(addSubmit, "Adding…");
  let created;
  try {
    created = await call("POST", "/expenses", { body, headers: { "Idempotency-Key": state.pendingAdd.key } });
  } catch (error) {
    restore();
    if (handledAccess(error)) return;
    if (error.code === "idempotency_key_reused") state.pendingAdd = null;
    showErrors(addForm, error);
    return;
  }
  restore();
  state.pendingAdd = null;
  remember("lastCategory", created.category);
  addAmount.value = "";
  addPayee.value = "";
  addAmount.focus();
  const where = inMonth(created) ? "" : ` It's in ${monthLabel(created.date.slice(0, 7))}.`;
  listStatus.textContent = ""; // one confirmation on screen at a time
  addStatus.textContent = `Added ${money(created.amount)} for ${categoryLabel(created.category)} on ${dayLabel(created.date)}.${where}`;
  refreshAfterChange({ ensure: created });
});

// Quick add is amount, the category's first letter, Enter: Enter on the category (or the date) adds the
// expense. Some browsers open a <select>'s list on Enter instead; the keyboard never needs it here.
for (const field of [addCategory, addDate]) {
  field.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    addForm.requestSubmit();
  });
}

// Typing again after a message clears it, so an old "Added…" never sits beside new input.
addAmount.addEventListener("input", () => {
  if (addStatus.textContent) addStatus.textContent = "";
});

// ------------------------------------------------------------------------------------------ edit / delete

function openDialog(dialog, opener) {
  // Rows are re-rendered as data arrives, so remember which expense and button, not the element.
  const tr = opener.closest("tr");
  state.opener = tr ? { id: tr.dataset.expenseId, action: opener.dataset.action } : null;
  state.afterClose = null;
  dialog.showModal();
}

for (const dialog of [editDialog, deleteDialog]) {
  dialog.addEventListener("close", () => {
    const next = state.afterClose;
    state.afterClose = null;
    if (next) next();
    else if (!state.opener || !focusRowButton(state.opener.id, state.opener.action)) $("list-title").focus();
  });
}

function openEdit(expense, opener) {
  state.editing = expense;
  clearErrors(editForm);
  fillCategorySelect(editForm.elements.category, state.me.categories, expense.category);
  if (!state.me.categories.includes(expense.category)) {
    // A category since removed from settings still shows, so saving without touching it says why it fails.
    editForm.elements.category.append(el("option", { value: expense.category, text: categoryLabel(expense.category) }));
    editForm.elements.category.value = expense.category;
  }
  editForm.elements.amount.value = amountInput(expense.amount);
  editForm.elements.date.value = expense.date;
  editForm.elements.payee.value = expense.payee || "";
  editForm.elements.note.value = expense.note || "";
  openDialog(editDialog, opener);
  editForm.elements.amount.focus();
  editForm.elements.amount.select();
}

$("edit-cancel").addEventListener("click", () => editDialog.close());

editForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const expense = state.editing;
  if (!expense) return;
  clearErrors(editForm);
  const body = {
    amount: tidyAmount(editForm.elements.amount.value),
    category: editForm.elements.category.value,
    date: editForm.elements.date.value,
    payee: editForm.elements.payee.value.trim(),
    note: editForm.elements.note.value.trim(),
    tags: Array.isArray(expense.tags) ? expense.tags : [], // PUT replaces the whole expense: keep its tags
  };
  const problems = [];
  if (!body.amount) problems.push({ field: "amount", message: "Enter the amount, like 12.50." });
  if (!isDate(body.date)) problems.push({ field: "date", message: "Choose the date of the expense." });
  if (problems.length) {
    showErrors(editForm, { errors: problems });
    return;
  }
  const save = $("edit-save");
  const restore = busy(save, "Saving…");
  let updated;
  try {
    updated = await call("PUT", `/expenses/${encodeURIComponent(expense.id)}`, { body });
  } catch (error) {
    restore();
    if (handledAccess(error)) return;
    if (error.status === 404) {
      showErrors(editForm, { message: "This expense was deleted (perhaps in another window). Close this and the list will update." });
      loadList({ removeId: expense.id });
      return;
    }
    showErrors(editForm, error);
    return;
  }
  restore();
  state.editing = null;
  const moved = !inMonth(updated);
  state.expenses = moved
    ? state.expenses.filter((e) => e.id !== updated.id)
    : state.expenses.map((e) => (e.id === updated.id ? updated : e)).sort(newestFirst);
  renderList();
  addStatus.textContent = ""; // one confirmation on screen at a time
  $("list-status").textContent = moved
    ? `Saved. The expense moved to ${monthLabel(updated.date.slice(0, 7))}.`
    : `Saved ${money(updated.amount)} for ${categoryLabel(updated.category)} on ${dayLabel(updated.date)}.`;
  state.afterClose = () => {
    if (moved || !focusRowButton(updated.id, "edit")) $("list-title").focus();
  };
  editDialog.close();
  refreshAfterChange(moved ? { removeId: updated.id } : { ensure: updated });
  offerRule(updated.rule_suggestion, $("list-status"), {
    month: updated.date.slice(0, 7), onMoved: () => refreshAfterChange({}) });
});

function openDelete(expense, opener) {
  state.deleting = expense;
  $("delete-error").textContent = "";
  const parts = [money(expense.amount), expense.payee || "no payee", categoryLabel(expense.category), dayLabel(expense.date)];
  $("delete-text").textContent = `${parts.join(" · ")}. This can't be undone.`;
  openDialog(deleteDialog, opener);
  $("delete-no").focus();
}

$("delete-no").addEventListener("click", () => deleteDialog.close());

$("delete-yes").addEventListener("click", async () => {
  const expense = state.deleting;
  if (!expense) return;
  $("delete-error").textContent = "";
  const yes = $("delete-yes");
  const restore = busy(yes, "Deleting…");
  try {
    await call("DELETE", `/expenses/${encodeURIComponent(expense.id)}`);
  } catch (error) {
    restore();
    if (handledAccess(error)) return;
    if (error.status !== 404) {
      $("delete-error").textContent = error.message;
      $("delete-error").focus();
      return;
    }
    // 404: it was already deleted elsewhere; the list just catches up.
  }
  restore();
  state.deleting = null;
  const index = state.expenses.findIndex((e) => e.id === expense.id);
  const neighbour = state.expenses[index + 1] || state.expenses[index - 1] || null;
  state.expenses = state.expenses.filter((e) => e.id !== expense.id);
  renderList();
  addStatus.textContent = "";
  $("list-status").textContent = `Deleted ${money(expense.amount)}${expense.payee ? ` at ${expense.payee}` : ""} on ${dayLabel(expense.date)}.`;
  state.afterClose = () => {
    if (!neighbour || !focusRowButton(neighbour.id, "edit")) $("list-title").focus();
  };
  deleteDialog.close();
  refreshAfterChange({ removeId: expense.id });
});

// ------------------------------------------------------------------------------------------ tables

// A hidden table is hidden by its wrapper: a table keeps its content's width however it is clipped, so a
// visually hidden table would still push the page wider than a phone's screen.
function tableBox(id) {
  const table = $(id);
  return table.closest(".table-wrap") || table;
}

for (const toggle of document.querySelectorAll("[data-table-toggle]")) {
  toggle.addEventListener("click", () => {
    const show = toggle.getAttribute("aria-expanded") !== "true";
    tableBox(toggle.getAttribute("aria-controls")).classList.toggle("visually-hidden", !show);
    toggle.setAttribute("aria-expanded", String(show));
    toggle.textContent = show ? "Hide the table" : "Show the figures as a table";
  });
}

function withoutCharts() {
  // The chart library didn't load: the tables are the figures, shown to everyone.
  for (const id of ["category-chart-box", "trend-chart-box"]) $(id).hidden = true;
  for (const toggle of document.querySelectorAll("[data-table-toggle]")) toggle.hidden = true;
  for (const id of ["category-table", "trend-table"]) tableBox(id).classList.remove("visually-hidden");
}

// ------------------------------------------------------------------------------------------ start

async function start() {
  const session = startPage("spending-view");
  if (!session) return;
  try {
    state.me = await call("GET", "/me");
  } catch (error) {
    if (handledAccess(error)) return;
    doneLoading();
    fillProblem({
      title: "We couldn't load your spending",
      text: error.message,
      links: [{ href: window.location.href, text: "Try again", primary: true }],
    });
    return;
  }
  useProfile(state.me); // every amount, date, month and percentage from here on in the profile's locale
  for (const slot of document.querySelectorAll("[data-currency]")) slot.textContent = `(${state.me.currency})`;
  $("summary-currency").textContent = "";
  addAmount.placeholder = amountPlaceholder();
  const last = recall("lastCategory");
  fillCategorySelect(addCategory, state.me.categories, state.me.categories.includes(last) ? last : "other");
  addDate.value = today();
  suggestCategory(addPayee, addCategory);
  if (!chartsAvailable()) withoutCharts();
  view.hidden = false;
  doneLoading();
  showMonth(monthFromUrl());
  loadTrend();
  addAmount.focus();
}

start();
