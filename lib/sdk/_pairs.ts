/**
 * Sorted pair lists: a flat array `[key, value, key, value, ...]` of integers in increasing
 * key, the compact form of a small integer map in plain JSON (sketch bins, HyperLogLog
 * registers). One packed array costs a few bytes per pair, where an object keyed by integers
 * costs well over a hundred per key (a negative key is no array index, and each new set of
 * keys makes V8 a new hidden class; a large positive one makes a dictionary). The list is
 * canonical: the same map gives the same array, whatever the order it was built in.
 *
 * @module
 */

/**
 * Position (even) of the first pair whose key is at or above `key`: binary search.
 *
 * @param pairs A sorted pair list.
 * @param key The key looked for.
 */
export function pairAt(pairs: readonly number[], key: number): number {
  let low = 0;
  let high = pairs.length / 2;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (pairs[2 * middle]! < key) low = middle + 1;
    else high = middle;
  }
  return 2 * low;
}

/**
 * `pairs` with `[key, value]` inserted at `at` (from {@linkcode pairAt}). A short list is
 * copied into a new array of the exact size, since growing it in place would leave spare
 * capacity in each of the many small sketches real time keeps; a long one grows in place.
 *
 * @param pairs A sorted pair list without `key`.
 * @param at Where `key` belongs.
 * @param key The new key.
 * @param value Its value.
 * @returns The list holding the new pair: `pairs` itself, or a new array.
 */
export function insertPair(pairs: number[], at: number, key: number, value: number): number[] {
  if (pairs.length >= 64) {
    pairs.splice(at, 0, key, value);
    return pairs;
  }
  return pairs.slice(0, at).concat(key, value, pairs.slice(at));
}

/**
 * A new sorted pair list from the keys of both lists: a key of `ours` only keeps its value, a
 * key of `theirs` gets `combine(ours value or undefined, theirs value)`; a result of 0 is
 * left out.
 *
 * @param ours A sorted pair list.
 * @param theirs A sorted pair list.
 * @param combine The value of a key `theirs` holds.
 */
export function combinePairs(
  ours: readonly number[],
  theirs: readonly number[],
  combine: (mine: number | undefined, other: number) => number,
): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < ours.length || j < theirs.length) {
    if (j >= theirs.length || (i < ours.length && ours[i]! < theirs[j]!)) {
      out.push(ours[i]!, ours[i + 1]!);
      i += 2;
      continue;
    }
    const same = i < ours.length && ours[i] === theirs[j];
    const value = combine(same ? ours[i + 1]! : undefined, theirs[j + 1]!);
    if (value !== 0) out.push(theirs[j]!, value);
    if (same) i += 2;
    j += 2;
  }
  return out;
}

/**
 * A map stored as a plain object keyed by integers (the older form of sketch state), as a
 * sorted pair list; a pair list is returned as it is.
 *
 * @param stored A pair list, or an object whose keys are integers.
 */
export function asPairs(stored: unknown): readonly number[] {
  if (Array.isArray(stored)) return stored;
  return Object.entries(stored as Record<string, number>)
    .map(([key, value]) => [Number(key), value] as const)
    .sort(([a], [b]) => a - b)
    .flat();
}

/**
 * A pair list that may be changed in place: `stored` itself when it is one, else a new list
 * from the older object form. The caller stores it back.
 *
 * @param stored A pair list, or an object whose keys are integers.
 */
export function ownPairs(stored: unknown): number[] {
  return Array.isArray(stored) ? stored : [...asPairs(stored)];
}
