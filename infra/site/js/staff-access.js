// What a staff page shows when the API refuses the caller: an expired sign-in (401), or someone without
// the page's role (403). Shared by the agent's queue and the admin pages so they say it the same way.
import { fillProblem } from "./dom.js";
import { clearSession, setupNav } from "./session.js";

// Per role: who the page is for, how the refusal describes the caller, and where else a staff member may go.
const AUDIENCES = {
  admin: {
    title: "This page is for admins",
    who: "which isn't on the admin list",
    elsewhere: { role: "agent", href: "/agent/", text: "Go to my queue" },
  },
  agent: {
    title: "This page is for active agents",
    who: "which isn't an active agent",
    elsewhere: { role: "admin", href: "/admin/agents.html", text: "Manage agents" },
  },
};

export function staffAccessProblem(error, session, viewId, role) {
  document.getElementById(viewId).hidden = true;
  const detail = error.message ? `(${error.message})` : "";
  if (error.status === 401) {
    clearSession();
    setupNav(null);
    fillProblem({
      title: "Your sign-in has expired or isn't valid — ask for a new link",
      text: "Sign in with your email address and we'll send you a fresh link.",
      detail,
      links: [{ href: "/signin.html", text: "Sign in", primary: true }],
    });
    return;
  }
  const audience = AUDIENCES[role];
  const links = [{ href: "/signin.html", text: "Sign in as someone else", primary: true }];
  const { elsewhere } = audience;
  if (session.roles.includes(elsewhere.role)) links.push({ href: elsewhere.href, text: elsewhere.text });
  fillProblem({ title: audience.title, text: `You're signed in as ${session.email}, ${audience.who}.`, detail, links });
}
