// Budget settings: currency, monthly and per-category limits, alert thresholds, the summary email and its
// time zone, and the person's own categories. PUT /api/me gets only what changed (null removes a limit).
import { busy, clearErrors, doneLoading, el, fillProblem, humanize, showErrors } from "./dom.js";
import {
  amountInput, amountPlaceholder, call, categoryLabel, handledAccess, knownLocale, placeDottedErrors,
  plainAmount, startPage, tidyAmount, toMinor, useProfile,
} from "./spending-common.js";

const $ = (id) => document.getElementById(id);

// Currencies people commonly budget in; the person's own is added if it isn't here.
const CURRENCIES = [
  "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "CNY", "HKD", "SGD", "INR", "KRW", "SEK", "NOK",
  "DKK", "PLN", "CZK", "HUF", "RON", "TRY", "ILS", "AED", "SAR", "ZAR", "BRL", "MXN", "ARS", "CLP", "COP",
  "THB", "MYR", "IDR", "PHP", "VND", "TWD", "NGN", "KES", "EGP", "UAH",
];
// Locales people commonly use; the browser's own and the account's are added to these.
const LOCALES = [
  "en-US", "en-GB", "en-IE", "en-CA", "en-AU", "de-DE", "de-AT", "de-CH", "fr-FR", "fr-BE", "fr-CA", "nl-NL",
  "nl-BE", "es-ES", "es-MX", "it-IT", "pt-PT", "pt-BR", "sv-SE", "da-DK", "nb-NO", "fi-FI", "pl-PL", "cs-CZ",
  "tr-TR", "ja-JP", "zh-CN", "ko-KR", "hi-IN",
];
const COMMON_ZONES = [
  "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
  "Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Stockholm", "Europe/Oslo",
  "Europe/Copenhagen", "Europe/Warsaw", "Europe/Prague", "Europe/Vienna", "Europe/Athens", "Europe/Helsinki",
  "Europe/Kyiv", "Europe/Istanbul", "Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
  "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "Asia/Hong_Kong",
  "Asia/Shanghai", "Asia/Taipei", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney",
  "Pacific/Auckland", "America/St_Johns", "America/Halifax", "America/New_York", "America/Toronto",
  "America/Chicago", "America/Mexico_City", "America/Denver", "America/Phoenix", "America/Los_Angeles",
  "America/Vancouver", "America/Anchorage", "Pacific/Honolulu", "America/Bogota", "America/Lima",
  "America/Santiago", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
];

const form = $("settings-form");
const saveButton = $("settings-save");
const status = $("settings-status");
const categoryForm = $("category-form");
const categoriesStatus = $("categories-status");

let me = null;
const THRESHOLDS_HINT = $("thresholds-hint").textContent;

function deviceZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

function currencyName(code) {
  try {
    const names = new Intl.DisplayNames(undefined, { type: "currency" });
    const name = names.of(code);
    return name && name !== code ? `${code} — ${name}` : code;
  } catch {
    return code;
  }
}

function slug(name) {
  return String(name).replace(/[^a-z0-9]+/gi, "-");
}

/** Every category that has a limit row: the person's categories, then any with a limit but since removed. */
function limitCategories() {
  const names = [...me.categories];
  for (const name of Object.keys(me.category_limits || {})) if (!names.includes(name)) names.push(name);
  return names;
}

/** "Deutsch (Deutschland) — 1.234,56 €": each locale named in its own language, with how it writes money. */
function localeName(tag) {
  let name = tag;
  try {
    name = new Intl.DisplayNames([tag], { type: "language" }).of(tag) || tag;
  } catch {
    /* no display names: the tag itself */
  }
  let example = "";
  try {
    example = new Intl.NumberFormat(tag, { style: "currency", currency: me.currency }).format(1234.56);
  } catch {
    /* an unknown currency: the name alone */
  }
  return example ? `${name} — ${example}` : name;
}

function renderLocale() {
  const select = form.elements.locale;
  const browser = (navigator.languages || [navigator.language]).map(knownLocale).filter(Boolean);
  const tags = [...new Set([me.locale, ...browser, ...LOCALES].filter(Boolean))];
  select.replaceChildren(...tags.map((tag) => el("option", {
    value: tag, text: `${localeName(tag)}${tag === me.locale ? "" : browser.includes(tag) ? " (this browser)" : ""}`,
  })));
  select.value = me.locale;
}

function renderCurrency() {
  const select = form.elements.currency;
  const codes = CURRENCIES.includes(me.currency) ? CURRENCIES : [me.currency, ...CURRENCIES];
  select.replaceChildren(...codes.map((code) => el("option", { value: code, text: currencyName(code) })));
  select.value = me.currency;
  for (const slot of document.querySelectorAll("[data-currency]")) slot.textContent = `(${me.currency})`;
}

