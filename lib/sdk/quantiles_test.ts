import assert from "assert";
import { assertAggregationLaws } from "./conformance.ts";
import {
  type QuantileSketch,
  quantileSketch,
  quantileSketchAdd,
  quantileSketchMerge,
  quantileSketchQuantile,
  quantileSketchQuantiles,
  quantileSketchSubtract,
} from "./quantiles.ts";
import { lawRecords, sketchAggregation } from "./_law_records.ts";
import { seededRandom } from "./random.ts";

const QUANTILES = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

/** Request times in seconds: mostly log-normal around 50 ms, a Pareto tail, some zeros. */
function latencies(seed: number, count: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const pick = random();
    if (pick < 0.02) return 0;
    if (pick < 0.9) {
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.exp(Math.log(0.05) + 0.8 * normal);
    }
    return 0.2 / (1 - random()) ** (1 / 1.2); // Pareto, alpha 1.2: a heavy tail
  });
}

function sketchOf(values: readonly number[], accuracy?: number): QuantileSketch {
  const sketch = quantileSketch(accuracy);
  for (const value of values) quantileSketchAdd(sketch, value);
  return sketch;
}

function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

Deno.test("quantile sketch is within its relative accuracy of exact quantiles", () => {
  for (const [seed, accuracy] of [[1, 0.01], [2, 0.01], [3, 0.02], [4, 0.001]] as const) {
    const values = latencies(seed, 200_000);
    const sorted = [...values].sort((a, b) => a - b);
    const sketch = sketchOf(values, accuracy);
    const answers = quantileSketchQuantiles(sketch, QUANTILES);
    QUANTILES.forEach((q, i) => {
      const exact = exactQuantile(sorted, q);
      const answer = answers[i]!;
      const error = exact === 0 ? answer : Math.abs(answer / exact - 1);
      assert.ok(
        error <= accuracy * (1 + 1e-9),
        `seed ${seed}, q ${q}: ${answer} vs exact ${exact} (error ${error}, accuracy ${accuracy})`,
      );
    });
    assert.ok((sketch.bins.length / 2) < 2_000 * (0.01 / accuracy));
  }
});

Deno.test("quantile sketch merges exactly: any split, any order, through JSON", () => {
  const values = latencies(5, 50_000);
  const onePass = sketchOf(values);
  for (const cuts of [[0, 1, 50_000], [0, 25_000, 50_000], [0, 7, 1_000, 30_000, 50_000]]) {
    const parts = cuts.slice(1).map((end, i) => sketchOf(values.slice(cuts[i], end)));
    for (const order of [parts, [...parts].reverse()]) {
      let merged = quantileSketch();
      for (const part of order) {
        merged = quantileSketchMerge(
          JSON.parse(JSON.stringify(merged)),
          JSON.parse(JSON.stringify(part)),
        );
      }
      assert.deepEqual(
        quantileSketchQuantiles(merged, QUANTILES),
        quantileSketchQuantiles(onePass, QUANTILES),
      );
      assert.equal(merged.count, 50_000);
    }
  }
});

Deno.test("quantile sketch merge obeys the aggregation laws", () => {
  const requestTimes = sketchAggregation<QuantileSketch>({
    start: () => quantileSketch(),
    add: (sketch, record) => quantileSketchAdd(sketch, record.request_time ?? 0),
    merge: quantileSketchMerge,
    answer: (sketch) => JSON.stringify(quantileSketchQuantiles(sketch, [0.5, 0.9, 0.99])),
  });
  assertAggregationLaws(requestTimes, lawRecords(2_000, 100));
});

Deno.test("quantile sketch: empty, zeros, single values, bad input", () => {
  assert.equal(quantileSketchQuantile(quantileSketch(), 0.5), undefined);
  assert.deepEqual(quantileSketchQuantiles(quantileSketch(), [0.1, 0.9]), [undefined, undefined]);
  const zeros = sketchOf([0, 0, 1e-12]);
  assert.deepEqual(quantileSketchQuantiles(zeros, [0, 1]), [0, 0]);
  const one = sketchOf([3.5]);
  for (const q of [0, 0.5, 1]) {
    assert.ok(Math.abs(quantileSketchQuantile(one, q)! / 3.5 - 1) <= 0.01);
  }
  assert.throws(() => quantileSketchAdd(quantileSketch(), -1), /finite and >= 0, found -1/);
  assert.throws(() => quantileSketchAdd(quantileSketch(), NaN), /found NaN/);
  assert.throws(() => quantileSketchQuantile(one, 1.5), /quantile must be in \[0, 1\], found 1.5/);
  assert.throws(() => quantileSketch(0), /above 0 and below 1, found 0/);
  assert.throws(
    () => quantileSketchMerge(quantileSketch(0.01), quantileSketch(0.02)),
    /accuracy 0.01 and 0.02/,
  );
});

