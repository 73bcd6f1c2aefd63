import assert from "assert";
import type { Aggregation } from "../contracts.ts";
import type { LogRecord } from "../records.ts";
import { assertAggregationLaws } from "./conformance.ts";
import { addCount, type Counts, mergeCounts, topCounts } from "./counts.ts";

const records: LogRecord[] = Array.from({ length: 60 }, (_, i) => ({
  timestamp: Date.UTC(2026, 0, 1, 12, i),
  request_uri: `/p${i % 7}`,
  status: 200,
  body_bytes_sent: 100,
  request_time: 0.01,
  http_referrer: "-",
  http_user_agent: "Mozilla/5.0",
  remote_addr: `10.0.0.${i % 5}`,
  method: "GET",
}));

function pageCounts(merge: Aggregation<Counts>["merge"]): Aggregation<Counts> {
  return {
    shape: { key: { name: "page", type: "text" }, values: [{ name: "n", type: "bigint" }] },
    start: () => ({}),
    add: (state, record) => addCount(state, record.request_uri ?? "-"),
    merge,
    finish: (state) => topCounts(state).map(([page, n]) => ({ key: page, values: { n } })),
  };
}

Deno.test("assertAggregationLaws accepts a lawful aggregation", () => {
  assertAggregationLaws(pageCounts(mergeCounts), records);
});

Deno.test("assertAggregationLaws catches a merge that returns 'other'", () => {
  const lazy = pageCounts((into, other) =>
    Object.keys(into).length === 0 ? other : mergeCounts(into, other)
  );
  assert.throws(() => assertAggregationLaws(lazy, records), /law 2: merge returned/);
});

Deno.test("assertAggregationLaws catches a merge that changes 'other'", () => {
  const mutating = pageCounts((into, other) => {
    mergeCounts(into, other);
    for (const key of Object.keys(other)) other[key] = 0;
    return into;
  });
  assert.throws(() => assertAggregationLaws(mutating, records), /law 2: merge changed/);
});

Deno.test("assertAggregationLaws catches a merge that keeps part of 'other'", () => {
  type Nested = { pages: Counts };
  const keeping: Aggregation<Nested> = {
    shape: { key: { name: "page", type: "text" }, values: [{ name: "n", type: "bigint" }] },
    start: () => ({ pages: {} }),
    add: (state, record) => (addCount(state.pages, record.request_uri ?? "-"), state),
    merge: (into, other) =>
      Object.keys(into.pages).length === 0
        ? { pages: other.pages }
        : (mergeCounts(into.pages, other.pages), into),
    finish: (state) => topCounts(state.pages).map(([page, n]) => ({ key: page, values: { n } })),
  };
  assert.throws(() => assertAggregationLaws(keeping, records), /law 2: merge kept/);
});

Deno.test("assertAggregationLaws catches a merge that loses counts", () => {
  const lossy = pageCounts((into, other) => Object.assign(into, other));
  assert.throws(() => assertAggregationLaws(lossy, records), /law 1/);
});

Deno.test("counting maps count __proto__ and rank deterministically", () => {
  const counts = addCount(addCount(addCount({}, "__proto__"), "b", 2), "a", 2);
  assert.equal(Object.getPrototypeOf(counts), Object.prototype);
  assert.deepEqual(topCounts(counts), [["a", 2], ["b", 2], ["__proto__", 1]]);
  const merged = mergeCounts({}, JSON.parse(JSON.stringify(counts)));
  assert.deepEqual(topCounts(merged, 1), [["a", 2]]);
  assert.equal(merged["__proto__"], 1);
});
