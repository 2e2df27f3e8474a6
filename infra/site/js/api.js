// Talks to the Pennydesk API on the same origin. Every failure comes back as
// { status, message, code, errors: [{field, message}] } so pages can show it beside its field.

export async function api(method, path, { body, token, headers = {} } = {}) {
  // no-store: a page that reloads a thread after an action must see the new state, never a cached one.
  const init = { method, cache: "no-store", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch {
    throw { status: 0, message: "We couldn't reach Pennydesk. Check your connection and try again.", code: "network", errors: [] };
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw {
      status: response.status,
      message: data.message || `Request failed (${response.status}).`,
      code: data.code || null,
      errors: Array.isArray(data.errors) ? data.errors : [],
    };
  }
  return data;
}
