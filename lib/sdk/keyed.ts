/**
 * `keyedAggregation`: one definition of an aggregation whose state is a map from key to value,
 * giving both the keyed form the real-time loop stores row by row and the whole-state form the
 * batch job and the conformance check use, so the two cannot disagree; `keyedCounts`, the one
 * whose value is a count of records per key; and `finishFromSummary`, a `finish` made from a
 * summary (`KeyedSummary`) so that the two cannot disagree either.
 *
 * @module
 */
import type {
  Aggregation,
  KeyedState,
  KeyedSummary,
  ResultRow,
  ResultShape,
} from "../contracts.ts";
import type { LogRecord } from "../records.ts";

/**
 * What {@linkcode keyedAggregation} needs: the keyed functions (with an optional `summary`, see
 * {@linkcode KeyedSummary}) plus the row shape.
 */
export interface KeyedAggregationSpec<V, M = unknown> extends KeyedState<V, M> {
  /** Shape of finished rows. */
  shape: ResultShape;
}

/** The whole-state form of a keyed aggregation: a plain JSON object from key to value. */
export type KeyedValues<V> = Record<string, V>;

/**
 * Builds an aggregation from its keyed form.
 *
 * @param spec The keyed functions and row shape.
 * @returns An aggregation whose state is `{ [key]: value }` and whose `keyed` is `spec`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { keyedAggregation } from "./keyed.ts";
 * const hitsPerMethod = keyedAggregation<number>({
 *   shape: { key: { name: "method", type: "text" }, values: [{ name: "hits", type: "bigint" }] },
 *   keyOf: (record) => record.method,
 *   start: () => 0,
 *   add: (hits) => hits + 1,
 *   merge: (into, other) => into + other,
 *   finish: (values) => [...values].map(([method, hits]) => ({ key: method, values: { hits } })),
 * });
 * const record = {
 *   timestamp: 0, request_uri: "/", status: 200, body_bytes_sent: 0, request_time: 0,
 *   http_referrer: "-", http_user_agent: "-", remote_addr: "10.0.0.1", method: "GET",
 * };
 * const state = hitsPerMethod.add(hitsPerMethod.add(hitsPerMethod.start(), record), record);
 * assert.deepEqual(hitsPerMethod.finish(state), [{ key: "GET", values: { hits: 2 } }]);
 * ```
 */
export function keyedAggregation<V, M = unknown>(
  spec: KeyedAggregationSpec<V, M>,
): Aggregation<KeyedValues<V>> {
  const keyed: KeyedState<V, M> = {
    keyOf: spec.keyOf,
    start: spec.start,
    add: spec.add,
    merge: spec.merge,
    finish: spec.finish,
  };
  // Real time finishes from the summary, batch from `finish`: the law check holds them equal.
  if (spec.summary !== undefined) keyed.summary = spec.summary;
  if (spec.totalKey !== undefined) keyed.totalKey = spec.totalKey;
  const addTo = (state: KeyedValues<V>, key: string, record: LogRecord): void =>
    setValue(state, key, spec.add(Object.hasOwn(state, key) ? state[key]! : spec.start(), record));
  return {
    shape: spec.shape,
    keyed: keyed as KeyedState,
    start: () => ({}),
    add(state: KeyedValues<V>, record: LogRecord) {
      const key = spec.keyOf(record);
      if (key !== undefined) {
        addTo(state, key, record);
        if (spec.totalKey !== undefined) addTo(state, spec.totalKey, record);
      }
      return state;
    },
    merge(into: KeyedValues<V>, other: KeyedValues<V>) {
      for (const [key, value] of Object.entries(other)) {
        // A fresh value merged with `other`'s, so nothing of `other` is kept or changed.
        const mine = Object.hasOwn(into, key) ? into[key]! : spec.start();
        setValue(into, key, spec.merge(mine, value));
      }
      return into;
    },
    finish: (state: KeyedValues<V>): ResultRow[] => spec.finish(new Map(Object.entries(state))),
  };
}

/**
 * Adds a record to keyed values the way real time and batch do: to the value of its key and,
 * when the keyed form has a total key, to the total's; nothing when `keyOf` skips it. For
 * checks and tools that build a keyed form's values from records.
 *
 * @param keyed The keyed form.
 * @param values Values by key; changed in place.
 * @param record The record to add.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { addKeyedRecord } from "./keyed.ts";
 * const perMethod = {
 *   keyOf: (record: { method: string }) => record.method,
 *   totalKey: "*",
 *   start: () => 0,
 *   add: (hits: number) => hits + 1,
 * };
 * const values = new Map<string, number>();
 * addKeyedRecord(perMethod, values, { method: "GET" });
 * addKeyedRecord(perMethod, values, { method: "POST" });
 * assert.deepEqual([...values], [["GET", 1], ["*", 2], ["POST", 1]]);
 * ```
 */
