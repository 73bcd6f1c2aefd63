/**
 * The laws every aggregation must obey, as one assertion a plugin's test calls.
 *
 * The runtime splits a window's records over input partitions, processes, restarts and batch
 * runs, stores each part as JSON, and merges the parts in whatever order they arrive. That is
 * only exact when:
 * 1. merging the parts of any split (any records to any part, each part in its own order,
 *    parts merged in any order), each through a JSON round trip, finishes to the same rows as
 *    one pass over all records;
 * 2. `merge(into, other)` neither changes `other`, nor keeps any part of it (later changes to
 *    `other` must not show in the merged state), nor returns it.
 * 3. with a keyed form (`aggregation.keyed`), the same holds key by key: every key's value
 *    stored on its own (one JSON row each), merged per key in any order, finishes to the same
 *    rows, and the keyed `merge` leaves `other` untouched.
 * 4. `finish` only reads the state it is given (real time keeps a window's merged values and
 *    merges only the keys that change into them, then finishes again).
 * 5. with a summary (`aggregation.keyed.summary`), updated with each key as its value grows by
 *    merge (keys in any order, some again at the value they had, each with the value it had at
 *    its last update), it finishes after every flush exactly like the keyed `finish` over the
 *    same values, and in the end like one pass; its update neither changes nor keeps the values
 *    it is lent (see `KeyedSummary`); with `mergeable.fromKeyed`, the summary made from it
 *    equals `toSummary` over the same values and shares nothing with it.
 * 6. with a mergeable part (`aggregation.mergeable`), the parts' summaries, each through JSON,
 *    merged in any order, answer like one pass whenever they say they are exact, and an
 *    estimate (a sketch's) like one window's summary (see `MergeableResult`).
 *
 * @module
 */
import assert from "assert";
import type { Aggregation, KeyedState, ResultRow } from "../contracts.ts";
import type { LogRecord } from "../records.ts";
import { seededRandom } from "./random.ts";
import { deepFreeze, roundTrip, scramble, shuffle } from "./_law_values.ts";
import { addKeyedRecord } from "./keyed.ts";
import { assertSummaryLaw } from "./_summary_law.ts";
import { assertRangeLaw } from "./_range_law.ts";

/** Options of {@linkcode assertAggregationLaws}. */
export interface LawOptions {
  /** How many random splits to try (default 8). */
  splits?: number;
  /** Seed of the splits, so a failure repeats (default 1). */
  seed?: number;
}

/**
 * Asserts the aggregation laws over `records`; throws an `AssertionError` saying which law broke.
 *
 * @param aggregation The aggregation under test, built from validated options.
 * @param records Records of one window; use enough to reach every branch (a few hundred).
 * @param options Number of splits and their seed.
 *
 * @example
 * ```ts
 * import { assertAggregationLaws } from "./conformance.ts";
 * import type { Aggregation, KeyedState, ResultRow } from "../contracts.ts";
 * const count: Aggregation<{ n: number }> = {
 *   shape: { key: { name: "all", type: "text" }, values: [{ name: "n", type: "bigint" }] },
 *   start: () => ({ n: 0 }),
 *   add: (state) => ({ n: state.n + 1 }),
 *   merge: (into, other) => ({ n: into.n + other.n }),
 *   finish: (state) => [{ key: "all", values: { n: state.n } }],
 * };
 * const record = {
 *   timestamp: 0, request_uri: "/", status: 200, body_bytes_sent: 0, request_time: 0,
 *   http_referrer: "-", http_user_agent: "-", remote_addr: "10.0.0.1", method: "GET",
 * };
 * assertAggregationLaws(count, [record, record, record]);
 * ```
 */
