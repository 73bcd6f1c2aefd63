import assert from "assert";
import { assertAggregationLaws, type LogRecord } from "../../lib/sdk/mod.ts";
import errorRate from "./error_rate.ts";
import { finishOnePass } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown> = {}) =>
  errorRate.create(errorRate.options.parse(options));
const response = (request_uri: string, status: number): LogRecord => ({
  timestamp: Date.UTC(2026, 10, 23, 10),
  request_uri,
  status,
});
const records = [
  response("/checkout/pay", 502),
  response("/checkout/pay?retry=1", 200),
  response("/checkout", 402),
  response("/checkouts", 200), // not under /checkout
  response("/api/cart", 500),
  response("/", 200),
  { timestamp: 0, event_type: "payment_failed" }, // no status: skipped
];
const pick = (rows: unknown) =>
  (rows as { key: string; values: Record<string, number> }[])
    .map((
      row,
    ) => [
      row.key,
      row.values.requests,
      row.values.client_errors,
      row.values.server_errors,
      row.values.error_pct,
    ]);

Deno.test("error_rate per configured prefix, longest match, (other) for the rest", () => {
  assert.deepEqual(
    pick(finishOnePass(build({ prefixes: ["/checkout", "/checkout/pay"] }), records)),
    [
      ["*", 6, 1, 2, 50],
      ["(other)", 3, 0, 1, 33.33],
      ["/checkout/pay", 2, 0, 1, 50],
      ["/checkout", 1, 1, 0, 100],
    ],
  );
  const rows = finishOnePass(build({ prefixes: ["/checkout"] }), records) as {
    values: Record<string, number>;
  }[];
  // 6 responses: one 4xx (16.67%), two 5xx (33.33%).
  assert.deepEqual(rows[0]!.values, {
    requests: 6,
    client_errors: 1,
    server_errors: 2,
    client_error_pct: 16.67,
    server_error_pct: 33.33,
    error_pct: 50,
  });
});

Deno.test("error_rate by first path segment when no prefixes are given", () => {
  assert.deepEqual(pick(finishOnePass(build({ n: 3 }), records)), [
    ["*", 6, 1, 2, 50],
    ["/checkout", 3, 1, 1, 66.67],
    ["/", 1, 0, 0, 0],
    ["/api", 1, 0, 1, 100],
  ]);
  assert.equal(errorRate.options.safeParse({ prefixes: ["checkout"] }).success, false);
  assert.equal(errorRate.options.safeParse(errorRate.example).success, true);
});

Deno.test("error_rate obeys the aggregation laws", () => {
  const statuses = [200, 200, 301, 404, 500, 503];
  const many = Array.from({ length: 300 }, (_, i) => response(`/p${i % 7}/x`, statuses[i % 6]!));
  assertAggregationLaws(build(), many);
  assertAggregationLaws(build({ prefixes: ["/p1", "/p2/x"] }), many);
});
