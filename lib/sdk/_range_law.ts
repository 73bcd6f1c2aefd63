/**
 * Law 6 of `assertAggregationLaws`: windows merged by their mergeable summaries answer as one
 * window over all their records would.
 *
 * @module
 */
import assert from "assert";
import type { Aggregation, MergeableResult, ResultRow } from "../contracts.ts";
import type { LogRecord } from "../records.ts";
import { roundTrip, shuffle } from "./_law_values.ts";

/**
 * Asserts law 6 for one split of a window's records into parts, each part standing for a window:
 * each part's summary, stored as JSON and merged in any order (`mergeSummaries` leaving its
 * `other` unchanged), gives `onePass` when the answer says it is exact; a sketch's estimate
 * (`relativeError`) gives exactly the answer of one window's summary, as a sketch's merge is
 * exact. Other answers that are not exact (a ranked list cut, sums of windows that each cut
 * what crosses their edges) are only checked for leaving `other` unchanged.
 *
 * @param aggregation The aggregation, with its `mergeable` part.
 * @param parts The records of each part.
 * @param onePass The rows of one pass over every record.
 * @param random The split's random source.
 */
export function assertRangeLaw(
  aggregation: Aggregation,
  parts: readonly LogRecord[][],
  onePass: ResultRow[],
  random: () => number,
): void {
  const mergeable = aggregation.mergeable as MergeableResult;
  const summaryOf = (records: readonly LogRecord[]) => {
    let state = aggregation.start();
    for (const record of records) state = aggregation.add(state, record);
    const values = aggregation.keyed === undefined
      ? new Map([["", state]])
      : new Map(Object.entries(state as Record<string, unknown>));
    return roundTrip(mergeable.toSummary(values));
  };
  const summaries = parts.map(summaryOf);
  shuffle(summaries, random);
  let merged = mergeable.emptySummary();
  for (const summary of summaries) {
    const before = JSON.stringify(summary);
    merged = mergeable.mergeSummaries(merged, summary);
    assert.equal(JSON.stringify(summary), before, "law 6: mergeSummaries changed its 'other'");
  }
  const answer = mergeable.finishRange(roundTrip(merged));
  if (answer.exact) {
    assert.deepEqual(
      answer.rows,
      onePass,
      `law 6: windows merged by their summaries (${parts.length}) must, when exact, ` +
        "finish like one pass",
    );
  } else if (answer.relativeError !== undefined) {
    assert.deepEqual(
      answer,
      mergeable.finishRange(summaryOf(parts.flat())),
      "law 6: an estimate from merged summaries must equal that of one window's summary",
    );
  }
}
