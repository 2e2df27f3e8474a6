// The satisfaction survey, opened from a link in the survey email (?id=…&rating=…#token=…).
// Opening it only reads (mail scanners open every link); the rating chosen in the email is pre-selected,
// and only the Send button records it.
import { api } from "./api.js";
import { busy, clearErrors, doneLoading, el, showErrors, showProblem } from "./dom.js";
import { setupNav, takeLinkToken, ticketIdFromUrl } from "./session.js";

const LABELS = { 1: "Very poor", 2: "Poor", 3: "Okay", 4: "Good", 5: "Excellent" };

const ticketId = ticketIdFromUrl();
const token = takeLinkToken("survey", ticketId);
const chosen = Number(new URLSearchParams(window.location.search).get("rating"));
const form = document.getElementById("survey-form");
const submit = document.getElementById("survey-submit");
const done = document.getElementById("survey-done");

function ratingChoices(selected) {
  return Object.entries(LABELS).map(([value, label]) =>
    el(
      "div",
      { class: "checkbox" },
      el("input", { type: "radio", name: "rating", id: `rating-${value}`, value, checked: Number(value) === selected }),
      el("label", { for: `rating-${value}`, text: `${value} – ${label}` }),
    ),
  );
}

function render(view) {
  document.title = `Ticket #${view.ticket.number} · How did we do? · Pennydesk`;
  document.getElementById("number").textContent = `#${view.ticket.number}`;
  document.getElementById("subject").textContent = view.ticket.subject;
  document.getElementById("already").hidden = view.rating === null;
  const selected = chosen >= 1 && chosen <= 5 ? chosen : view.rating;
  document.getElementById("ratings").replaceChildren(...ratingChoices(selected));
  if (view.comment && !form.elements.comment.value) form.elements.comment.value = view.comment;
  document.getElementById("survey-view").hidden = false;
}

async function start() {
  if (!ticketId) {
    doneLoading();
    showProblem({ status: 404 }, "customer");
    return;
  }
  try {
    render(await api("GET", `/tickets/${ticketId}/feedback`, { token }));
  } catch (error) {
    showProblem(error, "customer");
  } finally {
    doneLoading();
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  done.textContent = "";
  const picked = form.querySelector('input[name="rating"]:checked');
  if (!picked) {
    showErrors(form, { errors: [{ field: "rating", message: "Choose a rating from 1 to 5." }] });
    return;
  }
  const comment = form.elements.comment.value.trim();
  const restore = busy(submit, "Sending…");
  try {
    const saved = await api("POST", `/tickets/${ticketId}/feedback`, {
      token,
      body: { rating: Number(picked.value), ...(comment ? { comment } : {}) },
    });
    document.getElementById("already").hidden = true;
    done.textContent = `Thank you! We recorded ${saved.rating} – ${LABELS[saved.rating]}. You can change it from the same link.`;
    done.focus();
  } catch (error) {
    if (error.status === 401 || error.status === 403) {
      showErrors(form, { message: "This survey link has expired or isn't valid." });
    } else {
      showErrors(form, error);
    }
  } finally {
    restore();
  }
});

setupNav();
start();
