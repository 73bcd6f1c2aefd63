/**
 * Which days a schedule or a backfill covers, as local dates in the pipeline's time zone.
 *
 * @module
 */
import type { WindowSelection } from "../config/pipeline.ts";
import { daysBetween, windowCutter } from "../windows.ts";
import { windowSize } from "../window_size.ts";

/** An inclusive range of local dates, `YYYY-MM-DD`. */
export interface DayRange {
  /** First day. */
  from: string;
  /** Last day (included). */
  to: string;
}

/**
 * Resolves a selection at time `now`: `today`, `yesterday`, `last_N_days` (the N days ending
 * today, today included) or a fixed range.
 */
export function resolveSelection(
  selection: WindowSelection,
  timeZone: string,
  now: number = Date.now(),
): DayRange {
  const today = windowCutter(timeZone).windowOf(now, windowSize("1d")).date;
  switch (selection.kind) {
    case "today":
      return { from: today, to: today };
    case "yesterday": {
      const yesterday = shiftDay(today, -1);
      return { from: yesterday, to: yesterday };
    }
    case "last_days":
      return { from: shiftDay(today, -(selection.days - 1)), to: today };
    case "range":
      return { from: selection.from, to: selection.to };
  }
}

/** The days of a range, in order. */
export function daysOf(range: DayRange): string[] {
  return daysBetween(range.from, range.to);
}

function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