export function assertAggregationLaws<S>(
  aggregation: Aggregation<S>,
  records: readonly LogRecord[],
  options: LawOptions = {},
): void {
  const { splits = 8, seed = 1 } = options;
  const onePass = aggregation.finish(addAll(aggregation, records));
  // Law 4: finish only reads its state (the same rows from a frozen copy).
  assert.deepEqual(
    finishReadOnly(() => aggregation.finish(deepFreeze(roundTrip(addAll(aggregation, records))))),
    onePass,
    "law 4: finish must give the same rows from a frozen copy of its state",
  );
  const random = seededRandom(seed);
  for (let split = 0; split < splits; split++) {
    const partCount = 1 + Math.floor(random() * 4);
    const parts: LogRecord[][] = Array.from({ length: partCount }, () => []);
    for (const record of records) parts[Math.floor(random() * partCount)]!.push(record);
    const stored = parts.map((part) => roundTrip(addAll(aggregation, part)));
    shuffle(stored, random);
    let merged = aggregation.start();
    for (const part of stored) merged = checkedMerge(aggregation, merged, part);
    assert.deepEqual(
      aggregation.finish(merged),
      onePass,
      `law 1: merging a split into ${partCount} part(s) (sizes ${
        parts.map((part) => part.length).join(", ")
      }) through JSON must finish like one pass`,
    );
    if (aggregation.keyed !== undefined) {
      assertKeyedSplit(aggregation.keyed, parts, onePass, random);
      const summary = aggregation.keyed.summary;
      if (summary !== undefined) {
        assertSummaryLaw(
          aggregation.keyed,
          summary,
          records,
          onePass,
          random,
          aggregation.mergeable,
        );
      }
    }
    if (aggregation.mergeable !== undefined) {
      assertRangeLaw(aggregation as Aggregation, parts, onePass, random);
    }
  }
}

/** Law 3: the keyed form, one JSON row per key, merged key by key in any order. */
function assertKeyedSplit(
  keyed: KeyedState,
  parts: LogRecord[][],
  onePass: ResultRow[],
  random: () => number,
): void {
  const rows: Array<[string, string]> = [];
  for (const part of parts) {
    const values = new Map<string, unknown>();
    for (const record of part) {
      if (keyed.totalKey !== undefined && keyed.keyOf(record) === keyed.totalKey) {
        assert.fail(
          `law 3: keyOf returned the total key ${JSON.stringify(keyed.totalKey)}; a record ` +
            "adds to the total besides its own key, so keyOf must map it to another key",
        );
      }
      addKeyedRecord(keyed, values, record);
    }
    for (const [key, value] of values) rows.push([key, JSON.stringify(value)]);
  }
  shuffle(rows, random);
  const merged = new Map<string, unknown>();
  for (const [key, text] of rows) {
    const other = deepFreeze(JSON.parse(text));
    let into: unknown;
    try {
      into = keyed.merge(merged.has(key) ? merged.get(key) : keyed.start(), other);
    } catch (error) {
      if (error instanceof TypeError) {
        assert.fail(`law 3: the keyed merge changed its 'other' argument (${error.message})`);
      }
      throw error;
    }
    assert.equal(JSON.stringify(other), text, "law 3: the keyed merge changed 'other'");
    merged.set(key, into);
  }
  // Law 4 (keyed): finish only reads the values; real time keeps them and merges on.
  const frozen = new Map([...merged].map(([key, value]) => [key, deepFreeze(value)]));
  assert.deepEqual(
    finishReadOnly(() => keyed.finish(frozen)),
    onePass,
    `law 3: the keyed form, stored one row per key and merged key by key, must finish like ` +
      `one pass`,
  );
}

/** Runs a finish over frozen values; a change attempt fails law 4 with what it tried. */
function finishReadOnly<T>(finish: () => T): T {
  try {
    return finish();
  } catch (error) {
    if (error instanceof TypeError) {
      assert.fail(`law 4: finish changed the state it was given (${error.message})`);
    }
    throw error;
  }
}

/** One merge, checking that `other` is not returned, changed or kept. */
function checkedMerge<S>(aggregation: Aggregation<S>, into: S, other: S): S {
  const before = JSON.stringify(other);
  const frozen = deepFreeze(roundTrip(other));
  let merged: S;
  try {
    merged = aggregation.merge(roundTrip(into), frozen);
  } catch (error) {
    if (error instanceof TypeError) {
      assert.fail(`law 2: merge changed its 'other' argument (${error.message})`);
    }
    throw error;
  }
  assert.notEqual(merged, frozen, "law 2: merge returned its 'other' argument");

  // Merge again into a fresh copy, then scramble `other`: the merged rows must not move.
  const scrambled = roundTrip(other);
  const result = aggregation.merge(into, scrambled);
  const rows = JSON.stringify(aggregation.finish(result));
  scramble(scrambled);
  assert.equal(
    JSON.stringify(aggregation.finish(result)),
    rows,
    "law 2: merge kept part of its 'other' argument (changing 'other' afterwards changed the result)",
  );
  assert.equal(JSON.stringify(other), before, "law 2: merge changed its 'other' argument");
  return result;
}

function addAll<S>(aggregation: Aggregation<S>, records: readonly LogRecord[]): S {
  let state = aggregation.start();
  for (const record of records) state = aggregation.add(state, record);
  return state;
}
