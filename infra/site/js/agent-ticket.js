// The agent's ticket page: opened from the emailed link (?id=…#token=…) or from the queue (session).
// Loading only reads; each action is a form that POSTs and re-renders from the answer.
import { offerArticles } from "./agent-article-suggest.js";
import { api } from "./api.js";
import {
  AGENT_STATUS, PRIORITIES, badge, busy, clearErrors, doneLoading, el, fillProblem, humanize, isAccessProblem,
  showErrors, showProblem, timeEl,
} from "./dom.js";
import { forgetLinkToken, getSession, setupNav, takeLinkToken, ticketIdFromUrl } from "./session.js";
import { attachmentList, setupAttachForm } from "./attachments.js";

// Which actions fit which status: the same table as lifecycle.TRANSITIONS on the server.
const OPEN = ["assigned", "in_progress", "waiting_on_customer"];
const ALLOWED = {
  acknowledge: ["assigned"],
  reply: OPEN,
  note: ["new", ...OPEN, "resolved", "closed"],
  resolve: OPEN,
  reopen: ["resolved", "closed"],
  reassign: ["new", ...OPEN],
  set_priority: ["new", ...OPEN],
};

const HISTORY_VERBS = {
  acknowledge: "acknowledged the ticket",
  reply: "replied to the customer",
  note: "added an internal note",
  resolve: "resolved the ticket",
  reopen: "reopened the ticket",
  reassign: "reassigned the ticket",
  set_priority: "changed the priority",
  customer_reply: "replied",
  assign: "assigned it",
  survey_sent: "sent the satisfaction survey",
};

const session = getSession();
setupNav(session);

const ticketId = ticketIdFromUrl();
const linkToken = takeLinkToken("agent", ticketId); // also clears the address bar when the id is unusable
let token = linkToken || session?.session || null;
let usingLink = Boolean(linkToken);
let state = null; // the last answer: {ticket, entries, me, agents}
let repliesOffered = false;

const forms = [...document.querySelectorAll("form[data-action]")];
const done = document.getElementById("action-done");
const alertBox = document.getElementById("action-error");

function priorityLabel(value) {
  return PRIORITIES.find((p) => p.value === value)?.label || humanize(value);
}

/** A mailto: link for one address, percent-encoded (RFC 6068) so no character of it can add a header. */
function mailtoHref(address) {
  return `mailto:${encodeURIComponent(address).replace(/%40/g, "@")}`;
}

function threadItem({ kind, author, role, body, createdAt }) {
  const classes = { customer: "entry-customer", agent: "entry-agent", note: "entry-note" };
  return el(
    "li",
    { class: `entry ${classes[kind]}` },
    el(
      "article",
      { "aria-label": kind === "note" ? "Internal note" : null },
      kind === "note" ? el("p", { class: "note-label", text: "Internal note — not visible to the customer" }) : null,
      el("p", { class: "entry-head" }, el("strong", { text: author }), role ? ` · ${role}` : "", " · ", timeEl(createdAt)),
      el("p", { class: "entry-body", text: body }),
    ),
  );
}

function renderThread(ticket, entries) {
  const items = [
    threadItem({
      kind: "customer", author: ticket.customer_name, role: "customer, original request",
      body: ticket.description, createdAt: ticket.created_at,
    }),
  ];
  for (const entry of entries) {
    if (entry.kind === "note") {
      items.push(threadItem({ kind: "note", author: entry.author, body: entry.body, createdAt: entry.created_at }));
    } else if (entry.kind === "message") {
      const customer = entry.author_type === "customer";
      const role = customer ? "customer" : entry.detail === "resolve" ? "closing message to the customer" : "reply to the customer";
      items.push(threadItem({ kind: customer ? "customer" : "agent", author: entry.author, role, body: entry.body, createdAt: entry.created_at }));
    }
  }
  document.getElementById("thread").replaceChildren(...items);
}

function historyText(entry) {
  let text = `${entry.author}${entry.author_type === "customer" ? " (customer)" : entry.author_type === "admin" ? " (admin)" : ""} `;
  const detail = entry.detail || "";
  if (entry.action === "set_priority" && detail.startsWith("priority ")) {
    text += `changed the priority to ${priorityLabel(detail.slice("priority ".length))}`;
  } else {
    text += HISTORY_VERBS[entry.action] || humanize(entry.action || "updated the ticket").toLowerCase();
    if (detail) text += ` ${detail}`;
  }
  return text;
}

function agentName(id, me, agents) {
  if (me && me.id === id) return me.name;
  return agents.find((a) => a.id === id)?.name || "an agent";
}

