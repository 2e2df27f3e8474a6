// The admin roster: every agent, add one, change one, deactivate or activate one (with a confirm step,
// because deactivating hands the agent's open tickets back to the queue).
import { api } from "./api.js";
import { badge, busy, clearErrors, doneLoading, el, fillProblem, humanize, showErrors } from "./dom.js";
import { staffAccessProblem } from "./staff-access.js";
import { getSession, setupNav } from "./session.js";

const FALLBACK_CATEGORIES = ["general", "billing", "technical"].map((value) => ({ value, label: humanize(value) }));

const session = getSession();
setupNav(session);

const rosterBody = document.getElementById("roster");
const rosterStatus = document.getElementById("roster-status");
const rosterError = document.getElementById("roster-error");
const editSection = document.getElementById("edit-section");
const editForm = document.getElementById("edit-form");
const addForm = document.getElementById("add-form");
const confirmBox = document.getElementById("confirm-box");
const activeToggle = document.getElementById("active-toggle");

let categories = FALLBACK_CATEGORIES;
let agents = [];
let editing = null; // the agent being edited, as last loaded

function categoryLabel(value) {
  return categories.find((c) => c.value === value)?.label || humanize(value);
}

function checkboxes(container, prefix, checked) {
  container.replaceChildren(
    ...categories.map((c) => {
      const id = `${prefix}-cat-${String(c.value).replace(/[^a-zA-Z0-9_-]/g, "-")}`;
      const input = el("input", { type: "checkbox", id, name: "categories", value: c.value });
      input.checked = checked.includes(c.value);
      return el("div", { class: "checkbox" }, input, el("label", { for: id, text: c.label }));
    }),
  );
}

function checkedCategories(form) {
  return [...form.querySelectorAll('input[name="categories"]:checked')].map((i) => i.value);
}

function editButtonFor(id) {
  return [...rosterBody.querySelectorAll("button[data-agent-id]")].find((b) => b.dataset.agentId === id) || null;
}

function cell(label, ...children) {
  return el("td", { "data-label": label }, ...children);
}

function row(agent) {
  const edit = el("button", { type: "button", class: "secondary small", "data-agent-id": agent.id },
    "Edit", el("span", { class: "visually-hidden", text: ` ${agent.name}` }));
  edit.addEventListener("click", () => openEditor(agent.id));
  return el(
    "tr",
    { class: agent.active ? null : "inactive" },
    el("th", { scope: "row", "data-label": "Name", text: agent.name }),
    cell("Email", el("span", { class: "nowrap-email", text: agent.email })),
    cell("Categories", agent.categories.map(categoryLabel).join(", ")),
    cell("Open / capacity", `${agent.open_count} / ${agent.capacity}`),
    cell("Status", badge(agent.active ? "Active" : "Inactive", agent.active ? "active" : "inactive")),
    cell("Actions", edit),
  );
}

function renderRoster() {
  rosterBody.replaceChildren(...agents.map(row));
  document.getElementById("roster-empty").hidden = agents.length > 0;
}

async function loadRoster() {
  const data = await api("GET", "/admin/agents", { token: session.session });
  agents = data.agents;
  renderRoster();
}

async function loadCategories() {
  try {
    const options = await api("GET", "/tickets/options");
    if (Array.isArray(options.categories) && options.categories.length) categories = options.categories;
  } catch {
    /* the default list stays */
  }
}

/** After a save: the roster as the API has it now (or, if that read fails, with the saved agent swapped in). */
async function showSaved(saved, restore) {
  try {
    await loadRoster();
  } catch {
    agents = agents.map((a) => (a.id === saved.id ? saved : a));
    renderRoster();
  }
  restore();
  closeEditor({ focusRow: false });
}

function accessProblem(error) {
  return staffAccessProblem(error, session, "admin-view", "admin");
}

/** Errors from a save: access problems replace the page; the rest go beside their fields. */
function handleSaveError(form, error, fallback) {
  if (error.status === 401 || error.status === 403) {
    accessProblem(error);
    return;
  }
  showErrors(form, error, fallback);
}

