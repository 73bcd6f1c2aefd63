/**
 * Cutting time into windows: the hour or day of a record's own timestamp in the pipeline's
 * time zone. Runs once per record per aggregation, so the time-zone lookup is cached.
 *
 * @module
 */
import type { Granularity, Window } from "./contracts.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Offsets only change on quarter-hour boundaries in every real zone. */
const OFFSET_BUCKET_MS = 900_000;

/** Turns timestamps into windows for one time zone. */
export interface WindowCutter {
  /** The window of the given granularity containing `timestamp` (ms since epoch). */
  windowOf(timestamp: number, granularity: Granularity): Window;
  /** The window with the given key (`YYYY-MM-DD` or `YYYY-MM-DDTHH`). */
  windowFromKey(key: string): Window;
}

/**
 * Builds a window cutter for an IANA time zone (`UTC`, `Europe/Paris`, ...).
 *
 * @example
 * ```ts
 * const cutter = windowCutter("UTC");
 * cutter.windowOf(Date.parse("2026-11-22T13:05:00Z"), "hour").key; // "2026-11-22T13"
 * ```
 */
export function windowCutter(timeZone: string): WindowCutter {
  const offsetOf = timeZone === "UTC" ? () => 0 : cachedOffset(timeZone);
  const windowCache = new Map<number, Window>();

  function windowOf(timestamp: number, granularity: Granularity): Window {
    const offset = offsetOf(timestamp);
    const local = timestamp + offset;
    const size = granularity === "hour" ? HOUR_MS : DAY_MS;
    const localStart = local - modulo(local, size);
    const cacheKey = granularity === "hour" ? localStart + 1 : localStart;
    const cached = windowCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const window = makeWindow(localStart, granularity, offsetOf);
    if (windowCache.size > 10_000) windowCache.clear();
    windowCache.set(cacheKey, window);
    return window;
  }

  function windowFromKey(key: string): Window {
    const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}))?$/.exec(key);
    if (match === null) {
      throw new Error(`"${key}" is not a window key (YYYY-MM-DD or YYYY-MM-DDTHH)`);
    }
    const localStart = Date.parse(`${match[1]}T00:00:00Z`) + Number(match[2] ?? 0) * HOUR_MS;
    return makeWindow(localStart, match[2] === undefined ? "day" : "hour", offsetOf);
  }

  return { windowOf, windowFromKey };
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
  granularity: Granularity,
  offsetOf: (timestamp: number) => number,
): Window {
  const iso = new Date(localStart).toISOString();
  const date = iso.slice(0, 10);
  const size = granularity === "hour" ? HOUR_MS : DAY_MS;
  const start = localStart - offsetOf(localStart - offsetOf(localStart));
  const end = localStart + size - offsetOf(localStart + size - offsetOf(localStart + size));
  if (granularity === "hour") {
    const hour = Number(iso.slice(11, 13));
    return { key: `${date}T${iso.slice(11, 13)}`, date, hour, start, end };
  }
  return { key: date, date, start, end };
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
