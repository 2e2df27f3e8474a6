// The desk dashboard: GET /api/admin/reports/helpdesk for a range of days, shown as figure tiles, a chart
// of the ratings (with a table of the same figures: canvas is invisible to screen readers) and the
// backlog as tables. The range lives in the address (?from=&to=) so a view can be bookmarked.
import { api } from "./api.js";
import { AGENT_STATUS, busy, clearErrors, doneLoading, el, fillProblem, humanize, showErrors, timeEl } from "./dom.js";
import { staffAccessProblem } from "./staff-access.js";
import { getSession, setupNav } from "./session.js";

const MAX_DAYS = 366;
const DAY_MS = 86_400_000;
const BRAND = "#0b6e4f";
const LOW = "#b42318";
const RATING_LABELS = { 1: "1 – Very poor", 2: "2 – Poor", 3: "3 – Okay", 4: "4 – Good", 5: "5 – Excellent" };

const session = getSession();
setupNav(session);

const form = document.getElementById("range-form");
const figuresBox = document.getElementById("figures");
const showButton = document.getElementById("range-show");
let categories = [];

// Dates ------------------------------------------------------------------------------------------

const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

function isDay(text) {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

function dayLabel(text) {
  return dayFormat.format(new Date(`${text}T00:00:00Z`));
}

function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

function addDays(text, days) {
  return new Date(Date.parse(`${text}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** 90 s, 45 min, 3 h 20 min, 2 d 4 h: a duration a person reads at a glance. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes % 60;
  if (hours < 24) return restMinutes ? `${hours} h ${restMinutes} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours ? `${days} d ${restHours} h` : `${days} d`;
}

function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

// Range form -------------------------------------------------------------------------------------

function readRange() {
  const from = form.elements.from.value.trim();
  const to = form.elements.to.value.trim();
  const errors = [];
  if (!isDay(from)) errors.push({ field: "from", message: "Choose the first day." });
  if (!isDay(to)) errors.push({ field: "to", message: "Choose the last day." });
  if (!errors.length && from > to) errors.push({ field: "from", message: "Choose a first day on or before the last day." });
  if (!errors.length && daysBetween(from, to) > MAX_DAYS) {
    errors.push({ field: "from", message: `Choose a range of at most ${MAX_DAYS} days.` });
  }
  return { from, to, errors };
}

function rangeFromAddress() {
  const params = new URLSearchParams(window.location.search);
  const from = params.get("from") || "";
  const to = params.get("to") || "";
  return isDay(from) && isDay(to) ? { from, to } : null;
}

function remember({ from, to }) {
  const params = new URLSearchParams({ from, to });
  window.history.replaceState(window.history.state, "", `${window.location.pathname}?${params}`);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearErrors(form);
  const { from, to, errors } = readRange();
  if (errors.length) return showErrors(form, { errors });
  load({ from, to });
});

for (const button of form.querySelectorAll("[data-preset-days]")) {
  button.addEventListener("click", () => {
    const days = Number(button.dataset.presetDays);
    const to = todayUtc();
    form.elements.from.value = addDays(to, 1 - days);
    form.elements.to.value = to;
    clearErrors(form);
    load({ from: form.elements.from.value, to });
  });
}

// Rendering --------------------------------------------------------------------------------------

function setFigure(name, text, note = "") {
  const value = document.querySelector(`[data-figure="${name}"]`);
  value.textContent = text;
  const noteSlot = document.querySelector(`[data-figure-note="${name}"]`);
  if (noteSlot) noteSlot.textContent = note;
  return value.closest(".tile");
}

function categoryLabel(value) {
  return categories.find((c) => c.value === value)?.label || humanize(value);
}

function row(label, count, ...more) {
  return el("tr", {}, el("th", { scope: "row", text: label }), el("td", { class: "num", text: String(count) }), ...more);
}

function renderTiles(report) {
  setFigure("opened", String(report.tickets.opened));
  setFigure("resolved", String(report.tickets.resolved));
  setFigure(
    "first_response",
    duration(report.first_response.median_seconds),
    report.first_response.count ? `over ${plural(report.first_response.count, "ticket")}` : "no first responses yet",
  );
  setFigure(
    "resolution",
    duration(report.resolution.median_seconds),
    report.resolution.count ? `over ${plural(report.resolution.count, "ticket")}` : "nothing resolved yet",
  );
  const breaches = report.sla_breaches;
  const breachTile = setFigure(
    "breaches",
    String(breaches.total),
    `${breaches.first_response} first response, ${breaches.resolution} resolution`,
  );
  breachTile.classList.toggle("alert", breaches.total > 0);
  const satisfaction = report.satisfaction;
  setFigure(
    "satisfaction",
    satisfaction.average === null ? "–" : `${satisfaction.average.toFixed(2)} / 5`,
    satisfaction.count ? `from ${plural(satisfaction.count, "rating")}` : "no ratings yet",
  );
}

function renderRatings(report) {
  const { distribution, count, average } = report.satisfaction;
  document.getElementById("ratings-summary").textContent = count
    ? `${plural(count, "rating")}, averaging ${average.toFixed(2)} out of 5.`
    : "No customer has rated a resolution in this range yet.";
  document.getElementById("ratings-rows").replaceChildren(
    ...[...distribution].reverse().map((item) =>
      row(RATING_LABELS[item.rating] || String(item.rating), item.count,
        el("td", { class: "num", text: count ? `${Math.round((item.count / count) * 100)} %` : "–" }))),
  );
  drawRatings(distribution);
}

function drawRatings(distribution) {
  const canvas = document.getElementById("ratings-chart");
  const box = document.getElementById("ratings-chart-box");
  if (typeof window.Chart !== "function") {
    box.hidden = true; // the table carries the same figures
    return;
  }
  window.Chart.getChart(canvas)?.destroy();
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: distribution.map((item) => String(item.rating)),
      datasets: [{
        label: "Customers",
        data: distribution.map((item) => item.count),
        backgroundColor: distribution.map((item) => (item.rating <= 2 ? LOW : BRAND)),
        borderRadius: 3,
      }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduced ? false : { duration: 250 },
      scales: {
        y: { beginAtZero: true, ticks: { precision: 0, maxTicksLimit: 6 } },
        x: { grid: { display: false }, title: { display: true, text: "Rating (1 very poor – 5 excellent)" } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => (items.length ? RATING_LABELS[distribution[items[0].dataIndex].rating] : "") } },
      },
    },
  });
}

