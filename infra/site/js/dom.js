// Small rendering helpers shared by the pages. Everything that comes from the API goes into the page as
// text (textContent or text nodes), never as HTML, so a ticket that contains <script> shows as words.

/** Create an element: el("p", { class: "meta", text: "Hi" }, child, "more text"). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.toLowerCase().startsWith("on")) throw new Error("Attach listeners with addEventListener.");
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A <time> element for an ISO timestamp, shown in the reader's own locale and time zone. */
export function timeEl(iso) {
  const when = new Date(iso);
  const text = Number.isNaN(when.getTime()) ? String(iso ?? "") : dateTime.format(when);
  return el("time", { datetime: iso, text });
}

/** What a customer reads for each status. */
export const CUSTOMER_STATUS = {
  new: "Received",
  assigned: "With an agent",
  in_progress: "Being worked on",
  waiting_on_customer: "Waiting for your reply",
  resolved: "Resolved",
  closed: "Closed",
};

/** What an agent reads for each status. */
export const AGENT_STATUS = {
  new: "New – in the queue",
  assigned: "Assigned",
  in_progress: "In progress",
  waiting_on_customer: "Waiting on customer",
  resolved: "Resolved",
  closed: "Closed",
};

export const PRIORITIES = [
  { value: "low", label: "Low" },
  { value: "normal", label: "Normal" },
  { value: "high", label: "High" },
  { value: "urgent", label: "Urgent" },
];

export function humanize(value) {
  const text = String(value ?? "").replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A coloured pill; `kind` picks the colour (a status or priority value, letters and underscores only). */
export function badge(text, kind) {
  const safe = String(kind || "").replace(/[^a-z_]/g, "");
  return el("span", { class: `badge${safe ? ` badge-${safe}` : ""}`, text });
}

/** Swap a submit button into its busy state; returns a function that restores it. */
export function busy(button, busyText) {
  const idle = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-disabled", "true");
  button.textContent = busyText;
  return () => {
    button.disabled = false;
    button.removeAttribute("aria-disabled");
    button.textContent = idle;
  };
}

/** Empty every error slot in a form and drop aria-invalid from its controls. */
export function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}

/**
 * Put an API error ({message, errors: [{field, message}]}) beside the fields it names, inside `form`.
 * Errors for fields the form doesn't have (and errors with no field) go to `fallback`, or the form's
 * [data-error-for="form"] slot. Focus moves to the first field in error, else to the message.
 */
export function showErrors(form, error, fallback) {
  const slots = [...form.querySelectorAll("[data-error-for]")];
  let firstControl = null;
  let placed = false;
  for (const item of error.errors || []) {
    const field = String(item.field || "").split(".")[0];
    const slot = slots.find((s) => s.dataset.errorFor === field && field !== "form");
    if (!slot) continue;
    slot.textContent = slot.textContent ? `${slot.textContent} ${item.message}` : item.message;
    const control = form.elements.namedItem(field);
    const target = control instanceof RadioNodeList ? control[0] : control;
    if (target) {
      if (!(control instanceof RadioNodeList)) target.setAttribute("aria-invalid", "true");
      firstControl ??= target;
    }
    placed = true;
  }
  if (placed) {
    firstControl?.focus();
    return;
  }
  const slot = fallback || slots.find((s) => s.dataset.errorFor === "form");
  if (slot) {
    slot.textContent = error.message || "Something went wrong. Please try again.";
    if (!slot.hasAttribute("tabindex")) slot.setAttribute("tabindex", "-1");
    slot.focus();
  }
}

/** Put a short message into a live region and move focus to it (it needs tabindex="-1"). */
export function announce(node, text) {
  node.textContent = text;
  if (text) node.focus();
}

/** True for the answers that mean "your link or session doesn't open this". */
export function isAccessProblem(error) {
  return error && (error.status === 401 || error.status === 403);
}

/**
 * Fill the page's #problem section (a title, a sentence, an optional detail and links) and show it.
 * links: [{href, text, primary?}].
 */
export function fillProblem({ title, text, detail = "", links = [] }) {
  const section = document.getElementById("problem");
  if (!section) return;
  section.querySelector("[data-problem-title]").textContent = title;
  section.querySelector("[data-problem-text]").textContent = text;
  section.querySelector("[data-problem-detail]").textContent = detail;
  section.querySelector("[data-problem-next]").replaceChildren(
    ...links.map((link) => el("a", { class: link.primary ? "button-link" : null, href: link.href, text: link.text })),
  );
  section.hidden = false;
}

/**
 * Show why a page opened from an emailed link can't work. `audience` is "customer" or "staff": it
 * decides where a person can get a new link.
 */
export function showProblem(error, audience) {
  if (isAccessProblem(error)) {
    fillProblem({
      title: "This link has expired or isn't valid — ask for a new one",
      text:
        audience === "staff"
          ? "Sign in with your email address and we'll send you a fresh link."
          : "Links in our emails work for a limited time. If you still need help, send us a new request and mention your ticket number.",
      detail: error.message ? `(${error.message})` : "",
      links: [audience === "staff"
        ? { href: "/signin.html", text: "Sign in", primary: true }
        : { href: "/", text: "Send a new request", primary: true }],
    });
  } else if (error && error.status === 404) {
    fillProblem({ title: "We couldn't find that ticket", text: "Check that you opened the whole link from your email." });
  } else if (error && error.status === 0) {
    fillProblem({ title: "We couldn't reach Pennydesk", text: error.message, links: [{ href: window.location.href, text: "Try again" }] });
  } else {
    fillProblem({
      title: "Something went wrong",
      text: (error && error.message) || "Please try again in a moment.",
      links: [{ href: window.location.href, text: "Try again" }],
    });
  }
}

/** Hide the "Loading…" line once the first answer is in. */
export function doneLoading() {
  const loading = document.getElementById("loading");
  if (loading) loading.hidden = true;
  document.querySelector("main")?.removeAttribute("aria-busy");
}