Deno.test("quantileSketchSubtract: a total whose parts are replaced by grown ones is exact", () => {
  const random = seededRandom(11);
  const values = latencies(5, 3_000);
  const parts = [quantileSketch(), quantileSketch(), quantileSketch()];
  const inTotal = parts.map(() => quantileSketch()); // each part as last merged into the total
  const total = quantileSketch();
  const replace = (at: number) => {
    quantileSketchMerge(quantileSketchSubtract(total, inTotal[at]!), parts[at]!);
    inTotal[at] = structuredClone(parts[at]!);
  };
  for (const value of values) {
    const at = Math.floor(random() * parts.length);
    quantileSketchAdd(parts[at]!, value);
    if (random() < 0.2) replace(at);
  }
  parts.forEach((_, at) => replace(at));
  assert.deepEqual(total, sketchOf(values));

  // Not a part of it: refused, and nothing changed.
  const before = structuredClone(total);
  const more = quantileSketchAdd(quantileSketch(), 1e6);
  assert.throws(() => quantileSketchSubtract(total, more), /not a part of the sketch/);
  assert.deepEqual(total, before);
  assert.throws(() => quantileSketchSubtract(total, quantileSketch(0.02)), /accuracy/);
});

Deno.test("quantile sketch bins are sorted pairs, the same whatever the order of values", () => {
  const values = [0.004, 0.25, 0.5, 0.999, 1, 1.5, 0.25, 3600, 0.004, 0];
  const forward = quantileSketch();
  for (const value of values) quantileSketchAdd(forward, value);
  const backward = quantileSketch();
  for (const value of values.toReversed()) quantileSketchAdd(backward, value);
  assert.deepEqual(backward, forward);
  assert.deepEqual(JSON.parse(JSON.stringify(forward)), forward);
  const indexes = forward.bins.filter((_, i) => i % 2 === 0);
  assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b));
  assert.equal(new Set(indexes).size, indexes.length);
  // Two values fall in each of two bins; zero is counted apart, not in a bin.
  assert.equal(forward.bins.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0), 9);
  assert.ok(forward.bins.every((n) => !Object.is(n, -0)), "no -0 index (JSON writes it as 0)");
});

Deno.test("quantile sketch reads bins stored in the older object form", () => {
  const values = [0.004, 0.02, 0.25, 0.25, 0.9, 2.5];
  const current = quantileSketch();
  for (const value of values) quantileSketchAdd(current, value);
  // As a state stored before bins became pairs: `{ "index": count }`.
  const stored = (sketch: QuantileSketch): QuantileSketch => {
    const bins: Record<string, number> = {};
    for (let i = 0; i < sketch.bins.length; i += 2) bins[sketch.bins[i]!] = sketch.bins[i + 1]!;
    return { ...sketch, bins: bins as unknown as number[] };
  };
  const old = stored(current);
  const qs = [0, 0.5, 0.9, 0.99, 1];
  assert.deepEqual(quantileSketchQuantiles(old, qs), quantileSketchQuantiles(current, qs));
  // Merged into a current sketch, read only: the old one is left as it was.
  const copy = structuredClone(old);
  assert.deepEqual(quantileSketchMerge(quantileSketch(), old), current);
  assert.deepEqual(old, copy);
  // Changed: rewritten as pairs.
  assert.deepEqual(
    quantileSketchAdd(stored(current), 0.25),
    quantileSketchAdd(structuredClone(current), 0.25),
  );
  const part = quantileSketchAdd(quantileSketch(), 0.25);
  assert.deepEqual(
    quantileSketchSubtract(stored(current), stored(part)),
    quantileSketchSubtract(structuredClone(current), part),
  );
  assert.throws(
    () => quantileSketchSubtract(stored(part), current),
    /cannot subtract 6 from 1 values/,
  );
});
