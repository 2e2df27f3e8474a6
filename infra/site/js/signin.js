// Passwordless sign-in. Asking for a link always gets the same answer (no account enumeration).
// Opening the emailed link does nothing by itself (mail scanners open links): the person presses
// "Sign in", which exchanges the one-time token for a session kept in localStorage.
import { api } from "./api.js";
import { busy, clearErrors, el, showErrors } from "./dom.js";
import { forgetLinkToken, getSession, saveSession, setupNav, takeLinkToken } from "./session.js";

// Where each role lands: one role goes straight there; several show their links, staff pages first.
const HOME = {
  agent: { href: "/agent/", text: "Go to my queue" },
  admin: { href: "/admin/agents.html", text: "Manage agents" },
  customer: { href: "/spending/", text: "Track my spending" },
};
const HOME_ORDER = Object.keys(HOME);
// A page that sent the person here to sign in (?next=), kept across the emailed link's new tab.
const NEXT_PAGES = ["/my-requests.html"];
const NEXT_KEY = "pennydesk.next";

function rememberNext() {
  const next = new URLSearchParams(window.location.search).get("next");
  try {
    if (NEXT_PAGES.includes(next)) window.localStorage.setItem(NEXT_KEY, next);
  } catch {
    /* storage switched off: the person lands on their role's page instead */
  }
}

function takeNext() {
  try {
    const next = window.localStorage.getItem(NEXT_KEY);
    window.localStorage.removeItem(NEXT_KEY);
    return NEXT_PAGES.includes(next) ? next : null;
  } catch {
    return null;
  }
}

const finishSection = document.getElementById("finish-section");
const finishButton = document.getElementById("finish-button");
const finishError = document.getElementById("finish-error");
const requestSection = document.getElementById("request-section");
const requestForm = document.getElementById("request-form");
const requestButton = document.getElementById("request-button");
const sentSection = document.getElementById("sent-section");

const signInToken = takeLinkToken("signin");

function homeLinks(roles) {
  return HOME_ORDER.filter((r) => roles.includes(r)).map((r, i) => el("a", { class: i === 0 ? "button-link" : null, href: HOME[r].href, text: HOME[r].text }));
}

function showAlreadySignedIn() {
  const session = getSession();
  const box = document.getElementById("already");
  box.hidden = !session;
  if (!session) return;
  document.getElementById("already-text").textContent =
    `You're already signed in as ${session.email}. To use another address, ask for a link below.`;
  document.getElementById("already-links").replaceChildren(...homeLinks(session.roles));
}

function showSignedIn(granted) {
  finishSection.hidden = true;
  requestSection.hidden = true;
  const section = document.getElementById("signed-in-section");
  const text = document.getElementById("signed-in-text");
  const links = homeLinks(granted.roles);
  if (links.length) {
    text.textContent = `Signed in as ${granted.email}. Where to?`;
  } else {
    document.getElementById("signed-in-title").textContent = "Nothing to open here";
    text.textContent = `${granted.email} has no agent or admin access right now. Ask an admin to add or reactivate you.`;
  }
  document.getElementById("signed-in-links").replaceChildren(...links);
  section.hidden = false;
  document.getElementById("signed-in-title").focus();
}

finishButton.addEventListener("click", async () => {
  finishError.textContent = "";
  const restore = busy(finishButton, "Signing in…");
  let granted;
  try {
    granted = await api("POST", "/auth/session", { body: { token: signInToken } });
  } catch (error) {
    restore();
    if (error.status === 401 || error.status === 403 || error.status === 422) {
      // Used, expired or mangled: the token is no good any more, so offer a new link at once.
      forgetLinkToken("signin");
      finishButton.hidden = true;
      finishError.textContent = `This link has expired or isn't valid — ask for a new one below. (${error.message})`;
      requestSection.hidden = false;
      document.getElementById("email").focus();
    } else {
      finishError.textContent = error.message;
      finishError.focus();
    }
    return;
  }
  forgetLinkToken("signin");
  const roles = Array.isArray(granted.roles) ? granted.roles : [];
  if (roles.length) saveSession(granted);
  setupNav(roles.length ? getSession() : null);
  const next = takeNext();
  if (next && roles.length) {
    finishButton.textContent = "Signed in – opening…";
    window.location.replace(next);
    return;
  }
  if (roles.length === 1 && HOME[roles[0]]) {
    finishButton.textContent = "Signed in – opening…";
    window.location.replace(HOME[roles[0]].href);
    return;
  }
  showSignedIn({ ...granted, roles });
});

requestForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(requestForm);
  const email = requestForm.elements.email.value.trim();
  if (!email) {
    showErrors(requestForm, { errors: [{ field: "email", message: "Enter your email address." }] });
    return;
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    showErrors(requestForm, { errors: [{ field: "email", message: "Enter an email address like name@example.com." }] });
    return;
  }
  const restore = busy(requestButton, "Sending…");
  try {
    await api("POST", "/auth/sign-in", { body: { email } });
  } catch (error) {
    restore();
    showErrors(requestForm, error);
    return;
  }
  restore();
  finishSection.hidden = true;
  requestSection.hidden = true;
  // The same words whatever the answer: it never says whether the address has an account.
  document.getElementById("sent-text").textContent = "If that address can sign in, a link is on its way.";
  sentSection.hidden = false;
  sentSection.focus();
});

document.getElementById("again").addEventListener("click", () => {
  sentSection.hidden = true;
  requestSection.hidden = false;
  requestForm.reset();
  document.getElementById("email").focus();
});

setupNav();
rememberNext();
showAlreadySignedIn();
if (signInToken) {
  finishSection.hidden = false;
  requestSection.hidden = true;
  finishButton.focus();
}
