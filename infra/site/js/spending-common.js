// What the spending pages share: the session check and its "sign in" prompt, API calls that carry the
// session (JSON, or raw for CSV in and out), months and dates, and money as decimal strings. Money is
// never a JS float: comparisons and differences use BigInt minor units; the API's strings are shown as-is.
import { api } from "./api.js";
import { doneLoading, el, fillProblem, humanize } from "./dom.js";
import { clearSession, getSession, setupNav } from "./session.js";

let current = null;
let viewId = null;

/**
 * Check the session and wire the header. Without one, show "Sign in to track your spending" and
 * return null; otherwise return the session. `view` is the id of the page's signed-in content.
 */
export function startPage(view) {
  viewId = view;
  current = getSession();
  setupNav(current);
  if (!current) {
    doneLoading();
    fillProblem({
      title: "Sign in to track your spending",
      text: "Pennydesk keeps your expenses against monthly budgets and shows where the money goes. "
        + "Sign in with your email address and we'll send you a link — no password needed.",
      links: [{ href: "/signin.html", text: "Sign in", primary: true }],
    });
    return null;
  }
  return current;
}

/** The session ran out (401): forget it, hide the page, and offer a new link. */
export function sessionExpired(error) {
  clearSession();
  current = null;
  setupNav(null);
  if (viewId) {
    const view = document.getElementById(viewId);
    if (view) view.hidden = true;
  }
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  doneLoading();
  fillProblem({
    title: "Your sign-in has expired — sign in again",
    text: "Sign in with your email address and we'll send you a fresh link. Your expenses and settings are kept.",
    detail: error && error.message ? `(${error.message})` : "",
    links: [{ href: "/signin.html", text: "Sign in", primary: true }],
  });
  document.getElementById("problem-title")?.setAttribute("tabindex", "-1");
  document.getElementById("problem-title")?.focus();
}

/** True (after handling it) when an error means the session is gone. */
export function handledAccess(error) {
  if (error && error.status === 401) {
    sessionExpired(error);
    return true;
  }
  return false;
}

/** A JSON API call with the session. Errors come back in api.js's shape. */
export function call(method, path, options = {}) {
  return api(method, path, { ...options, token: current ? current.session : undefined });
}

async function errorFrom(response) {
  const data = await response.json().catch(() => ({}));
  return {
    status: response.status,
    message: data.message || `Request failed (${response.status}).`,
    code: data.code || null,
    errors: Array.isArray(data.errors) ? data.errors : [],
  };
}

/**
 * A call that sends or reads something other than JSON (a CSV file in, a CSV file out).
 * Resolves with the fetch Response when it is OK; otherwise throws api.js's error shape.
 */
export async function callRaw(method, path, { body, contentType, accept = "application/json" } = {}) {
  const init = { method, cache: "no-store", headers: { Accept: accept } };
  if (body !== undefined) {
    init.body = body;
    if (contentType) init.headers["Content-Type"] = contentType;
  }
  if (current) init.headers.Authorization = `Bearer ${current.session}`;
  let response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch {
    throw { status: 0, message: "We couldn't reach Pennydesk. Check your connection and try again.", code: "network", errors: [] };
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

// ------------------------------------------------------------------------------------------ dates

function pad(n, width = 2) {
  return String(n).padStart(width, "0");
}

/** Today on this device, as YYYY-MM-DD. */
export function today() {
  const now = new Date();
  return `${pad(now.getFullYear(), 4)}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function currentMonth() {
  return today().slice(0, 7);
}

export function isMonth(text) {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(String(text || ""));
}

export function isDate(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(text || ""))) return false;
  const [y, m, d] = text.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** "2026-11" moved by n months: shiftMonth("2026-01", -1) → "2025-12". */
export function shiftMonth(month, n) {
  const [y, m] = month.split("-").map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1)}`;
}

const monthLong = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" });
const monthShort = new Intl.DateTimeFormat(undefined, { month: "short", year: "2-digit", timeZone: "UTC" });
const monthOnly = new Intl.DateTimeFormat(undefined, { month: "long", timeZone: "UTC" });
const dayShort = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
const dayLong = new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeZone: "UTC" });

function monthDate(month) {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, 1));
}

