// The article editor: every article with its views and votes, write one or change one (title, Markdown
// body with a live preview the API renders and sanitises, category, published), move its address, delete it.
// Admins also decide whether agents may write (GET|PUT /api/admin/help/settings); an agent allowed to write
// uses this page too, without that switch or the delete button.
import { api } from "./api.js";
import { badge, busy, clearErrors, doneLoading, el, fillProblem, humanize, showErrors } from "./dom.js";
import { showArticleHtml } from "./help-shared.js";
import { staffAccessProblem } from "./staff-access.js";
import { getSession, setupNav } from "./session.js";

const PREVIEW_DEBOUNCE_MS = 400;
const session = getSession();
setupNav(session);

const form = document.getElementById("article-form");
const editor = document.getElementById("editor");
const listStatus = document.getElementById("list-status");
let editing = null; // the article being changed, as last loaded; null while writing a new one
const isAdmin = Boolean(session?.roles?.includes("admin"));

function accessProblem(error) {
  staffAccessProblem(error, session, "admin-view", "admin");
}

function call(method, path, body) {
  return api(method, path, { token: session.session, body });
}

function row(article) {
  const edit = el("button", { type: "button", class: "secondary small", text: "Edit" });
  edit.setAttribute("aria-label", `Edit ${article.title}`);
  edit.addEventListener("click", () => openEditor(article.id));
  return el("tr", {},
    el("th", { scope: "row" }, article.published
      ? el("a", { href: `/help/article.html?${new URLSearchParams({ slug: article.slug })}`, text: article.title })
      : article.title),
    el("td", { text: humanize(article.category) }),
    el("td", {}, article.published ? badge("Published", "active") : badge("Draft", "inactive")),
    el("td", { class: "num", text: article.views }),
    el("td", { class: "num", text: article.helpful }),
    el("td", { class: "num", text: article.unhelpful }),
    el("td", {}, edit));
}

async function loadList() {
  const { articles } = await call("GET", "/admin/articles");
  document.getElementById("articles").replaceChildren(...articles.map(row));
  document.getElementById("articles-empty").hidden = articles.length > 0;
  const categories = [...new Set(["general", ...articles.map((a) => a.category)])].sort();
  document.getElementById("category-options").replaceChildren(...categories.map((c) => el("option", { value: c })));
}

let previewTimer = null;
let previewTicket = 0;

function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(async () => {
    const ticket = ++previewTicket;
    try {
      const { html } = await call("POST", "/admin/articles/preview", { body: form.elements.body.value });
      if (ticket === previewTicket) showArticleHtml(document.getElementById("preview"), html);
    } catch (error) {
      if (ticket === previewTicket) document.getElementById("preview").textContent = error.message;
    }
  }, PREVIEW_DEBOUNCE_MS);
}

function fill(article) {
  editing = article;
  clearErrors(form);
  form.elements.title.value = article?.title || "";
  form.elements.body.value = article?.body || "";
  form.elements.category.value = article?.category || "general";
  form.elements.published.checked = Boolean(article?.published);
  form.elements.slug.value = article?.slug || "";
  document.getElementById("slug-field").hidden = !article;
  document.getElementById("delete").hidden = !article || !isAdmin;
  document.getElementById("image-file").disabled = !article;
  document.getElementById("image-error").textContent = "";
  document.getElementById("editor-title").textContent = article ? `Edit “${article.title}”` : "Write an article";
  document.getElementById("editor-address").textContent = article ? `/help/article.html?slug=${article.slug}` : "";
  showArticleHtml(document.getElementById("preview"), article?.html || "");
  editor.hidden = false;
  document.getElementById("editor-title").focus();
}

async function openEditor(id) {
  try {
    fill(await call("GET", `/admin/articles/${id}`));
  } catch (error) {
    if (error.status === 401 || error.status === 403) return accessProblem(error);
    listStatus.textContent = error.message;
  }
}

