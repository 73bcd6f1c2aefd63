import assert from "assert";
import type { Aggregation } from "../contracts.ts";
import type { LogRecord } from "../records.ts";
import { assertAggregationLaws } from "./conformance.ts";
import { addCount, type Counts, mergeCounts, topCounts, topOfMap } from "./counts.ts";
import { finishFromSummary, keyedAggregation } from "./keyed.ts";
import type { KeyedSummary } from "../contracts.ts";

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

const visitsPerPage = keyedAggregation<number>({
  shape: { key: { name: "page", type: "text" }, values: [{ name: "n", type: "bigint" }] },
  keyOf: (record) => record.request_uri === "/p6" ? undefined : record.request_uri,
  start: () => 0,
  add: (n) => n + 1,
  merge: (into, other) => into + other,
  finish: (values) =>
    [...values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([page, n]) => ({
      key: page,
      values: { n },
    })),
});

Deno.test("assertAggregationLaws accepts a lawful keyed aggregation, any key included", () => {
  const withProto = records.map((record, i) =>
    i % 9 === 0 ? { ...record, request_uri: "__proto__" } : record
  );
  assertAggregationLaws(visitsPerPage, withProto);
  const state = visitsPerPage.add(visitsPerPage.start(), withProto[0]!);
  assert.deepEqual(visitsPerPage.finish(state), [{ key: "__proto__", values: { n: 1 } }]);
});

Deno.test("assertAggregationLaws catches a keyed form that disagrees with the whole state", () => {
  const disagreeing: Aggregation = {
    ...visitsPerPage,
    keyed: { ...visitsPerPage.keyed!, keyOf: (record) => record.remote_addr },
  } as Aggregation;
  assert.throws(() => assertAggregationLaws(disagreeing, records), /law 3: the keyed form/);
});

Deno.test("assertAggregationLaws accepts a total key, and catches keyOf returning it", () => {
  const withTotal = keyedAggregation<number>({
    shape: visitsPerPage.shape,
    keyOf: (record) => record.request_uri,
    totalKey: "*",
    start: () => 0,
    add: (n) => n + 1,
    merge: (into, other) => into + other,
    finish: (values) => [...values].sort().map(([page, n]) => ({ key: page, values: { n } })),
  });
  assertAggregationLaws(withTotal, records);
  const state = withTotal.add(withTotal.add(withTotal.start(), records[0]!), records[1]!);
  assert.deepEqual(state, { "/p0": 1, "*": 2, "/p1": 1 });
  const clashing = records.map((record, i) => i === 5 ? { ...record, request_uri: "*" } : record);
  assert.throws(() => assertAggregationLaws(withTotal, clashing), /keyOf returned the total key/);
});

Deno.test("assertAggregationLaws catches a keyed merge that changes 'other'", () => {
  const boxed = keyedAggregation<{ n: number }>({
    shape: { key: { name: "page", type: "text" }, values: [{ name: "n", type: "bigint" }] },
    keyOf: (record) => record.request_uri,
    start: () => ({ n: 0 }),
    add: (value) => ({ n: value.n + 1 }),
    merge: (into, other) => {
      into.n += other.n;
      other.n = 0;
      return into;
    },
    finish: (values) => [...values].map(([page, value]) => ({ key: page, values: value })),
  });
  assert.throws(() => assertAggregationLaws(boxed, records), /changed/);
});

/** Visits per page boxed as `{ n }`, finished from `summary`: rows by page, then a total. */
function boxedWithSummary<M>(summary: KeyedSummary<{ n: number }, M>): Aggregation {
  const rows = (visits: Iterable<[string, number]>) => {
    const sorted = [...visits].sort(([a], [b]) => (a < b ? -1 : 1));
    const total = sorted.reduce((sum, [, n]) => sum + n, 0);
    return [
      ...sorted.map(([page, n]) => ({ key: page, values: { n } })),
      ...(sorted.length === 0 ? [] : [{ key: "*", values: { n: total } }]),
    ];
  };
  return keyedAggregation<{ n: number }, M>({
    shape: { key: { name: "page", type: "text" }, values: [{ name: "n", type: "bigint" }] },
    keyOf: (record) => record.request_uri,
    start: () => ({ n: 0 }),
    add: (value) => (value.n++, value),
    merge: (into, other) => (into.n += other.n, into),
    finish: (values) => rows([...values].map(([page, value]) => [page, value.n])),
    summary: { ...summary, finish: (state) => summary.finish(state) },
  }) as Aggregation;
}

