// The customer's ticket page, opened from the link in their confirmation email.
// Loading it only reads (GET); the reply form is the one thing that changes anything.
import { api } from "./api.js";
import {
  CUSTOMER_STATUS, badge, busy, clearErrors, doneLoading, el, fillProblem, isAccessProblem, showErrors, showProblem,
  timeEl,
} from "./dom.js";
import { setupNav, takeLinkToken, ticketIdFromUrl } from "./session.js";
import { attachmentList, setupAttachForm } from "./attachments.js";

const STATUS_HELP = {
  new: "We've received your request and are finding the right person for it.",
  assigned: "An agent has your ticket and will get back to you soon.",
  in_progress: "An agent is working on it. You'll get an email when there's news.",
  waiting_on_customer: "The agent has replied and needs an answer from you. Reply below.",
  resolved: "We think this is sorted. If it isn't, reply below and the ticket opens again.",
  closed: "This ticket is closed. If you still need help, reply below and it opens again.",
};
const FINISHED = new Set(["resolved", "closed"]);

const ticketId = ticketIdFromUrl();
// Always take the token out of the address bar, even when the id is unusable.
const token = takeLinkToken("customer", ticketId);
const form = document.getElementById("reply-form");
const submit = document.getElementById("reply-submit");
const done = document.getElementById("reply-done");
let current = null; // the ticket as last loaded

function message({ author, mine, body, createdAt }) {
  return el(
    "li",
    { class: `entry ${mine ? "entry-customer" : "entry-agent"}` },
    el(
      "article",
      {},
      el("p", { class: "entry-head" }, el("strong", { text: author }), " · ", timeEl(createdAt)),
      el("p", { class: "entry-body", text: body }),
    ),
  );
}

function render({ ticket, messages, attachments = [] }) {
  current = ticket;
  document.title = `Ticket #${ticket.number} · Pennydesk`;
  document.getElementById("number").textContent = `#${ticket.number}`;
  document.getElementById("opened").replaceChildren(timeEl(ticket.created_at));
  document.getElementById("subject").textContent = ticket.subject;
  const label = CUSTOMER_STATUS[ticket.status] || ticket.status;
  document.getElementById("status").replaceChildren(badge(label, ticket.status));
  document.getElementById("status-help").textContent = STATUS_HELP[ticket.status] || "";
  document.getElementById("reopen-hint").hidden = !FINISHED.has(ticket.status);

  const items = [message({ author: "You", mine: true, body: ticket.description, createdAt: ticket.created_at })];
  for (const entry of messages) {
    const mine = entry.author_type === "customer";
    const author = mine ? "You" : `${entry.author} · Pennydesk support`;
    items.push(message({ author, mine, body: entry.body, createdAt: entry.created_at }));
  }
  document.getElementById("thread").replaceChildren(...items);
  document.getElementById("attachments").replaceChildren(attachmentList(attachments));
  document.getElementById("ticket-view").hidden = false;
}

async function load() {
  const data = await api("GET", `/tickets/${ticketId}`, { token });
  render(data);
}

/** A link that no longer opens the ticket: offer to email a fresh one to the ticket's own address. */
function offerFreshLink(error) {
  fillProblem({
    title: "This link has expired or isn't valid",
    text: "We can email a fresh link to the address this ticket was sent from. Or sign in to see all your requests.",
    detail: error.message ? `(${error.message})` : "",
    links: [{ href: "/signin.html?next=/my-requests.html", text: "Sign in" }],
  });
  const button = el("button", { type: "button", text: "Email me a fresh link" });
  const said = el("p", { class: "success", role: "status", tabindex: "-1" });
  document.querySelector("[data-problem-next]").prepend(button, " ");
  document.getElementById("problem").append(said);
  button.addEventListener("click", async () => {
    const restore = busy(button, "Sending…");
    try {
      const answer = await api("POST", `/tickets/${ticketId}/link`);
      said.textContent = answer.message;
      said.className = "success";
    } catch (failure) {
      said.textContent = failure.message;
      said.className = "error";
    }
    restore();
    said.focus();
  });
}

async function start() {
  if (!ticketId) {
    doneLoading();
    showProblem({ status: 404 }, "customer");
    return;
  }
  try {
    await load();
  } catch (error) {
    if (isAccessProblem(error)) offerFreshLink(error);
    else showProblem(error, "customer");
  } finally {
    doneLoading();
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  done.textContent = "";
  const body = form.elements.body.value;
  if (!body.trim()) {
    showErrors(form, { errors: [{ field: "body", message: "Write a message first." }] });
    return;
  }
  const wasFinished = current && FINISHED.has(current.status);
  const restore = busy(submit, "Sending…");
  try {
    await api("POST", `/tickets/${ticketId}/messages`, { token, body: { body } });
  } catch (error) {
    restore();
    if (error.status === 401 || error.status === 403) {
      showErrors(form, { message: "This link has expired or isn't valid — ask for a new one by sending a new request." });
    } else {
      showErrors(form, error);
    }
    return;
  }
  form.reset();
  let reloaded = true;
  try {
    await load();
  } catch {
    reloaded = false;
  }
  restore();
  const parts = ["Your reply was sent and the agent has been notified."];
  if (wasFinished) parts.push("Your ticket is open again.");
  if (!reloaded) parts.push("Reload the page to see it in the conversation.");
  done.textContent = parts.join(" ");
  done.focus();
});

setupNav();
if (ticketId) {
  setupAttachForm({
    form: document.getElementById("attach-form"), base: `/tickets/${ticketId}/attachments`, token: () => token, onDone: load,
    afterwards: "Your next message mentions it; without one, we let your agent know in 10 minutes.",
  });
}
start();
