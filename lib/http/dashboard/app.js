// The dashboard: an overview of each source, and one view per aggregation generated from its
// declared result shape, updated live from /api/stream. Every text from the server (page URLs,
// user agents, referrers are attacker-controlled) is set with textContent, never as HTML.
/* global Chart */
"use strict";

const SPARK_POINTS = 60;
const SERIES_LIMIT = 8;
const PALETTE = [
  "#2f6fde",
  "#e8833a",
  "#1a9e55",
  "#c2417d",
  "#7a5cc9",
  "#c9a227",
  "#2aa7b8",
  "#8c564b",
  "#5f6b7a",
  "#d62728",
];

const state = { today: "", from: "", to: "", views: new Map(), sources: new Map() };

/** Creates an element with text (never HTML) and attributes. */
function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function showError(message) {
  const box = document.getElementById("error");
  box.hidden = false;
  box.textContent = message;
}

async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${url}: HTTP ${response.status}`);
  return body;
}

function formatNumber(value) {
  return typeof value === "number" ? value.toLocaleString("en-US") : String(value);
}

function windowDate(key) {
  return key.slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Overview

function sourceCard(name) {
  const card = el("article", undefined, { class: "card", "data-source": name });
  card.append(el("h2", `source ${name}`));
  const figures = el("div", undefined, { class: "figures" });
  const cells = {};
  for (
    const [field, label] of [
      ["events_per_s", "events/s"],
      ["lag", "lag"],
      ["logged", "logged"],
      ["rejected", "rejected"],
      ["too_late", "too late"],
      ["last_flush", "last flush"],
    ]
  ) {
    const figure = el("div", undefined, { class: "figure", "data-field": field });
    cells[field] = el("b", "–");
    figure.append(cells[field], el("span", label));
    figures.append(figure);
  }
  const spark = el("div", undefined, { class: "spark" });
  const canvas = el("canvas", undefined, { "aria-label": `events per second of ${name}` });
  spark.append(canvas);
  card.append(figures, spark);
  document.getElementById("overview").append(card);
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

function showStats(event) {
  for (const [name, stats] of Object.entries(event.sources)) {
    let source = state.sources.get(name);
    if (source === undefined) state.sources.set(name, source = sourceCard(name));
    source.cells.events_per_s.textContent = formatNumber(Math.round(stats.events_per_s));
    source.cells.lag.textContent = formatNumber(stats.lag);
    source.cells.logged.textContent = formatNumber(stats.logged);
    source.cells.rejected.textContent = formatNumber(stats.rejected);
    source.cells.too_late.textContent = stats.too_late === undefined
      ? "n/a"
      : formatNumber(stats.too_late);
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
}

// ---------------------------------------------------------------------------------------------
// Aggregation views

/** The value column a chart plots: the first one that is not a rank. */
function plottedColumn(shape) {
  return (shape.values.find((column) => column.name !== "rank") ?? shape.values[0]).name;
}

/** Rows in display order: by rank when there is one, else by the plotted value, descending. */
function orderedRows(view, rows) {
  const byRank = view.shape.values.some((column) => column.name === "rank");
  const value = plottedColumn(view.shape);
  return [...rows].sort((a, b) =>
    byRank
      ? Number(a.values.rank) - Number(b.values.rank)
      : Number(b.values[value]) - Number(a.values[value])
  );
}

function createView(description) {
  const section = el("section", undefined, { class: "card", "data-aggregation": description.name });
  const head = el("div", undefined, { class: "view-head" });
  head.append(el("h2", description.name));
  const meta = el("span", `${description.plugin}, per ${description.granularity}`, {
    class: "meta",
  });
  const picker = el("select", undefined, {
    "aria-label": `window of ${description.name}`,
    name: "window",
  });
  const csv = el("a", "CSV", { download: "", "data-role": "csv" });
  head.append(meta, picker, csv);
  const chartBox = el("div", undefined, { class: "chart" });
  const canvas = el("canvas", undefined, { "aria-label": `chart of ${description.name}` });
  chartBox.append(canvas);
  const tableWrap = el("div", undefined, { class: "table-wrap" });
  const status = el("p", "", { class: "empty", "data-role": "status" });
  section.append(head, chartBox, status, tableWrap);
  document.getElementById("views").append(section);
  const view = {
    ...description,
    section,
    picker,
    csv,
    canvas,
    status,
    tableWrap,
    chartObject: undefined,
    windows: new Map(),
    selected: undefined,
    followLatest: true,
  };
  picker.addEventListener("change", () => {
    view.selected = picker.value;
    view.followLatest = picker.selectedIndex === picker.options.length - 1;
    render(view);
  });
  return view;
}

async function loadView(view) {
  const query = `from=${state.from}&to=${state.to}`;
  view.csv.href = `/api/results/${encodeURIComponent(view.name)}?${query}&format=csv`;
  if (view.readFrom === undefined) {
    view.status.textContent = "writes to no sink that can be read back";
    return;
  }
  const body = await getJson(`/api/results/${encodeURIComponent(view.name)}?${query}`);
  view.windows = new Map(body.windows.map((stored) => [stored.window, stored]));
  render(view);
}

function render(view) {
  const keys = [...view.windows.keys()].sort();
  if (view.followLatest || !view.windows.has(view.selected)) view.selected = keys[keys.length - 1];
  view.picker.replaceChildren(...keys.map((key) => {
    const option = el("option", key, { value: key });
    option.selected = key === view.selected;
    return option;
  }));
  const current = view.windows.get(view.selected);
  view.section.dataset.window = view.selected ?? "";
  view.section.dataset.records = current === undefined ? "" : String(current.records);
  view.status.textContent = current === undefined
    ? `no results from ${state.from} to ${state.to}`
    : `${view.selected}: ${formatNumber(current.records)} records` +
      (current.computedAt ? `, computed ${new Date(current.computedAt).toLocaleTimeString()}` : "");
  renderTable(view, current);
  renderChart(view, keys, current);
}

function renderTable(view, current) {
  if (current === undefined) {
    view.tableWrap.replaceChildren();
    return;
  }
  const table = el("table");
  const headRow = el("tr");
  headRow.append(el("th", view.shape.key.name));
  for (const column of view.shape.values) headRow.append(el("th", column.name, { class: "num" }));
  const head = el("thead");
  head.append(headRow);
  const body = el("tbody");
  for (const row of orderedRows(view, current.rows)) {
    const line = el("tr", undefined, { "data-key": String(row.key) });
    line.append(el("td", row.key, { "data-column": view.shape.key.name }));
    for (const column of view.shape.values) {
      line.append(el("td", formatNumber(row.values[column.name]), {
        class: "num",
        "data-column": column.name,
        "data-value": String(row.values[column.name]),
      }));
    }
    body.append(line);
  }
  table.append(head, body);
  view.tableWrap.replaceChildren(table);
}

function renderChart(view, keys, current) {
  const value = plottedColumn(view.shape);
  let config;
  // Over time needs two windows at least; a single window is drawn as bars.
  if ((view.chart === "line" || view.chart === "area") && keys.length >= 2) {
    const totals = new Map();
    for (const stored of view.windows.values()) {
      for (const row of stored.rows) {
        totals.set(row.key, (totals.get(row.key) ?? 0) + Number(row.values[value]));
      }
    }
    const series = [...totals].sort((a, b) => b[1] - a[1]).slice(0, SERIES_LIMIT).map(([key]) =>
      key
    );
    const stacked = view.chart === "area";
    config = {
      type: "line",
      data: {
        labels: keys,
        datasets: series.map((key, index) => ({
          label: String(key),
          data: keys.map((window) => {
            const row = view.windows.get(window).rows.find((candidate) => candidate.key === key);
            return row === undefined ? 0 : Number(row.values[value]);
          }),
          borderColor: PALETTE[index % PALETTE.length],
          backgroundColor: PALETTE[index % PALETTE.length] + (stacked ? "99" : "33"),
          fill: stacked,
          pointRadius: keys.length > 48 ? 0 : 2,
        })),
      },
      options: { scales: { y: { stacked, beginAtZero: true } } },
    };
  } else {
    const rows = current === undefined ? [] : orderedRows(view, current.rows);
    const donut = view.chart === "donut";
    config = {
      type: donut ? "doughnut" : "bar",
      data: {
        labels: rows.map((row) => String(row.key)),
        datasets: [{
          label: value,
          data: rows.map((row) => Number(row.values[value])),
          backgroundColor: donut
            ? rows.map((_, index) => PALETTE[index % PALETTE.length])
            : PALETTE[0],
        }],
      },
      options: donut ? {} : {
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true } },
      },
    };
  }
  config.options = {
    ...config.options,
    animation: false,
    maintainAspectRatio: false,
    responsive: true,
  };
  if (view.chartObject !== undefined && view.chartObject.config.type === config.type) {
    view.chartObject.data = config.data;
    view.chartObject.update("none");
  } else {
    view.chartObject?.destroy();
    view.chartObject = new Chart(view.canvas, config);
  }
}

/** A window result just flushed: shown at once when its date is in the range on screen. */
function showResult(result) {
  const view = state.views.get(result.aggregation);
  if (view === undefined) return;
  const date = windowDate(result.window);
  if (date < state.from || date > state.to) return;
  view.windows.set(result.window, {
    window: result.window,
    records: result.records,
    computedAt: result.computedAt,
    rows: result.rows,
  });
  render(view);
}

// ---------------------------------------------------------------------------------------------
// Start

function connectStream() {
  const badge = document.getElementById("live");
  const stream = new EventSource("/api/stream");
  stream.addEventListener("open", () => {
    badge.textContent = "live";
    badge.classList.add("on");
    document.body.dataset.live = "connected";
  });
  stream.addEventListener("error", () => {
    badge.textContent = "reconnecting…";
    badge.classList.remove("on");
    document.body.dataset.live = "reconnecting";
  });
  stream.addEventListener("stats", (event) => showStats(JSON.parse(event.data)));
  stream.addEventListener("result", (event) => showResult(JSON.parse(event.data)));
}

async function loadAll() {
  await Promise.all([...state.views.values()].map(loadView));
  document.body.dataset.loaded = `${state.from}..${state.to}`;
}

async function start() {
  const description = await getJson("/api/aggregations");
  state.today = description.today;
  const params = new URLSearchParams(location.search);
  state.from = params.get("from") ?? description.today;
  state.to = params.get("to") ?? state.from;
  const form = document.getElementById("range");
  form.elements.from.value = state.from;
  form.elements.to.value = state.to;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.from = form.elements.from.value;
    state.to = form.elements.to.value;
    history.replaceState(null, "", `?from=${state.from}&to=${state.to}`);
    loadAll().catch((error) => showError(error.message));
  });
  if (!description.processing) {
    document.getElementById("overview").append(
      el("p", "Nothing is processed in this process (deno task serve): results only.", {
        class: "empty",
      }),
    );
  }
  for (const aggregation of description.aggregations) {
    state.views.set(aggregation.name, createView(aggregation));
  }
  connectStream();
  await loadAll();
}

start().catch((error) => showError(`could not load the dashboard: ${error.message}`));
