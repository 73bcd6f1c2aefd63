/**
 * A mergeable summary of counts per key (`MergeableResult`), for aggregations whose rows rank
 * or list keys by a count (top pages, status codes, a breakdown): each window keeps its K best
 * keys with their counts, the largest count it cut and its total; windows merge by adding
 * counts, and a ranked answer over a range says whether the cut counts could change it.
 *
 * Why the bound holds: a window lists its K best keys exactly, so a key it did not list has
 * at most the count `cut` of the best key it cut. Over several windows, a key listed in some
 * and not in others has at least the sum of its listed counts, and at most that plus the `cut`
 * of each window that did not list it (its `bound`); a key listed nowhere has at most the sum
 * of every window's `cut`. So the rows ranked by the known counts are exactly those of one
 * window over the range when every row shown has bound 0 and the last row shown outranks the
 * best any other key could reach.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { rangeCounts } from "./range_counts.ts";
 * const top = rangeCounts({
 *   keep: 2,
 *   finish: (counts) =>
 *     [...counts].sort((a, b) => b[1] - a[1]).slice(0, 1)
 *       .map(([key, visits]) => ({ key, values: { visits } })),
 *   totals: (total) => ({ pageviews: total }),
 * });
 * const monday = top.toSummary(new Map([["/a", 5], ["/b", 3], ["/c", 1]]));
 * const tuesday = top.toSummary(new Map([["/a", 2], ["/c", 4]]));
 * const week = top.mergeSummaries(top.mergeSummaries(top.emptySummary(), monday), tuesday);
 * const answer = top.finishRange(week);
 * assert.deepEqual(answer.rows, [{ key: "/a", values: { visits: 7 } }]);
 * assert.equal(answer.exact, true); // /b and /c reach at most 3 + 0 and 4 + 1
 * assert.deepEqual(answer.totals, { pageviews: 15 });
 * ```
 *
 * @module
 */
import type { KeyedSummary, MergeableResult, RangeAnswer, ResultRow } from "../contracts.ts";
import { type BestKeys, bestKeys, bestKeysOffer, bestKeysRanked } from "./best_keys.ts";
import { topOfMap } from "./counts.ts";
import { type PartSums, partSums, partSumsSet } from "./part_sums.ts";

/** A range's counts: `[key, count, bound]` (bound: how much the count may be low). */
export interface CountsSummary {
  /** Listed keys: count known, plus at most `bound` more. */
  keys: Array<[key: string, count: number, bound: number]>;
  /** The most any key not listed may have counted. */
  cut: number;
  /** Every record counted, cut keys included. */
  total: number;
}

/** What {@linkcode rangeCounts} needs. */
export interface RangeCountsSpec {
  /** How many keys a summary keeps (K); `Infinity` keeps every key. */
  keep: number;
  /**
   * The rows from counts per key (the plugin's own `finish` of its keyed counts). `total`, the
   * sum of every count, is given when `counts` may hold only some keys: the best ones, for a
   * ranked list (see `ranked`), or a range's listed keys.
   */
  finish(counts: ReadonlyMap<string, number>, total?: number): ResultRow[];
  /**
   * How many leading rows form the ranked list whose exactness is judged (the `n` of a top
   * N); every row when absent. With it, `finish` must give the same rows from the `keep` best
   * keys and the total as from every key (so {@linkcode countsWindow} finishes from those).
   */
  ranked?: number;
  /** The headline figures from the total counted. */
  totals?(total: number, counts: ReadonlyMap<string, number>): Record<string, number>;
}

/**
 * The mergeable part of a counting aggregation.
 *
 * @param spec How many keys to keep and how to make rows of counts.
 * @returns A {@linkcode MergeableResult} over {@linkcode CountsSummary}.
 */
