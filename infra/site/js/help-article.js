// One help article (/help/article.html?slug=...): GET /api/help/articles/{slug}, its sanitised HTML shown,
// "Did this answer your question?" (one vote per visitor: POST .../vote), and on "no" a link to the ticket
// form with the article attached. Opening it is counted (POST .../events), "from the form" when the ticket
// form's suggestions led here.
import { api } from "./api.js";
import { doneLoading, fillProblem, humanize, timeEl } from "./dom.js";
import { articleHref, rememberRead, showArticleHtml, visitorId } from "./help-shared.js";
import { setupNav } from "./session.js";

const params = new URLSearchParams(window.location.search);
const fromForm = params.get("from") === "form";
let slug = params.get("slug") || "";

function showArticle(article) {
  document.title = `${article.title} · Pennydesk help center`;
  document.getElementById("article-title").textContent = article.title;
  document.getElementById("article-category").textContent = humanize(article.category);
  document.getElementById("article-updated").replaceChildren(timeEl(article.updated_at));
  showArticleHtml(document.getElementById("article-body"), article.html);
  document.getElementById("raise-ticket").href = `/?${new URLSearchParams({ article: article.slug })}`;
  document.getElementById("article").hidden = false;
  document.getElementById("vote").hidden = false;
}

async function vote(helpful) {
  const buttons = document.querySelectorAll("#vote-buttons button");
  for (const button of buttons) button.disabled = true;
  const thanks = document.getElementById("vote-thanks");
  document.getElementById("vote-error").textContent = "";
  try {
    await api("POST", `/help/articles/${encodeURIComponent(slug)}/vote`, { body: { helpful, visitor: visitorId() } });
    thanks.textContent = helpful ? "Thanks! Glad it helped." : "Thanks for telling us.";
  } catch (error) {
    if (error.status !== 409) {
      for (const button of buttons) button.disabled = false;
      document.getElementById("vote-error").textContent = error.message;
      return;
    }
    thanks.textContent = "You already answered for this article. Thank you!";
  }
  thanks.focus();
  document.getElementById("still-stuck").hidden = helpful;
}

async function countOpening() {
  try {
    await api("POST", `/help/articles/${encodeURIComponent(slug)}/events`, {
      body: { event: "article_opened", from_form: fromForm },
    });
  } catch {
    /* a figure missed is no reason to bother the reader */
  }
}

async function start() {
  setupNav();
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) {
    doneLoading();
    fillProblem({ title: "We couldn't find that article", text: "Check the address, or look in the help center.",
      links: [{ href: "/help/", text: "Go to the help center", primary: true }] });
    return;
  }
  try {
    const article = await api("GET", `/help/articles/${encodeURIComponent(slug)}`);
    if (article.slug !== slug) {
      // An old address: the article moved. Show its current one, keeping where the reader came from.
      slug = article.slug;
      window.history.replaceState(window.history.state, "", articleHref(slug, fromForm));
    }
    showArticle(article);
    rememberRead(slug);
    countOpening();
  } catch (error) {
    fillProblem(error.status === 404
      ? { title: "We couldn't find that article", text: "It may have been moved or taken down.",
        links: [{ href: "/help/", text: "Go to the help center", primary: true }] }
      : { title: "We couldn't load the article", text: error.message,
        links: [{ href: window.location.href, text: "Try again" }] });
  } finally {
    doneLoading();
  }
}

document.getElementById("vote-yes").addEventListener("click", () => vote(true));
document.getElementById("vote-no").addEventListener("click", () => vote(false));
start();
