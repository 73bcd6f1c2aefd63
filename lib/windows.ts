/**
 * Cutting time into windows: the tumbling window of a record's own timestamp, of any size from
 * `lib/window_size.ts`, in the pipeline's time zone; or the one all-time window (`none`).
 *
 * Windows follow the local wall clock: a `1d` window is a local calendar day (23 or 25 hours on
 * the days clocks change), a `1w` window starts on Monday at local midnight, sub-day windows
 * line up with local midnight. On the night clocks go back, the repeated wall-clock hour maps
 * to one window key, so that window holds both passes of it (its `start`..`end` spans them).
 * Windows inside a skipped hour never occur. Runs once per record per aggregation, so the
 * time-zone lookup and the windows themselves are cached.
 *
 * @module
 */
import type { Window } from "./contracts.ts";
import type { WindowSpec } from "./window_size.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Offsets only change on quarter-hour boundaries in every real zone. */
const OFFSET_BUCKET_MS = 900_000;
/** Far enough either side of a local time to see the offsets before and after a change. */
const AROUND_MS = 30 * HOUR_MS;
/** The key of the all-time window. */
export const ALL_TIME_KEY = "all";

/** Turns timestamps into windows for one time zone. */
export interface WindowCutter {
  /** The window of the given size containing `timestamp` (ms since epoch). */
  windowOf(timestamp: number, spec: WindowSpec): Window;
  /**
   * The window of the given size with the given key (`YYYY-MM-DD` for days and weeks,
   * `YYYY-MM-DDTHH` for hours, `YYYY-MM-DDTHH:MM` for minutes, `all` for `none`).
   */
  windowFromKey(key: string, spec: WindowSpec): Window;
  /** The window after `window` (the one containing its end). */
  next(window: Window, spec: WindowSpec): Window;
}

/**
 * Builds a window cutter for an IANA time zone (`UTC`, `Europe/Paris`, ...).
 *
 * @example
 * ```ts
 * import { windowSize } from "./window_size.ts";
 * const cutter = windowCutter("UTC");
 * cutter.windowOf(Date.parse("2026-11-22T13:05:00Z"), windowSize("5m")).key; // "2026-11-22T13:05"
 * ```
 */
export function windowCutter(timeZone: string): WindowCutter {
  const offsetOf = timeZone === "UTC" ? () => 0 : cachedOffset(timeZone);
  const caches = new Map<string, Map<number, Window>>();

  function cached(localStart: number, spec: WindowSpec): Window {
    let cache = caches.get(spec.size);
    if (cache === undefined) caches.set(spec.size, cache = new Map());
    let window = cache.get(localStart);
    if (window === undefined) {
      window = makeWindow(localStart, spec, offsetOf);
      if (cache.size > 10_000) cache.clear();
      cache.set(localStart, window);
    }
    return window;
  }

  function windowOf(timestamp: number, spec: WindowSpec): Window {
    if (spec.unit === "none") return cached(0, spec);
    return cached(localStartOf(timestamp + offsetOf(timestamp), spec), spec);
  }

  function windowFromKey(key: string, spec: WindowSpec): Window {
    if (spec.unit === "none") {
      if (key !== ALL_TIME_KEY) throw new Error(`"${key}" is not the key of a window: none`);
      return cached(0, spec);
    }
    const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2})(?::(\d{2}))?)?$/.exec(key);
    const expectedParts = spec.unit === "minute" ? 3 : spec.unit === "hour" ? 2 : 1;
    const parts = match === null ? 0 : match[3] !== undefined ? 3 : match[2] !== undefined ? 2 : 1;
    const localStart = match === null
      ? NaN
      : Date.parse(`${match[1]}T00:00:00Z`) + Number(match[2] ?? 0) * HOUR_MS +
        Number(match[3] ?? 0) * 60_000;
    if (
      parts !== expectedParts || Number.isNaN(localStart) ||
      localStartOf(localStart, spec) !== localStart
    ) {
      throw new Error(`"${key}" is not the key of a ${spec.size} window (${KEY_FORMS[spec.unit]})`);
    }
    return cached(localStart, spec);
  }

  function next(window: Window, spec: WindowSpec): Window {
    if (spec.unit === "none") return window;
    return cached(window.localStart + spec.ms, spec);
  }

  return { windowOf, windowFromKey, next };
}

const KEY_FORMS: Record<WindowSpec["unit"], string> = {
  minute: "YYYY-MM-DDTHH:MM",
  hour: "YYYY-MM-DDTHH",
  day: "YYYY-MM-DD",
  week: "YYYY-MM-DD, a Monday",
  none: ALL_TIME_KEY,
};