export function addKeyedRecord<V, R>(
  keyed: {
    keyOf(record: R): string | undefined;
    totalKey?: string;
    start(): V;
    add(value: V, record: R): V;
  },
  values: Map<string, V>,
  record: R,
): void {
  const key = keyed.keyOf(record);
  if (key === undefined) return;
  for (const k of keyed.totalKey === undefined ? [key] : [key, keyed.totalKey]) {
    values.set(k, keyed.add(values.has(k) ? values.get(k)! : keyed.start(), record));
  }
}

/** Sets a property safely for any key, `__proto__` included. */
function setValue<V>(state: KeyedValues<V>, key: string, value: V): void {
  if (key === "__proto__") {
    Object.defineProperty(state, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else state[key] = value;
}

/**
 * What {@linkcode keyedCounts} needs: which key a record counts for, the rows, and optionally a
 * summary of the counts (see {@linkcode KeyedSummary}).
 */
export type KeyedCountsSpec<M = unknown> = Pick<
  KeyedAggregationSpec<number, M>,
  "shape" | "keyOf" | "totalKey" | "finish" | "summary"
>;

/**
 * Builds an aggregation that counts records per key: {@linkcode keyedAggregation} with its
 * value fixed to a count (start 0, add 1, merge by sum), so the state is `{ [key]: count }`.
 *
 * @param spec The row shape, the key each record counts for (undefined skips it) and the rows
 * made from the counts.
 * @returns An aggregation whose state is `{ [key]: count }`, with its keyed form.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { keyedCounts } from "./keyed.ts";
 * const hitsPerMethod = keyedCounts({
 *   shape: { key: { name: "method", type: "text" }, values: [{ name: "hits", type: "bigint" }] },
 *   keyOf: (record) => record.method,
 *   finish: (counts) => [...counts].map(([method, hits]) => ({ key: method, values: { hits } })),
 * });
 * const record = {
 *   timestamp: 0, request_uri: "/", status: 200, body_bytes_sent: 0, request_time: 0,
 *   http_referrer: "-", http_user_agent: "-", remote_addr: "10.0.0.1", method: "GET",
 * };
 * const state = hitsPerMethod.add(hitsPerMethod.add(hitsPerMethod.start(), record), record);
 * assert.deepEqual(state, { GET: 2 });
 * assert.deepEqual(hitsPerMethod.finish(state), [{ key: "GET", values: { hits: 2 } }]);
 * ```
 */
export function keyedCounts<M = unknown>(
  spec: KeyedCountsSpec<M>,
): Aggregation<KeyedValues<number>> {
  return keyedAggregation<number, M>({
    shape: spec.shape,
    keyOf: spec.keyOf,
    start: () => 0,
    add: (count) => count + 1,
    merge: (into, other) => into + other,
    finish: spec.finish,
    summary: spec.summary,
    totalKey: spec.totalKey,
  });
}

/**
 * A keyed `finish` made from a summary: the summary of every key, each updated once. Its rows
 * are the summary's by construction, so an aggregation that writes its rows once, in the
 * summary, gets a `finish` that cannot disagree with it (the law check still runs the summary
 * through updates in every order). It costs what the summary's updates cost, for every key.
 *
 * @param summary The summary.
 * @returns A `finish` for the keyed form.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { finishFromSummary } from "./keyed.ts";
 * // The busiest key, kept as each key's count is updated (counts only grow).
 * const busiest = {
 *   start: () => ({ key: "", count: 0 }),
 *   update(top: { key: string; count: number }, key: string, count: number) {
 *     const better = count > top.count || (count === top.count && count > 0 && key < top.key);
 *     return better || key === top.key ? { key, count } : top;
 *   },
 *   finish: (top: { key: string; count: number }) =>
 *     top.count === 0 ? [] : [{ key: top.key, values: { hits: top.count } }],
 * };
 * const finish = finishFromSummary(busiest);
 * assert.deepEqual(finish(new Map([["/a", 2], ["/b", 5]])), [{ key: "/b", values: { hits: 5 } }]);
 * ```
 */
export function finishFromSummary<V, M>(
  summary: KeyedSummary<V, M>,
): (values: ReadonlyMap<string, V>) => ResultRow[] {
  return (values) => {
    let state = summary.start();
    for (const [key, value] of values) state = summary.update(state, key, value, undefined);
    return summary.finish(state);
  };
}
