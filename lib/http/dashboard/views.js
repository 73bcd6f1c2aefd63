// One view per aggregation, generated from its declared result shape: a chart of the kind its
// plugin suggests, a window picker, a CSV link and a table of the selected window.
/* global Chart */
import { el, formatNumber, getJson } from "./dom.js";
import { chartConfig, keyHeader, keyLabel, orderedRows } from "./charts.js";

/** Creates the view of one aggregation (as `/api/aggregations` describes it) in `container`. */
export function createView(description, container) {
  const section = el("section", undefined, {
    class: "card",
    "data-aggregation": description.name,
  });
  const head = el("div", undefined, { class: "view-head" });
  head.append(el("h2", description.name));
  const meta = el("span", `${description.plugin}, window ${description.window}`, {
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
  container.append(section);
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
    range: { from: "", to: "" },
  };
  picker.addEventListener("change", () => {
    view.selected = picker.value;
    view.followLatest = picker.selectedIndex === picker.options.length - 1;
    render(view);
  });
  return view;
}

/** Loads the stored windows of `from`..`to` into a view and draws it. */
export async function loadView(view, from, to) {
  view.range = { from, to };
  const query = `from=${from}&to=${to}`;
  view.csv.href = `/api/results/${encodeURIComponent(view.name)}?${query}&format=csv`;
  if (view.readFrom === undefined) {
    view.status.textContent = "writes to no sink that can be read back";
    return;
  }
  const body = await getJson(`/api/results/${encodeURIComponent(view.name)}?${query}`);
  view.windows = new Map(body.windows.map((stored) => [stored.window, stored]));
  render(view);
}

/** A window result just flushed: shown at once when its date is in the view's range. */
export function showResult(view, result) {
  const date = result.window.slice(0, 10);
  if (date < view.range.from || date > view.range.to) return;
  view.windows.set(result.window, {
    window: result.window,
    records: result.records,
    computedAt: result.computedAt,
    rows: result.rows,
  });
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
    ? `no results from ${view.range.from} to ${view.range.to}`
    : `${view.selected}: ${formatNumber(current.records)} records` +
      (current.computedAt ? `, computed ${new Date(current.computedAt).toLocaleTimeString()}` : "");
  renderTable(view, current);
  const config = chartConfig(view, view.windows, view.selected);
  if (view.chartObject !== undefined && view.chartObject.config.type === config.type) {
    view.chartObject.data = config.data;
    view.chartObject.update("none");
  } else {
    view.chartObject?.destroy();
    view.chartObject = new Chart(view.canvas, config);
  }
}

function renderTable(view, current) {
  if (current === undefined) {
    view.tableWrap.replaceChildren();
    return;
  }
  const headRow = el("tr");
  headRow.append(el("th", keyHeader(view.shape)));
  for (const column of view.shape.values) headRow.append(el("th", column.name, { class: "num" }));
  const head = el("thead");
  head.append(headRow);
  const body = el("tbody");
  for (const row of orderedRows(view.shape, current.rows)) {
    const line = el("tr", undefined, { "data-key": keyLabel(row.key) });
    line.append(el("td", keyLabel(row.key), { "data-column": keyHeader(view.shape) }));
    for (const column of view.shape.values) {
      line.append(el("td", formatNumber(row.values[column.name]), {
        class: "num",
        "data-column": column.name,
        "data-value": String(row.values[column.name]),
      }));
    }
    body.append(line);
  }
  const table = el("table");
  table.append(head, body);
  view.tableWrap.replaceChildren(table);
}