/** Start of the window containing a local wall-clock time (as ms on a UTC-like axis). */
function localStartOf(local: number, spec: WindowSpec): number {
  const dayStart = local - modulo(local, DAY_MS);
  switch (spec.unit) {
    case "minute":
    case "hour":
      return dayStart + (local - dayStart) - modulo(local - dayStart, spec.ms);
    case "day":
      return dayStart;
    case "week":
      // 1970-01-01 was a Thursday: day number + 3 is 0 on Mondays.
      return dayStart - modulo(dayStart / DAY_MS + 3, 7) * DAY_MS;
    case "none":
      return 0;
  }
}

/**
 * Whether every instant in `[window.start, window.end)` is cut into `window`, so a caller may
 * reuse it for the next timestamps inside that span without asking the cutter again. True when
 * the window lasts exactly its wall-clock length: no clock change happens inside it. Not
 * always otherwise: where clocks go back, a five-minute window holds both passes of its five
 * minutes, and the other windows of the repeated hour lie between them.
 *
 * @param window A window the cutter gave.
 * @param spec Its size.
 *
 * @example
 * ```ts
 * import { holdsOnlyItsInstants, windowCutter } from "./windows.ts";
 * import { windowSize } from "./window_size.ts";
 * const spec = windowSize("1h");
 * const window = windowCutter("UTC").windowOf(Date.parse("2026-11-22T13:05:00Z"), spec);
 * console.assert(holdsOnlyItsInstants(window, spec));
 * ```
 */
export function holdsOnlyItsInstants(window: Window, spec: WindowSpec): boolean {
  return spec.unit !== "none" && window.end - window.start === spec.ms;
}

/** The UTC date (`YYYY-MM-DD`) and hour of a timestamp: the bucket of the `log` table. */
export function utcBucket(timestamp: number): { date: string; hour: number } {
  const iso = new Date(timestamp).toISOString();
  return { date: iso.slice(0, 10), hour: Number(iso.slice(11, 13)) };
}

/** Each day (`YYYY-MM-DD`) from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

function makeWindow(
  localStart: number,
  spec: WindowSpec,
  offsetOf: (timestamp: number) => number,
): Window {
  if (spec.unit === "none") {
    return {
      key: ALL_TIME_KEY,
      size: spec.size,
      date: "1970-01-01",
      localStart: 0,
      start: 0,
      end: Number.MAX_SAFE_INTEGER,
    };
  }
  const iso = new Date(localStart).toISOString();
  const date = iso.slice(0, 10);
  const starts = instantsOf(localStart, offsetOf);
  const ends = instantsOf(localStart + spec.ms, offsetOf);
  // A window whose start repeats (in the hour clocks go back) holds both passes of it, so it
  // ends at the last pass of its end; any other window ends at the first.
  const end = starts.length > 1 ? ends[ends.length - 1]! : ends[0]!;
  const window: Window = {
    key: spec.unit === "minute" ? iso.slice(0, 16) : spec.unit === "hour" ? iso.slice(0, 13) : date,
    size: spec.size,
    date,
    localStart,
    start: starts[0]!,
    end,
  };
  if (spec.unit === "hour") window.hour = Number(iso.slice(11, 13));
  return window;
}

/**
 * The instants whose local time is the wall-clock time `local`, earliest first: one, or two on
 * the night clocks go back; inside a skipped hour none exists, and the one returned is the
 * moment the clocks jumped (the first instant whose local time is past `local`).
 */
function instantsOf(local: number, offsetOf: (timestamp: number) => number): number[] {
  const candidates = [
    local - offsetOf(local - AROUND_MS),
    local - offsetOf(local),
    local - offsetOf(local + AROUND_MS),
  ];
  const valid = [...new Set(candidates.filter((instant) => instant + offsetOf(instant) === local))]
    .sort((a, b) => a - b);
  return valid.length > 0 ? valid : [Math.max(...candidates)];
}

function cachedOffset(timeZone: string): (timestamp: number) => number {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const cache = new Map<number, number>();
  return (timestamp) => {
    const bucket = Math.floor(timestamp / OFFSET_BUCKET_MS);
    let offset = cache.get(bucket);
    if (offset === undefined) {
      const at = bucket * OFFSET_BUCKET_MS;
      const parts: Record<string, number> = {};
      for (const part of format.formatToParts(at)) parts[part.type] = Number(part.value);
      const asUtc = Date.UTC(
        parts.year!,
        parts.month! - 1,
        parts.day!,
        parts.hour!,
        parts.minute!,
        parts.second!,
      );
      offset = asUtc - at;
      if (cache.size > 100_000) cache.clear();
      cache.set(bucket, offset);
    }
    return offset;
  };
}

function modulo(value: number, size: number): number {
  return ((value % size) + size) % size;
}
