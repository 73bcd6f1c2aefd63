import assert from "assert";
import { assertAggregationLaws, type LogRecord } from "../../lib/sdk/mod.ts";
import statusCounts from "./status_counts.ts";

function record(status: number): LogRecord {
  return {
    timestamp: Date.UTC(2026, 0, 1, 12),
    request_uri: "/",
    status,
    body_bytes_sent: 100,
    request_time: 0.01,
    http_referrer: "-",
    http_user_agent: "Mozilla/5.0",
    remote_addr: "10.0.0.1",
    method: "GET",
  };
}

const aggregation = statusCounts.create(statusCounts.options.parse({}));

Deno.test("status_counts counts each code and each class seen", () => {
  const state = [200, 404, 200, 301, 500, 200, 404].map(record)
    .reduce(aggregation.add, aggregation.start());
  assert.deepEqual(aggregation.finish(state), [
    { key: "200", values: { count: 3 } },
    { key: "301", values: { count: 1 } },
    { key: "404", values: { count: 2 } },
    { key: "500", values: { count: 1 } },
    { key: "2xx", values: { count: 3 } },
    { key: "3xx", values: { count: 1 } },
    { key: "4xx", values: { count: 2 } },
    { key: "5xx", values: { count: 1 } },
  ]);
});

Deno.test("status_counts only reports classes that occur", () => {
  const state = [200, 204].map(record).reduce(aggregation.add, aggregation.start());
  assert.deepEqual(aggregation.finish(state).map((row) => row.key), ["200", "204", "2xx"]);
  assert.deepEqual(aggregation.finish(aggregation.start()), []);
});

Deno.test("status_counts obeys the aggregation laws (any split merges like one pass)", () => {
  const statuses = Array.from({ length: 300 }, (_, i) => [200, 302, 404, 503, 201][i % 5] ?? 200);
  assertAggregationLaws(aggregation, statuses.map(record));
});

Deno.test("status_counts shape and options", () => {
  assert.deepEqual(aggregation.shape, {
    key: { name: "status", type: "text" },
    values: [{ name: "count", type: "bigint" }],
  });
  assert.equal(statusCounts.options.safeParse({ granularity: "hour" }).success, false);
  assert.equal(statusCounts.options.safeParse({ n: 3 }).success, false);
});

Deno.test("status_counts leaves out records without a status (events)", () => {
  const event: LogRecord = { timestamp: Date.UTC(2026, 0, 1, 12), event_type: "add_to_cart" };
  const state = [record(200), event, record(404)].reduce(aggregation.add, aggregation.start());
  assert.deepEqual(aggregation.finish(state).map((row) => row.key), ["200", "404", "2xx", "4xx"]);
  assertAggregationLaws(aggregation, [record(200), event, event, record(500)]);
});
