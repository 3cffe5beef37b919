// The expiry and waste dashboard's charts (Chart.js from static/vendor), drawn from the page's JSON
// data block; the tables beneath carry the same numbers for a reader without the chart.
import { formatNumber, t } from "./i18n.js";

const COLOURS = ["#b3261e", "#e8a200", "#0b5cad", "#5b8def", "#2e7d32", "#6d4c41"];

async function draw() {
  await import("/static/vendor/chart.umd.js"); // a UMD build: it sets globalThis.Chart
  const { Chart } = globalThis;
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  // Values as money; without any product cost the charts count units instead (the page says so).
  const money = data.measure === "value"
    ? (value) => formatNumber(value, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : (value) => t("%(count)s units", { count: value });
  const options = (stacked) => ({
    responsive: true, maintainAspectRatio: false, animation: false,
    scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { callback: money } } },
    plugins: { legend: { position: "bottom" }, tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${money(item.parsed.y)}` } } },
  });
  const datasets = (series) => series.map((entry, index) => ({ label: entry.label, data: entry.values, backgroundColor: COLOURS[index % COLOURS.length] }));
  for (const [id, chart, stacked] of [["chart-expiring", data.expiring, false], ["chart-wasted", data.wasted, true]]) {
    const canvas = document.getElementById(id);
    if (!chart.labels.length) {
      canvas.closest(".chart-box").hidden = true; // the table says there is nothing
      continue;
    }
    canvas.dataset.chart = "drawn";
    new Chart(canvas, { type: "bar", data: { labels: chart.labels, datasets: datasets(chart.series) }, options: options(stacked) });
  }
}

draw();
