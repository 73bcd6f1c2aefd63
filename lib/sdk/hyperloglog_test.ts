import assert from "assert";
import { assertAggregationLaws } from "./conformance.ts";
import {
  type HyperLogLog,
  hyperLogLog,
  hyperLogLogAdd,
  hyperLogLogError,
  hyperLogLogEstimate,
  hyperLogLogMerge,
} from "./hyperloglog.ts";
import { lawRecords, sketchAggregation } from "./_law_records.ts";

function sketchOf(values: Iterable<string>, p?: number): HyperLogLog {
  const hll = hyperLogLog(p);
  for (const value of values) hyperLogLogAdd(hll, value);
  return hll;
}

function* visitors(seed: number, from: number, to: number): Generator<string> {
  for (let i = from; i < to; i++) yield `visitor-${seed}-${i}`;
}

Deno.test("hyperLogLog estimates within 3 standard errors at 100, 10k and 1M", () => {
  const bound = 3 * hyperLogLogError(14);
  assert.ok(Math.abs(bound - 0.024375) < 1e-12);
  const cases: [number, number[]][] = [[100, [1, 2, 3, 4, 5]], [10_000, [1, 2, 3]], [
    1_000_000,
    [1],
  ]];
  for (const [cardinality, seeds] of cases) {
    for (const seed of seeds) {
      // Every value twice: duplicates must not count.
      const hll = sketchOf(visitors(seed, 0, cardinality));
      for (const value of visitors(seed, 0, cardinality)) hyperLogLogAdd(hll, value);
      const error = hyperLogLogEstimate(hll) / cardinality - 1;
      assert.ok(
        Math.abs(error) <= bound,
        `n=${cardinality} seed=${seed}: error ${(error * 100).toFixed(3)}% beyond ${bound * 100}%`,
      );
    }
  }
});

Deno.test("hyperLogLog is nearly exact for small sets and 0 when empty", () => {
  assert.equal(hyperLogLogEstimate(hyperLogLog()), 0);
  for (const n of [1, 2, 10, 50]) {
    assert.equal(Math.round(hyperLogLogEstimate(sketchOf(visitors(7, 0, n)))), n);
  }
});

Deno.test("hyperLogLog merges exactly: any split, any order, through JSON", () => {
  const all = [...visitors(9, 0, 40_000)];
  const onePass = sketchOf(all);
  const splits = [[0, 10, 40_000], [0, 39_000, 40_000], [0, 5_000, 20_000, 30_000, 40_000]];
  for (const bounds of splits) {
    const parts = bounds.slice(1).map((end, i) => sketchOf(all.slice(bounds[i], end)));
    for (const order of [parts, [...parts].reverse()]) {
      let merged = hyperLogLog();
      for (const part of order) {
        merged = hyperLogLogMerge(
          JSON.parse(JSON.stringify(merged)),
          JSON.parse(JSON.stringify(part)),
        );
      }
      assert.equal(hyperLogLogEstimate(merged), hyperLogLogEstimate(onePass));
    }
  }
});

Deno.test("hyperLogLog state is compact JSON: sparse when small, one digit per register later", () => {
  const small = sketchOf(visitors(1, 0, 100));
  assert.equal(small.dense, "");
  assert.ok(JSON.stringify(small).length < 1_500);
  const large = sketchOf(visitors(1, 0, 100_000));
  assert.equal(large.dense.length, 16_384);
  assert.match(large.dense, /^[A-Za-z0-9_-]+$/);
  assert.ok(JSON.stringify(large).length < 16_384 + 1_024 * 12);
  assert.deepEqual(JSON.parse(JSON.stringify(large)), large);
});

Deno.test("hyperLogLog merge obeys the aggregation laws", () => {
  const uniqueClients = sketchAggregation<HyperLogLog>({
    start: () => hyperLogLog(10),
    add: (hll, record) => hyperLogLogAdd(hll, record.remote_addr ?? "-"),
    merge: hyperLogLogMerge,
    answer: (hll) => String(hyperLogLogEstimate(hll)),
  });
  // 300 distinct addresses in 2^10 registers: merges cross from sparse to dense.
  assertAggregationLaws(uniqueClients, lawRecords(3_000, 300));
  assertAggregationLaws(uniqueClients, lawRecords(200, 20), { seed: 2 });
});