function renderBacklog(report) {
  const backlog = report.backlog;
  const unassigned = backlog.unassigned ? `, ${backlog.unassigned} waiting for an agent` : "";
  document.getElementById("backlog-summary").textContent =
    `${plural(backlog.total, "ticket")} open right now${unassigned}. This doesn't depend on the range.`;
  document.getElementById("backlog-categories").replaceChildren(
    ...backlog.by_category.map((item) => row(categoryLabel(item.category), item.open)),
  );
  const agentRows = backlog.by_agent.map((item) =>
    row(item.active ? item.name : `${item.name} (inactive)`, item.open));
  if (backlog.unassigned) agentRows.push(row("Nobody yet (in the queue)", backlog.unassigned));
  document.getElementById("backlog-agents").replaceChildren(...agentRows);
  document.getElementById("backlog-statuses").replaceChildren(
    ...backlog.by_status.map((item) => row(AGENT_STATUS[item.status] || humanize(item.status), item.open)),
  );
}

/** A link to the desk's view of the tickets behind a figure. */
function deskLink(text, params) {
  return el("a", { href: `/agent/?${new URLSearchParams(params)}`, text });
}

function renderDeskLinks(report) {
  const links = [
    ["breaches", "See overdue tickets", { view: "open", sla: "breached" }],
    ["resolved", "See resolved tickets", { view: "resolved" }],
    ["opened", "See open tickets", { view: "open" }],
  ];
  for (const [name, text, params] of links) {
    const tile = document.querySelector(`[data-figure="${name}"]`).closest(".tile");
    tile.querySelector("[data-desk-link]")?.remove();
    tile.append(el("dd", { class: "tile-note", "data-desk-link": "" }, deskLink(text, params)));
  }
  const summary = document.getElementById("backlog-summary");
  summary.append(" ", deskLink("See them on the desk", { view: "open" }));
  if (report.backlog.unassigned) summary.append(" · ", deskLink("the unassigned ones", { view: "unassigned" }));
}

