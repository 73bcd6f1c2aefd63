import assert from "assert";
import { type ResultShape, type SinkBinding, windowCutter, windowSize } from "../../lib/sdk/mod.ts";
import { type ColumnsClient, existingColumns, tableLayout } from "./cassandra.ts";

const pages: ResultShape = {
  key: { name: "page_url", type: "text" },
  values: [{ name: "visits", type: "bigint" }, { name: "rank", type: "int" }],
};
const productActions: ResultShape = {
  key: [{ name: "product_id", type: "text" }, { name: "action", type: "text" }],
  values: [{ name: "count", type: "bigint" }],
};

function binding(size: string, shape: ResultShape = pages): SinkBinding {
  return { aggregation: "agg", window: windowSize(size), shape };
}

Deno.test("day and hour windows keep the tables' original shapes", () => {
  assert.equal(
    tableLayout("ks", "results", binding("1d")).create,
    "CREATE TABLE IF NOT EXISTS ks.results (date date, page_url text, visits bigint, rank int, " +
      "window_records bigint static, window_summary text static, last_processed timestamp, " +
      "PRIMARY KEY ((date), page_url))",
  );
  assert.equal(
    tableLayout("ks", "results_hourly", binding("1h")).create,
    "CREATE TABLE IF NOT EXISTS ks.results_hourly (date date, hour int, page_url text, " +
      "visits bigint, rank int, window_records bigint static, window_summary text static, " +
      "last_processed timestamp, " +
      "PRIMARY KEY ((date, hour), page_url))",
  );
});

Deno.test("other sizes cluster by window start in a day partition, with composite keys", () => {
  const layout = tableLayout("ks", "pa", binding("5m", productActions));
  assert.equal(
    layout.create,
    "CREATE TABLE IF NOT EXISTS ks.pa (date date, window_start timestamp, window_end timestamp, " +
      "product_id text, action text, count bigint, window_records bigint, " +
      "window_summary text, last_processed timestamp, PRIMARY KEY ((date), window_start, product_id, action))",
  );
  assert.equal(
    layout.remove,
    "DELETE FROM ks.pa USING TIMESTAMP ? WHERE date = ? AND window_start = ?",
  );
  const berlin = windowCutter("Europe/Berlin");
  const window = berlin.windowOf(Date.parse("2026-11-22T23:02:00Z"), windowSize("5m"));
  // Local 00:00 on the 23rd: the partition is the local date the window starts on.
  assert.deepEqual(layout.windowValues(window), ["2026-11-23", new Date("2026-11-22T23:00:00Z")]);
  const weekly = tableLayout("ks", "pw", binding("1w", productActions));
  const week = berlin.windowOf(Date.parse("2026-11-25T12:00:00Z"), windowSize("1w"));
  assert.deepEqual(weekly.windowValues(week), ["2026-11-23", new Date("2026-11-22T23:00:00Z")]);
});

Deno.test("an all-time window has its own partition key", () => {
  const layout = tableLayout("ks", "totals", binding("none"));
  assert.match(
    layout.create,
    /window_key text, page_url text, .* PRIMARY KEY \(\(window_key\), page_url\)\)$/,
  );
  assert.deepEqual(
    layout.windowValues(windowCutter("UTC").windowOf(0, windowSize("none"))),
    ["all"],
  );
});

Deno.test("result columns must be identifiers the table does not use itself", () => {
  for (const name of ["date", "window_start", "Page", "drop table"]) {
    assert.throws(
      () =>
        tableLayout(
          "ks",
          "t",
          binding("5m", {
            key: { name, type: "text" },
            values: [{ name: "n", type: "bigint" }],
          }),
        ),
      /declares result column .* rename it in the plugin's shape/,
      name,
    );
  }
});

/** A client whose `system_schema` read lists no column for the first `blankReads` reads. */
function lateSchemaClient(blankReads: number): ColumnsClient & { reads: number } {
  const row = (name: string, kind: string) => ({
    get: (column: string) => ({ column_name: name, kind })[column],
  });
  const fake = {
    reads: 0,
    metadata: { checkSchemaAgreement: () => Promise.resolve(true) },
    execute: () => {
      fake.reads++;
      const rows = fake.reads > blankReads
        ? [row("date", "partition_key"), row("visits", "regular")]
        : [];
      return Promise.resolve({ rowLength: rows.length, rows });
    },
  };
  return fake as unknown as ColumnsClient & { reads: number };
}

Deno.test("a table another node has not heard of yet is read again until its columns show", async () => {
  const client = lateSchemaClient(2);
  const columns = await existingColumns(client, "ks", "results", { settleMs: 60_000, pauseMs: 1 });
  assert.deepEqual(columns, [
    { name: "date", kind: "partition_key" },
    { name: "visits", kind: "regular" },
  ]);
  assert.equal(client.reads, 3);
});

Deno.test("columns that never show come back empty once the settle time is over", async () => {
  const client = lateSchemaClient(Infinity);
  assert.deepEqual(await existingColumns(client, "ks", "results", { settleMs: 0, pauseMs: 1 }), []);
  assert.equal(client.reads, 1);
});
