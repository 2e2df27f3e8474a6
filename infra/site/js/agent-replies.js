// Saved replies: the desk's shared replies, listed, added, changed and removed by agents and admins.
import { api } from "./api.js";
import { busy, clearErrors, doneLoading, el, fillProblem, showErrors, timeEl } from "./dom.js";
import { getSession, setupNav } from "./session.js";
import { staffAccessProblem } from "./staff-access.js";

const session = getSession();
setupNav(session);
const form = document.getElementById("reply-edit");
const done = document.getElementById("replies-done");
let editing = null; // the id of the reply the form changes, or null for a new one

/** A short id from the title: a-z, 0-9 and dashes, as the API asks. */
function idFor(title) {
  const slug = title.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
  return slug.replace(/-+$/, "") || `reply-${Date.now()}`;
}

function row(reply) {
  const edit = el("button", { type: "button", class: "secondary", text: "Edit" });
  const remove = el("button", { type: "button", class: "link-button", text: "Remove" });
  edit.setAttribute("aria-label", `Edit “${reply.title}”`);
  remove.setAttribute("aria-label", `Remove “${reply.title}”`);
  edit.addEventListener("click", () => {
    editing = reply.id;
    form.elements.title.value = reply.title;
    form.elements.body.value = reply.body;
    form.elements.title.focus();
  });
  remove.addEventListener("click", async () => {
    const restore = busy(remove, "Removing…");
    try {
      render(await api("DELETE", `/agent/saved-replies/${encodeURIComponent(reply.id)}`, { token: session.session }));
      done.textContent = `Removed “${reply.title}”.`;
      done.focus();
    } catch (error) {
      restore();
      done.textContent = error.message;
    }
  });
  return el(
    "li",
    { class: "queue-item" },
    el("p", { class: "queue-link", text: reply.title }),
    el("p", { class: "entry-body", text: reply.body }),
    el("p", { class: "queue-meta" }, el("span", { text: `by ${reply.updated_by} ·` }), timeEl(reply.updated_at), edit, remove),
  );
}

function render({ replies }) {
  document.getElementById("replies").replaceChildren(...replies.map(row));
  document.getElementById("replies-empty").hidden = replies.length > 0;
  document.getElementById("replies-view").hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  done.textContent = "";
  const title = form.elements.title.value.trim();
  const body = form.elements.body.value;
  const errors = [];
  if (!title) errors.push({ field: "title", message: "Give it a title." });
  if (!body.trim()) errors.push({ field: "body", message: "Write the reply." });
  if (errors.length) {
    showErrors(form, { errors });
    return;
  }
  const button = form.querySelector("button[type=submit]");
  const restore = busy(button, button.dataset.busy);
  try {
    await api("PUT", `/agent/saved-replies/${encodeURIComponent(editing || idFor(title))}`, { token: session.session, body: { title, body } });
    render(await api("GET", "/agent/saved-replies", { token: session.session }));
    form.reset();
    editing = null;
    done.textContent = `Saved “${title}”.`;
    done.focus();
  } catch (error) {
    showErrors(form, error);
  } finally {
    restore();
  }
});

async function start() {
  if (!session) {
    doneLoading();
    fillProblem({ title: "Sign in to manage saved replies", text: "Agents and admins sign in with an emailed link.", links: [{ href: "/signin.html", text: "Sign in", primary: true }] });
    return;
  }
  try {
    render(await api("GET", "/agent/saved-replies", { token: session.session }));
  } catch (error) {
    if (error.status === 401 || error.status === 403) staffAccessProblem(error, session, "replies-view", "agent");
    else fillProblem({ title: "We couldn't load the saved replies", text: error.message, links: [{ href: "/agent/replies.html", text: "Try again" }] });
  } finally {
    doneLoading();
  }
}

start();
