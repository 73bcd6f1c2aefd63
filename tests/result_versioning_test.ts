import assert from "assert";
import type { WindowResult } from "../lib/contracts.ts";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline } from "../lib/runtime/start.ts";
import { windowCutter } from "../lib/windows.ts";
import { windowSize } from "../lib/window_size.ts";
import { createTestPipeline, dropTestPipeline } from "./_pipeline_support.ts";

/**
 * The rule shared by real time and batch: a window's stored result is replaced only by a result
 * covering at least as many records, whatever the order in which writes arrive.
 */
Deno.test("results: a result covering fewer records never replaces one covering more", async () => {
  const test = await createTestPipeline();
  const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
  try {
    const sink = resources.sinks.get("results")!;
    const window = windowCutter("UTC").windowFromKey("2026-11-15", windowSize("1d"));
    const result = (records: number, pages: Array<[string, number]>): WindowResult => ({
      aggregation: "top_pages_daily",
      window,
      shape: resources.pipeline.aggregations[0]!.aggregation.shape,
      rows: pages.map(([page, visits], i) => ({ key: page, values: { visits, rank: i + 1 } })),
      records,
      computedAt: Date.now(),
    });
    const stored = async () => {
      const rows = await test.cassandra.execute(
        `SELECT page_url, visits, window_records FROM ${test.keyspace}.results WHERE date = ?`,
        ["2026-11-15"],
        { prepare: true },
      );
      return {
        records: Number(rows.first()?.get("window_records") ?? 0),
        pages: rows.rows.map((row) => `${row.get("page_url")}=${row.get("visits")}`).sort(),
      };
    };

    await sink.write([result(100, [["/a", 60], ["/b", 40]])]);
    assert.deepEqual(await stored(), { records: 100, pages: ["/a=60", "/b=40"] });

    // An older, smaller result arriving late (e.g. a slow real-time flush) changes nothing.
    await sink.write([result(90, [["/a", 50], ["/c", 40]])]);
    assert.deepEqual(await stored(), { records: 100, pages: ["/a=60", "/b=40"] });

    // The same result again changes nothing.
    await sink.write([result(100, [["/a", 60], ["/b", 40]])]);
    assert.deepEqual(await stored(), { records: 100, pages: ["/a=60", "/b=40"] });

    // A more complete result replaces it entirely: /b dropped out of the top N and is gone.
    await sink.write([result(130, [["/a", 70], ["/c", 45]])]);
    assert.deepEqual(await stored(), { records: 130, pages: ["/a=70", "/c=45"] });

    // Two different results covering as many records (two processes, each ahead on another
    // partition), in either order: one of them, whole, never a mix of their rows (with the
    // record count alone as the version, a three-node chaos run kept an 11th row in a top 10).
    const left = result(150, [["/a", 80], ["/d", 50]]);
    const right = result(150, [["/a", 80], ["/e", 50]]);
    await sink.write([left]);
    await sink.write([right]);
    const first = await stored();
    assert.ok(
      JSON.stringify(first.pages) === JSON.stringify(["/a=80", "/d=50"]) ||
        JSON.stringify(first.pages) === JSON.stringify(["/a=80", "/e=50"]),
      `a mix of two results: ${first.pages.join(", ")}`,
    );
    await sink.write([result(150, [["/a", 80], ["/e", 50]])]);
    await sink.write([result(150, [["/a", 80], ["/d", 50]])]);
    assert.deepEqual(await stored(), first, "the same winner in the other order");
    await sink.write([result(160, [["/a", 85], ["/c", 50]])]);
    assert.deepEqual(await stored(), { records: 160, pages: ["/a=85", "/c=50"] });

    const read = await sink.read!(
      { aggregation: "top_pages_daily", window: windowSize("1d"), shape: result(0, []).shape },
      window,
    );
    assert.deepEqual(read, [
      { key: "/a", values: { visits: 85, rank: 1 } },
      { key: "/c", values: { visits: 50, rank: 2 } },
    ]);
  } finally {
    await resources.close();
    await dropTestPipeline(test);
  }
});
