// Where the pages keep what lets them talk to the API: the signed-in session (localStorage, so every
// tab shares it until it expires or the person signs out) and the token from an emailed link
// (sessionStorage, per tab, per page kind and ticket, and taken out of the address bar at once).

const SESSION_KEY = "pennydesk.session";
const LINK_PREFIX = "pennydesk.link.";

function storage(kind) {
  try {
    return kind === "local" ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // storage switched off: the page still works for this visit
  }
}

/** The stored session if it hasn't expired: {session, expires_at, email, roles}, else null. */
export function getSession() {
  const raw = storage("local")?.getItem(SESSION_KEY);
  if (!raw) return null;
  let stored;
  try {
    stored = JSON.parse(raw);
  } catch {
    stored = null;
  }
  if (!stored || typeof stored.session !== "string" || !stored.session) {
    clearSession();
    return null;
  }
  const expires = Date.parse(stored.expires_at);
  if (!Number.isNaN(expires) && expires <= Date.now()) {
    clearSession();
    return null;
  }
  return { ...stored, roles: Array.isArray(stored.roles) ? stored.roles : [] };
}

export function saveSession({ session, expires_at, email, roles }) {
  storage("local")?.setItem(SESSION_KEY, JSON.stringify({ session, expires_at, email, roles: roles || [] }));
}

export function clearSession() {
  storage("local")?.removeItem(SESSION_KEY);
}

/**
 * Sign out: end the session on the server (so a copy of it stops working too), forget it and any link tokens
 * this tab kept, then go to the sign-in page. The page forgets it even when the server can't be reached.
 */
export async function signOut() {
  const current = getSession();
  if (current) {
    await fetch("/api/auth/sign-out", {
      method: "POST",
      cache: "no-store",
      headers: { Accept: "application/json", Authorization: `Bearer ${current.session}` },
    }).catch(() => null);
  }
  clearSession();
  const tab = storage("session");
  if (tab) {
    for (const key of Object.keys(tab)) if (key.startsWith(LINK_PREFIX)) tab.removeItem(key);
  }
  window.location.assign("/signin.html");
}

/**
 * The token an emailed link brought: read `token` from the address's fragment (`#token=…`, which browsers
 * never send to a server), or from its query for links sent before tokens moved there, keep it in
 * sessionStorage under `pennydesk.link.<kind>.<scope>`, and replace the address with one that no longer
 * shows it. Later loads of the same page in this tab find it again in sessionStorage. Returns the token or null.
 */