/** One line of the story for an event entry, worded for people. */
function eventText(entry) {
  const detail = entry.detail || "";
  if (entry.action === "close") return `${entry.author} closed the ticket ${detail.replace(/^closed /, "")}`;
  if (entry.action === "reassign" && detail.includes(": ")) {
    const [where, why] = [detail.slice(0, detail.indexOf(": ")), detail.slice(detail.indexOf(": ") + 2)];
    const who = entry.author_type === "system" ? entry.author : historyText({ ...entry, detail: where });
    return entry.author_type === "system" ? `${who} put the ticket ${where} — ${why}` : `${who} — why: ${why}`;
  }
  if (entry.action === "customer_reply") return `${entry.author} (customer) replied`;
  if (entry.action === "mail_problem") return detail; // "Mail to kim@… bounced: mailbox does not exist"
  return historyText(entry);
}

/**
 * Everything that happened, in one timeline: the request, each message and note, the history's events (the
 * desk's own assignments and surveys among them) and each rating.
 */
function timeline(ticket, entries, ratings, me, agents) {
  const items = [{ at: ticket.created_at, text: `${ticket.customer_name} (customer) sent the request` }];
  // Tickets from before the desk wrote its assignments down: only the latest one can be told, from the ticket.
  const recorded = entries.some((e) => e.action === "assign");
  const explained = entries.some((e) => e.action === "reassign" && e.to_status === "assigned" && e.created_at === ticket.assigned_at);
  if (ticket.agent_id && ticket.assigned_at && !explained && !recorded) {
    items.push({ at: ticket.assigned_at, text: `Pennydesk assigned it to ${agentName(ticket.agent_id, me, agents)} (least-loaded agent covering ${humanize(ticket.category).toLowerCase()})` });
  }
  for (const e of entries) {
    if (e.kind === "note") items.push({ at: e.created_at, text: `${e.author} added an internal note` });
    else if (e.kind === "message") {
      const customer = e.author_type === "customer";
      if (e.detail === "resolve") continue; // the resolve event says it
      items.push({ at: e.created_at, text: customer ? `${e.author} (customer) wrote` : `${e.author} replied to the customer` });
    } else {
      const moved = e.from_status && e.to_status && e.from_status !== e.to_status;
      items.push({
        at: e.created_at,
        text: eventText(e),
        meta: moved ? `${AGENT_STATUS[e.from_status] || e.from_status} → ${AGENT_STATUS[e.to_status] || e.to_status}` : "",
      });
    }
  }
  for (const b of state?.sla_breaches || []) {
    items.push({ at: b.at, text: `The ${b.target} target was missed` });
  }
  for (const r of ratings || []) {
    items.push({ at: r.rated_at, text: `${ticket.customer_name} rated it ${r.rating} of 5${r.comment ? `: “${r.comment}”` : ""}` });
  }
  return items.map((item, i) => ({ ...item, i })).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.i - b.i));
}

function renderHistory(ticket, entries, ratings, me, agents) {
  const list = document.getElementById("history");
  list.replaceChildren(
    ...timeline(ticket, entries, ratings, me, agents).map((item) =>
      el("li", {}, timeEl(item.at), el("span", { text: ` ${item.text}.` }), item.meta ? el("span", { class: "meta", text: ` ${item.meta}` }) : null),
    ),
  );
}

function ownerText(ticket, me, agents) {
  if (!ticket.agent_id) return "Nobody – waiting in the queue";
  if (me && ticket.agent_id === me.id) return `You (${me.name})`;
  return agents.find((a) => a.id === ticket.agent_id)?.name || "Another agent";
}

function renderForms(ticket, me, agents) {
  const mine = Boolean(me) && ticket.agent_id === me.id;
  for (const form of forms) {
    form.hidden = !mine || !ALLOWED[form.dataset.action].includes(ticket.status);
  }
  for (const id of ["respond", "status-actions"]) {
    const section = document.getElementById(id);
    section.hidden = ![...section.querySelectorAll("form")].some((f) => !f.hidden);
  }

  const to = document.getElementById("reassign-to");
  const chosen = to.value;
  to.replaceChildren(
    ...agents.map((a) => {
      const option = new Option(`${a.name} — ${a.open_count} of ${a.capacity} open (${a.categories.join(", ")})`, a.id);
      option.selected = a.id === chosen;
      return option;
    }),
    new Option("Back to the queue (assigned again automatically)", "queue", false, chosen === "queue"),
  );

  const priority = document.getElementById("priority-select");
  priority.replaceChildren(
    ...PRIORITIES.map((p) => new Option(p.label, p.value, p.value === ticket.priority, p.value === ticket.priority)),
  );

  const notMine = document.getElementById("not-mine");
  notMine.hidden = mine;
  document.getElementById("not-mine-text").textContent = !me
    ? "You're reading this ticket as an admin; its agent acts on it."
    : ticket.agent_id
      ? `This ticket is assigned to ${ownerText(ticket, me, agents)}, so only they act on it.`
      : "This ticket is waiting in the queue for assignment.";
  const next = document.getElementById("not-mine-next");
  next.replaceChildren();
  if (!mine && getSession()) next.append(el("a", { href: "/agent/", text: "Back to the desk" }));
}

