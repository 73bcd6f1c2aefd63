/**
 * `where:` on an aggregation entry: the aggregation sees only the records that meet the
 * condition. It wraps the aggregation once, when the pipeline is built, so real time and
 * batch (which run the same functions) apply the same segment.
 *
 * A record that does not match is still part of its window's records (`window_records`
 * counts every record of the source in the window, as for records an aggregation skips on
 * its own), so real time and batch agree on coverage.
 *
 * @module
 */
import type { Aggregation, KeyedState } from "../contracts.ts";
import type { LogRecord } from "../records.ts";

/**
 * An aggregation that adds only the records `test` accepts.
 *
 * @param aggregation The aggregation built from its options.
 * @param test The compiled `where:` condition.
 * @returns The same aggregation, skipping the records `test` rejects, in both forms.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { withWhere } from "./where.ts";
 * import type { Aggregation } from "../contracts.ts";
 * const count: Aggregation<number> = {
 *   shape: { key: { name: "all", type: "text" }, values: [{ name: "n", type: "bigint" }] },
 *   start: () => 0,
 *   add: (n) => n + 1,
 *   merge: (a, b) => a + b,
 *   finish: (n) => [{ key: "all", values: { n } }],
 * };
 * const mobile = withWhere(count as Aggregation, (record) => record.device === "mobile");
 * const state = mobile.add(mobile.add(mobile.start(), { timestamp: 0, device: "mobile" }),
 *   { timestamp: 0, device: "desktop" });
 * assert.deepEqual(mobile.finish(state), [{ key: "all", values: { n: 1 } }]);
 * ```
 */
export function withWhere(
  aggregation: Aggregation,
  test: (record: LogRecord) => boolean,
): Aggregation {
  const keyed: KeyedState | undefined = aggregation.keyed === undefined ? undefined : {
    ...aggregation.keyed,
    keyOf: (record) => test(record) ? aggregation.keyed!.keyOf(record) : undefined,
  };
  return {
    ...aggregation,
    add: (state, record) => test(record) ? aggregation.add(state, record) : state,
    ...(keyed === undefined ? {} : { keyed }),
  };
}