function dayDate(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** "November 2026". */
export function monthLabel(month) {
  return isMonth(month) ? monthLong.format(monthDate(month)) : String(month);
}

/** "Nov 26", for chart axes. */
export function monthShortLabel(month) {
  return isMonth(month) ? monthShort.format(monthDate(month)) : String(month);
}

/** "November". */
export function monthName(month) {
  return isMonth(month) ? monthOnly.format(monthDate(month)) : String(month);
}

/** A <time> for a YYYY-MM-DD date: short text ("Fri, 20 Nov"), the full date for screen readers' title. */
export function dayEl(day) {
  if (!isDate(day)) return el("span", { text: day });
  return el("time", { datetime: day, title: dayLong.format(dayDate(day)), text: dayShort.format(dayDate(day)) });
}

export function dayLabel(day) {
  return isDate(day) ? dayLong.format(dayDate(day)) : String(day);
}

// ------------------------------------------------------------------------------------------ money

/** "12.50" → 1250n with 2 decimals; null when the text is not a plain decimal with at most `decimals`. */
export function toMinor(text, decimals) {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(String(text ?? "").trim());
  if (!match) return null;
  const fraction = match[3] || "";
  if (fraction.length > decimals) return null;
  const value = BigInt(match[2] + fraction.padEnd(decimals, "0"));
  return match[1] ? -value : value;
}

/** 1250n with 2 decimals → "12.50". */
export function fromMinor(value, decimals) {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const text = decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
  return negative ? `-${text}` : text;
}

/** How far `total` is under (positive) or over (negative) `limit`, as a decimal string; null if unreadable. */
export function remaining(limit, total, decimals) {
  const a = toMinor(limit, decimals);
  const b = toMinor(total, decimals);
  return a === null || b === null ? null : fromMinor(a - b, decimals);
}

/** True when `total` is more than `limit` (both decimal strings). */
export function isOver(total, limit, decimals) {
  const a = toMinor(total, decimals);
  const b = toMinor(limit, decimals);
  return a !== null && b !== null && a > b;
}

/**
 * What someone typed as an amount, tidied for the API: spaces dropped, and a lone decimal comma
 * ("12,50", as many phone keypads type it) read as a dot. Anything else goes as typed for the API to judge.
 */
export function tidyAmount(text) {
  const value = String(text ?? "").trim().replace(/[\s\u00a0\u202f]/g, "");
  return /^\d+,\d+$/.test(value) ? value.replace(",", ".") : value;
}

const percentFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** 2.5 → "2.5 %" (a display figure the API worked out, not money). */
export function percentText(value) {
  return typeof value === "number" && Number.isFinite(value) ? `${percentFormat.format(value)} %` : "—";
}

// ------------------------------------------------------------------------------------------ misc

export function categoryLabel(name) {
  return humanize(name);
}

/** A new Idempotency-Key: crypto.randomUUID where the browser has it, else 16 random bytes as hex. */
export function newIdempotencyKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Remember small preferences on this device (e.g. the last category used); quiet if storage is off. */
export function remember(key, value) {
  try {
    window.localStorage.setItem(`pennydesk.spending.${key}`, value);
  } catch {
    /* storage switched off: nothing remembered */
  }
}

export function recall(key) {
  try {
    return window.localStorage.getItem(`pennydesk.spending.${key}`);
  } catch {
    return null;
  }
}

/** Fill a <select> with the categories, keeping `selected` if it is one of them. */
export function fillCategorySelect(select, categories, selected) {
  select.replaceChildren(...categories.map((name) => el("option", { value: name, text: categoryLabel(name) })));
  if (selected && categories.includes(selected)) select.value = selected;
}

/**
 * Put API errors whose field has a dot ("category_limits.groceries") into a slot for exactly that
 * field; returns the errors it could not place, for dom.js's showErrors.
 */
export function placeDottedErrors(form, error) {
  const rest = [];
  let first = null;
  for (const item of error.errors || []) {
    const field = String(item.field || "");
    const slot = field.includes(".")
      ? [...form.querySelectorAll("[data-error-for]")].find((s) => s.dataset.errorFor === field)
      : null;
    if (!slot) {
      rest.push(item);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent} ${item.message}` : item.message;
    const control = slot.dataset.control ? document.getElementById(slot.dataset.control) : null;
    if (control) {
      control.setAttribute("aria-invalid", "true");
      first ??= control;
    }
  }
  return { rest, first };
}
