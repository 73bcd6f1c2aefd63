/**
 * A quantile sketch with relative accuracy (DDSketch's logarithmic bins): p50, p90 and p99 of
 * request times in a small, mergeable state.
 *
 * With relative accuracy `α` (default 1%), let `γ = (1 + α) / (1 - α)`. A value `x > 0` is
 * counted in bin `i = ceil(log_γ(x))`, which holds the values in `(γ^(i-1), γ^i]`, and a bin is
 * read back as `2γ^i / (γ + 1)`, which is within `α` of every value in it. So the quantile `q`
 * the sketch returns is within `α` (relative) of the exact value at rank `floor(q · (n - 1))`
 * of the sorted values: a guarantee, not a probability (Masson, Rim and Lee, "DDSketch: a fast
 * and fully-mergeable quantile sketch with relative-error guarantees", VLDB 2019). Values at
 * or below 1e-9 (zero included) are counted apart and read back as 0.
 *
 * Bins hold integer counts, so merging adds counts bin by bin: exact, commutative and
 * associative. Any split of the values, merged in any order, gives exactly the bins (and so
 * exactly the quantiles) of one pass, which is what lets real time and batch agree to the bit.
 * The number of bins grows with the log of the value range, not with the number of values:
 * about `ln(max / min) / ln(γ)`, e.g. about 755 bins for values from 1 ms to 1 hour at 1%.
 *
 * Hand-written rather than `@datadog/sketches-js` (Apache-2.0): its sketch is a class over
 * dense stores whose serialized form is protobuf bytes, so every `add` on JSON state would
 * rebuild it, and its default store collapses its lowest bins past 2,048 bins, where a result
 * can depend on the order of values. The mapping here is the same logarithmic mapping, with
 * plain JSON bins and no collapsing.
 *
 * Bins are a flat array of `[index, count]` pairs in increasing index: one packed array of
 * small integers, where an object keyed by bin index cost about 140 bytes per bin (its keys
 * are mostly negative, so not array indices, and each new set of keys made V8 a new hidden
 * class). The array is canonical: the same values give the same array, in any order. A sketch
 * stored in the older form, bins as an object `{ "index": count }`, is read by every function
 * here; one that a function changes is rewritten as pairs.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import {
 *   quantileSketch,
 *   quantileSketchAdd,
 *   quantileSketchMerge,
 *   quantileSketchQuantiles,
 * } from "./quantiles.ts";
 * const a = quantileSketch();
 * const b = quantileSketch();
 * for (let i = 1; i <= 500; i++) quantileSketchAdd(a, i / 1000);
 * for (let i = 501; i <= 1000; i++) quantileSketchAdd(b, i / 1000);
 * const all = quantileSketchMerge(a, JSON.parse(JSON.stringify(b)));
 * const [p50, p99] = quantileSketchQuantiles(all, [0.5, 0.99]);
 * assert.ok(Math.abs(p50! / 0.5 - 1) <= 0.01 && Math.abs(p99! / 0.99 - 1) <= 0.01);
 * ```
 *
 * @module
 */
import { asPairs, combinePairs, insertPair, ownPairs, pairAt } from "./_pairs.ts";

/** A quantile sketch; plain JSON, so it survives `JSON.stringify`/`JSON.parse` unchanged. */
export interface QuantileSketch {
  /** Relative accuracy `α`, e.g. 0.01: every quantile is within 1% of the exact one. */
  accuracy: number;
  /** How many values were added in all. */
  count: number;
  /** How many values were at or below {@linkcode QUANTILE_SKETCH_MIN_VALUE} (read back as 0). */
  zeros: number;
  /**
   * Counts by bin index `i`, as pairs `[i, count, i, count, ...]` in increasing `i`, no count
   * 0; bin `i` holds the values in `(γ^(i-1), γ^i]`.
   */
  bins: number[];
}

/** The default relative accuracy: 1%. */
export const DEFAULT_QUANTILE_ACCURACY = 0.01;

/** Values at or below this count as 0. */
export const QUANTILE_SKETCH_MIN_VALUE = 1e-9;

/**
 * A new, empty sketch.
 *
 * @param accuracy Relative accuracy `α`, above 0 and below 1 (default 0.01).
 * @returns An empty sketch.
 * @throws RangeError when `accuracy` is not in (0, 1).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { quantileSketch, quantileSketchQuantile } from "./quantiles.ts";
 * assert.equal(quantileSketchQuantile(quantileSketch(0.02), 0.5), undefined);
 * ```
 */