/** A lawful summary: each page's count, replaced as it grows. */
const countsByPage: KeyedSummary<{ n: number }, Map<string, number>> = {
  start: () => new Map(),
  update: (counts, page, value) => counts.set(page, value.n),
  finish: (counts) => {
    const sorted = [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
    const total = sorted.reduce((sum, [, n]) => sum + n, 0);
    return [
      ...sorted.map(([page, n]) => ({ key: page, values: { n } })),
      ...(sorted.length === 0 ? [] : [{ key: "*", values: { n: total } }]),
    ];
  },
};

Deno.test("assertAggregationLaws accepts a lawful summary", () => {
  assertAggregationLaws(boxedWithSummary(countsByPage), records);
  const finish = finishFromSummary(countsByPage);
  assert.deepEqual(finish(new Map([["/b", { n: 2 }], ["/a", { n: 1 }]])), [
    { key: "/a", values: { n: 1 } },
    { key: "/b", values: { n: 2 } },
    { key: "*", values: { n: 3 } },
  ]);
});

/** The total as a running sum: each update adds `value` and takes out `previous` when told. */
function summed(
  takeOutPrevious: boolean,
  usesPrevious = takeOutPrevious,
): KeyedSummary<{ n: number }, Summed> {
  return {
    usesPrevious,
    start: () => ({ counts: new Map(), total: 0 }),
    update: (state, page, value, previous) => {
      state.counts.set(page, value.n);
      state.total += value.n - (takeOutPrevious ? previous?.n ?? 0 : 0);
      return state;
    },
    finish: (state) => {
      const rows = countsByPage.finish(state.counts);
      return rows.length === 0 ? rows : [...rows.slice(0, -1), {
        key: "*",
        values: { n: state.total },
      }];
    },
  };
}
type Summed = { counts: Map<string, number>; total: number };

Deno.test("assertAggregationLaws accepts a summary that takes out the previous value", () => {
  assertAggregationLaws(boxedWithSummary(summed(true)), records);
});

Deno.test("assertAggregationLaws catches a summary that adds a grown value again", () => {
  // A key updated twice counts twice.
  assert.throws(() => assertAggregationLaws(boxedWithSummary(summed(false)), records), /law 5/);
});

Deno.test("assertAggregationLaws catches a summary that reads previous without saying so", () => {
  // Without `usesPrevious` real time lends no previous value: the total counts a key twice.
  assert.throws(
    () => assertAggregationLaws(boxedWithSummary(summed(true, false)), records),
    /law 5/,
  );
});

Deno.test("assertAggregationLaws catches a summary that keeps a value it is lent", () => {
  const keeping: KeyedSummary<{ n: number }, Map<string, { n: number }>> = {
    start: () => new Map(),
    update: (kept, page, value) => kept.set(page, value),
    finish: (kept) => countsByPage.finish(new Map([...kept].map(([page, { n }]) => [page, n]))),
  };
  assert.throws(() => assertAggregationLaws(boxedWithSummary(keeping), records), /law 5/);
});

Deno.test("assertAggregationLaws catches a summary that changes a value it is lent", () => {
  const changing: KeyedSummary<{ n: number }, Map<string, number>> = {
    ...countsByPage,
    update: (counts, page, value) => {
      counts.set(page, value.n);
      value.n = 0;
      return counts;
    },
  };
  assert.throws(
    () => assertAggregationLaws(boxedWithSummary(changing), records),
    /law 5: the summary's update changed a value it was lent/,
  );
});

Deno.test("topOfMap ranks like topCounts", () => {
  const counts: Counts = {};
  for (let i = 0; i < 500; i++) addCount(counts, `/p${(i * 7919) % 97}`, 1 + (i % 5));
  const map = new Map(Object.entries(counts));
  for (const n of [1, 3, 10, 97, 200]) assert.deepEqual(topOfMap(map, n), topCounts(counts, n));
  assert.deepEqual(topOfMap(new Map(), 3), []);
});