/** Taking a ticket nobody has (an agent), or reassigning it with a reason (an admin). */
function renderDeskActions(ticket, me, agents) {
  const take = document.getElementById("take-form");
  take.hidden = !me || Boolean(ticket.agent_id) || ticket.status !== "new";
  const admin = document.getElementById("admin-reassign-form");
  admin.hidden = !getSession()?.roles.includes("admin") || !ALLOWED.reassign.includes(ticket.status);
  const everyone = me ? [me, ...agents] : agents;
  const to = document.getElementById("admin-to");
  to.replaceChildren(
    ...everyone.filter((a) => a.id !== ticket.agent_id && a.active)
      .map((a) => new Option(`${a.name} — ${a.open_count} of ${a.capacity} open`, a.id)),
    new Option("Back to the queue", "queue"),
  );
  document.getElementById("desk-actions").hidden = take.hidden && admin.hidden;
}

/** Beside the ticket, the same customer's other tickets (a desk search by their address; staff sessions only). */
async function renderCustomerTickets(ticket) {
  const session = getSession();
  const section = document.getElementById("customer-tickets");
  if (!session || !session.roles.some((r) => r === "agent" || r === "admin")) return;
  let data;
  try {
    data = await api("GET", `/agent/tickets?${new URLSearchParams({ view: "all", q: ticket.customer_email })}`, { token: session.session });
  } catch {
    return; // the ticket page works without it
  }
  const others = data.tickets.filter((t) => t.id !== ticket.id);
  document.getElementById("customer-tickets-list").replaceChildren(
    ...others.map((t) => el(
      "li",
      { class: "queue-item" },
      el("a", { class: "queue-link", href: `/agent/ticket.html?id=${encodeURIComponent(t.id)}` },
        el("span", { class: "queue-number", text: `#${t.number}` }), " ", el("span", { class: "queue-subject", text: t.subject })),
      el("p", { class: "queue-meta" }, badge(AGENT_STATUS[t.status] || t.status, t.status), timeEl(t.updated_at)),
    )),
  );
  section.hidden = others.length === 0;
}

/** The saved replies, filled in for this ticket, offered above the reply box (only to the ticket's agent). */
async function offerSavedReplies() {
  let data;
  try {
    data = await api("GET", `/agent/tickets/${ticketId}/saved-replies`, { token });
  } catch {
    return; // typing by hand still works
  }
  const select = document.getElementById("saved-reply");
  select.replaceChildren(new Option("Choose one…", ""), ...data.replies.map((r) => new Option(r.title, r.id)));
  document.getElementById("saved-reply-field").hidden = data.replies.length === 0;
  select.addEventListener("change", () => {
    const chosen = data.replies.find((r) => r.id === select.value);
    if (!chosen) return;
    const box = document.getElementById("reply-body");
    box.value = box.value.trim() ? `${box.value.trimEnd()}\n\n${chosen.body}` : chosen.body;
    select.value = "";
    box.focus();
  });
}

function render(data) {
  const firstRender = !state || state.ticket.id !== data.ticket.id;
  state = data;
  const { ticket, entries, me, agents } = data;
  document.title = `#${ticket.number} ${ticket.subject} · Pennydesk agents`;
  document.getElementById("number").textContent = `#${ticket.number}`;
  document.getElementById("opened").replaceChildren(timeEl(ticket.created_at));
  document.getElementById("subject").textContent = ticket.subject;
  document.getElementById("customer").replaceChildren(
    el("bdi", { text: ticket.customer_name }),
    " ",
    el("a", { href: mailtoHref(ticket.customer_email), class: "nowrap-email", text: ticket.customer_email }),
  );
  document.getElementById("status").replaceChildren(badge(AGENT_STATUS[ticket.status] || ticket.status, ticket.status));
  document.getElementById("priority").replaceChildren(badge(priorityLabel(ticket.priority), ticket.priority));
  document.getElementById("category").textContent = humanize(ticket.category);
  document.getElementById("owner").textContent = ownerText(ticket, me, agents);
  renderMailProblem(ticket, data.mail_status);
  renderThread(ticket, entries);
  renderFiles(ticket, data, me);
  renderHistory(ticket, entries, data.ratings, me, agents);
  renderForms(ticket, me, agents);
  renderDeskActions(ticket, me, agents);
  document.getElementById("ticket-view").hidden = false;
  if (firstRender) renderCustomerTickets(ticket);
  if (!repliesOffered && me && ticket.agent_id === me.id) {
    repliesOffered = true;
    offerSavedReplies();
    offerArticles(ticketId, token);
  }
}

