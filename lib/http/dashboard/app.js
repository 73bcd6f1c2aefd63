// The dashboard: an overview of each source, and one view per aggregation, updated live from
// /api/stream (server-sent events) without a reload.
import { el, getJson } from "./dom.js";
import { createOverview } from "./overview.js";
import { startAlerts } from "./alerts.js";
import { createView, loadView, showResult } from "./views.js";

const views = new Map();
const range = { from: "", to: "" };

function showError(message) {
  const box = document.getElementById("error");
  box.hidden = false;
  box.textContent = message;
}

function connectStream(showStats) {
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
  stream.addEventListener("result", (event) => {
    const result = JSON.parse(event.data);
    const view = views.get(result.aggregation);
    if (view !== undefined) showResult(view, result);
  });
}

async function loadAll() {
  await Promise.all([...views.values()].map((view) => loadView(view, range.from, range.to)));
  document.body.dataset.loaded = `${range.from}..${range.to}`;
}

async function start() {
  const description = await getJson("/api/aggregations");
  const params = new URLSearchParams(location.search);
  range.from = params.get("from") ?? description.today;
  range.to = params.get("to") ?? range.from;
  const form = document.getElementById("range");
  form.elements.from.value = range.from;
  form.elements.to.value = range.to;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    range.from = form.elements.from.value;
    range.to = form.elements.to.value;
    history.replaceState(null, "", `?from=${range.from}&to=${range.to}`);
    loadAll().catch((error) => showError(error.message));
  });
  const overview = document.getElementById("overview");
  if (!description.processing) {
    overview.append(
      el("p", "Nothing is processed in this process (deno task serve): results only.", {
        class: "empty",
      }),
    );
  }
  const container = document.getElementById("views");
  for (const aggregation of description.aggregations) {
    views.set(aggregation.name, createView(aggregation, container));
  }
  startAlerts(document.getElementById("alerts"));
  connectStream(createOverview(overview));
  await loadAll();
}

start().catch((error) => showError(`could not load the dashboard: ${error.message}`));
