// My requests: every ticket raised from the signed-in address, newest first, each opening its own page.
import { api } from "./api.js";
import { CUSTOMER_STATUS, badge, doneLoading, el, fillProblem, timeEl } from "./dom.js";
import { clearSession, getSession, setupNav } from "./session.js";

const session = getSession();
setupNav(session);

function row(ticket) {
  return el(
    "li",
    { class: "queue-item" },
    el(
      "a",
      { class: "queue-link", href: ticket.url },
      el("span", { class: "queue-number", text: `#${ticket.number}` }),
      " ",
      el("span", { class: "queue-subject", text: ticket.subject }),
    ),
    el(
      "p",
      { class: "queue-meta" },
      badge(CUSTOMER_STATUS[ticket.status] || ticket.status, ticket.status),
      el("span", { text: "last update" }),
      timeEl(ticket.updated_at),
    ),
  );
}

function askToSignIn(title) {
  fillProblem({
    title,
    text: "Sign in with the address you wrote to us from, and we'll list every request you sent. No password needed.",
    links: [{ href: "/signin.html?next=/my-requests.html", text: "Sign in", primary: true }],
  });
}

async function start() {
  if (!session) {
    doneLoading();
    askToSignIn("Sign in to see your requests");
    return;
  }
  try {
    const { tickets } = await api("GET", "/me/tickets", { token: session.session });
    document.getElementById("requests").replaceChildren(...tickets.map(row));
    document.getElementById("requests-empty").hidden = tickets.length > 0;
    document.getElementById("requests-summary").textContent =
      `${tickets.length} request${tickets.length === 1 ? "" : "s"} from ${session.email}`;
    document.getElementById("requests-view").hidden = false;
  } catch (error) {
    if (error.status === 401) {
      clearSession();
      setupNav(null);
      askToSignIn("Your sign-in has expired — sign in again");
    } else {
      fillProblem({ title: "We couldn't load your requests", text: error.message, links: [{ href: "/my-requests.html", text: "Try again" }] });
    }
  } finally {
    doneLoading();
  }
}

start();
