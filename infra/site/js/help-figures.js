// The desk dashboard's help-center figures (GET /api/admin/reports/help) for the range the dashboard shows:
// it follows the dashboard's own range, read from the form once the dashboard has shown its figures.
import { api } from "./api.js";
import { getSession } from "./session.js";

const session = getSession();
const section = document.getElementById("help-figures");
const status = document.getElementById("help-figures-status");
const rangeStatus = document.getElementById("range-status");
const form = document.getElementById("range-form");
let shown = "";
let latest = 0;

async function load(from, to) {
  const ticket = ++latest;
  try {
    const report = await api("GET", `/admin/reports/help?${new URLSearchParams({ from, to })}`, { token: session.session });
    if (ticket !== latest) return;
    for (const node of section.querySelectorAll("[data-help-figure]")) {
      node.textContent = String(report[node.dataset.helpFigure] ?? "–");
    }
    const saved = report.helpful_votes;
    status.textContent = saved
      ? `${saved} time${saved === 1 ? "" : "s"} an article answered the question in this range.`
      : "No reader has said an article answered their question in this range yet.";
    section.hidden = false;
  } catch (error) {
    if (ticket === latest) status.textContent = error.message;
  }
}

// The dashboard writes "Figures for …" once a range is shown; then its form holds that range.
function follow() {
  const from = form.elements.from.value;
  const to = form.elements.to.value;
  if (!rangeStatus.textContent.startsWith("Figures for") || `${from}/${to}` === shown) return;
  shown = `${from}/${to}`;
  load(from, to);
}

if (session && section) new MutationObserver(follow).observe(rangeStatus, { childList: true, characterData: true, subtree: true });