function renderTrends(report) {
  document.getElementById("agent-timings").replaceChildren(
    ...(report.by_agent || []).map((a) => row(a.name, duration(a.first_response.median_seconds),
      el("td", { class: "num", text: duration(a.resolution.median_seconds) }))),
  );
  document.getElementById("weekly-rows").replaceChildren(
    ...(report.weekly || []).map((w) => row(dayLabel(w.week), w.opened, el("td", { class: "num", text: String(w.resolved) }))),
  );
  const comments = report.comments || [];
  document.getElementById("comments").replaceChildren(
    ...comments.map((c) => el("li", { class: "queue-item" },
      el("p", { class: "entry-body", text: `“${c.comment}”` }),
      el("p", { class: "queue-meta" }, el("span", { text: `${c.rating} of 5 ·` }), timeEl(c.at), " ",
        el("a", { href: `/agent/ticket.html?id=${encodeURIComponent(c.ticket_id)}`, text: "Open the ticket" })))),
  );
  document.getElementById("comments-empty").hidden = comments.length > 0;
}

function render(report) {
  form.elements.from.value = report.from;
  form.elements.to.value = report.to;
  document.getElementById("range-status").textContent =
    `Figures for ${dayLabel(report.from)} to ${dayLabel(report.to)} (${plural(report.days, "day")}).`;
  renderTiles(report);
  renderRatings(report);
  renderBacklog(report);
  renderDeskLinks(report);
  renderTrends(report);
  figuresBox.hidden = false;
}

// Loading ----------------------------------------------------------------------------------------

function accessProblem(error) {
  staffAccessProblem(error, session, "dashboard-view", "admin");
}

let latest = 0;

/** Ask for a range (or the API's default, the last 30 days) and show it; errors go beside the fields. */
async function load(range) {
  const ticket = ++latest;
  const query = range ? `?${new URLSearchParams({ from: range.from, to: range.to })}` : "";
  figuresBox.setAttribute("aria-busy", "true");
  document.getElementById("range-status").textContent = "Loading the figures…";
  const restore = busy(showButton, "Loading…");
  try {
    const report = await api("GET", `/admin/reports/helpdesk${query}`, { token: session.session });
    if (ticket !== latest) return;
    render(report);
    remember(report);
    document.getElementById("dashboard-view").hidden = false;
  } catch (error) {
    if (ticket !== latest) return;
    if (error.status === 401 || error.status === 403) {
      accessProblem(error);
      return;
    }
    document.getElementById("range-status").textContent = "";
    if (error.status === 422) {
      document.getElementById("dashboard-view").hidden = false; // say which day to change, beside it
      showErrors(form, error);
    } else if (document.getElementById("dashboard-view").hidden) {
      fillProblem({
        title: "We couldn't load the desk's figures",
        text: error.message,
        links: [{ href: "/admin/dashboard.html", text: "Try again" }],
      });
    } else {
      showErrors(form, error);
    }
  } finally {
    restore();
    if (ticket === latest) figuresBox.removeAttribute("aria-busy");
  }
}

async function loadCategories() {
  try {
    const options = await api("GET", "/tickets/options");
    if (Array.isArray(options.categories)) categories = options.categories;
  } catch {
    /* category values are shown as words instead */
  }
}

async function start() {
  if (!session) {
    doneLoading();
    fillProblem({
      title: "Sign in to see the desk's figures",
      text: "Admins sign in with an emailed link: no password needed.",
      links: [{ href: "/signin.html", text: "Sign in", primary: true }],
    });
    return;
  }
  await loadCategories();
  const range = rangeFromAddress();
  if (range) {
    form.elements.from.value = range.from;
    form.elements.to.value = range.to;
  }
  await load(range);
  doneLoading();
}

start();
