// The desk (/agent/): the views as tabs, search, SLA badges and keyboard navigation (j/k, Enter, /).
// Every list is one page from GET /api/agent/tickets; "Show more" follows the page's cursor.
import { api } from "./api.js";
import { AGENT_STATUS, PRIORITIES, badge, busy, doneLoading, el, fillProblem, showErrors, timeEl } from "./dom.js";
import { getSession, setupNav } from "./session.js";
import { staffAccessProblem } from "./staff-access.js";

const session = getSession();
setupNav(session);

const VIEWS = ["mine", "unassigned", "open", "waiting", "resolved", "all"];
const EMPTY = {
  mine: "Nothing in your queue right now. New tickets are assigned to you automatically, and you'll get an email for each one.",
  unassigned: "Every ticket has an agent.",
  open: "No open tickets.",
  waiting: "No ticket is waiting on a customer.",
  resolved: "No resolved tickets yet.",
  all: "No tickets yet.",
};
const SLA_TEXT = { breached: "Overdue", due_soon: "Due soon", on_track: "On track", paused: "Paused" };
const FILTERS = ["q", "priority", "agent", "sla"];

const list = document.getElementById("queue");
const more = document.getElementById("more");
const searchForm = document.getElementById("desk-search");
const tabs = [...document.querySelectorAll("[role=tab]")];
const status = document.getElementById("queue-status");
const errorSlot = document.getElementById("queue-error");
const asked = new URLSearchParams(window.location.search).get("view");
// An admin who isn't an agent has no queue of their own: they start on every open ticket.
let view = VIEWS.includes(asked) ? asked : session && !session.roles.includes("agent") ? "open" : "mine";
let cursor = null;
let current = -1; // the row j/k is on
let latest = 0; // the newest request: an older answer arriving late is dropped

function filters() {
  const data = new FormData(searchForm);
  const out = {};
  for (const name of FILTERS) {
    const value = String(data.get(name) || "").trim();
    if (value) out[name] = value;
  }
  return out;
}

function slaBadge(sla) {
  if (!sla || !SLA_TEXT[sla.state]) return null;
  const due = sla.due_at ? new Date(sla.due_at) : null;
  const when = due && !Number.isNaN(due.getTime()) ? ` · ${sla.state === "breached" ? "due" : "due by"} ` : "";
  return el("span", {}, badge(`${SLA_TEXT[sla.state]}${sla.target ? ` (${sla.target})` : ""}`, `sla_${sla.state}`),
    when ? el("span", { class: "meta", text: when }) : null, when ? timeEl(sla.due_at) : null);
}

function row(ticket) {
  const priority = PRIORITIES.find((p) => p.value === ticket.priority)?.label || ticket.priority;
  return el(
    "li",
    { class: "queue-item" },
    el(
      "a",
      { class: "queue-link", href: `/agent/ticket.html?id=${encodeURIComponent(ticket.id)}` },
      el("span", { class: "queue-number", text: `#${ticket.number}` }),
      " ",
      el("span", { class: "queue-subject", text: ticket.subject }),
    ),
    el(
      "p",
      { class: "queue-meta" },
      badge(`${priority} priority`, ticket.priority),
      badge(AGENT_STATUS[ticket.status] || ticket.status, ticket.status),
      slaBadge(ticket.sla),
      el("bdi", { text: ticket.customer.name }),
      el("span", { class: "nowrap-email", text: `<${ticket.customer.email}>` }),
      el("span", { text: ticket.agent ? `· ${ticket.agent.name}` : "· unassigned" }),
      el("span", { text: "· updated" }),
      timeEl(ticket.updated_at),
    ),
  );
}

function selectTab() {
  for (const tab of tabs) {
    const on = tab.dataset.view === view;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
  }
  document.getElementById("queue-panel").setAttribute("aria-labelledby", `tab-${view}`);
}

function setCount(count, hasMore, which = view) {
  const tab = tabs.find((t) => t.dataset.view === which);
  tab.querySelector("[data-count]").textContent = `(${count}${hasMore ? "+" : ""})`;
}

/** Each other tab's count: its first page (25, "25+" when there are more), one bounded request per view. */
async function countOtherViews() {
  await Promise.all(VIEWS.filter((v) => v !== view).map(async (other) => {
    try {
      const data = await api("GET", `/agent/tickets?view=${other}`, { token: session.session });
      setCount(data.tickets.length, Boolean(data.next_cursor), other);
    } catch {
      /* the count stays blank; the tab still works */
    }
  }));
}

