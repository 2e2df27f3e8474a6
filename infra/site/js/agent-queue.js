// The agent's queue: their open tickets, most urgent then oldest (the API's order), for the session.
import { api } from "./api.js";
import { AGENT_STATUS, PRIORITIES, badge, busy, doneLoading, el, fillProblem, timeEl } from "./dom.js";
import { getSession, setupNav } from "./session.js";
import { staffAccessProblem } from "./staff-access.js";

const session = getSession();
setupNav(session);

const refresh = document.getElementById("refresh");

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
      " ",
      badge(AGENT_STATUS[ticket.status] || ticket.status, ticket.status),
      " ",
      el("bdi", { text: ticket.customer_name }), " · opened ",
      timeEl(ticket.created_at),
    ),
  );
}

function render({ me, tickets }) {
  document.getElementById("queue-title").textContent = `${me.name}'s queue`;
  document.getElementById("queue-summary").textContent =
    `${tickets.length} open ticket${tickets.length === 1 ? "" : "s"} · ${me.open_count} of ${me.capacity} capacity · ` +
    `covers ${me.categories.join(", ") || "no categories"}`;
  document.getElementById("queue").replaceChildren(...tickets.map(row));
  document.getElementById("queue-empty").hidden = tickets.length > 0;
  document.getElementById("queue-view").hidden = false;
}

function showAccessProblem(error) {
  staffAccessProblem(error, session, "queue-view", "agent");
}

async function load({ announce = false } = {}) {
  const data = await api("GET", "/agent/queue", { token: session.session });
  render(data);
  if (announce) {
    document.getElementById("queue-status").textContent =
      `Queue updated: ${data.tickets.length} open ticket${data.tickets.length === 1 ? "" : "s"}.`;
  }
}

async function start() {
  if (!session) {
    doneLoading();
    fillProblem({
      title: "Sign in to see your queue",
      text: "Agents sign in with an emailed link: no password needed.",
      links: [{ href: "/signin.html", text: "Sign in", primary: true }],
    });
    return;
  }
  try {
    await load();
  } catch (error) {
    if (error.status === 401 || error.status === 403) showAccessProblem(error);
    else fillProblem({ title: "We couldn't load your queue", text: error.message, links: [{ href: "/agent/", text: "Try again" }] });
  } finally {
    doneLoading();
  }
}

refresh.addEventListener("click", async () => {
  const errorSlot = document.getElementById("queue-error");
  errorSlot.textContent = "";
  document.getElementById("queue-status").textContent = "";
  const restore = busy(refresh, "Refreshing…");
  try {
    await load({ announce: true });
  } catch (error) {
    if (error.status === 401 || error.status === 403) showAccessProblem(error);
    else errorSlot.textContent = error.message;
  } finally {
    restore();
    if (!refresh.closest("[hidden]")) refresh.focus(); // disabling the button may have dropped focus
  }
});

start();
