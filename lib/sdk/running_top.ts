/**
 * A running top N, for a keyed summary (`KeyedSummary`) that ranks keys by a score that only
 * grows (visits, requests, clicks): the N best keys, highest score first, ties by key in
 * code-unit order (the order of `topOfMap`), kept as keys are offered one at a time, so that a
 * result ranks the keys that changed instead of sorting every key of the window.
 *
 * Why it is exact: a key outside the top ranked below each of the N kept when it was last
 * offered, and their scores only rose since, so it still ranks below them until it is offered
 * again. The top after an offer is therefore the best N of the top before and the key offered.
 * With a score that can fall, it is not: keep every key's score and scan them (`topOfMap`).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { runningTop, runningTopOffer } from "./running_top.ts";
 * const top = runningTop<string>(2);
 * runningTopOffer(top, "/a", 3, () => "row of /a");
 * runningTopOffer(top, "/b", 1, () => "row of /b");
 * runningTopOffer(top, "/c", 2, () => "row of /c"); // /b drops out
 * runningTopOffer(top, "/b", 5, () => "row of /b"); // /b grew: first, and /c drops out
 * assert.deepEqual(top.entries.map((entry) => [entry.key, entry.score]), [["/b", 5], ["/a", 3]]);
 * ```
 *
 * @module
 */

/** A key kept in a running top, with what its row needs (derived when it was offered). */
export interface RankedEntry<R> {
  /** The key. */
  key: string;
  /** Its score when last offered. */
  score: number;
  /** What its row needs, derived from its value when last offered. */
  row: R;
}

/** The N best keys offered so far. */
export interface RunningTop<R> {
  /** How many keys to keep. */
  readonly n: number;
  /** The kept keys, best first. */
  entries: RankedEntry<R>[];
}

/**
 * An empty running top.
 *
 * @param n How many keys to keep (at least 1).
 * @returns The top.
 * @throws RangeError when `n` is not an integer of at least 1.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { runningTop } from "./running_top.ts";
 * assert.deepEqual(runningTop(10).entries, []);
 * ```
 */
export function runningTop<R>(n: number): RunningTop<R> {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`a running top keeps an integer n >= 1 keys, found ${n}`);
  }
  return { n, entries: [] };
}

/**
 * Offers `key` at `score`: it is kept when among the N best, with the row `row` derives.
 *
 * @param top The top to change.
 * @param key The key.
 * @param score Its score, never below one it was offered at before (offering it again at the
 *   same score, e.g. because other figures of its row changed, is fine).
 * @param row Derives what the key's row needs; called only when the key is kept, so a costly
 *   figure (a sketch's estimate) is computed for the top only. It must not return a part of a
 *   value the summary is lent.
 * @returns The same `top`. Costs O(N).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { runningTop, runningTopOffer } from "./running_top.ts";
 * const top = runningTop<number>(1);
 * runningTopOffer(top, "/b", 4, () => 40);
 * runningTopOffer(top, "/a", 4, () => 41); // a tie: the key first in code-unit order wins
 * assert.deepEqual(top.entries, [{ key: "/a", score: 4, row: 41 }]);
 * ```
 */
export function runningTopOffer<R>(
  top: RunningTop<R>,
  key: string,
  score: number,
  row: () => R,
): RunningTop<R> {
  const entries = top.entries;
  const at = entries.findIndex((entry) => entry.key === key);
  if (at >= 0) entries.splice(at, 1);
  else if (entries.length === top.n && !ranksBefore(key, score, entries[top.n - 1]!)) return top;
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = entries[middle]!;
    if (ranksBefore(entry.key, entry.score, { key, score })) low = middle + 1;
    else high = middle;
  }
  entries.splice(low, 0, { key, score, row: row() });
  if (entries.length > top.n) entries.pop();
  return top;
}

/** Whether `key` at `score` ranks before `other`: a higher score, or as high and a lower key. */
function ranksBefore(key: string, score: number, other: { key: string; score: number }): boolean {
  return score > other.score || (score === other.score && key < other.key);
}