function readForm(form, { withEmail }) {
  const data = {
    name: form.elements.name.value.trim(),
    categories: checkedCategories(form),
    capacity: form.elements.capacity.value.trim(),
  };
  const errors = [];
  if (withEmail) {
    data.email = form.elements.email.value.trim();
    if (!data.email) errors.push({ field: "email", message: "This field is required." });
    else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(data.email)) {
      errors.push({ field: "email", message: "Enter an email address like name@example.com." });
    }
  }
  if (!data.name) errors.push({ field: "name", message: "This field is required." });
  if (!data.categories.length) errors.push({ field: "categories", message: "Choose at least one category." });
  const capacity = Number(data.capacity);
  if (!/^\d+$/.test(data.capacity) || capacity < 1 || capacity > 1000) {
    errors.push({ field: "capacity", message: "Enter a whole number from 1 to 1000." });
  } else {
    data.capacity = capacity;
  }
  // Field order on the page, so focus lands on the first problem.
  const order = ["name", "email", "categories", "capacity"];
  errors.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
  return { data, errors };
}

function say(node, text) {
  rosterStatus.textContent = "";
  document.getElementById("add-status").textContent = "";
  rosterError.textContent = "";
  node.textContent = text;
  node.focus();
}

// Add ------------------------------------------------------------------------------------------

addForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(addForm);
  document.getElementById("add-status").textContent = "";
  const { data, errors } = readForm(addForm, { withEmail: true });
  if (errors.length) return showErrors(addForm, { errors });
  const button = document.getElementById("add-submit");
  const restore = busy(button, "Adding…");
  let created;
  try {
    created = await api("POST", "/admin/agents", { token: session.session, body: data });
  } catch (error) {
    restore();
    handleSaveError(addForm, error);
    return;
  }
  addForm.reset();
  checkboxes(document.getElementById("add-categories"), "add", []);
  try {
    await loadRoster();
  } catch {
    /* the new agent shows on the next load */
  }
  restore();
  say(document.getElementById("add-status"), `${created.name} was added. They can sign in with ${created.email}.`);
});

// Edit -----------------------------------------------------------------------------------------

function openEditor(id) {
  const agent = agents.find((a) => a.id === id);
  if (!agent) return;
  editing = agent;
  clearErrors(editForm);
  hideConfirm();
  document.getElementById("edit-title").textContent = `Edit ${agent.name}`;
  document.getElementById("edit-email").textContent = agent.email;
  editForm.elements.name.value = agent.name;
  editForm.elements.capacity.value = String(agent.capacity);
  checkboxes(document.getElementById("edit-categories"), "edit", agent.categories);
  renderAvailability(agent);
  editSection.hidden = false;
  document.getElementById("edit-title").focus();
}

function closeEditor({ focusRow = true } = {}) {
  const id = editing?.id;
  editing = null;
  hideConfirm();
  editSection.hidden = true;
  if (focusRow && id) editButtonFor(id)?.focus();
}

function renderAvailability(agent) {
  const text = document.getElementById("active-text");
  if (agent.active) {
    text.textContent = `${agent.name} is active: new tickets can be assigned to them.`;
    activeToggle.textContent = "Deactivate…";
  } else {
    text.textContent = `${agent.name} is inactive: they get no tickets and can't sign in as an agent.`;
    activeToggle.textContent = "Activate…";
  }
}

function hideConfirm() {
  confirmBox.hidden = true;
  document.getElementById("confirm-error").textContent = "";
  activeToggle.hidden = false;
}

editForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!editing) return;
  clearErrors(editForm);
  const { data, errors } = readForm(editForm, { withEmail: false });
  if (errors.length) return showErrors(editForm, { errors });
  const changes = {};
  if (data.name !== editing.name) changes.name = data.name;
  if ([...data.categories].sort().join() !== [...editing.categories].sort().join()) changes.categories = data.categories;
  if (data.capacity !== editing.capacity) changes.capacity = data.capacity;
  if (!Object.keys(changes).length) {
    showErrors(editForm, { message: "Nothing has changed yet." });
    return;
  }
  const button = document.getElementById("edit-save");
  const restore = busy(button, "Saving…");
  let saved;
  try {
    saved = await api("PATCH", `/admin/agents/${editing.id}`, { token: session.session, body: changes });
  } catch (error) {
    restore();
    handleSaveError(editForm, error);
    return;
  }
  await showSaved(saved, restore);
  say(rosterStatus, `Saved the changes to ${saved.name}.`);
});

document.getElementById("edit-cancel").addEventListener("click", () => closeEditor());

// Deactivate / activate, with a confirm step -----------------------------------------------------

activeToggle.addEventListener("click", () => {
  if (!editing) return;
  const agent = editing;
  const question = document.getElementById("confirm-question");
  const text = document.getElementById("confirm-text");
  const yes = document.getElementById("confirm-yes");
  if (agent.active) {
    question.textContent = `Deactivate ${agent.name}?`;
    const open = agent.open_count;
    text.textContent =
      `They will no longer get new tickets, sign in as an agent or act on tickets. ` +
      (open
        ? `Their ${open} open ticket${open === 1 ? "" : "s"} go${open === 1 ? "es" : ""} back to the queue and ${open === 1 ? "is" : "are"} assigned to other agents who cover ${open === 1 ? "its" : "those"} categories.`
        : "They have no open tickets right now.");
    yes.textContent = "Yes, deactivate";
    yes.className = "danger";
  } else {
    question.textContent = `Activate ${agent.name}?`;
    text.textContent = "They can sign in again, and new tickets in their categories can be assigned to them.";
    yes.textContent = "Yes, activate";
    yes.className = "";
  }
  document.getElementById("confirm-error").textContent = "";
  activeToggle.hidden = true;
  confirmBox.hidden = false;
  document.getElementById("confirm-no").focus();
});

document.getElementById("confirm-no").addEventListener("click", () => {
  hideConfirm();
  activeToggle.focus();
});

document.getElementById("confirm-yes").addEventListener("click", async (event) => {
  if (!editing) return;
  const agent = editing;
  const yes = event.currentTarget;
  const confirmError = document.getElementById("confirm-error");
  confirmError.textContent = "";
  const activate = !agent.active;
  const restore = busy(yes, activate ? "Activating…" : "Deactivating…");
  let saved;
  try {
    saved = await api("PATCH", `/admin/agents/${agent.id}`, { token: session.session, body: { active: activate } });
  } catch (error) {
    restore();
    if (error.status === 401 || error.status === 403) return accessProblem(error);
    confirmError.textContent = error.message;
    confirmError.focus();
    return;
  }
  await showSaved(saved, restore);
  const moved = agent.open_count;
  say(
    rosterStatus,
    activate
      ? `${saved.name} is active again.`
      : `${saved.name} is deactivated.${moved ? ` ${moved} open ticket${moved === 1 ? "" : "s"} went back to the queue.` : ""}`,
  );
});

// Start ------------------------------------------------------------------------------------------

async function start() {
  if (!session) {
    doneLoading();
    fillProblem({
      title: "Sign in to manage agents",
      text: "Admins sign in with an emailed link: no password needed.",
      links: [{ href: "/signin.html", text: "Sign in", primary: true }],
    });
    return;
  }
  try {
    await Promise.all([loadCategories(), loadRoster()]);
    renderRoster(); // again, now that category labels are known
    checkboxes(document.getElementById("add-categories"), "add", []);
    document.getElementById("admin-view").hidden = false;
  } catch (error) {
    if (error.status === 401 || error.status === 403) accessProblem(error);
    else fillProblem({ title: "We couldn't load the agents", text: error.message, links: [{ href: "/admin/agents.html", text: "Try again" }] });
  } finally {
    doneLoading();
  }
}

start();
