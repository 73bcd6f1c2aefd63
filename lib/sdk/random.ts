/**
 * A small seeded pseudo-random generator for tests, law checks and benchmarks that must repeat.
 *
 * @module
 */

/**
 * mulberry32: numbers in [0, 1) from a 32-bit seed; the same seed gives the same sequence.
 *
 * @param seed Any integer (taken modulo 2^32).
 * @returns A function returning the next number.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { seededRandom } from "./random.ts";
 * const a = seededRandom(7), b = seededRandom(7);
 * assert.equal(a(), b());
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
