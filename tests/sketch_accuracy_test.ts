import assert from "assert";
import { generateTraffic } from "../lib/traffic/mod.ts";
import { hyperLogLogError, type LogRecord } from "../lib/sdk/mod.ts";
import latency from "../plugins/aggregations/latency.ts";
import uniqueVisitors from "../plugins/aggregations/unique_visitors.ts";
import { visitor } from "./_analytics_expected.ts";

/** A seeded hour of web-server logs, as the simulator writes them. */
function weblog(count: number, seed: number): LogRecord[] {
  return [...generateTraffic({
    mode: "weblog",
    seed,
    count,
    start: Date.parse("2026-11-23T10:00:00Z"),
    spanMs: 3_600_000,
    malformedShare: 0,
    lateShare: 0,
    combinedShare: 0,
  })].flatMap((event) => event.record === undefined ? [] : [event.record]);
}

function onePass<S>(
  aggregation: { start(): S; add(s: S, r: LogRecord): S; finish(s: S): unknown },
  records: LogRecord[],
) {
  return aggregation.finish(records.reduce(aggregation.add, aggregation.start())) as {
    key: string;
    values: Record<string, number>;
  }[];
}

Deno.test("latency: p50/p90/p99 of a seeded stream within 1% of the exact values, per page too", () => {
  const records = weblog(50_000, 5);
  const rows = onePass(latency.create(latency.options.parse({ n: 5 })), records);
  let worst = 0;
  for (const row of rows) {
    const times = records
      .filter((r) => row.key === "*" || r.request_uri!.split(/[?#]/)[0] === row.key)
      .map((r) => r.request_time! * 1000)
      .sort((a, b) => a - b);
    assert.equal(row.values.requests, times.length);
    for (const [q, name] of [[0.5, "p50_ms"], [0.9, "p90_ms"], [0.99, "p99_ms"]] as const) {
      const exact = times[Math.floor(q * (times.length - 1))]!;
      const error = exact === 0 ? row.values[name]! : Math.abs(row.values[name]! / exact - 1);
      worst = Math.max(worst, error);
      // 1% plus the rounding of the reported value to a microsecond.
      assert.ok(error <= 0.01 + 1e-6, `${row.key} ${name}: ${row.values[name]} vs ${exact}`);
    }
  }
  console.log(`latency: worst relative error ${worst.toFixed(5)} over ${rows.length} rows`);
});

Deno.test("unique_visitors: a seeded stream's visitors within 3 standard errors, per page too", () => {
  const records = weblog(100_000, 6);
  const rows = onePass(
    uniqueVisitors.create(uniqueVisitors.options.parse({ per_page: true, n: 10 })),
    records,
  );
  let worst = 0;
  for (const row of rows) {
    const exact = new Set(
      records
        .filter((r) => row.key === "*" || r.request_uri!.split(/[?#]/)[0] === row.key)
        .map(visitor),
    ).size;
    const error = Math.abs(row.values.visitors! / exact - 1);
    worst = Math.max(worst, error);
    assert.ok(error <= 3 * hyperLogLogError(14), `${row.key}: ${row.values.visitors} vs ${exact}`);
  }
  console.log(`unique_visitors: worst relative error ${worst.toFixed(5)} over ${rows.length} rows`);
});
