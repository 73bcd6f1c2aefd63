/**
 * Shares as percentages that every process computes to the same digit.
 *
 * @module
 */

/**
 * `part` as a percent of `whole`, rounded to two decimals; 0 when `whole` is 0. A function of
 * two integers, so every process computes exactly the same number.
 *
 * @param part The count of interest.
 * @param whole The total.
 * @returns The percent, e.g. 33.33.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { percentOf } from "./percent.ts";
 * assert.equal(percentOf(1, 3), 33.33);
 * assert.equal(percentOf(5, 0), 0);
 * ```
 */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part * 10_000) / whole) / 100;
}
