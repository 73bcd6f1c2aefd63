import assert from "assert";
import type { WindowResult } from "../lib/contracts.ts";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline } from "../lib/runtime/start.ts";
import { windowCutter } from "../lib/windows.ts";
import { windowSize } from "../lib/window_size.ts";
import { createTestPipeline, dropTestPipeline } from "./_pipeline_support.ts";

/**
 * A window's mergeable summary is stored beside its rows and read back with them; a table made
 * before summaries were kept gets the column at start, its rows kept.
 */
Deno.test("results: the window summary is stored with the rows; an older table gains its column", async () => {
  const test = await createTestPipeline();
  try {
    // The table as the sink made it before summaries, holding a result.
    await test.cassandra.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${test.keyspace} WITH replication = ` +
        "{'class': 'SimpleStrategy', 'replication_factor': 1}",
    );
    await test.cassandra.execute(
      `CREATE TABLE ${test.keyspace}.results (date date, page_url text, visits bigint, ` +
        "rank int, window_records bigint static, last_processed timestamp, " +
        "PRIMARY KEY ((date), page_url))",
    );
    await test.cassandra.execute(
      `INSERT INTO ${test.keyspace}.results (date, page_url, visits, rank, window_records) ` +
        "VALUES ('2026-11-14', '/old', 3, 1, 3)",
    );
    const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
    try {
      const columns = await test.cassandra.execute(
        "SELECT column_name, kind FROM system_schema.columns WHERE keyspace_name = ? AND " +
          "table_name = 'results' AND column_name = 'window_summary'",
        [test.keyspace],
        { prepare: true },
      );
      assert.equal(columns.first()?.get("kind"), "static", "window_summary added, static");

      const entry = resources.pipeline.aggregations[0]!;
      const binding = {
        aggregation: entry.name,
        window: windowSize("1d"),
        shape: entry.aggregation.shape,
      };
      const sink = resources.sinks.get("results")!;
      const summary = { keys: [["/a", 6, 0], ["/b", 4, 0]], cut: 0, total: 10 };
      const result: WindowResult = {
        aggregation: entry.name,
        window: windowCutter("UTC").windowFromKey("2026-11-15", windowSize("1d")),
        shape: entry.aggregation.shape,
        rows: [
          { key: "/a", values: { visits: 6, rank: 1 } },
          { key: "/b", values: { visits: 4, rank: 2 } },
        ],
        records: 10,
        computedAt: Date.now(),
        summary,
      };
      await sink.write([result]);
      const read = await sink.readRange!(binding, "2026-11-14", "2026-11-15");
      assert.deepEqual(read.map((stored) => [stored.window, stored.summary]), [
        ["2026-11-14", undefined],
        ["2026-11-15", summary],
      ]);
      assert.deepEqual(read[1]!.rows, result.rows);
    } finally {
      await resources.close();
    }
  } finally {
    await dropTestPipeline(test);
  }
});