/** SES told us the customer's mail bounced or was reported as spam: replies may never reach them. */
function renderMailProblem(ticket, status) {
  const box = document.getElementById("mail-problem");
  box.hidden = !status;
  if (!status) return;
  document.getElementById("mail-problem-title").textContent = status.kind === "complained"
    ? `${ticket.customer_email} marked our email as spam`
    : `Mail to ${ticket.customer_email} bounced${status.permanent ? "" : " (temporarily)"}: ${status.reason}`;
  document.getElementById("mail-problem-text").replaceChildren(
    status.kind === "complained" || status.permanent
      ? "Our emails no longer reach this customer. Reach them another way (phone, chat) and note it here. "
      : "Later emails may arrive. ",
    timeEl(status.at),
  );
}

/** The ticket's files, the emails it came by (each an .eml download), and the picker for its own agent. */
function renderFiles(ticket, data, me) {
  document.getElementById("attachments").replaceChildren(attachmentList(data.attachments || []));
  const originals = data.originals || [];
  document.getElementById("originals").hidden = !originals.length;
  document.getElementById("originals-list").replaceChildren(
    ...originals.map((mail) =>
      el("li", {}, el("a", { href: mail.url, rel: "noopener noreferrer", text: `Email from ${mail.sender}` }), " · ",
        timeEl(mail.received_at)),
    ),
  );
  document.getElementById("attach-form").hidden = !(me && ticket.agent_id === me.id);
}

async function fetchTicket() {
  try {
    return await api("GET", `/agent/tickets/${ticketId}`, { token });
  } catch (error) {
    // An emailed link that stopped working: fall back to the signed-in session, if there is one.
    const fallback = getSession();
    if (error.status === 401 && usingLink && fallback) {
      forgetLinkToken("agent", ticketId);
      usingLink = false;
      token = fallback.session;
      return api("GET", `/agent/tickets/${ticketId}`, { token });
    }
    throw error;
  }
}

/** A 403 is a permission refusal, not an expired link: say so, and who is asking. */
function showRefusal(error) {
  const signedIn = getSession();
  fillProblem({
    title: "You can't open this ticket",
    text: signedIn
      ? `You're signed in as ${signedIn.email}, who may not open this ticket.`
      : "This link doesn't open this ticket.",
    detail: error.message ? `(${error.message})` : "",
    links: [{ href: "/signin.html", text: "Sign in as someone else", primary: true }],
  });
}

async function start() {
  if (!ticketId) {
    doneLoading();
    showProblem({ status: 404 }, "staff");
    return;
  }
  if (!token) {
    doneLoading();
    showProblem({ status: 401, message: "Open the link from your email, or sign in." }, "staff");
    return;
  }
  try {
    render(await fetchTicket());
  } catch (error) {
    if (error.status === 403) showRefusal(error);
    else showProblem(error, "staff");
  } finally {
    doneLoading();
  }
}

function clearFeedback() {
  done.textContent = "";
  alertBox.replaceChildren();
  for (const form of forms) clearErrors(form);
}

function showAlert(...children) {
  alertBox.replaceChildren(...children);
  alertBox.focus();
}

function successText(action, data) {
  switch (action) {
    case "acknowledge": return "Acknowledged. The ticket is now in progress.";
    case "reply": return "Reply sent. The customer has been emailed.";
    case "note": return "Note added. Only agents can see it.";
    case "resolve": return "Resolved. The customer has been emailed.";
    case "reopen": return "Reopened. The ticket is back in your queue.";
    case "set_priority": return `Priority changed to ${priorityLabel(data.ticket.priority)}.`;
    case "reassign":
      return data.ticket.agent_id
        ? `Handed to ${data.agents.find((a) => a.id === data.ticket.agent_id)?.name || "another agent"}.`
        : "Handed back to the queue. It will be assigned to someone again automatically.";
    default: return "Saved.";
  }
}

