/**
 * Sums over keys whose parts change: each key's part (a few numbers) as last set, and the sums of
 * every key's part, kept exact by taking out a key's old part when its new one is set. A keyed
 * summary uses it to total a window from the keys that changed only (sessions per visit,
 * requests per address).
 *
 * The parts live in one flat list of numbers, a slot of `width` per key, because a window can
 * hold a million keys: in V8 a small array per key costs 64 to 80 bytes, where its numbers in
 * one list cost 8 bytes each.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { partSums, partSumsSet } from "./part_sums.ts";
 * const sums = partSums(2);
 * partSumsSet(sums, "a", [3, 1]);
 * partSumsSet(sums, "b", [5, 0]);
 * partSumsSet(sums, "a", [4, 2]); // a grew: its old part comes out first
 * assert.deepEqual(sums.totals, [9, 2]);
 * assert.equal(sums.slots.size, 2);
 * ```
 *
 * @module
 */

/** Each key's part as last set, and the sums of all parts. */
export interface PartSums {
  /** Numbers in a part. */
  readonly width: number;
  /** Where each key's part starts in `parts`. */
  readonly slots: Map<string, number>;
  /** The parts, `width` numbers from each key's slot. */
  readonly parts: number[];
  /** The sums of every key's part, number by number. */
  readonly totals: number[];
}

/**
 * New, empty sums of parts of `width` numbers.
 *
 * @param width Numbers in each key's part (an integer >= 1).
 * @returns Sums with no key, totals all 0.
 * @throws RangeError when `width` is not an integer >= 1.
 */
export function partSums(width: number): PartSums {
  if (!Number.isInteger(width) || width < 1) {
    throw new RangeError(`part sums need an integer width >= 1, found ${width}`);
  }
  return { width, slots: new Map(), parts: [], totals: new Array<number>(width).fill(0) };
}

/**
 * Sets `key`'s part to `part`: the totals lose the key's part as last set (none the first time)
 * and gain the new one.
 *
 * @param sums The sums to change.
 * @param key The key whose part this is.
 * @param part Its part now, `sums.width` numbers (read only, not kept).
 * @returns The same `sums`.
 * @throws RangeError when `part` does not have `sums.width` numbers.
 */
export function partSumsSet(sums: PartSums, key: string, part: readonly number[]): PartSums {
  const { width, parts, totals } = sums;
  if (part.length !== width) {
    throw new RangeError(`parts of these sums have ${width} numbers, found ${part.length}`);
  }
  let slot = sums.slots.get(key);
  if (slot === undefined) {
    sums.slots.set(key, slot = parts.length);
    for (let i = 0; i < width; i++) parts.push(0);
  }
  for (let i = 0; i < width; i++) {
    totals[i]! += part[i]! - parts[slot + i]!;
    parts[slot + i] = part[i]!;
  }
  return sums;
}