async function load({ append = false } = {}) {
  const query = new URLSearchParams({ view, ...filters() });
  if (append && cursor) query.set("cursor", cursor);
  const asking = ++latest;
  const data = await api("GET", `/agent/tickets?${query}`, { token: session.session });
  if (asking !== latest) return;
  const rows = data.tickets.map(row);
  if (append) list.append(...rows);
  else {
    list.replaceChildren(...rows);
    current = -1;
  }
  cursor = data.next_cursor;
  more.hidden = !cursor;
  const shown = list.children.length;
  const filtered = Object.keys(filters()).length > 0;
  if (!filtered) setCount(shown, Boolean(cursor));
  const empty = document.getElementById("queue-empty");
  empty.textContent = filtered ? "No ticket matches." : EMPTY[view];
  empty.hidden = shown > 0;
  document.getElementById("queue-summary").textContent = `Signed in as ${session.email}`;
  document.getElementById("queue-view").hidden = false;
  status.textContent = `${shown} ticket${shown === 1 ? "" : "s"} shown${cursor ? ", more available" : ""}.`;
}

async function run(work) {
  errorSlot.textContent = "";
  document.getElementById("q-error").textContent = "";
  try {
    await work();
  } catch (error) {
    if (error.status === 401 || error.status === 403) staffAccessProblem(error, session, "queue-view", "agent");
    else if (error.status === 422) showErrors(searchForm, error, errorSlot);
    else errorSlot.textContent = error.message;
  }
}

function move(step) {
  const items = [...list.children];
  if (!items.length) return;
  current = Math.max(0, Math.min(items.length - 1, current + step));
  items.forEach((item, i) => item.classList.toggle("is-current", i === current));
  items[current].querySelector("a").focus();
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
  if (typing) return;
  if (event.key === "j") move(1);
  else if (event.key === "k") move(-1);
  else if (event.key === "/") {
    event.preventDefault();
    document.getElementById("q").focus();
    return;
  } else return;
  event.preventDefault();
});

for (const tab of tabs) {
  tab.addEventListener("click", () => {
    view = tab.dataset.view;
    selectTab();
    const url = new URL(window.location.href);
    url.searchParams.set("view", view);
    window.history.replaceState(window.history.state, "", url);
    run(() => load());
  });
  tab.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
    next.focus();
    next.click();
  });
}

searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run(() => load());
});
document.getElementById("clear-search").addEventListener("click", () => {
  searchForm.reset();
  run(() => load());
});
more.addEventListener("click", async () => {
  const restore = busy(more, "Loading…");
  await run(() => load({ append: true }));
  restore();
});
const refresh = document.getElementById("refresh");
refresh.addEventListener("click", async () => {
  const restore = busy(refresh, "Refreshing…");
  await run(() => load());
  restore();
  if (!refresh.closest("[hidden]")) refresh.focus();
});

/** Filters a link brought (the dashboard's "See overdue tickets"): the form shows them, the page uses them. */
function filtersFromAddress() {
  const params = new URLSearchParams(window.location.search);
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value && searchForm.elements.namedItem(name)) searchForm.elements.namedItem(name).value = value;
  }
}

/** The agent filter's choices: the desk's agents by name, active ones first (an address may name any of them). */
async function fillAgents() {
  const { agents } = await api("GET", "/agent/agents", { token: session.session });
  const ordered = [...agents.filter((a) => a.active), ...agents.filter((a) => !a.active)];
  document.getElementById("agent-filter").append(
    ...ordered.map((a) => new Option(a.active ? a.name : `${a.name} (inactive)`, a.id)),
  );
}

async function start() {
  if (!session) {
    doneLoading();
    fillProblem({
      title: "Sign in to see the desk",
      text: "Agents and admins sign in with an emailed link: no password needed.",
      links: [{ href: "/signin.html", text: "Sign in", primary: true }],
    });
    return;
  }
  selectTab();
  await run(fillAgents);
  filtersFromAddress();
  await run(() => load());
  doneLoading();
  if (!document.getElementById("queue-view").hidden) await countOtherViews();
}

start();
