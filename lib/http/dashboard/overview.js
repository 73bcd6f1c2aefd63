// The overview: one card per source with its live counters and a throughput sparkline.
/* global Chart */
import { el, formatNumber } from "./dom.js";
import { PALETTE } from "./charts.js";

/** Points the sparkline keeps (one per `stats` event, i.e. per second). */
const SPARK_POINTS = 60;

const FIGURES = [
  ["events_per_s", "events/s"],
  ["lag", "lag"],
  ["logged", "logged"],
  ["rejected", "rejected"],
  ["too_late", "too late"],
  ["last_flush", "last flush"],
];

/** Creates the overview of the element `container`; returns the `stats` event handler. */
export function createOverview(container) {
  const sources = new Map();

  function sourceCard(name) {
    const card = el("article", undefined, { class: "card", "data-source": name });
    card.append(el("h2", `source ${name}`));
    const figures = el("div", undefined, { class: "figures" });
    const cells = {};
    for (const [field, label] of FIGURES) {
      const figure = el("div", undefined, { class: "figure", "data-field": field });
      cells[field] = el("b", "–");
      figure.append(cells[field], el("span", label));
      figures.append(figure);
    }
    const spark = el("div", undefined, { class: "spark" });
    const canvas = el("canvas", undefined, { "aria-label": `events per second of ${name}` });
    spark.append(canvas);
    card.append(figures, spark);
    container.append(card);
    const chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: [],
        datasets: [{
          data: [],
          borderColor: PALETTE[0],
          pointRadius: 0,
          borderWidth: 1.5,
          fill: true,
          backgroundColor: "rgba(47,111,222,0.12)",
          tension: 0.3,
        }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
      },
    });
    return { cells, chart };
  }

  return function showStats(event) {
    for (const [name, stats] of Object.entries(event.sources)) {
      let source = sources.get(name);
      if (source === undefined) sources.set(name, source = sourceCard(name));
      source.cells.events_per_s.textContent = formatNumber(Math.round(stats.events_per_s));
      source.cells.lag.textContent = formatNumber(stats.lag);
      source.cells.logged.textContent = formatNumber(stats.logged);
      source.cells.rejected.textContent = formatNumber(stats.rejected);
      source.cells.too_late.textContent = formatNumber(stats.too_late);
      source.cells.last_flush.textContent = stats.last_flush === null
        ? "none yet"
        : `${Math.max(0, Math.round((event.at - stats.last_flush.at) / 1000))} s ago`;
      const data = source.chart.data;
      data.labels.push(event.at);
      data.datasets[0].data.push(stats.events_per_s);
      if (data.labels.length > SPARK_POINTS) {
        data.labels.shift();
        data.datasets[0].data.shift();
      }
      source.chart.update("none");
    }
  };
}
