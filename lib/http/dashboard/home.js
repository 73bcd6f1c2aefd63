// The overview page: for a range kept in the URL, the headline figures with their change
// against the previous period, a graph of one of them over time, and a card per configured
// aggregation that feeds one, all from the range API (windows merged by their summaries).
/* global Chart */
import { el, getJson } from "./dom.js";
import { renderCards } from "./overview_cards.js";
import { startAlerts } from "./alerts.js";
import { PALETTE } from "./charts.js";
import {
  changeOf,
  formatMetric,
  METRICS,
  PRESETS,
  queryOfView,
  rangeOf,
  viewFromQuery,
} from "./periods.js";

const state = { description: undefined, view: undefined, chart: undefined, loading: 0 };

function showError(message) {
  const box = document.getElementById("error");
  box.hidden = message === "";
  box.textContent = message;
}

function range(aggregation, view, extra = "") {
  const name = encodeURIComponent(aggregation);
  return `${name}?from=${view.from}&to=${view.to}&compare=previous${extra}`;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A window size in ms (`5m`, `1h`, `1d`, `1w`). */
function windowMs(size) {
  const match = /^(\d+)([mhdw])$/.exec(size);
  return match === null ? 0 : Number(match[1]) * UNIT_MS[match[2]];
}

/**
 * The aggregations whose windows merge into date ranges (not `window: none`) and can be read,
 * largest windows first, so a range merges as few windows as it can; then in pipeline order.
 */
function rangeAggregations() {
  return state.description.aggregations
    .map((aggregation, index) => ({ aggregation, index }))
    .filter(({ aggregation }) => aggregation.steps.length > 0 && aggregation.readFrom)
    .sort((a, b) =>
      windowMs(b.aggregation.window) - windowMs(a.aggregation.window) || a.index - b.index
    )
    .map(({ aggregation }) => aggregation);
}

/** For each headline metric, every aggregation that gives it, largest windows first. */
function providers() {
  const found = new Map();
  for (const aggregation of rangeAggregations()) {
    for (const metric of aggregation.metrics) {
      if (!found.has(metric)) found.set(metric, []);
      found.get(metric).push(aggregation.name);
    }
  }
  return found;
}

/**
 * The range answers the page needs, by aggregation name: the first provider of each headline
 * metric, and the first aggregation feeding each card.
 */
async function loadRanges(view, found) {
  const names = new Set(METRICS.map(([metric]) => found.get(metric)?.[0]).filter(Boolean));
  const cards = new Set();
  for (const aggregation of rangeAggregations()) {
    if (aggregation.card === null || cards.has(aggregation.card.card)) continue;
    cards.add(aggregation.card.card);
    names.add(aggregation.name);
  }
  const answers = await Promise.all(
    [...names].map((name) => getJson(`/api/results/${range(name, view)}`)),
  );
  return new Map([...names].map((name, i) => [name, answers[i]]));
}

/** The graph's provider of `metric`: one whose windows give hours for a day, else days. */
function graphSource(names, view) {
  const wanted = view.from === view.to ? "1h" : "1d";
  const steps = (name) => state.description.aggregations.find((a) => a.name === name).steps;
  const fitting = names.find((name) => steps(name).includes(wanted));
  const source = fitting ?? names[0];
  return { source, step: fitting === undefined ? steps(source)[0] : wanted };
}

function renderHeadline(ranges, found) {
  const headline = document.getElementById("headline");
  headline.replaceChildren();
  for (const [metric, label, kind] of METRICS) {
    const source = found.get(metric)?.[0];
    if (source === undefined) continue;
    const answer = ranges.get(source);
    const current = answer.range.totals[metric];
    const previous = answer.previous?.range?.totals?.[metric];
    const change = changeOf(current, previous);
    const tile = el("button", undefined, {
      type: "button",
      class: "metric",
      "data-metric": metric,
      "data-value": String(current ?? ""),
      "data-previous": String(previous ?? ""),
      "aria-pressed": String(state.view.metric === metric),
      title: `${label} from ${source}`,
    });
    const changeText = change === null
      ? "–"
      : `${change > 0 ? "↑" : change < 0 ? "↓" : ""}${Math.abs(change)}%`;
    tile.append(
      el("span", label, { class: "label" }),
      el("b", formatMetric(current, kind)),
      el("span", changeText, {
        class: `change ${change > 0 ? "up" : change < 0 ? "down" : ""}`,
        "data-change": String(change ?? ""),
        title: `previous period: ${formatMetric(previous, kind)}`,
      }),
    );
    tile.addEventListener("click", () => navigate({ ...state.view, metric }));
    headline.append(tile);
  }
}

async function renderGraph(found) {
  const metric = found.has(state.view.metric) ? state.view.metric : found.keys().next().value;
  const title = document.getElementById("graph-title");
  if (metric === undefined) {
    title.textContent = "No aggregation gives a headline figure";
    return;
  }
  const { source, step } = graphSource(found.get(metric), state.view);
  const label = METRICS.find(([name]) => name === metric)?.[1] ?? metric;
  const series = await getJson(`/api/series/${range(source, state.view, `&step=${step}`)}`);
  title.textContent = `${label} by ${
    series.step === "1h" ? "hour" : series.step === "1d" ? "day" : "week"
  }`;
  const canvas = document.getElementById("graph");
  canvas.dataset.metric = metric;
  canvas.dataset.points = JSON.stringify(
    series.points.map((p) => [p.period, p.totals[metric] ?? 0]),
  );
  const data = {
    labels: series.points.map((p) =>
      state.view.from === state.view.to && series.step === "1h"
        ? `${p.period.slice(11)}:00`
        : p.period.replace("T", " ")
    ),
    datasets: [
      dataset(label, series.points, metric, PALETTE[0], false),
      dataset("previous period", series.previous?.points ?? [], metric, "#98a2b8", true),
    ],
  };
  if (state.chart === undefined) {
    state.chart = new Chart(canvas, {
      type: "line",
      data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true } },
      },
    });
  } else {
    state.chart.data = data;
    state.chart.update("none");
  }
}

