// Settings → "Recurring expenses": rent, subscriptions (GET|POST /api/recurring, PUT|DELETE
// /api/recurring/{id}). Each occurrence is created on its day; changing a series changes it from its next
// occurrence on; stopping one keeps the expenses it created. Amounts and dates are written in the profile's
// locale (useProfile with this section's own GET /api/me). Everything shown is text, never HTML.
import { api } from "./api.js";
import { busy, clearErrors, el, showErrors } from "./dom.js";
import { getSession } from "./session.js";
import {
  amountInput, amountPlaceholder, categoryLabel, dayLabel, fillCategorySelect, handledAccess, isDate, moneyText,
  tidyAmount, today, useProfile,
} from "./spending-common.js";

const $ = (id) => document.getElementById(id);
const list = $("recurring-list");
const empty = $("recurring-empty");
const status = $("recurring-status");
const form = $("recurring-form");
const save = $("recurring-save");
const cancel = $("recurring-cancel");
const EVERY = { week: "every week", month: "every month", year: "every year" };
let categories = [];
let editing = null; // the series whose terms the form is changing, or null when it adds one

function request(method, path, body) {
  return api(method, path, { body, token: getSession()?.session });
}

function describe(series) {
  const payee = series.payee ? ` · ${series.payee}` : "";
  const until = series.end ? ` until ${dayLabel(series.end)}` : "";
  const next = series.next ? `next: ${dayLabel(series.next)}` : "ended";
  return `${moneyText(series.amount)} · ${categoryLabel(series.category)}${payee} — ${EVERY[series.every]} `
    + `from ${dayLabel(series.start)}${until} (${next})`;
}

function item(series) {
  const label = ` recurring expense ${series.payee || categoryLabel(series.category)}`;
  const edit = el("button", { type: "button", class: "secondary small", text: "Edit" },
    el("span", { class: "visually-hidden", text: label }));
  const stop = el("button", { type: "button", class: "secondary small danger-outline", text: "Stop" },
    el("span", { class: "visually-hidden", text: label }));
  edit.addEventListener("click", () => startEdit(series));
  stop.addEventListener("click", async () => {
    try {
      await request("DELETE", `/recurring/${encodeURIComponent(series.id)}`);
    } catch (error) {
      if (handledAccess(error)) return;
      if (error.status !== 404) {
        status.textContent = error.message;
        return;
      }
    }
    status.textContent = "Stopped. The expenses it already created stay in your list.";
    if (editing && editing.id === series.id) endEdit();
    await load();
    $("recurring-title").focus();
  });
  return el("li", { class: "rule", "data-series-id": series.id },
    el("span", { class: "rule-text", text: describe(series) }), el("span", { class: "row-actions" }, edit, stop));
}

function startEdit(series) {
  editing = series;
  const f = form.elements;
  f.amount.value = amountInput(series.amount); // "10,99" for a German profile: tidyAmount and the API read it
  f.category.value = series.category;
  f.payee.value = series.payee;
  f.every.value = series.every;
  f.start.value = series.start;
  f.end.value = series.end || "";
  save.textContent = "Save changes";
  cancel.hidden = false;
  $("recurring-form-hint").textContent = "Changes apply from the next occurrence on; expenses already created "
    + "stay as they are (edit one in your list to change only it).";
  f.amount.focus();
}

function endEdit() {
  editing = null;
  form.reset();
  form.elements.start.value = today();
  fillCategorySelect(form.elements.category, categories, "housing");
  save.textContent = "Add recurring expense";
  cancel.hidden = true;
  $("recurring-form-hint").textContent = "";
}

async function load() {
  let data;
  let me;
  try {
    [data, me] = await Promise.all([request("GET", "/recurring"), request("GET", "/me")]);
  } catch (error) {
    if (!handledAccess(error)) status.textContent = error.message;
    return;
  }
  ({ categories } = me);
  useProfile(me); // amounts, dates and category names as the profile's locale writes them
  form.elements.amount.placeholder = amountPlaceholder();
  if (!editing) fillCategorySelect(form.elements.category, categories, form.elements.category.value || "housing");
  list.replaceChildren(...data.recurring.map(item));
  empty.hidden = data.recurring.length > 0;
}

cancel.addEventListener("click", () => {
  endEdit();
  form.elements.amount.focus();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const f = form.elements;
  const body = {
    amount: tidyAmount(f.amount.value), category: f.category.value, every: f.every.value,
    start: f.start.value, end: f.end.value || null, payee: f.payee.value.trim(),
  };
  const problems = [];
  if (!body.amount) problems.push({ field: "amount", message: `Enter the amount, like ${amountInput("9.99")}.` });
  if (!isDate(body.start)) problems.push({ field: "start", message: "Choose the first date." });
  if (problems.length) {
    showErrors(form, { errors: problems });
    return;
  }
  const restore = busy(save, "Saving…");
  try {
    if (editing) await request("PUT", `/recurring/${encodeURIComponent(editing.id)}`, body);
    else await request("POST", "/recurring", body);
  } catch (error) {
    restore();
    if (!handledAccess(error)) showErrors(form, error);
    return;
  }
  restore();
  status.textContent = editing ? "Saved. The change applies from the next occurrence on."
    : "Added. Each occurrence is recorded on its day.";
  endEdit();
  await load();
  status.focus();
});

if (getSession()) {
  form.elements.start.value = today();
  load();
}