Deno.test("hyperLogLog rejects bad precisions and mixed merges", () => {
  assert.throws(() => hyperLogLog(3), /precision must be an integer 4..18, found 3/);
  assert.throws(() => hyperLogLog(14.5), /found 14.5/);
  assert.throws(
    () => hyperLogLogMerge(hyperLogLog(12), hyperLogLog(14)),
    /precision 12 and 14/,
  );
  const broken = { ...hyperLogLog(4), dense: "AAAA" };
  assert.throws(() => hyperLogLogEstimate(broken), /needs 16 registers, found 4/);
  // Dense strings are read as bytes: a character that is not a digit (ASCII or not) still fails.
  const dense = (text: string) => ({ ...hyperLogLog(4), dense: text });
  for (const bad of ["AAAAAAA!AAAAAAAA", "AAAAAAAéAAAAAAAA"]) {
    assert.throws(() => hyperLogLogEstimate(dense(bad)), /register 7 is not a base64url digit/);
    assert.throws(
      () => hyperLogLogMerge(dense("BBBBBBBBBBBBBBBB"), dense(bad)),
      /register 7 is not a base64url digit/,
    );
  }
  assert.equal(
    hyperLogLogMerge(dense("ABCDABCDABCDABCD"), dense("DCBADCBADCBADCBA")).dense,
    "DCCDDCCDDCCDDCCD",
  );
});

Deno.test("hyperLogLog: a sparse sketch estimates exactly as its registers expanded do", () => {
  for (const count of [0, 1, 7, 100, 250]) {
    const sparse = hyperLogLog(12);
    for (let i = 0; i < count; i++) hyperLogLogAdd(sparse, `visitor-${i}`);
    assert.equal(sparse.dense, "", `still sparse at ${count}`);
    // The same registers in dense form: force it through a dense sketch merged with it.
    const dense = hyperLogLog(12);
    for (let i = 0; i < 2_000; i++) hyperLogLogAdd(dense, `other-${i}`);
    assert.notEqual(dense.dense, "");
    const zeroed = { ...dense, dense: "A".repeat(dense.dense.length), sparse: [], sparseSize: 0 };
    hyperLogLogMerge(zeroed, sparse);
    assert.equal(hyperLogLogEstimate(sparse), hyperLogLogEstimate(zeroed), `at ${count}`);
  }
});

Deno.test("hyperLogLog keeps sparse registers as sorted pairs and reads the older object form", () => {
  const forward = hyperLogLog(10);
  const backward = hyperLogLog(10);
  const names = Array.from({ length: 40 }, (_, i) => `visitor-${i}`);
  for (const name of names) hyperLogLogAdd(forward, name);
  for (const name of names.toReversed()) hyperLogLogAdd(backward, name);
  assert.deepEqual(backward, forward);
  const indexes = forward.sparse.filter((_, i) => i % 2 === 0);
  assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b));
  assert.equal(forward.sparseSize, indexes.length);
  // As stored before registers became pairs: `{ "index": value }`.
  const stored = (hll: HyperLogLog): HyperLogLog => {
    const sparse: Record<string, number> = {};
    for (let i = 0; i < hll.sparse.length; i += 2) sparse[hll.sparse[i]!] = hll.sparse[i + 1]!;
    return { ...hll, sparse: sparse as unknown as number[] };
  };
  const old = stored(forward);
  assert.equal(hyperLogLogEstimate(old), hyperLogLogEstimate(forward));
  const copy = structuredClone(old);
  assert.deepEqual(hyperLogLogMerge(hyperLogLog(10), old), forward);
  assert.deepEqual(old, copy, "read only");
  assert.deepEqual(
    hyperLogLogAdd(stored(forward), "one more"),
    hyperLogLogAdd(structuredClone(forward), "one more"),
  );
  // Merged into a dense sketch, a few registers and many alike.
  const dense = hyperLogLog(10);
  for (let i = 0; i < 500; i++) hyperLogLogAdd(dense, `other-${i}`);
  assert.notEqual(dense.dense, "");
  for (const count of [3, 200]) {
    const part = hyperLogLog(10);
    for (let i = 0; i < count; i++) hyperLogLogAdd(part, `part-${i}`);
    const expected = structuredClone(dense);
    for (let i = 0; i < count; i++) hyperLogLogAdd(expected, `part-${i}`);
    const merged = hyperLogLogMerge(structuredClone(dense), stored(part));
    assert.equal(hyperLogLogEstimate(merged), hyperLogLogEstimate(expected), `${count}`);
  }
});

Deno.test("hyperLogLog merged into an empty sketch is a copy: changing it leaves the other", () => {
  for (const count of [10, 5_000]) {
    const other = sketchOf([...visitors(3, 0, count)]);
    const before = JSON.stringify(other);
    const copy = hyperLogLogMerge(hyperLogLog(), other);
    assert.equal(hyperLogLogEstimate(copy), hyperLogLogEstimate(other));
    for (const visitor of visitors(4, 0, 3_000)) hyperLogLogAdd(copy, visitor);
    hyperLogLogMerge(copy, sketchOf([...visitors(5, 0, 20_000)]));
    assert.equal(JSON.stringify(other), before);
    assert.ok(hyperLogLogEstimate(copy) > hyperLogLogEstimate(other));
  }
});
