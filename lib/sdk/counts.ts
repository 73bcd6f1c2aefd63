/**
 * Counting maps for aggregation state: plain JSON objects from key to count, safe for any key
 * a log line can carry (including `__proto__`, which a plain assignment would swallow).
 *
 * @module
 */

/** Counts by key; a plain object so it survives a JSON round trip unchanged. */
export type Counts = Record<string, number>;

/**
 * Adds `by` to the count of `key`, creating it when missing.
 *
 * @param counts The map to change.
 * @param key Any string, `__proto__` included.
 * @param by Amount to add (default 1).
 * @returns The same `counts`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { addCount } from "./counts.ts";
 * const counts = addCount(addCount({}, "/a"), "__proto__", 2);
 * assert.deepEqual(Object.entries(counts), [["/a", 1], ["__proto__", 2]]);
 * ```
 */
export function addCount(counts: Counts, key: string, by = 1): Counts {
  const value = (Object.hasOwn(counts, key) ? counts[key] ?? 0 : 0) + by;
  if (key === "__proto__") {
    Object.defineProperty(counts, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else counts[key] = value;
  return counts;
}

/**
 * Adds every count of `other` into `into`. Reads `other` only: it is neither changed nor kept.
 *
 * @param into The map to change.
 * @param other Counts to add.
 * @returns `into`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { mergeCounts } from "./counts.ts";
 * assert.deepEqual(mergeCounts({ a: 1 }, { a: 2, b: 1 }), { a: 3, b: 1 });
 * ```
 */
export function mergeCounts(into: Counts, other: Readonly<Counts>): Counts {
  for (const [key, count] of Object.entries(other)) addCount(into, key, count);
  return into;
}

/**
 * The `n` largest counts, largest first; ties broken by key in code-unit order, so the result
 * is deterministic whatever order the counts were made in.
 *
 * @param counts Counts to rank.
 * @param n How many entries to keep (all when omitted).
 * @returns `[key, count]` pairs.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { topCounts } from "./counts.ts";
 * assert.deepEqual(topCounts({ b: 2, a: 2, c: 5 }, 2), [["c", 5], ["a", 2]]);
 * ```
 */
export function topCounts(counts: Readonly<Counts>, n?: number): [string, number][] {
  const sorted = Object.entries(counts).sort(([keyA, a], [keyB, b]) =>
    b - a || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0)
  );
  return n === undefined ? sorted : sorted.slice(0, n);
}

/**
 * The `n` largest counts of a map, largest first, ties broken by key in code-unit order: the
 * same ranking as {@linkcode topCounts}, in one pass that keeps only `n` entries, so ranking a
 * window of a million keys costs a scan, not a sort.
 *
 * @param counts Counts to rank.
 * @param n How many entries to keep.
 * @returns `[key, count]` pairs.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { topOfMap } from "./counts.ts";
 * assert.deepEqual(topOfMap(new Map([["b", 2], ["a", 2], ["c", 5]]), 2), [["c", 5], ["a", 2]]);
 * ```
 */
export function topOfMap(counts: ReadonlyMap<string, number>, n: number): [string, number][] {
  const top: [string, number][] = [];
  const before = (a: [string, number], b: [string, number]) =>
    a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  for (const entry of counts) {
    if (top.length === n && !before(entry, top[n - 1]!)) continue;
    let low = 0;
    let high = top.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(top[middle]!, entry)) low = middle + 1;
      else high = middle;
    }
    top.splice(low, 0, [entry[0], entry[1]]);
    if (top.length > n) top.pop();
  }
  return top;
}
