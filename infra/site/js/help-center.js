// /help/: the published articles by category, the most helpful first, and a search (GET /api/help/articles).
// The query and category live in the address (?q=&category=) so a search can be shared or bookmarked.
import { api } from "./api.js";
import { el, humanize } from "./dom.js";
import { articleHref } from "./help-shared.js";
import { setupNav } from "./session.js";

const form = document.getElementById("search-form");
const input = document.getElementById("q");
const results = document.getElementById("results");
const status = document.getElementById("results-status");
const title = document.getElementById("results-title");
const categoriesList = document.getElementById("categories");
let categories = [];
let latestSearch = 0; // only the newest search may draw: an older answer arriving late would replace it

function stateFromAddress() {
  const params = new URLSearchParams(window.location.search);
  return { q: params.get("q") || "", category: params.get("category") || "" };
}

function remember({ q, category }) {
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  if (category) params.set("category", category);
  const query = params.toString();
  window.history.replaceState(window.history.state, "", `${window.location.pathname}${query ? `?${query}` : ""}`);
}

function renderCategories(active) {
  categoriesList.replaceChildren(
    ...["", ...categories].map((category) => {
      const button = el("button", {
        type: "button", class: "secondary small", "aria-pressed": String(category === active),
        text: category ? humanize(category) : "All topics",
      });
      button.addEventListener("click", () => show({ q: input.value.trim(), category }));
      return el("li", {}, button);
    }),
  );
}

function renderArticles(articles, { q, category }) {
  const where = category ? ` in ${humanize(category)}` : "";
  title.textContent = q ? `Results for “${q}”${where}` : `Most helpful articles${where}`;
  status.textContent = articles.length
    ? `${articles.length} article${articles.length === 1 ? "" : "s"}.`
    : "No article matches yet. Try other words, or send us a request.";
  results.replaceChildren(
    ...articles.map((a) =>
      el("li", {}, el("a", { href: articleHref(a.slug), text: a.title }), el("p", { text: a.excerpt })),
    ),
  );
}

async function show(state) {
  remember(state);
  renderCategories(state.category);
  document.getElementById("q-error").textContent = "";
  input.removeAttribute("aria-invalid");
  const params = new URLSearchParams({ q: state.q });
  if (state.category) params.set("category", state.category);
  status.textContent = "Searching…";
  const search = ++latestSearch;
  try {
    const { articles } = await api("GET", `/help/articles?${params}`);
    if (search !== latestSearch) return;
    if (!state.q && !state.category) {
      categories = [...new Set(articles.map((a) => a.category))].sort();
      renderCategories(state.category);
    }
    renderArticles(articles, state);
  } catch (error) {
    if (search !== latestSearch) return;
    status.textContent = "";
    const message = (error.errors && error.errors[0] && error.errors[0].message) || error.message;
    document.getElementById("q-error").textContent = message;
    input.setAttribute("aria-invalid", "true");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const active = categoriesList.querySelector('[aria-pressed="true"]');
  const { category } = stateFromAddress();
  show({ q: input.value.trim(), category: active ? category : "" });
});

async function start() {
  setupNav();
  const state = stateFromAddress();
  input.value = state.q;
  if (state.q || state.category) {
    // The categories come from the whole list; ask for it once, then show what the address asks for.
    try {
      const { articles } = await api("GET", "/help/articles?q=");
      categories = [...new Set(articles.map((a) => a.category))].sort();
    } catch {
      /* the categories stay hidden */
    }
  }
  await show(state);
}

start();
