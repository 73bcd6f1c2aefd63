/**
 * Ranges of windows merged as one bigger window would be: the summaries stored with each
 * window (`MergeableResult`) merged over a range of local dates, or over each step of a time
 * series, and the previous period of equal length for a comparison. The aggregation's plugin
 * does the merging; this module only groups windows and names what is missing.
 *
 * @module
 */
import type { MergeableResult, RangeAnswer, StoredResult } from "../contracts.ts";
import type { WindowSpec } from "../window_size.ts";

/** A range's merge, as the results API answers it. */
export interface RangeResult extends RangeAnswer {
  /** Windows merged. */
  windows: number;
  /** Records they cover. */
  records: number;
  /**
   * Windows stored without a summary (written before summaries were kept): not in the answer,
   * which is then not exact. Recompute them with `deno task batch` to include them.
   */
  unmerged: number;
}

/**
 * Merges stored windows into one answer.
 *
 * @param mergeable The aggregation's mergeable part.
 * @param windows Stored windows (any order).
 * @returns The merged rows and figures, with how many windows and records they cover.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { mergeWindows } from "./range.ts";
 * const sum = {
 *   emptySummary: () => 0,
 *   toSummary: () => 0,
 *   mergeSummaries: (a: number, b: number) => a + b,
 *   finishRange: (n: number) => ({ rows: [], exact: true, totals: { n } }),
 * };
 * const merged = mergeWindows(sum, [
 *   { window: "2026-11-20", records: 2, rows: [], summary: 2 },
 *   { window: "2026-11-21", records: 3, rows: [], summary: 3 },
 * ]);
 * assert.deepEqual(merged.totals, { n: 5 });
 * assert.equal(merged.records, 5);
 * ```
 */
export function mergeWindows(
  mergeable: MergeableResult,
  windows: readonly StoredResult[],
): RangeResult {
  let summary = mergeable.emptySummary();
  let records = 0;
  let merged = 0;
  let unmerged = 0;
  for (const stored of windows) {
    if (stored.summary === undefined) {
      unmerged++;
      continue;
    }
    summary = mergeable.mergeSummaries(summary, stored.summary);
    records += stored.records;
    merged++;
  }
  const answer = mergeable.finishRange(summary);
  return {
    ...answer,
    exact: answer.exact && unmerged === 0,
    windows: merged,
    records,
    unmerged,
  };
}

/** Steps a series may take. */
export const SERIES_STEPS = ["1h", "1d", "1w"] as const;

/** A step of a time series. */
export type SeriesStep = typeof SERIES_STEPS[number];

/**
 * The steps windows of `window` support: those that windows fit into exactly (an hour of 5m
 * windows, a day of hours, a week of days).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { windowSize } from "../window_size.ts";
 * import { supportedSteps } from "./range.ts";
 * assert.deepEqual(supportedSteps(windowSize("5m")), ["1h", "1d", "1w"]);
 * assert.deepEqual(supportedSteps(windowSize("1d")), ["1d", "1w"]);
 * assert.deepEqual(supportedSteps(windowSize("none")), []);
 * ```
 */
export function supportedSteps(window: WindowSpec): SeriesStep[] {
  if (window.size === "none") return [];
  if (window.size === "1w") return ["1w"];
  if (window.size === "1d") return ["1d", "1w"];
  if (window.ms <= 3_600_000) return ["1h", "1d", "1w"];
  return ["1d", "1w"];
}

/**
 * The period of a series a window falls in, named by its local start: `YYYY-MM-DDTHH` for an
 * hour, `YYYY-MM-DD` for a day and for a week (its Monday).
 */
export function periodOf(windowKey: string, step: SeriesStep): string {
  if (step === "1h") return windowKey.slice(0, 13);
  const day = windowKey.slice(0, 10);
  if (step === "1d") return day;
  const time = Date.parse(`${day}T00:00:00Z`);
  const monday = time - ((new Date(time).getUTCDay() + 6) % 7) * 86_400_000;
  return new Date(monday).toISOString().slice(0, 10);
}

/** Every period of the local dates `days` at `step`, in order. */
export function periodsOf(days: readonly string[], step: SeriesStep): string[] {
  const periods: string[] = [];
  for (const day of days) {
    if (step === "1h") {
      for (let hour = 0; hour < 24; hour++) periods.push(`${day}T${String(hour).padStart(2, "0")}`);
    } else {
      const period = periodOf(day, step);
      if (periods.at(-1) !== period) periods.push(period);
    }
  }
  return periods;
}

/** One point of a series. */
export interface SeriesPoint {
  /** The period (see {@linkcode periodOf}). */
  period: string;
  /** Records of its windows. */
  records: number;
  /** Its headline figures (empty when no window of it was stored). */
  totals: Record<string, number>;
  /** Whether its answer is exact (see {@linkcode RangeAnswer.exact}). */
  exact: boolean;
}

/**
 * A time series: the windows of each period merged, every period of `days` present (empty
 * ones with no figures).
 *
 * @param mergeable The aggregation's mergeable part.
 * @param windows The stored windows of `days`.
 * @param days The local dates of the range, in order.
 * @param step The step, one of {@linkcode supportedSteps}.
 */
export function seriesOf(
  mergeable: MergeableResult,
  windows: readonly StoredResult[],
  days: readonly string[],
  step: SeriesStep,
): SeriesPoint[] {
  const byPeriod = new Map<string, StoredResult[]>();
  for (const stored of windows) {
    const period = periodOf(stored.window, step);
    const list = byPeriod.get(period);
    if (list === undefined) byPeriod.set(period, [stored]);
    else list.push(stored);
  }
  return periodsOf(days, step).map((period) => {
    const stored = byPeriod.get(period);
    if (stored === undefined) return { period, records: 0, totals: {}, exact: true };
    const merged = mergeWindows(mergeable, stored);
    return { period, records: merged.records, totals: merged.totals, exact: merged.exact };
  });
}

/**
 * The period of equal length just before `from`..`to` (local dates, both included).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { previousPeriod } from "./range.ts";
 * assert.deepEqual(previousPeriod("2026-11-20", "2026-11-26"), { from: "2026-11-13", to: "2026-11-19" });
 * ```
 */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const day = 86_400_000;
  const start = Date.parse(`${from}T00:00:00Z`);
  const length = Date.parse(`${to}T00:00:00Z`) - start + day;
  const iso = (time: number) => new Date(time).toISOString().slice(0, 10);
  return { from: iso(start - length), to: iso(start - day) };
}