export function rangeCounts(spec: RangeCountsSpec): MergeableResult<CountsSummary, CountsWindow> {
  return {
    emptySummary: () => ({ keys: [], cut: 0, total: 0 }),
    fromKeyed(window) {
      const ranked = bestKeysRanked(window.best);
      const listed = Math.min(ranked.length, spec.keep);
      const keys: CountsSummary["keys"] = new Array(listed);
      for (let i = 0; i < listed; i++) keys[i] = [ranked[i]![1], ranked[i]![0], 0];
      const cut = ranked.length > spec.keep ? ranked[spec.keep]![0] : 0;
      return { keys, cut, total: totalOf(window) };
    },
    toSummary(values) {
      const counts = new Map<string, number>();
      let total = 0;
      for (const [key, value] of values) {
        if (typeof value !== "number") continue;
        counts.set(key, value);
        total += value;
      }
      // Real time makes a summary every few seconds: a scan keeping K + 1, not a sort of every key.
      const best = counts.size <= spec.keep ? [...counts] : topOfMap(counts, spec.keep + 1);
      const cut = best.length > spec.keep ? best.pop()![1] : 0;
      return trim({ keys: best.map(([key, count]) => [key, count, 0]), cut, total }, spec.keep);
    },
    mergeSummaries(into, other) {
      // Each key: the counts both list, plus the other's `cut` where one does not list it.
      const theirs = new Map(other.keys.map((entry) => [entry[0], entry]));
      const mine = new Map<string, [string, number, number]>();
      for (const [key, count, bound] of into.keys) {
        const their = theirs.get(key);
        mine.set(
          key,
          their === undefined
            ? [key, count, bound + other.cut]
            : [key, count + their[1], bound + their[2]],
        );
      }
      for (const [key, count, bound] of other.keys) {
        if (!mine.has(key)) mine.set(key, [key, count, bound + into.cut]);
      }
      return trim(
        { keys: [...mine.values()], cut: into.cut + other.cut, total: into.total + other.total },
        spec.keep,
      );
    },
    finishRange(summary): RangeAnswer {
      const counts = new Map(summary.keys.map(([key, count]) => [key, count]));
      const rows = spec.finish(counts, summary.total);
      const bounds = new Map(summary.keys.map(([key, , bound]) => [key, bound]));
      const ranked = rows.slice(0, spec.ranked ?? rows.length);
      const shown = new Set(ranked.map((row) => String(row.key)));
      let exact = true;
      let lowest = Infinity;
      for (const row of ranked) {
        const key = String(row.key);
        if ((bounds.get(key) ?? 0) > 0) exact = false;
        lowest = Math.min(lowest, counts.get(key) ?? 0);
      }
      // The best any key not shown could reach: listed ones with their bound, others `cut`.
      let reach = summary.cut;
      for (const [key, count, bound] of summary.keys) {
        if (!shown.has(key)) reach = Math.max(reach, count + bound);
      }
      if (summary.cut > 0 && !(lowest > reach)) exact = false;
      // Fewer rows than ranked while keys were cut: a cut key may belong among them.
      if (summary.cut > 0 && spec.ranked !== undefined && ranked.length < spec.ranked) {
        exact = false;
      }
      let errorBound = summary.cut;
      for (const [, , bound] of summary.keys) errorBound = Math.max(errorBound, bound);
      return {
        rows,
        exact,
        ...(exact ? {} : { errorBound }),
        totals: spec.totals?.(summary.total, counts) ?? {},
      };
    },
  };
}

/**
 * A window's counts as real time keeps them between results: each key's latest count (for the
 * total) and the `keep + 1` best keys (the summary's K and the best one it cuts).
 */
export interface CountsWindow {
  /** Every counted key's latest count, and their sum. */
  sums: PartSums;
  /** The best keys. */
  best: BestKeys;
}

/**
 * The keyed summary ({@linkcode KeyedSummary}) of a counting aggregation whose mergeable part
 * is {@linkcode rangeCounts} with the same `spec`: it finishes the window's rows from the best
 * keys and the total, and `rangeCounts(spec).fromKeyed` makes the window's range summary from
 * it, so neither reads every key of the window again. Use it as the keyed form's `summary`.
 *
 * @param spec The spec given to `rangeCounts`; a finite `keep` needs `ranked`.
 * @returns The keyed summary; each update costs O(log keep) amortized.
 * @throws RangeError when `keep` is finite and `ranked` absent (rows of every key would need
 *   every key).
 */
export function countsWindow(spec: RangeCountsSpec): KeyedSummary<number, CountsWindow> {
  if (spec.keep !== Infinity && spec.ranked === undefined) {
    throw new RangeError("countsWindow needs `ranked` when `keep` is finite");
  }
  return {
    start: () => ({ sums: partSums(1), best: bestKeys(spec.keep + 1) }),
    update(window, key, count) {
      if (typeof count !== "number") return window;
      partSumsSet(window.sums, key, [count]);
      bestKeysOffer(window.best, key, count);
      return window;
    },
    finish: (window) => spec.finish(window.best.kept, totalOf(window)),
  };
}

/** The sum of a window's counts. */
function totalOf(window: CountsWindow): number {
  return window.sums.totals[0]!;
}

/** Keeps the `keep` best keys (count, then key), raising `cut` to the best one dropped. */
function trim(summary: CountsSummary, keep: number): CountsSummary {
  summary.keys.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (summary.keys.length > keep) {
    for (const [, count, bound] of summary.keys.slice(keep)) {
      summary.cut = Math.max(summary.cut, count + bound);
    }
    summary.keys.length = keep;
  }
  return summary;
}
