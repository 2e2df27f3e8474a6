// The month page's charts, drawn with the vendored Chart.js (/vendor/chart-4.6.1.umd.min.js defines
// window.Chart). Canvas is invisible to screen readers, so every chart has a table of the same figures
// beside it (built by the page); these functions only draw. Numbers go to Chart.js as Number(...) because
// a bar's length is display; every label and tooltip shows the API's own decimal string, written in the
// profile's locale (moneyText), and the axes count in it too.
import { categoryLabel, isOver, moneyText, monthLabel, monthShortLabel, pageLocale } from "./spending-common.js";

const BRAND = "#0b6e4f";
const OVER = "#b42318";
const LIMIT_FILL = "rgba(154, 165, 177, 0.22)";
const LIMIT_LINE = "#616e7c";
const BUDGET_LINE = "#9a5b00";

let configured = false;

/** True when the chart library loaded; pages show their tables instead when it didn't. */
export function chartsAvailable() {
  return typeof window.Chart === "function";
}

function configure() {
  window.Chart.defaults.locale = pageLocale(); // axis numbers as the profile's locale writes them
  if (configured) return;
  configured = true;
  const { Chart } = window;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#52606d";
  Chart.defaults.borderColor = "#e4e7eb";
}

function animation() {
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  return reduced ? false : { duration: 250 };
}

function amount(text) {
  if (text === null || text === undefined) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Legend entries as Chart.js makes them, but "Spent" in the brand colour even when its first bar is red. */
function legendLabels(chart) {
  const items = window.Chart.defaults.plugins.legend.labels.generateLabels(chart);
  for (const item of items) {
    if (chart.data.datasets[item.datasetIndex]?.label === "Spent") {
      item.fillStyle = BRAND;
      item.strokeStyle = BRAND;
    }
  }
  return items;
}

/** Remove the chart drawn on `canvas`, if any. */
export function clearChart(canvas) {
  if (!chartsAvailable()) return;
  const existing = window.Chart.getChart(canvas);
  if (existing) existing.destroy();
}

/**
 * Spending by category (horizontal bars) with each category's limit as a second, hollow bar.
 * `report` is GET /api/reports/monthly's answer; `decimals` the currency's.
 */
export function drawCategoryChart(canvas, report, decimals) {
  clearChart(canvas);
  if (!chartsAvailable() || !report.categories.length) return null;
  configure();
  const rows = report.categories;
  const hasLimits = rows.some((row) => row.limit !== null);
  const datasets = [
    {
      label: "Spent",
      data: rows.map((row) => amount(row.total)),
      texts: rows.map((row) => moneyText(row.total)),
      backgroundColor: rows.map((row) => (row.limit !== null && isOver(row.total, row.limit, decimals) ? OVER : BRAND)),
      borderRadius: 3,
      order: 0,
    },
  ];
  if (hasLimits) {
    datasets.push({
      label: "Limit",
      data: rows.map((row) => amount(row.limit)),
      texts: rows.map((row) => (row.limit === null ? "no limit" : moneyText(row.limit))),
      backgroundColor: LIMIT_FILL,
      borderColor: LIMIT_LINE,
      borderWidth: 2,
      borderRadius: 3,
      order: 1,
    });
  }
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels: rows.map((row) => categoryLabel(row.category)), datasets },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      animation: animation(),
      scales: {
        x: { beginAtZero: true, ticks: { maxTicksLimit: 6 } },
        y: { grid: { display: false } },
      },
      plugins: {
        legend: { display: hasLimits, position: "bottom", labels: { boxWidth: 14, generateLabels: legendLabels } },
        tooltip: {
          callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.dataset.texts[ctx.dataIndex]}` },
        },
      },
    },
  });
}

/**
 * Month-by-month totals as bars, each month's own budget as a dashed line: a month that had none has no
 * point (the line breaks there), and the line is left out when no month had one. `points` is GET
 * /api/reports/trend's answer; `currency` is kept for callers, the texts come from the profile.
 */
export function drawTrendChart(canvas, points, currency, decimals) {
  clearChart(canvas);
  if (!chartsAvailable() || !points.length) return null;
  configure();
  const hasBudget = points.some((point) => point.limit !== null);
  const datasets = [
    {
      type: "bar",
      label: "Spent",
      data: points.map((point) => amount(point.total)),
      texts: points.map((point) => moneyText(point.total)),
      backgroundColor: points.map((point) => (point.limit !== null && isOver(point.total, point.limit, decimals) ? OVER : BRAND)),
      borderRadius: 3,
      order: 1,
    },
  ];
  if (hasBudget) {
    datasets.push({
      type: "line",
      label: "Budget",
      data: points.map((point) => amount(point.limit)),
      texts: points.map((point) => (point.limit === null ? "no budget" : moneyText(point.limit))),
      borderColor: BUDGET_LINE,
      backgroundColor: BUDGET_LINE,
      borderDash: [6, 4],
      borderWidth: 2,
      pointRadius: 3,
      pointStyle: "rectRot",
      fill: false,
      tension: 0,
      spanGaps: false,
      order: 0,
    });
  }
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels: points.map((point) => monthShortLabel(point.month)), datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: animation(),
      scales: { y: { beginAtZero: true, ticks: { maxTicksLimit: 6 } }, x: { grid: { display: false } } },
      plugins: {
        legend: { display: hasBudget, position: "bottom", labels: { boxWidth: 14, generateLabels: legendLabels } },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? monthLabel(points[items[0].dataIndex].month) : ""),
            label: (ctx) => `${ctx.dataset.label}: ${ctx.dataset.texts[ctx.dataIndex]}`,
          },
        },
      },
    },
  });
}