export function quantileSketch(accuracy: number = DEFAULT_QUANTILE_ACCURACY): QuantileSketch {
  if (!(accuracy > 0 && accuracy < 1)) {
    throw new RangeError(`quantile sketch accuracy must be above 0 and below 1, found ${accuracy}`);
  }
  return { accuracy, count: 0, zeros: 0, bins: [] };
}

/**
 * Adds one value.
 *
 * @param sketch The sketch to change.
 * @param value A finite number >= 0 (a duration, a size).
 * @returns The same `sketch`.
 * @throws RangeError when `value` is negative or not finite.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { quantileSketch, quantileSketchAdd, quantileSketchQuantile } from "./quantiles.ts";
 * const sketch = quantileSketchAdd(quantileSketchAdd(quantileSketch(), 0), 0.25);
 * assert.equal(quantileSketchQuantile(sketch, 0), 0);
 * assert.ok(Math.abs(quantileSketchQuantile(sketch, 1)! / 0.25 - 1) <= 0.01);
 * ```
 */
export function quantileSketchAdd(sketch: QuantileSketch, value: number): QuantileSketch {
  if (!(value >= 0 && value < Infinity)) {
    throw new RangeError(`quantile sketch values must be finite and >= 0, found ${value}`);
  }
  sketch.count++;
  if (value <= QUANTILE_SKETCH_MIN_VALUE) sketch.zeros++;
  else {
    // `| 0` makes -0 (values just below 1) the bin 0 it is in JSON.
    const index = Math.ceil(Math.log(value) * indexMultiplier(sketch.accuracy)) | 0;
    const bins = sketch.bins = ownPairs(sketch.bins);
    const at = pairAt(bins, index);
    if (at < bins.length && bins[at] === index) bins[at + 1]!++;
    else sketch.bins = insertPair(bins, at, index, 1);
  }
  return sketch;
}

/**
 * Merges `other` into `into` by adding counts bin by bin: exact and order-independent. Reads
 * `other` only: it is neither changed nor kept.
 *
 * @param into The sketch to change.
 * @param other A sketch of the same accuracy.
 * @returns `into`.
 * @throws RangeError when the accuracies differ.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { quantileSketch, quantileSketchAdd, quantileSketchMerge } from "./quantiles.ts";
 * const merged = quantileSketchMerge(
 *   quantileSketchAdd(quantileSketch(), 1),
 *   quantileSketchAdd(quantileSketch(), 1),
 * );
 * assert.equal(merged.count, 2);
 * ```
 */
export function quantileSketchMerge(
  into: QuantileSketch,
  other: Readonly<QuantileSketch>,
): QuantileSketch {
  if (into.accuracy !== other.accuracy) {
    throw new RangeError(
      `cannot merge quantile sketches of accuracy ${into.accuracy} and ${other.accuracy}`,
    );
  }
  const theirs = binsOf(other);
  into.count += other.count;
  into.zeros += other.zeros;
  if (theirs.length > 0) into.bins = combinePairs(ownPairs(into.bins), theirs, add);
  return into;
}

/**
 * Takes `part` out of `from`, bin by bin: the inverse of {@linkcode quantileSketchMerge}, exact
 * (integer counts), so a running total of sketches can replace one part by a grown one (take
 * the old part out, merge the new one in) and hold exactly the bins of a merge from scratch.
 * Bins left at 0 are dropped. Reads `part` only.
 *
 * @param from The sketch to change: `part` must have been merged into it.
 * @param part A sketch of the same accuracy, each of whose counts `from` holds at least.
 * @returns `from`.
 * @throws RangeError when the accuracies differ, or `part` holds more than `from` somewhere
 *   (it was not merged into it); `from` is then unchanged.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import {
 *   quantileSketch,
 *   quantileSketchAdd,
 *   quantileSketchMerge,
 *   quantileSketchSubtract,
 * } from "./quantiles.ts";
 * const monday = quantileSketchAdd(quantileSketch(), 0.1);
 * const tuesday = quantileSketchAdd(quantileSketchAdd(quantileSketch(), 0.1), 0.2);
 * const week = quantileSketchMerge(quantileSketchMerge(quantileSketch(), monday), tuesday);
 * assert.deepEqual(quantileSketchSubtract(week, tuesday), monday);
 * ```
 */
