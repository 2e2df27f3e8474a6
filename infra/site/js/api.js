// Talks to the Pennydesk API on the same origin. Every failure comes back as
// { status, message, errors: [{field, message}] } so pages can show it beside its field.

export async function api(method, path, { body, token, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch {
    throw { status: 0, message: "We couldn't reach Pennydesk. Check your connection and try again.", errors: [] };
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw { status: response.status, message: data.message || `Request failed (${response.status}).`, errors: data.errors || [] };
  }
  return data;
}
