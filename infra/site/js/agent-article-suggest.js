// The agent's ticket page: help articles that may answer the ticket (GET /api/agent/tickets/{id}/articles),
// listed beside the reply box; "Insert link" puts the article's title and address into the reply at the
// cursor, in one click. Titles go in as text, never as HTML.
import { api } from "./api.js";
import { el } from "./dom.js";

/** A line for the reply: the article's title and its public address. */
export function linkLine(article) {
  return `${article.title}: ${article.url}`;
}

/** `text` with `line` inserted at [start, end), on a line of its own; and where the cursor goes after it. */
export function insertLine(text, start, end, line) {
  const before = text.slice(0, start);
  const after = text.slice(end);
  const lead = before && !before.endsWith("\n") ? "\n" : "";
  const trail = after && !after.startsWith("\n") ? "\n" : "";
  const value = `${before}${lead}${line}${trail}${after}`;
  return { value, cursor: before.length + lead.length + line.length };
}

function insertInto(box, line) {
  const { value, cursor } = insertLine(box.value, box.selectionStart ?? box.value.length,
    box.selectionEnd ?? box.value.length, line);
  box.value = value;
  box.focus();
  box.setSelectionRange(cursor, cursor);
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Offer the ticket's help articles under the reply box (quietly nothing when none fit or the call fails). */
export async function offerArticles(ticketId, token) {
  const section = document.getElementById("help-articles");
  const box = document.getElementById("reply-body");
  if (!section || !box) return;
  let data;
  try {
    data = await api("GET", `/agent/tickets/${ticketId}/articles`, { token });
  } catch {
    return; // a help, never an obstacle: the reply box works without it
  }
  const list = document.getElementById("help-articles-list");
  list.replaceChildren(...data.articles.map((article) => {
    const button = el("button", {
      type: "button", class: "secondary small", "data-insert-article": article.url,
      "aria-label": `Insert link to ${article.title}`, text: "Insert link",
    });
    button.addEventListener("click", () => insertInto(box, linkLine(article)));
    return el("li", {}, el("a", { href: article.url, target: "_blank", rel: "noopener", text: article.title }), " ",
      button);
  }));
  section.hidden = data.articles.length === 0;
}
