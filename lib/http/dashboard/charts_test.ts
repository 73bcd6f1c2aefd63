import assert from "assert";
import { chartConfig, keyHeader, keyLabel, orderedRows, plottedColumn } from "./charts.js";

const topShape = {
  key: { name: "page_url", type: "text" },
  values: [{ name: "visits", type: "bigint" }, { name: "rank", type: "int" }],
};
const statusShape = {
  key: { name: "status", type: "text" },
  values: [{ name: "count", type: "bigint" }],
};
const row = (key: string, values: Record<string, number>) => ({ key, values });

/** The parts of a Chart.js configuration the tests read. */
interface Drawn {
  type: string;
  data: { labels: string[]; datasets: Array<{ label: string; data: number[]; fill?: boolean }> };
  options: { scales?: { y?: { stacked?: boolean } } };
}
const draw = (...args: Parameters<typeof chartConfig>) => chartConfig(...args) as unknown as Drawn;

Deno.test("charts: the plotted column is the first value that is not a rank", () => {
  assert.equal(plottedColumn(topShape), "visits");
  assert.equal(plottedColumn(statusShape), "count");
});

Deno.test("charts: rows by rank when there is one, else by value descending", () => {
  const ranked = [row("/b", { visits: 5, rank: 2 }), row("/a", { visits: 9, rank: 1 })];
  assert.deepEqual(orderedRows(topShape, ranked).map((r) => r.key), ["/a", "/b"]);
  const counted = [row("200", { count: 3 }), row("404", { count: 7 })];
  assert.deepEqual(orderedRows(statusShape, counted).map((r) => r.key), ["404", "200"]);
});

Deno.test("charts: bar and donut show the selected window; line and area every window", () => {
  const windows = new Map([
    ["2026-11-20", { rows: [row("200", { count: 3 }), row("404", { count: 1 })] }],
    ["2026-11-21", { rows: [row("200", { count: 5 })] }],
  ]);
  const bar = draw({ chart: "bar", shape: statusShape }, windows, "2026-11-20");
  assert.equal(bar.type, "bar");
  assert.deepEqual(bar.data.labels, ["200", "404"]);
  assert.deepEqual(bar.data.datasets[0]?.data, [3, 1]);
  const donut = draw({ chart: "donut", shape: statusShape }, windows, "2026-11-21");
  assert.equal(donut.type, "doughnut");
  assert.deepEqual(donut.data.datasets[0]?.data, [5]);
  const area = draw({ chart: "area", shape: statusShape }, windows, "2026-11-21");
  assert.equal(area.type, "line");
  assert.deepEqual(area.data.labels, ["2026-11-20", "2026-11-21"]);
  assert.deepEqual(
    area.data.datasets.map((d) => [d.label, d.data, d.fill]),
    [["200", [3, 5], true], ["404", [1, 0], true]],
    "a key missing from a window counts 0 there",
  );
  assert.equal(area.options.scales?.y?.stacked, true);
  const line = draw({ chart: "line", shape: statusShape }, windows, "2026-11-21");
  assert.equal(line.options.scales?.y?.stacked, false);
  const single = draw(
    { chart: "line", shape: statusShape },
    new Map([...windows].slice(0, 1)),
    "2026-11-20",
  );
  assert.equal(single.type, "bar", "one window is not a line over time");
});

Deno.test("dashboard charts: a composite key is labelled by its values, headed by its columns", () => {
  const shape = {
    key: [{ name: "product_id", type: "text" }, { name: "action", type: "text" }],
    values: [{ name: "count", type: "bigint" }],
  };
  assert.equal(keyHeader(shape), "product_id · action");
  assert.equal(keyLabel(["p-1", "view"]), "p-1 · view");
  assert.equal(keyLabel(404), "404");
  const windows = new Map([["2026-11-20T10:05", {
    rows: [{ key: ["p-1", "view"], values: { count: 3 } }, {
      key: ["p-2", "cart"],
      values: { count: 1 },
    }],
  }]]);
  const drawn = draw({ chart: "bar", shape }, windows, "2026-11-20T10:05");
  assert.deepEqual(drawn.data.labels, ["p-1 · view", "p-2 · cart"]);
  assert.deepEqual(drawn.data.datasets[0]?.data, [3, 1]);
});
