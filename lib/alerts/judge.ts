/**
 * Judging a rule's value: the threshold, the change against an earlier window, and the robust
 * anomaly score (median and MAD of recent windows). Pure functions, unit-tested beside.
 *
 * @example
 * ```ts
 * import { judge } from "./judge.ts";
 * const observation = judge({ kind: "threshold", above: 5 }, { value: 7.5, records: 100 }, 0);
 * console.assert(observation.holds);
 * ```
 *
 * @module
 */
import type { ResultRow } from "../contracts.ts";
import { keyText } from "../result_keys.ts";
import type { AlertCondition, CHANGE_REFERENCES } from "../config/alerts.ts";
import type { Observation } from "./lifecycle.ts";

/** A rule's value in one window, and how many records the window covers. */
export interface WindowValue {
  /** The value (the row's column, or the column summed over the window's rows). */
  value: number;
  /** Records the window's result covers. */
  records: number;
}

/** What a `change` or `anomaly` rule compares with. */
export interface Reference {
  /** The earlier window's value (`change`). */
  earlier?: WindowValue;
  /** Recent windows' values, oldest first (`anomaly`). */
  recent?: WindowValue[];
}

/** Scale factor making the MAD of a normal distribution estimate its standard deviation. */
const MAD_TO_SIGMA = 1.4826;

/**
 * The value a rule reads from a window's rows: one row's column when `key` is given (undefined
 * when the window has no such row), the column summed over every row otherwise.
 *
 * @param rows The window's finished rows.
 * @param value The value column.
 * @param key The row's key text, or undefined for the whole window.
 */
export function valueOfRows(
  rows: readonly ResultRow[],
  value: string,
  key: string | undefined,
): number | undefined {
  if (key !== undefined) {
    const row = rows.find((candidate) => keyText(candidate) === key);
    return row === undefined ? undefined : Number(row.values[value] ?? 0);
  }
  return rows.reduce((sum, row) => sum + Number(row.values[value] ?? 0), 0);
}

/**
 * Whether the condition holds for `current`. A window covering fewer than `minRecords` records
 * never holds (so quiet hours page no one), nor does a comparison without its reference.
 *
 * @param condition The rule's condition.
 * @param current This window's value.
 * @param minRecords Fewest records a judged window (and each reference window) must cover.
 * @param reference The earlier window or recent windows, for `change` and `anomaly`.
 * @returns Whether it holds, and the value judged (the ratio for `change`, the score for
 *   `anomaly`).
 */
export function judge(
  condition: AlertCondition,
  current: WindowValue,
  minRecords: number,
  reference: Reference = {},
): Observation {
  const outside = (value: number) =>
    (condition.above !== undefined && value > condition.above) ||
    (condition.below !== undefined && value < condition.below);
  if (condition.kind === "threshold") {
    return { holds: current.records >= minRecords && outside(current.value), value: current.value };
  }
  if (condition.kind === "change") {
    const earlier = reference.earlier;
    if (earlier === undefined || earlier.records < minRecords || earlier.value === 0) {
      return { holds: false, value: Number.NaN };
    }
    const ratio = current.value / earlier.value;
    return { holds: current.records >= minRecords && outside(ratio), value: ratio };
  }
  const recent = (reference.recent ?? []).filter((window) => window.records >= minRecords);
  const score = anomalyScore(current.value, recent.map((window) => window.value));
  if (score === undefined) return { holds: false, value: Number.NaN };
  return { holds: current.records >= minRecords && outside(score), value: score };
}

/**
 * How many robust standard deviations `value` lies from the median of `recent`: (value −
 * median) / (1.4826 × MAD). A MAD of 0 (identical recent values) is replaced by 5% of the
 * median's size (at least 1), so a flat history does not turn the smallest change into an
 * infinite score.
 *
 * @returns The score, or undefined with fewer than three recent values.
 */
export function anomalyScore(value: number, recent: readonly number[]): number | undefined {
  if (recent.length < 3) return undefined;
  const center = median(recent);
  const mad = median(recent.map((sample) => Math.abs(sample - center)));
  const scale = mad > 0 ? MAD_TO_SIGMA * mad : Math.max(Math.abs(center) * 0.05, 1);
  return (value - center) / scale;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The key of an earlier window of the same size, from a window's local start (wall clock on a
 * UTC axis): `previous` is the window before, `day_before` the same window a day earlier (same
 * hour yesterday), `week_before` a week earlier (same weekday last week).
 *
 * @param localStart The window's local start.
 * @param sizeMs The window's size, ms (wall clock).
 * @param unit The size's unit.
 * @param against Which earlier window.
 * @param steps How many such steps back (recent windows for anomaly scores: 1, 2, 3, ...).
 */
export function earlierWindowKey(
  localStart: number,
  sizeMs: number,
  unit: "minute" | "hour" | "day" | "week",
  against: typeof CHANGE_REFERENCES[number],
  steps = 1,
): string {
  const back = against === "previous"
    ? sizeMs
    : against === "day_before"
    ? 86_400_000
    : 604_800_000;
  const iso = new Date(localStart - back * steps).toISOString();
  return unit === "minute"
    ? iso.slice(0, 16)
    : unit === "hour"
    ? iso.slice(0, 13)
    : iso.slice(0, 10);
}
