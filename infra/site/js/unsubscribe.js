// The page a digest's or budget alert's "stop these emails" link opens (#token=…). Opening it only reads
// (mail scanners open every link); the button POSTs the same one-click body a mailbox provider sends (RFC 8058).
import { busy, clearErrors, doneLoading, fillProblem, showErrors } from "./dom.js";
import { setupNav, takeLinkToken } from "./session.js";

const token = takeLinkToken("unsubscribe");
const form = document.getElementById("unsubscribe-form");
const submit = document.getElementById("unsubscribe-submit");
const done = document.getElementById("unsubscribe-done");
const LABELS = { digest: "spending digests", budget_alerts: "budget alerts" };

async function call(method) {
  const init = { method, cache: "no-store", headers: { Accept: "application/json", Authorization: `Bearer ${token}` } };
  if (method === "POST") {
    init.headers["Content-Type"] = "application/x-www-form-urlencoded";
    init.body = "List-Unsubscribe=One-Click";
  }
  let response;
  try {
    response = await fetch("/api/unsubscribe", init);
  } catch {
    throw { status: 0, message: "We couldn't reach Pennydesk. Check your connection and try again.", errors: [] };
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw { status: response.status, message: data.message || `Request failed (${response.status}).`, errors: [] };
  return data;
}

function render(state) {
  const label = LABELS[state.kind] || "these emails";
  document.getElementById("unsubscribe-title").textContent = `Stop ${label}?`;
  document.getElementById("unsubscribe-what").textContent = state.subscribed
    ? `Pressing the button stops ${label} to ${state.email}.`
    : `${state.email} gets no ${label} any more.`;
  form.hidden = !state.subscribed;
  document.getElementById("unsubscribe-view").hidden = false;
}

async function start() {
  try {
    if (!token) throw { status: 401 };
    render(await call("GET"));
  } catch (error) {
    fillProblem({
      title: error.status === 401 ? "This link has expired or isn't valid" : "Something went wrong",
      text: error.status === 401
        ? "You can turn emails off in your settings after signing in."
        : (error.message || "Please try again in a moment."),
      links: [{ href: "/spending/settings.html", text: "Open settings", primary: true }],
    });
  } finally {
    doneLoading();
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const restore = busy(submit, "Unsubscribing…");
  try {
    const state = await call("POST");
    render(state);
    done.textContent = state.message;
    done.focus();
  } catch (error) {
    showErrors(form, error);
  } finally {
    restore();
  }
});

setupNav();
start();
