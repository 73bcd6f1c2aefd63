/**
 * The K best keys by a count that only grows, kept as counts are offered one key at a time:
 * what a ranked list's summary needs from a window of a million keys without a pass over them.
 *
 * Why it stays exact: a key's count only grows, so a key that is not among the K best stays out
 * until it is offered again at a higher count, and the K-th best count only rises. So the kept
 * keys are always the K best of every key offered so far (count, then key in code-unit order,
 * as `topOfMap` ranks).
 *
 * How it stays cheap: the kept keys and their counts are a `Map`, and (for a finite K) the same
 * keys in rank order, an array of `[count, key]` best first. An offer finds a key's place by
 * binary search and moves it there (O(log K) comparisons and one move of at most K entries).
 * Results read the ranking at every flush, so keeping it in order as keys change costs less than
 * sorting it for each result (which `fromKeyed` did: 3.7% of the core aggregations' time).
 * Invariants: `ranked` holds exactly the entries of `kept`, best first, with no duplicate.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { bestKeys, bestKeysOffer, bestKeysRanked } from "./best_keys.ts";
 * const best = bestKeys(2);
 * for (const [key, count] of [["/a", 1], ["/b", 1], ["/c", 3], ["/a", 2]] as const) {
 *   bestKeysOffer(best, key, count);
 * }
 * assert.deepEqual(bestKeysRanked(best), [[3, "/c"], [2, "/a"]]);
 * ```
 *
 * @module
 */

/** The K best keys offered so far; read `kept` only, change it through the functions here. */
export interface BestKeys {
  /** How many keys are kept (K); `Infinity` keeps every key. */
  readonly keep: number;
  /** The kept keys and their counts. */
  readonly kept: Map<string, number>;
  /** With a finite `keep`: the kept keys as `[count, key]`, best first (else empty). */
  readonly ranked: Array<[number, string]>;
}

/**
 * An empty set of best keys.
 *
 * @param keep How many keys to keep: an integer >= 1, or `Infinity`.
 * @returns No key kept.
 * @throws RangeError when `keep` is neither.
 */
export function bestKeys(keep: number): BestKeys {
  if (keep !== Infinity && (!Number.isInteger(keep) || keep < 1)) {
    throw new RangeError(`best keys keep an integer >= 1 or Infinity keys, found ${keep}`);
  }
  return { keep, kept: new Map(), ranked: [] };
}

/**
 * Offers `key` at `count`: it is kept when among the K best.
 *
 * @param best The best keys to change.
 * @param key The key.
 * @param count Its count, never below one it was offered at before.
 * @returns The same `best`.
 */
export function bestKeysOffer(best: BestKeys, key: string, count: number): BestKeys {
  const { kept, ranked } = best;
  const was = kept.get(key);
  if (was === count) return best;
  if (best.keep === Infinity) {
    kept.set(key, count);
    return best;
  }
  if (was !== undefined) {
    ranked.splice(placeOf(ranked, was, key), 1);
  } else if (kept.size === best.keep) {
    const worst = ranked[ranked.length - 1]!;
    if (!ranksBefore(count, key, worst[0], worst[1])) return best;
    ranked.pop();
    kept.delete(worst[1]);
  }
  kept.set(key, count);
  ranked.splice(placeOf(ranked, count, key), 0, [count, key]);
  return best;
}

/**
 * The kept keys as `[count, key]`, best first (a higher count, then the lower key in code-unit
 * order).
 *
 * @param best The best keys.
 * @returns With a finite K, the ranking itself (read it, never change it; O(1)); with
 *   `Infinity`, a sorted copy (O(K log K)).
 */
export function bestKeysRanked(best: BestKeys): ReadonlyArray<readonly [number, string]> {
  if (best.keep !== Infinity) return best.ranked;
  const ranked: Array<[number, string]> = [];
  for (const [key, count] of best.kept) ranked.push([count, key]);
  return ranked.sort((a, b) => ranksBefore(a[0], a[1], b[0], b[1]) ? -1 : 1);
}

/** Whether `key` at `count` ranks before `otherKey` at `otherCount`. */
function ranksBefore(count: number, key: string, otherCount: number, otherKey: string): boolean {
  return count > otherCount || (count === otherCount && key < otherKey);
}

/** The index of the first entry of `ranked` that `key` at `count` does not rank after. */
function placeOf(ranked: ReadonlyArray<readonly [number, string]>, count: number, key: string) {
  let low = 0;
  let high = ranked.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const [otherCount, otherKey] = ranked[middle]!;
    if (ranksBefore(otherCount, otherKey, count, key)) low = middle + 1;
    else high = middle;
  }
  return low;
}
