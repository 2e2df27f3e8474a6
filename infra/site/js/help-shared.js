// What the help pages share: the visitor's random id (one vote per visitor and article, no account), the
// last article read (so a ticket raised after reading one is counted), and putting the API's sanitised
// article HTML into the page.

const VISITOR_KEY = "pennydesk.help.visitor";
const READ_KEY = "pennydesk.help.read";
const READ_FOR_MS = 60 * 60 * 1000; // a ticket within the hour after reading counts as "raised after reading"

function local() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** This browser's random visitor id, made on first use and kept. */
export function visitorId() {
  const store = local();
  let id = store?.getItem(VISITOR_KEY);
  if (!id || !/^[A-Za-z0-9-]{16,64}$/.test(id)) {
    id = crypto.randomUUID();
    store?.setItem(VISITOR_KEY, id);
  }
  return id;
}

export function rememberRead(slug) {
  local()?.setItem(READ_KEY, JSON.stringify({ slug, at: Date.now() }));
}

/** The slug of the article read in the last hour, if any. */
export function recentlyRead() {
  try {
    const read = JSON.parse(local()?.getItem(READ_KEY) || "null");
    return read && typeof read.slug === "string" && Date.now() - read.at < READ_FOR_MS ? read.slug : null;
  } catch {
    return null;
  }
}

export function forgetRead() {
  local()?.removeItem(READ_KEY);
}

/**
 * Put the article HTML the API rendered and sanitised (an allow-list of tags, no attributes that run
 * script) into `container`. It is parsed in an inert document first, so nothing in it runs while parsing,
 * and the site's Content-Security-Policy forbids inline script and handlers besides.
 */
export function showArticleHtml(container, html) {
  const parsed = new DOMParser().parseFromString(String(html || ""), "text/html");
  container.replaceChildren(...parsed.body.childNodes);
}

export function articleHref(slug, fromForm = false) {
  const params = new URLSearchParams({ slug });
  if (fromForm) params.set("from", "form");
  return `/help/article.html?${params}`;
}