function renderLimits(keep = {}) {
  const rows = limitCategories().map((name) => {
    const id = `limit-${slug(name)}`;
    const errorId = `${id}-error`;
    const removed = !me.categories.includes(name);
    const input = el("input", {
      id,
      name: `limit:${name}`,
      inputmode: "decimal",
      autocomplete: "off",
      maxlength: "20",
      "data-category": name,
      "aria-describedby": errorId,
    });
    input.value = name in keep ? keep[name] : amountInput(me.category_limits[name] || "");
    input.placeholder = amountPlaceholder();
    return el(
      "div",
      { class: "field limit-row" },
      el("label", { for: id }, categoryLabel(name), removed ? el("span", { class: "optional", text: " (removed category)" }) : null),
      input,
      el("p", { class: "error", id: errorId, role: "alert", "data-error-for": `category_limits.${name}`, "data-control": id }),
    );
  });
  $("category-limits").replaceChildren(...rows);
}

function typedLimits() {
  const values = {};
  for (const input of $("category-limits").querySelectorAll("input[data-category]")) values[input.dataset.category] = input.value;
  return values;
}

function renderCustom() {
  const custom = me.custom_categories;
  const builtIn = me.categories.filter((c) => !custom.includes(c));
  $("builtin-categories").textContent = `Built in: ${builtIn.map(humanize).join(", ")}. Add your own to record and budget for them.`;
  $("custom-empty").hidden = custom.length > 0;
  $("custom-list").replaceChildren(
    ...custom.map((name) => {
      const remove = el("button", { type: "button", class: "link-button", "data-remove": name },
        "Remove", el("span", { class: "visually-hidden", text: ` ${categoryLabel(name)}` }));
      remove.addEventListener("click", () => removeCategory(name));
      return el("li", { class: "chip" }, el("span", { text: categoryLabel(name) }), remove);
    }),
  );
}

function render() {
  useProfile(me); // limits shown as the profile's locale writes them
  renderLocale();
  renderCurrency();
  form.elements.monthly_limit.value = amountInput(me.monthly_limit || "");
  form.elements.monthly_limit.placeholder = amountPlaceholder();
  renderLimits();
  const [first, second] = me.alert_thresholds;
  $("threshold-1").value = first ?? "";
  $("threshold-2").value = second ?? "";
  const extra = me.alert_thresholds.slice(2);
  $("thresholds-hint").textContent = THRESHOLDS_HINT + (extra.length
    ? ` You also have alerts at ${extra.join(" %, ")} %; they are kept.`
    : "");
  for (const radio of form.querySelectorAll('input[name="digest"]')) radio.checked = radio.value === me.digest;
  form.elements.budget_alerts.checked = me.budget_alerts;
  renderTimezone();
  renderCustom();
}

function renderTimezone() {
  const input = form.elements.timezone;
  const zones = typeof Intl.supportedValuesOf === "function" ? safeZones() : COMMON_ZONES;
  $("timezones").replaceChildren(...zones.map((zone) => el("option", { value: zone })));
  input.value = me.timezone;
  const device = deviceZone();
  const suggest = $("timezone-suggest");
  if (device && device !== me.timezone && me.timezone === "UTC") {
    // A new account starts on UTC: suggest this device's zone, saved with the next "Save settings".
    input.value = device;
    suggest.textContent = `Suggested from this device (your account has ${me.timezone}). Save to use it.`;
    suggest.hidden = false;
  } else if (device && device !== me.timezone) {
    suggest.textContent = `This device is in ${device}.`;
    suggest.hidden = false;
  } else {
    suggest.hidden = true;
  }
}

function safeZones() {
  try {
    const zones = Intl.supportedValuesOf("timeZone");
    return zones.includes("UTC") ? zones : ["UTC", ...zones];
  } catch {
    return COMMON_ZONES;
  }
}

// ------------------------------------------------------------------------------------------ save

function sameMoney(typed, saved) {
  if (!typed && !saved) return true;
  if (!typed || !saved) return false;
  const a = toMinor(plainAmount(typed), me.decimals);
  const b = toMinor(saved, me.decimals);
  return a !== null && b !== null ? a === b : typed === saved;
}

