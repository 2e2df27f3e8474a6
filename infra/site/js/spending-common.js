// What the spending pages share: the session check and its "sign in" prompt, API calls that carry the
// session (JSON, or raw for CSV in and out), months and dates, and money as decimal strings. Money is
// never a JS float: comparisons and differences use BigInt minor units. Every amount, date, month name and
// percentage is written in the profile's locale (useProfile), by the one set of Intl formatters below.
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

// ------------------------------------------------------------------------------------------ locale

/** The profile's locale, currency and category names: every page formats with these once /api/me answers. */
const profile = { locale: undefined, currency: "", decimals: 2, names: {} };
let formats = null;

function buildFormats() {
  const tag = profile.locale;
  const utc = { timeZone: "UTC" };
  formats = {
    monthLong: new Intl.DateTimeFormat(tag, { month: "long", year: "numeric", ...utc }),
    monthShort: new Intl.DateTimeFormat(tag, { month: "short", year: "2-digit", ...utc }),
    monthOnly: new Intl.DateTimeFormat(tag, { month: "long", ...utc }),
    dayShort: new Intl.DateTimeFormat(tag, { weekday: "short", day: "numeric", month: "short", ...utc }),
    dayLong: new Intl.DateTimeFormat(tag, { dateStyle: "long", ...utc }),
    percent: new Intl.NumberFormat(tag, { style: "percent", maximumFractionDigits: 1 }),
    money: profile.currency
      ? new Intl.NumberFormat(tag, {
        style: "currency", currency: profile.currency,
        minimumFractionDigits: profile.decimals, maximumFractionDigits: profile.decimals,
      })
      : null,
  };
}

/** A locale tag the browser can write in, else undefined (the browser's own). */
export function knownLocale(tag) {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag || []);
    return canonical && Intl.NumberFormat.supportedLocalesOf([canonical]).length ? canonical : undefined;
  } catch {
    return undefined;
  }
}

/** Format everything from now on in the profile's locale and currency (GET /api/me's answer). */
export function useProfile(me) {
  profile.locale = knownLocale(me && me.locale);
  profile.currency = (me && me.currency) || "";
  profile.decimals = me && Number.isInteger(me.decimals) ? me.decimals : 2;
  profile.names = (me && me.category_names) || {};
  buildFormats();
}

/** The locale pages format in ("de-DE"); the browser's own until the profile is known. */
export function pageLocale() {
  return profile.locale || new Intl.NumberFormat().resolvedOptions().locale;
}

buildFormats();

function monthDate(month) {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, 1));
}

function dayDate(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** "November 2026" ("November 2026" in de-DE too; "novembre 2026" in fr-FR). */
export function monthLabel(month) {
  return isMonth(month) ? formats.monthLong.format(monthDate(month)) : String(month);
}

/** "Nov 26", for chart axes. */
export function monthShortLabel(month) {
  return isMonth(month) ? formats.monthShort.format(monthDate(month)) : String(month);
}

/** "November". */
export function monthName(month) {
  return isMonth(month) ? formats.monthOnly.format(monthDate(month)) : String(month);
}

/** A <time> for a YYYY-MM-DD date: short text ("Fri, 20 Nov"), the full date for screen readers' title. */
export function dayEl(day) {
  if (!isDate(day)) return el("span", { text: day });
  return el("time", { datetime: day, title: formats.dayLong.format(dayDate(day)), text: formats.dayShort.format(dayDate(day)) });
}

export function dayLabel(day) {
  return isDate(day) ? formats.dayLong.format(dayDate(day)) : String(day);
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
 * What someone typed as an amount, tidied for the API: spaces dropped; the API reads the rest as the
 * profile's locale writes amounts ("1.500,00" in de-DE) or as plain digits. Where the locale's decimal mark
 * is a dot, a lone comma before one or two digits ("12,50", as many phone keypads type it) is read as one.
 */
export function tidyAmount(text) {
  const value = String(text ?? "").trim().replace(/[\s\u00a0\u202f]/g, "");
  const decimalMark = new Intl.NumberFormat(profile.locale).formatToParts(1.5).find((p) => p.type === "decimal");
  const dotLocale = !decimalMark || decimalMark.value === ".";
  return dotLocale && /^\d+,\d{1,2}$/.test(value) ? value.replace(",", ".") : value;
}

/** "1500.00" → "$1,500.00" (en-US), "1.500,00 €" (de-DE): an API amount in the profile's locale. */
export function moneyText(text) {
  if (text === null || text === undefined || text === "") return "";
  const value = String(text);
  if (!formats.money || !/^-?\d+(\.\d+)?$/.test(value)) return profile.currency ? `${value} ${profile.currency}` : value;
  // Intl takes a decimal string as it is (no float on the way) where the browser supports it.
  return formats.money.format(value);
}

/** "1500.00" → "1500,00" (de-DE), "1500.00" (en): an API amount as the person types it (no grouping, no symbol). */
export function amountInput(text) {
  const value = String(text ?? "");
  if (!/^\d+(\.\d+)?$/.test(value)) return value;
  return new Intl.NumberFormat(profile.locale, {
    useGrouping: false, minimumFractionDigits: profile.decimals, maximumFractionDigits: profile.decimals,
  }).format(value);
}

/** An empty amount as the locale writes it ("0,00"), for placeholders. */
export function amountPlaceholder() {
  return amountInput(profile.decimals ? `0.${"0".repeat(profile.decimals)}` : "0");
}

/**
 * What was typed, as a plain decimal string when it reads one way in the profile's locale ("1.500,00" →
 * "1500.00" in de-DE), else null: to tell whether a typed limit differs from the saved one. The API judges.
 */
export function plainAmount(text) {
  const value = tidyAmount(text);
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const parts = new Intl.NumberFormat(profile.locale).formatToParts(12345.6);
  const group = (parts.find((p) => p.type === "group") || {}).value || "";
  const mark = (parts.find((p) => p.type === "decimal") || {}).value || ".";
  const plain = value.split(group).join("").replace(mark, ".");
  return group && /^\d+(\.\d+)?$/.test(plain) ? plain : null;
}

/** 19.3 → "19.3%" (en), "19,3 %" (de): a percentage the API worked out, in the profile's locale. */
export function percentText(value) {
  return typeof value === "number" && Number.isFinite(value) ? formats.percent.format(value / 100) : "—";
}

// ------------------------------------------------------------------------------------------ misc

/** A category as people read it: "Dining", custom ones as the person wrote them (the profile's names). */
export function categoryLabel(name) {
  return profile.names[name] || humanize(name);
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
