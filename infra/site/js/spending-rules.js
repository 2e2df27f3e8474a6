// Settings → "Rules for categories": payee contains X → category, listed, changed, deleted and added
// (GET|POST /api/rules, PUT|DELETE /api/rules/{id}). Imports use them for rows that would land in the
// default category; quick add asks them for a suggestion. Everything shown is text, never HTML.
import { api } from "./api.js";
import { busy, clearErrors, el, showErrors } from "./dom.js";
import { getSession } from "./session.js";
import { categoryLabel, fillCategorySelect, handledAccess, useProfile } from "./spending-common.js";

const $ = (id) => document.getElementById(id);
const list = $("rules-list");
const empty = $("rules-empty");
const status = $("rules-status");
const form = $("rule-form");
let categories = [];

function request(method, path, body) {
  return api(method, path, { body, token: getSession()?.session });
}

function item(rule) {
  const edit = el("button", { type: "button", class: "secondary small", text: "Edit" },
    el("span", { class: "visually-hidden", text: ` rule for ${rule.contains}` }));
  const remove = el("button", { type: "button", class: "secondary small danger-outline", text: "Delete" },
    el("span", { class: "visually-hidden", text: ` rule for ${rule.contains}` }));
  const li = el("li", { class: "rule", "data-rule-id": rule.id },
    el("span", { class: "rule-text" }, "Payee contains ", el("strong", { text: rule.contains }),
      ` → ${categoryLabel(rule.category)}`),
    el("span", { class: "row-actions" }, edit, remove));
  edit.addEventListener("click", () => editRule(li, rule));
  remove.addEventListener("click", async () => {
    try {
      await request("DELETE", `/rules/${encodeURIComponent(rule.id)}`);
    } catch (error) {
      if (handledAccess(error)) return;
      if (error.status !== 404) {
        status.textContent = error.message;
        return;
      }
    }
    status.textContent = `Deleted the rule for “${rule.contains}”.`;
    await load();
    $("rules-title").focus();
  });
  return li;
}

function editRule(li, rule) {
  const editor = el("form", { class: "rule-edit", novalidate: true },
    el("label", { for: `rule-contains-${rule.id}`, text: "Payee contains" }),
    el("input", { id: `rule-contains-${rule.id}`, name: "contains", maxlength: "60", value: rule.contains }),
    el("p", { class: "error", "data-error-for": "contains", role: "alert" }),
    el("label", { for: `rule-category-${rule.id}`, text: "Category" }),
    el("select", { id: `rule-category-${rule.id}`, name: "category" }),
    el("p", { class: "error", "data-error-for": "category", role: "alert" }),
    el("p", { class: "error form-error", "data-error-for": "form", role: "alert", tabindex: "-1" }),
    el("p", { class: "actions-row" }, el("button", { type: "submit", class: "small", text: "Save rule" }),
      el("button", { type: "button", class: "secondary small", "data-cancel": true, text: "Cancel" })));
  fillCategorySelect(editor.elements.category, categories, rule.category);
  li.replaceChildren(editor);
  editor.elements.contains.focus();
  editor.querySelector("[data-cancel]").addEventListener("click", () => load());
  editor.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(editor);
    const body = { contains: editor.elements.contains.value, category: editor.elements.category.value };
    try {
      await request("PUT", `/rules/${encodeURIComponent(rule.id)}`, body);
    } catch (error) {
      if (!handledAccess(error)) showErrors(editor, error);
      return;
    }
    status.textContent = `Saved: payees containing “${body.contains.trim()}” go to ${categoryLabel(body.category)}.`;
    await load();
    status.focus();
  });
}

async function load() {
  let data;
  let me;
  try {
    [data, me] = await Promise.all([request("GET", "/rules"), request("GET", "/me")]);
  } catch (error) {
    if (!handledAccess(error)) status.textContent = error.message;
    return;
  }
  ({ categories } = me);
  useProfile(me); // category names as the person wrote them, whichever section's answer comes first
  const keep = form.elements.category.value;
  fillCategorySelect(form.elements.category, categories, keep || "groceries");
  list.replaceChildren(...data.rules.map(item));
  empty.hidden = data.rules.length > 0;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const body = { contains: form.elements.contains.value, category: form.elements.category.value };
  const restore = busy($("rule-add"), "Adding…");
  try {
    await request("POST", "/rules", body);
  } catch (error) {
    restore();
    if (!handledAccess(error)) showErrors(form, error);
    return;
  }
  restore();
  form.elements.contains.value = "";
  status.textContent = `Added: payees containing “${body.contains.trim()}” go to ${categoryLabel(body.category)}.`;
  await load();
  status.focus();
});

if (getSession()) load();