/** The changes the form holds compared with `me`, or {problems} to show before sending anything. */
function changes() {
  const out = {};
  const problems = [];
  if (form.elements.locale.value && form.elements.locale.value !== me.locale) out.locale = form.elements.locale.value;
  const currency = form.elements.currency.value;
  const currencyChanged = currency !== me.currency;
  if (currencyChanged) out.currency = currency;

  const monthly = tidyAmount(form.elements.monthly_limit.value);
  // A new currency needs its limits given again (the API refuses to reread old amounts).
  if (currencyChanged || !sameMoney(monthly, me.monthly_limit)) out.monthly_limit = monthly || null;

  const limits = {};
  for (const [name, raw] of Object.entries(typedLimits())) {
    const typed = tidyAmount(raw);
    const saved = me.category_limits[name] || "";
    if (currencyChanged ? typed || saved : !sameMoney(typed, saved)) limits[name] = typed || null;
  }
  if (Object.keys(limits).length) out.category_limits = limits;

  const thresholds = [];
  for (const input of [$("threshold-1"), $("threshold-2")]) {
    const raw = input.value.trim();
    if (!raw) continue;
    if (!/^\d+$/.test(raw)) {
      problems.push({ field: "alert_thresholds", message: "Give each alert as a whole percent from 1 to 500." });
      break;
    }
    thresholds.push(Number(raw));
  }
  if (!problems.some((p) => p.field === "alert_thresholds")) {
    const kept = me.alert_thresholds.slice(2);
    const wanted = [...new Set([...thresholds, ...kept])].sort((a, b) => a - b);
    const saved = [...me.alert_thresholds].sort((a, b) => a - b);
    if (!wanted.length) problems.push({ field: "alert_thresholds", message: "Keep at least one alert." });
    else if (wanted.join(",") !== saved.join(",")) out.alert_thresholds = wanted;
  }

  const digest = form.querySelector('input[name="digest"]:checked');
  if (digest && digest.value !== me.digest) out.digest = digest.value;
  if (form.elements.budget_alerts.checked !== me.budget_alerts) out.budget_alerts = form.elements.budget_alerts.checked;

  const timezone = form.elements.timezone.value.trim();
  if (!timezone) problems.push({ field: "timezone", message: "Give a time zone, such as Europe/Paris." });
  else if (timezone !== me.timezone) out.timezone = timezone;
  return { out, problems };
}

function showSaveErrors(error) {
  const { rest, first } = placeDottedErrors(form, error);
  if (rest.length) showErrors(form, { ...error, errors: rest });
  else if (first) first.focus();
  else showErrors(form, error);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  status.textContent = "";
  const { out, problems } = changes();
  if (problems.length) {
    // Only what can't be sent at all stops here; the API names every other refused field at once.
    showErrors(form, { errors: problems });
    return;
  }
  if (!Object.keys(out).length) {
    status.textContent = "Nothing to save: no changes.";
    status.focus();
    return;
  }
  const restore = busy(saveButton, "Saving…");
  try {
    me = await call("PUT", "/me", { body: out });
  } catch (error) {
    restore();
    if (handledAccess(error)) return;
    showSaveErrors(error);
    return;
  }
  restore();
  render();
  const what = Object.keys(out).map((key) => ({
    currency: "currency", monthly_limit: "monthly limit", category_limits: "category limits",
    alert_thresholds: "alerts", digest: "summary email", timezone: "time zone", budget_alerts: "alert emails",
    locale: "language and region",
  })[key] || key);
  status.textContent = `Saved: ${what.join(", ")}.`;
  status.focus();
});

// ------------------------------------------------------------------------------------------ categories

async function saveCategories(list, done) {
  clearErrors(categoryForm);
  categoriesStatus.textContent = "";
  const keep = typedLimits();
  const updated = await call("PUT", "/me", { body: { categories: list } });
  me = updated;
  useProfile(me); // the new category's name as written
  renderCustom();
  renderLimits(keep); // keep limits typed but not saved yet
  categoriesStatus.textContent = done;
}

/** The person's own categories as they wrote them: PUT /api/me keeps the names it is sent. */
function asWritten(keys) {
  return keys.map((key) => (me.category_names && me.category_names[key]) || key);
}

categoryForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("new-category");
  const written = input.value.trim().replace(/\s+/g, " "); // shown as written; its key is lower case
  const name = written.toLowerCase();
  clearErrors(categoryForm);
  categoriesStatus.textContent = "";
  if (!name) {
    showErrors(categoryForm, { errors: [{ field: "categories", message: "Type the new category's name." }] });
    return;
  }
  if (me.categories.includes(name)) {
    showErrors(categoryForm, { errors: [{ field: "categories", message: `You already have ${categoryLabel(name)}.` }] });
    return;
  }
  const restore = busy($("category-add"), "Adding…");
  try {
    await saveCategories([...asWritten(me.custom_categories), written], `Added ${written}.`);
  } catch (error) {
    restore();
    if (handledAccess(error)) return;
    showErrors(categoryForm, error);
    return;
  }
  restore();
  input.value = "";
  input.focus();
});

async function removeCategory(name) {
  const button = [...$("custom-list").querySelectorAll("button[data-remove]")].find((b) => b.dataset.remove === name);
  const restore = button ? busy(button, "Removing…") : () => {};
  try {
    await saveCategories(asWritten(me.custom_categories.filter((c) => c !== name)),
      `Removed ${categoryLabel(name)}. Expenses already in it keep it.`);
  } catch (error) {
    restore();
    if (handledAccess(error)) return;
    showErrors(categoryForm, error);
    return;
  }
  // The button went with the category: focus the list's heading, then the status is read.
  $("categories-title").focus();
}

// ------------------------------------------------------------------------------------------ start

async function start() {
  if (!startPage("settings-view")) return;
  try {
    me = await call("GET", "/me");
  } catch (error) {
    if (handledAccess(error)) return;
    doneLoading();
    fillProblem({
      title: "We couldn't load your settings",
      text: error.message,
      links: [{ href: window.location.href, text: "Try again", primary: true }],
    });
    return;
  }
  render();
  $("settings-view").hidden = false;
  doneLoading();
}

start();
