// What each view draws, as Chart.js configurations computed from the aggregation's declared
// result shape and chart kind. Pure: no DOM, so `deno test` checks it (charts_test.ts).

/** Colours of series and slices, in order. */
export const PALETTE = [
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

/** Most series a chart over time draws (the keys with the largest totals). */
export const SERIES_LIMIT = 8;

/** A row key as text: one column's value, or a composite key's values joined with " · ". */
export function keyLabel(key) {
  return Array.isArray(key) ? key.join(" · ") : String(key);
}

/** The key column header: one column's name, or a composite key's names joined with " · ". */
export function keyHeader(shape) {
  return Array.isArray(shape.key)
    ? shape.key.map((column) => column.name).join(" · ")
    : shape.key.name;
}

/** The value column a chart plots: the first one that is not a rank. */
export function plottedColumn(shape) {
  return (shape.values.find((column) => column.name !== "rank") ?? shape.values[0]).name;
}

/** Rows in display order: by rank when the shape has one, else by the plotted value, descending. */
export function orderedRows(shape, rows) {
  const byRank = shape.values.some((column) => column.name === "rank");
  const value = plottedColumn(shape);
  return [...rows].sort((a, b) =>
    byRank
      ? Number(a.values.rank) - Number(b.values.rank)
      : Number(b.values[value]) - Number(a.values[value])
  );
}

/**
 * The Chart.js configuration of a view.
 *
 * - `line` and `area`: one series per key (the SERIES_LIMIT largest) over every window of the
 *   range, stacked for `area`; with fewer than two windows there is no "over time", so bars.
 * - `bar`: the rows of the selected window, horizontally, in display order.
 * - `donut`: the rows of the selected window as shares.
 *
 * @param {{chart: string, shape: object}} view
 * @param {Map<string, {rows: Array<{key: string|number|Array<string|number>, values: object}>}>} windows by key
 * @param {string | undefined} selected the window shown
 */
export function chartConfig(view, windows, selected) {
  const value = plottedColumn(view.shape);
  const keys = [...windows.keys()].sort();
  let config;
  if ((view.chart === "line" || view.chart === "area") && keys.length >= 2) {
    const totals = new Map();
    for (const stored of windows.values()) {
      for (const row of stored.rows) {
        const label = keyLabel(row.key);
        totals.set(label, (totals.get(label) ?? 0) + Number(row.values[value]));
      }
    }
    const series = [...totals].sort((a, b) => b[1] - a[1]).slice(0, SERIES_LIMIT)
      .map(([key]) => key);
    const stacked = view.chart === "area";
    config = {
      type: "line",
      data: {
        labels: keys,
        datasets: series.map((key, index) => ({
          label: String(key),
          data: keys.map((window) => {
            const row = windows.get(window).rows.find((candidate) =>
              keyLabel(candidate.key) === key
            );
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
    const current = windows.get(selected);
    const rows = current === undefined ? [] : orderedRows(view.shape, current.rows);
    const donut = view.chart === "donut";
    config = {
      type: donut ? "doughnut" : "bar",
      data: {
        labels: rows.map((row) => keyLabel(row.key)),
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
  return config;
}