export function quantileSketchSubtract(
  from: QuantileSketch,
  part: Readonly<QuantileSketch>,
): QuantileSketch {
  if (from.accuracy !== part.accuracy) {
    throw new RangeError(
      `cannot subtract a quantile sketch of accuracy ${part.accuracy} from one of ${from.accuracy}`,
    );
  }
  const short = (what: string, has: number, taken: number) =>
    new RangeError(`cannot subtract ${taken} from ${has} ${what}: not a part of the sketch`);
  if (part.count > from.count) throw short("values", from.count, part.count);
  if (part.zeros > from.zeros) throw short("zeros", from.zeros, part.zeros);
  const ours = binsOf(from);
  const theirs = binsOf(part);
  // Every bin of `part` must be in `from` with at least its count: checked before any change.
  for (let i = 0, j = 0; j < theirs.length; j += 2) {
    while (i < ours.length && ours[i]! < theirs[j]!) i += 2;
    const has = i < ours.length && ours[i] === theirs[j] ? ours[i + 1]! : 0;
    if (theirs[j + 1]! > has) throw short(`in bin ${theirs[j]}`, has, theirs[j + 1]!);
  }
  from.count -= part.count;
  from.zeros -= part.zeros;
  if (theirs.length > 0) from.bins = combinePairs(ours, theirs, take);
  return from;
}

/**
 * The value at quantile `q`: within the sketch's accuracy of the exact value at rank
 * `floor(q · (count - 1))` of the sorted values.
 *
 * @param sketch The sketch.
 * @param q A quantile in [0, 1], e.g. 0.99 for p99.
 * @returns The value, or `undefined` when the sketch is empty.
 * @throws RangeError when `q` is not in [0, 1].
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { quantileSketch, quantileSketchAdd, quantileSketchQuantile } from "./quantiles.ts";
 * const sketch = quantileSketch();
 * for (const seconds of [0.1, 0.2, 0.3, 0.4, 5]) quantileSketchAdd(sketch, seconds);
 * assert.ok(Math.abs(quantileSketchQuantile(sketch, 0.5)! / 0.3 - 1) <= 0.01);
 * ```
 */
export function quantileSketchQuantile(
  sketch: Readonly<QuantileSketch>,
  q: number,
): number | undefined {
  return quantileSketchQuantiles(sketch, [q])[0];
}

/**
 * Several quantiles at once (one walk of the bins).
 *
 * @param sketch The sketch.
 * @param qs Quantiles in [0, 1], in any order.
 * @returns One value per quantile, in the order asked; `undefined` each when the sketch is
 *   empty.
 * @throws RangeError when a quantile is not in [0, 1].
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { quantileSketch, quantileSketchAdd, quantileSketchQuantiles } from "./quantiles.ts";
 * const sketch = quantileSketch();
 * for (let ms = 1; ms <= 1000; ms++) quantileSketchAdd(sketch, ms);
 * const [p50, p90, p99] = quantileSketchQuantiles(sketch, [0.5, 0.9, 0.99]);
 * assert.ok(Math.abs(p90! / 900 - 1) <= 0.01);
 * ```
 */
export function quantileSketchQuantiles(
  sketch: Readonly<QuantileSketch>,
  qs: readonly number[],
): (number | undefined)[] {
  for (const q of qs) {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], found ${q}`);
  }
  if (sketch.count === 0) return qs.map(() => undefined);
  const gamma = gammaOf(sketch.accuracy);
  const bins = binsOf(sketch);
  return qs.map((q) => {
    const rank = q * (sketch.count - 1);
    let seen = sketch.zeros;
    if (seen > rank) return 0;
    for (let i = 0; i < bins.length; i += 2) {
      seen += bins[i + 1]!;
      if (seen > rank) return (2 * gamma ** bins[i]!) / (gamma + 1);
    }
    // Only reached when the counts do not add up to `count`: answer the largest bin.
    return bins.length === 0 ? 0 : (2 * gamma ** bins[bins.length - 2]!) / (gamma + 1);
  });
}

function gammaOf(accuracy: number): number {
  return (1 + accuracy) / (1 - accuracy);
}

// `1 / ln(γ)` of the last accuracy seen: a sketch's accuracy never changes, so this is computed
// once per aggregation rather than once per value.
let multiplierAccuracy = NaN;
let multiplier = NaN;

function indexMultiplier(accuracy: number): number {
  if (accuracy !== multiplierAccuracy) {
    multiplier = 1 / Math.log(gammaOf(accuracy));
    multiplierAccuracy = accuracy;
  }
  return multiplier;
}

/** The sketch's bins as pairs, read only: its own array, or the older object form converted. */
function binsOf(sketch: Readonly<QuantileSketch>): readonly number[] {
  return asPairs(sketch.bins);
}

const add = (mine: number | undefined, other: number) => (mine ?? 0) + other;
const take = (mine: number | undefined, other: number) => (mine ?? 0) - other;
