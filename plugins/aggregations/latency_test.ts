import assert from "assert";
import { assertAggregationLaws, type LogRecord } from "../../lib/sdk/mod.ts";
import latency from "./latency.ts";
import { finishOnePass } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown> = {}) =>
  latency.create(latency.options.parse(options));
const request = (request_uri: string, request_time: number): LogRecord => ({
  timestamp: Date.UTC(2026, 10, 23, 10),
  request_uri,
  status: 200,
  request_time,
});
type Row = { key: string; values: Record<string, number> };

Deno.test("latency: percentiles within 1% of the exact value at their rank, overall and per page", () => {
  // /a: 1..100 ms; /b: 1000 ms twice. Overall 102 values.
  const records = [
    ...Array.from({ length: 100 }, (_, i) => request(`/a?i=${i}`, (i + 1) / 1000)),
    request("/b", 1),
    request("/b", 1),
    { timestamp: 0, event_type: "view" }, // no request time: skipped
  ];
  const rows = finishOnePass(build(), records) as Row[];
  assert.deepEqual(rows.map((row) => [row.key, row.values.requests, row.values.rank]), [
    ["*", 102, 0],
    ["/a", 100, 1],
    ["/b", 2, 2],
  ]);
  const near = (value: number, exact: number) =>
    // 1% plus the rounding to a microsecond (and float noise).
    assert.ok(Math.abs(value / exact - 1) <= 0.01 + 1e-6, `${value} vs ${exact}`);
  // Rank floor(q * (n - 1)) of the sorted values: /a p50 -> 50 ms, p90 -> 90, p99 -> 99.
  near(rows[1]!.values.p50_ms!, 50);
  near(rows[1]!.values.p90_ms!, 90);
  near(rows[1]!.values.p99_ms!, 99);
  // Overall: rank floor(0.5 * 101) = 50 -> 51 ms; floor(0.99 * 101) = 99 -> 100 ms.
  near(rows[0]!.values.p50_ms!, 51);
  near(rows[0]!.values.p99_ms!, 100);
  near(rows[2]!.values.p50_ms!, 1000);
  const overallOnly = finishOnePass(build({ per_page: false }), records) as Row[];
  assert.deepEqual(overallOnly.map((row) => row.key), ["*"]);
  assert.deepEqual(overallOnly[0], rows[0]);
});

Deno.test("latency obeys the aggregation laws", () => {
  const records = Array.from(
    { length: 400 },
    (_, i) => request(`/p${i % 9}`, i % 17 === 0 ? 0 : ((i * 7919) % 5000) / 1000),
  );
  assertAggregationLaws(build({ n: 4 }), records);
  assertAggregationLaws(build({ per_page: false, accuracy: 0.02 }), records);
  assert.equal(latency.options.safeParse(latency.example).success, true);
  assert.equal(latency.options.safeParse({ accuracy: 0.5 }).success, false);
});
