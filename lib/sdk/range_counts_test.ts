import assert from "assert";
import type { ResultRow } from "../contracts.ts";
import { topOfMap } from "./counts.ts";
import { countsWindow, rangeCounts } from "./range_counts.ts";
import { seededRandom } from "./random.ts";

const rank = (n: number) => (counts: ReadonlyMap<string, number>): ResultRow[] =>
  [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n)
    .map(([key, count]) => ({ key, values: { count } }));

Deno.test("range counts: a window keeps K keys, the best count it cut and its total", () => {
  const top = rangeCounts({ keep: 2, finish: rank(1) });
  assert.deepEqual(top.toSummary(new Map([["a", 1], ["b", 5], ["c", 3], ["d", 2]])), {
    keys: [["b", 5, 0], ["c", 3, 0]],
    cut: 2,
    total: 11,
  });
  assert.deepEqual(top.toSummary(new Map([["a", 1]])), { keys: [["a", 1, 0]], cut: 0, total: 1 });
});

Deno.test("range counts: a key one window did not list may have that window's cut more", () => {
  const top = rangeCounts({ keep: 2, finish: rank(1), ranked: 1 });
  const monday = top.toSummary(new Map([["a", 10], ["b", 9], ["c", 8]])); // c cut at 8
  const tuesday = top.toSummary(new Map([["c", 10], ["d", 9], ["a", 1]])); // a cut at 1
  const week = top.mergeSummaries(top.mergeSummaries(top.emptySummary(), monday), tuesday);
  assert.deepEqual(week.keys, [["a", 10, 1], ["c", 10, 8]]);
  const answer = top.finishRange(week);
  // c may really have 18 and lead: not exact, and counts may be up to 9 low.
  assert.deepEqual(answer.rows, [{ key: "a", values: { count: 10 } }]);
  assert.equal(answer.exact, false);
  assert.equal(answer.errorBound, 17, "d, not listed, may have 9 + 8");
});

Deno.test("range counts: whatever was cut, the truth lies within the bound, and exact is true", () => {
  const random = seededRandom(9);
  for (let run = 0; run < 200; run++) {
    const keep = 1 + Math.floor(random() * 6);
    const top = rangeCounts({ keep, finish: rank(3), ranked: 3 });
    const truth = new Map<string, number>();
    let merged = top.emptySummary();
    for (let day = 0; day < 1 + Math.floor(random() * 5); day++) {
      const counts = new Map<string, number>();
      for (let i = 0; i < 30; i++) {
        const key = `k${Math.floor(random() ** 2 * 12)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        truth.set(key, (truth.get(key) ?? 0) + 1);
      }
      merged = top.mergeSummaries(merged, JSON.parse(JSON.stringify(top.toSummary(counts))));
    }
    const answer = top.finishRange(merged);
    if (answer.exact) assert.deepEqual(answer.rows, rank(3)(truth), `run ${run}`);
    for (const [key, count, bound] of merged.keys) {
      assert.ok(count <= truth.get(key)! && truth.get(key)! <= count + bound, `run ${run}: ${key}`);
    }
    const listed = new Set(merged.keys.map(([key]) => key));
    for (const [key, count] of truth) {
      if (!listed.has(key)) assert.ok(count <= merged.cut, `run ${run}: ${key} unlisted`);
    }
    assert.equal(merged.total, [...truth.values()].reduce((a, b) => a + b, 0));
  }
});

Deno.test("range counts: a window's counts kept as they grow make the summary and rows of every key", () => {
  const random = seededRandom(5);
  for (const keep of [1, 3, 20, Infinity]) {
    const spec = {
      keep,
      ranked: keep === Infinity ? undefined : Math.min(2, keep),
      finish: (counts: ReadonlyMap<string, number>, total?: number) =>
        topOfMap(counts, keep === Infinity ? Infinity : Math.min(2, keep)).map(([key, hits]) => ({
          key,
          values: { hits, total: total ?? [...counts.values()].reduce((a, b) => a + b, 0) },
        })),
    };
    const range = rangeCounts(spec);
    const summary = countsWindow(spec);
    let window = summary.start();
    const counts = new Map<string, number>();
    for (let update = 0; update < 3_000; update++) {
      const key = `/p${Math.floor(random() * 60)}`;
      const count = (counts.get(key) ?? 0) + Math.floor(random() * 3);
      counts.set(key, count);
      window = summary.update(window, key, count, undefined);
      if (update % 101 === 0 || update === 2_999) {
        const made = range.fromKeyed!(window);
        assert.deepEqual(made, range.toSummary(counts), `keep ${keep}, update ${update}`);
        assert.deepEqual(
          summary.finish(window),
          spec.finish(counts),
          `keep ${keep}, update ${update}`,
        );
      }
    }
  }
  assert.throws(
    () => countsWindow({ keep: 3, finish: () => [] }),
    /countsWindow needs `ranked` when `keep` is finite/,
  );
});
