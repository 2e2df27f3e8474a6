// The ticket form's help: as the customer types the subject, up to five help articles appear under it
// (GET /api/help/suggest, debounced); one opens in a new tab and is counted as opened from the form. A form
// opened from an article's "no" (/?article=<slug>) names that article and links it in the description.
// After a ticket is sent, an article read in the last hour is counted as "a ticket raised after reading".
import { api } from "./api.js";
import { el } from "./dom.js";
import { articleHref, forgetRead, recentlyRead } from "./help-shared.js";

const DEBOUNCE_MS = 300;
const MIN_CHARS = 3;
let linkedSlug = null;

function suggestionsBox(subject) {
  const box = el("div", { class: "suggestions", id: "suggestions", hidden: true, "aria-labelledby": "suggestions-title" },
    el("h2", { id: "suggestions-title", text: "These articles may answer it" }),
    el("ul", { id: "suggestion-list" }));
  document.getElementById("subject-error").after(box);
  subject.setAttribute("aria-describedby", `${subject.getAttribute("aria-describedby")} suggestions-title`);
  return box;
}

function render(box, articles) {
  box.querySelector("ul").replaceChildren(
    ...articles.map((a) =>
      el("li", {}, el("a", { href: articleHref(a.slug, true), target: "_blank", rel: "noopener" },
        a.title, el("span", { class: "visually-hidden", text: " (opens in a new tab)" })))),
  );
  box.hidden = articles.length === 0;
}

/** Suggest articles under `subject` while it is typed; stale answers are dropped. */
export function suggestWhileTyping(subject) {
  const box = suggestionsBox(subject);
  let timer = null;
  let latest = 0;
  subject.addEventListener("input", () => {
    clearTimeout(timer);
    const typed = subject.value.trim();
    if (typed.length < MIN_CHARS) {
      latest += 1;
      render(box, []);
      return;
    }
    timer = setTimeout(async () => {
      const ticket = ++latest;
      try {
        const { articles } = await api("GET", `/help/suggest?${new URLSearchParams({ q: typed })}`);
        if (ticket === latest) render(box, articles);
      } catch {
        if (ticket === latest) render(box, []); // suggestions are a help, never an obstacle
      }
    }, DEBOUNCE_MS);
  });
}

/** A form opened from an article's "no": say which article, and link it at the top of the description. */
export async function linkArticleFromAddress(description) {
  const slug = new URLSearchParams(window.location.search).get("article") || "";
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) return;
  try {
    const article = await api("GET", `/help/articles/${encodeURIComponent(slug)}`);
    linkedSlug = article.slug;
    const url = new URL(articleHref(article.slug), window.location.origin).href;
    const note = el("p", { class: "notice linked-article", id: "linked-article" },
      "About the article ", el("a", { href: articleHref(article.slug), text: article.title }), ".");
    document.getElementById("ticket-form").before(note);
    if (!description.value.trim()) {
      description.value = `I read “${article.title}” (${url}) and it didn't answer my question.\n\n`;
    }
  } catch {
    /* the form works without it */
  }
}

/** After a ticket is sent: count it as raised after reading an article, if one was read or linked. */
export async function countTicketAfterReading() {
  const slug = linkedSlug || recentlyRead();
  linkedSlug = null;
  forgetRead();
  if (!slug) return;
  try {
    await api("POST", `/help/articles/${encodeURIComponent(slug)}/events`, { body: { event: "ticket_after_article" } });
  } catch {
    /* a figure missed is no reason to bother the customer */
  }
}