export function takeLinkToken(kind, scope = "") {
  // A link opened in a tab already on this page changes only the fragment, which reloads nothing: reload, so
  // the page starts again from the new link's token.
  window.addEventListener("hashchange", () => {
    if (new URLSearchParams(window.location.hash.replace(/^#/, "")).has("token")) window.location.reload();
  });
  const params = new URLSearchParams(window.location.search);
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const key = `${LINK_PREFIX}${kind}.${scope}`;
  const fresh = fragment.get("token") || params.get("token");
  if (fresh) {
    storage("session")?.setItem(key, fresh);
    params.delete("token");
    fragment.delete("token");
    const query = params.toString();
    const hash = fragment.toString();
    window.history.replaceState(window.history.state, "", `${window.location.pathname}${query ? `?${query}` : ""}${hash ? `#${hash}` : ""}`);
    return fresh;
  }
  return storage("session")?.getItem(key) || null;
}

export function forgetLinkToken(kind, scope = "") {
  storage("session")?.removeItem(`${LINK_PREFIX}${kind}.${scope}`);
}

/** A ticket id from ?id=, or "" when it is missing or not a ticket id. */
export function ticketIdFromUrl() {
  const id = new URLSearchParams(window.location.search).get("id") || "";
  return /^[0-9a-f]{32}$/.test(id) ? id : "";
}

// The header's links, defined once for every page. A page names its kind in <nav data-site-nav="...">:
// "public" (customer pages from emailed links), "staff" (agents and admins) or "spending".
// `when`: "signed-in" (anyone with a session), "signed-out", or a role the session must have.
const NAV_LINKS = [
  { href: "/", text: "New request", kinds: ["public"] },
  { href: "/help/", text: "Help center", kinds: ["public"] },
  { href: "/my-requests.html", text: "My requests", kinds: ["public"] },
  { href: "/signin.html", text: "Sign in", kinds: ["public"], when: "signed-out" },
  { href: "/spending/", text: "Spending", kinds: ["spending"], when: "signed-in" },
  { href: "/spending/settings.html", text: "Settings", kinds: ["spending"], when: "signed-in" },
  { href: "/spending/import.html", text: "Import/Export", kinds: ["spending"], when: "signed-in" },
  { href: "/agent/", text: "My queue", kinds: ["staff", "spending"], when: "agent" },
  { href: "/admin/dashboard.html", text: "Dashboard", kinds: ["staff", "spending"], when: "admin" },
  { href: "/admin/agents.html", text: "Agents", kinds: ["staff", "spending"], when: "admin" },
  { href: "/admin/articles.html", text: "Articles", kinds: ["staff", "spending"], when: "admin" },
];
const SIGNED_IN_STATE = ["staff", "spending"]; // kinds that show who is signed in, and Sign in / Sign out

/** Fill an empty <nav data-site-nav> with the links for its kind, marked for setupNav to show or hide. */
function renderNav(nav) {
  const kind = nav.dataset.siteNav;
  const items = [];
  for (const link of NAV_LINKS.filter((l) => l.kinds.includes(kind))) {
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    if (link.when === "signed-in") a.dataset.navSignedIn = "";
    else if (link.when === "signed-out") a.dataset.navSignedOut = "";
    else if (link.when) a.dataset.navRole = link.when;
    a.hidden = Boolean(link.when);
    items.push(a);
  }
  if (SIGNED_IN_STATE.includes(kind)) {
    const who = document.createElement("span");
    who.className = "nav-who";
    who.dataset.navWho = "";
    who.hidden = true;
    const signIn = document.createElement("a");
    signIn.href = "/signin.html";
    signIn.textContent = "Sign in";
    signIn.dataset.navSignedOut = "";
    const signOutButton = document.createElement("button");
    signOutButton.type = "button";
    signOutButton.className = "link-button";
    signOutButton.textContent = "Sign out";
    signOutButton.dataset.navSignOut = "";
    signOutButton.hidden = true;
    items.push(who, signIn, signOutButton);
  }
  nav.replaceChildren(...items);
}

/**
 * The header nav: build it for pages that name their kind (data-site-nav), then show the links the
 * signed-in person's roles open ([data-nav-role]), the links for anyone signed in ([data-nav-signed-in]),
 * "Sign in" when nobody is, and a working "Sign out" button. Marks the current page's link with aria-current.
 */
export function setupNav(session = getSession()) {
  const nav = document.querySelector(".topnav");
  if (!nav) return;
  if (nav.dataset.siteNav && !nav.children.length) renderNav(nav);
  const roles = session ? session.roles : [];
  for (const link of nav.querySelectorAll("[data-nav-role]")) {
    link.hidden = !roles.includes(link.dataset.navRole);
  }
  for (const link of nav.querySelectorAll("[data-nav-signed-out]")) link.hidden = Boolean(session);
  for (const link of nav.querySelectorAll("[data-nav-signed-in]")) link.hidden = !session;
  const who = nav.querySelector("[data-nav-who]");
  if (who) {
    who.textContent = session ? session.email : "";
    who.hidden = !session;
  }
  const button = nav.querySelector("[data-nav-sign-out]");
  if (button) {
    button.hidden = !session;
    if (!button.dataset.wired) {
      button.dataset.wired = "yes";
      button.addEventListener("click", signOut);
    }
  }
  const here = window.location.pathname.replace(/index\.html$/, "");
  for (const link of nav.querySelectorAll("a[href]")) {
    const target = new URL(link.href, window.location.href).pathname.replace(/index\.html$/, "");
    if (target === here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}