function payloadFor(form) {
  const action = form.dataset.action;
  const payload = { action };
  const errors = [];
  const body = form.elements.namedItem("body");
  if (body) {
    if (body.value.trim()) payload.body = body.value;
    else if (body.required) errors.push({ field: "body", message: "Write a message first." });
  }
  const to = form.elements.namedItem("to");
  if (to) {
    if (to.value) payload.to = to.value;
    else errors.push({ field: "to", message: "Choose an agent, or the queue." });
  }
  const priority = form.elements.namedItem("priority");
  if (priority) {
    payload.priority = priority.value;
    if (state && priority.value === state.ticket.priority) {
      errors.push({ field: "priority", message: `It is already ${priorityLabel(priority.value)}. Choose another priority.` });
    }
  }
  return { payload, errors };
}

async function onAction(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFeedback();
  const { payload, errors } = payloadFor(form);
  if (errors.length) {
    showErrors(form, { errors });
    return;
  }
  const button = form.querySelector("button[type=submit]");
  const restore = busy(button, button.dataset.busy || "Saving…");
  const others = forms.filter((f) => f !== form).map((f) => f.querySelector("button[type=submit]"));
  for (const b of others) b.disabled = true; // one action at a time
  let data = null;
  try {
    data = await api("POST", `/agent/tickets/${ticketId}/actions`, { token, body: payload });
  } catch (error) {
    await handleActionError(form, error);
  } finally {
    restore();
    for (const b of others) b.disabled = false;
  }
  if (!data) return;
  form.reset();
  render(data);
  const mine = Boolean(data.me) && data.ticket.agent_id === data.me.id;
  done.textContent = successText(payload.action, data);
  if (!mine) done.textContent += " It is no longer in your queue.";
  done.focus();
}

async function handleActionError(form, error) {
  if (error.status === 403) {
    showAlert(el("p", { text: error.message || "You can't act on this ticket." }));
    return;
  }
  if (isAccessProblem(error)) {
    showAlert(
      el("p", { text: "This link has expired or isn't valid — ask for a new one." }),
      el("p", { class: "meta", text: error.message || "" }),
      el("p", {}, el("a", { href: "/signin.html", text: "Sign in to get a fresh link" })),
    );
    return;
  }
  if (error.status === 409) {
    // The ticket moved on (another tab, the customer, the scheduler): say why and show it as it is now.
    let refreshed = false;
    try {
      render(await fetchTicket());
      refreshed = true;
    } catch {
      /* keep what is on screen */
    }
    showAlert(
      el("p", { text: error.message }),
      refreshed ? el("p", { class: "meta", text: "The page now shows the ticket as it is, with the actions that fit." }) : null,
    );
    return;
  }
  if ((error.errors || []).length) {
    showErrors(form, error, alertBox);
    return;
  }
  showAlert(el("p", { text: error.message || "Something went wrong. Please try again." }));
}

for (const form of forms) form.addEventListener("submit", onAction);

async function onDeskAction(event, path, payloadOf, saying) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFeedback();
  clearErrors(form);
  const payload = payloadOf(form);
  if (!payload) return;
  const button = form.querySelector("button[type=submit]");
  const restore = busy(button, button.dataset.busy);
  let data = null;
  try {
    data = await api("POST", path, { token: getSession()?.session || token, body: payload });
  } catch (error) {
    if ((error.errors || []).length) showErrors(form, error, alertBox);
    else showAlert(el("p", { text: error.message || "Something went wrong. Please try again." }));
  } finally {
    restore();
  }
  if (!data) return;
  form.reset();
  render(data);
  done.textContent = saying(data);
  done.focus();
}

document.getElementById("take-form").addEventListener("submit", (event) =>
  onDeskAction(event, `/agent/tickets/${ticketId}/actions`, () => ({ action: "reassign", to: state.me.id }),
    () => "It's yours now: it is in your queue."));
document.getElementById("admin-reassign-form").addEventListener("submit", (event) =>
  onDeskAction(event, `/agent/tickets/${ticketId}/reassign`, (form) => {
    const reason = form.elements.reason.value.trim();
    if (!reason) {
      showErrors(form, { errors: [{ field: "reason", message: "Say why: the history and both agents see it." }] });
      return null;
    }
    return { to: form.elements.to.value, reason };
  }, (data) => (data.ticket.agent_id
    ? `Reassigned to ${[data.me, ...data.agents].find((a) => a && a.id === data.ticket.agent_id)?.name || "another agent"}.`
    : "Handed back to the queue.")));
if (ticketId) {
  setupAttachForm({
    form: document.getElementById("attach-form"), base: `/agent/tickets/${ticketId}/attachments`, token: () => token,
    onDone: async () => render(await fetchTicket()),
    afterwards: "Your next reply mentions it; without one, the customer is told in 10 minutes.",
  });
}

start();
