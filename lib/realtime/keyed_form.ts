/**
 * The keyed form the real-time loop runs for any aggregation: its own when it has one, else
 * its whole state as the value of one key, so one storage path serves both.
 *
 * @module
 */
import type { Aggregation, KeyedState } from "../contracts.ts";

/** The key under which an aggregation without a keyed form keeps its whole state. */
export const WHOLE_STATE_KEY = "";

/**
 * The keyed form of `aggregation`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { keyedFormOf } from "./keyed_form.ts";
 * import type { Aggregation } from "../contracts.ts";
 * const count: Aggregation<number> = {
 *   shape: { key: { name: "all", type: "text" }, values: [{ name: "n", type: "bigint" }] },
 *   start: () => 0,
 *   add: (n: number) => n + 1,
 *   merge: (a: number, b: number) => a + b,
 *   finish: (n: number) => [{ key: "all", values: { n } }],
 * };
 * const total = keyedFormOf(count as Aggregation);
 * assert.deepEqual(total.finish(new Map([["", 3]])), [{ key: "all", values: { n: 3 } }]);
 * ```
 */
export function keyedFormOf(aggregation: Aggregation): KeyedState {
  if (aggregation.keyed !== undefined) return aggregation.keyed;
  return {
    keyOf: () => WHOLE_STATE_KEY,
    start: () => aggregation.start(),
    add: (state, record) => aggregation.add(state, record),
    merge: (into, other) => aggregation.merge(into, other),
    finish: (values) =>
      aggregation.finish(
        values.has(WHOLE_STATE_KEY) ? values.get(WHOLE_STATE_KEY) : aggregation.start(),
      ),
  };
}