function changes() {
  const body = {
    title: form.elements.title.value.trim(),
    body: form.elements.body.value,
    category: form.elements.category.value.trim() || "general",
    published: form.elements.published.checked,
  };
  if (editing && form.elements.slug.value.trim() && form.elements.slug.value.trim() !== editing.slug) {
    body.slug = form.elements.slug.value.trim();
  }
  return body;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const restore = busy(document.getElementById("save"), "Saving…");
  try {
    const saved = editing
      ? await call("PATCH", `/admin/articles/${editing.id}`, changes())
      : await call("POST", "/admin/articles", changes());
    await loadList();
    fill(saved);
    listStatus.textContent = `Saved “${saved.title}”${saved.published ? ", published" : " as a draft"}.`;
  } catch (error) {
    if (error.status === 401 || error.status === 403) return accessProblem(error);
    showErrors(form, error);
  } finally {
    restore();
  }
});

document.getElementById("delete").addEventListener("click", async () => {
  if (!editing || !window.confirm(`Delete “${editing.title}”? Its addresses stop working.`)) return;
  try {
    await call("DELETE", `/admin/articles/${editing.id}`);
    listStatus.textContent = `Deleted “${editing.title}”.`;
    editing = null;
    editor.hidden = true;
    await loadList();
    listStatus.focus();
  } catch (error) {
    if (error.status === 401 || error.status === 403) return accessProblem(error);
    showErrors(form, error);
  }
});

/** Attach the chosen image to the article being edited and insert its Markdown at the cursor. */
async function attachImage(input) {
  const file = input.files[0];
  const error = document.getElementById("image-error");
  error.textContent = "";
  if (!file || !editing) return;
  const upload = new FormData();
  upload.append("file", file, file.name);
  input.disabled = true;
  try {
    const response = await fetch(`/api/admin/articles/${editing.id}/images`, {
      method: "POST", body: upload, cache: "no-store",
      headers: { Accept: "application/json", Authorization: `Bearer ${session.session}` },
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      error.textContent = data.message || `The image was not added (${response.status}).`;
      return;
    }
    const body = document.getElementById("body");
    const at = body.selectionEnd ?? body.value.length;
    const before = body.value.slice(0, at);
    const lead = before && !before.endsWith("\n") ? "\n\n" : "";
    body.value = `${before}${lead}${data.markdown}\n${body.value.slice(at)}`;
    body.focus();
    schedulePreview();
  } catch {
    error.textContent = "We couldn't reach Pennydesk. Check your connection and try again.";
  } finally {
    input.value = "";
    input.disabled = !editing;
  }
}

document.getElementById("image-file").addEventListener("change", (event) => attachImage(event.target));
document.getElementById("new-article").addEventListener("click", () => fill(null));
document.getElementById("cancel").addEventListener("click", () => {
  editor.hidden = true;
  editing = null;
});
form.elements.body.addEventListener("input", schedulePreview);

/** The admins' switch: may agents write articles? Saved as soon as it changes; put back if refused. */
async function loadSettings() {
  if (!isAdmin) return;
  const box = document.getElementById("agents-may-write");
  const status = document.getElementById("settings-status");
  try {
    box.checked = (await call("GET", "/admin/help/settings")).agents_may_write;
  } catch {
    return; // the switch stays hidden; the articles still work
  }
  document.getElementById("help-settings").hidden = false;
  box.addEventListener("change", async () => {
    const wanted = box.checked;
    box.disabled = true;
    try {
      const saved = await call("PUT", "/admin/help/settings", { agents_may_write: wanted });
      box.checked = saved.agents_may_write;
      status.textContent = saved.agents_may_write ? "Agents may now write articles." : "Only admins write articles now.";
    } catch (error) {
      box.checked = !wanted;
      status.textContent = error.message;
    } finally {
      box.disabled = false;
    }
  });
}

async function start() {
  if (!session) {
    doneLoading();
    fillProblem({
      title: "Sign in to write help articles",
      text: "Admins sign in with an emailed link: no password needed.",
      links: [{ href: "/signin.html", text: "Sign in", primary: true }],
    });
    return;
  }
  try {
    await loadList();
    document.getElementById("admin-view").hidden = false;
    await loadSettings();
  } catch (error) {
    accessProblem(error);
  } finally {
    doneLoading();
  }
}

start();