function dataset(label, points, metric, color, dashed) {
  return {
    label,
    data: points.map((p) => p.totals[metric] ?? 0),
    borderColor: color,
    backgroundColor: dashed ? "transparent" : "rgba(47,111,222,0.12)",
    borderDash: dashed ? [5, 4] : [],
    fill: !dashed,
    pointRadius: 2,
    cubicInterpolationMode: "monotone",
  };
}

function renderRangeControls() {
  const { view } = state;
  for (const button of document.querySelectorAll("#presets button")) {
    button.setAttribute("aria-pressed", String(button.dataset.period === view.period));
  }
  const form = document.getElementById("custom");
  form.elements.from.value = view.from;
  form.elements.to.value = view.to;
  document.getElementById("range-text").textContent = view.from === view.to
    ? view.from
    : `${view.from} – ${view.to}`;
}

async function load() {
  const ticket = ++state.loading;
  const view = state.view;
  renderRangeControls();
  document.body.dataset.loaded = "";
  const found = providers();
  const ranges = await loadRanges(view, found);
  if (ticket !== state.loading) return;
  renderHeadline(ranges, found);
  renderCards(document.getElementById("cards"), rangeAggregations(), ranges);
  await renderGraph(found);
  if (ticket !== state.loading) return;
  showError("");
  document.body.dataset.loaded = `${view.from}..${view.to}`;
}

function navigate(view) {
  state.view = view;
  history.pushState(null, "", `/${queryOfView(view)}`);
  load().catch((error) => showError(error.message));
}

function buildRangeControls() {
  const presets = document.getElementById("presets");
  for (const [period, label] of PRESETS.filter(([name]) => name !== "custom")) {
    const button = el("button", label, { type: "button", "data-period": period });
    button.addEventListener(
      "click",
      () => navigate({ ...state.view, period, ...rangeOf(period, state.description.today) }),
    );
    presets.append(button);
  }
  const form = document.getElementById("custom");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const from = form.elements.from.value;
    const to = form.elements.to.value;
    if (from === "" || to === "" || to < from) {
      showError("custom range: choose a from date and a to date on or after it");
      return;
    }
    navigate({ ...state.view, period: "custom", from, to });
  });
}

/** The count of visitors in the last five minutes, from the server, every 10 s. */
function followLiveVisitors() {
  const badge = document.getElementById("now");
  const refresh = async () => {
    try {
      const now = await getJson("/api/visitors/now");
      badge.dataset.visitors = String(now.visitors);
      badge.textContent = `${now.visitors.toLocaleString("en-US")} visitors in the last ${
        Math.round(now.minutes)
      } minutes`;
    } catch {
      badge.textContent = "visitors now: unavailable";
    }
  };
  refresh();
  const stream = new EventSource("/api/stream");
  let last = 0;
  // Results flush as events arrive: look again then, at most every 2 s.
  stream.addEventListener("result", () => {
    if (Date.now() - last < 2_000) return;
    last = Date.now();
    refresh();
  });
  setInterval(refresh, 10_000);
}

async function start() {
  startAlerts(document.getElementById("alerts"));
  state.description = await getJson("/api/aggregations");
  state.view = viewFromQuery(location.search, state.description.today);
  buildRangeControls();
  addEventListener("popstate", () => {
    state.view = viewFromQuery(location.search, state.description.today);
    load().catch((error) => showError(error.message));
  });
  followLiveVisitors();
  await load();
}

start().catch((error) => showError(`could not load the overview: ${error.message}`));
