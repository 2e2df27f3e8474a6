// What an admin page shows when the API refuses the caller: an expired sign-in (401) or someone who is
// not an admin (403). Shared by the admin pages so they say it the same way.
import { fillProblem } from "./dom.js";
import { clearSession, setupNav } from "./session.js";

export function adminAccessProblem(error, session, viewId) {
  document.getElementById(viewId).hidden = true;
  if (error.status === 401) {
    clearSession();
    setupNav(null);
    fillProblem({
      title: "Your sign-in has expired or isn't valid — ask for a new link",
      text: "Sign in with your email address and we'll send you a fresh link.",
      detail: error.message ? `(${error.message})` : "",
      links: [{ href: "/signin.html", text: "Sign in", primary: true }],
    });
  } else {
    const links = [{ href: "/signin.html", text: "Sign in as someone else", primary: true }];
    if (session.roles.includes("agent")) links.push({ href: "/agent/", text: "Go to my queue" });
    fillProblem({
      title: "This page is for admins",
      text: `You're signed in as ${session.email}, which isn't on the admin list.`,
      detail: error.message ? `(${error.message})` : "",
      links,
    });
  }
}
