/**
 * Window sizes as pipeline.yaml writes them (`window: 5m`, `1h`, `1d`, `1w`, `none`): what is
 * accepted, and the parsed form the window cutter, sinks and batch jobs share.
 *
 * Every tumbling size divides a day (or is a whole day or week), so windows line up with local
 * midnight in `runtime.time_zone` and a window never straddles two days (weeks start Monday).
 *
 * @module
 */

/** A tumbling window of a fixed wall-clock size, or one all-time window. */
export type WindowSpec =
  | {
    /** As written: `5m`, `1h`, `1d`, `1w`. */
    size: string;
    /** Unit of the size. */
    unit: "minute" | "hour" | "day" | "week";
    /** Wall-clock length in ms (a local day may still be 23 or 25 hours long). */
    ms: number;
  }
  | {
    /** One window holding every record: an all-time total. */
    size: "none";
    /** No unit. */
    unit: "none";
    /** No length. */
    ms: typeof Infinity;
  };

/** Minute sizes accepted: the divisors of an hour. */
export const MINUTE_SIZES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30] as const;
/** Hour sizes accepted: the divisors of a day. */
export const HOUR_SIZES = [1, 2, 3, 4, 6, 8, 12] as const;

/** What `window:` accepts, for messages and docs. */
export const WINDOW_SIZES_TEXT = `${MINUTE_SIZES.map((n) => `${n}m`).join(", ")}, ${
  HOUR_SIZES.map((n) => `${n}h`).join(", ")
}, 1d, 1w or none`;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The all-time window. */
export const NO_WINDOW: WindowSpec = { size: "none", unit: "none", ms: Infinity };

/** A parsed size, or what was wrong with it. */
export type WindowSizeParse = { ok: true; spec: WindowSpec } | { ok: false; message: string };

/**
 * Reads a `window:` value.
 *
 * @param value The YAML value.
 * @returns The spec, or a message naming the sizes accepted and the value found.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseWindowSize } from "./window_size.ts";
 * const parsed = parseWindowSize("5m");
 * assert.ok(parsed.ok && parsed.spec.ms === 300_000);
 * assert.equal(parseWindowSize("7m").ok, false);
 * ```
 */
export function parseWindowSize(value: unknown): WindowSizeParse {
  if (value === "none") return { ok: true, spec: NO_WINDOW };
  const match = typeof value === "string" ? /^([1-9][0-9]?)([mhdw])$/.exec(value) : null;
  const count = Number(match?.[1]);
  const unit = match?.[2];
  if (unit === "m" && (MINUTE_SIZES as readonly number[]).includes(count)) {
    return { ok: true, spec: { size: `${count}m`, unit: "minute", ms: count * MINUTE_MS } };
  }
  if (unit === "h" && (HOUR_SIZES as readonly number[]).includes(count)) {
    return { ok: true, spec: { size: `${count}h`, unit: "hour", ms: count * HOUR_MS } };
  }
  if (unit === "d" && count === 1) {
    return { ok: true, spec: { size: "1d", unit: "day", ms: DAY_MS } };
  }
  if (unit === "w" && count === 1) {
    return { ok: true, spec: { size: "1w", unit: "week", ms: 7 * DAY_MS } };
  }
  const found = value === undefined
    ? "nothing"
    : typeof value === "string"
    ? JSON.stringify(value)
    : JSON.stringify(value) ?? String(value);
  const hint = unit === "d" || unit === "w"
    ? " (longer windows than a day are 1w, weeks starting Monday)"
    : unit === "m" || unit === "h"
    ? " (sizes must divide an hour or a day, so windows line up with midnight)"
    : "";
  return {
    ok: false,
    message: `expected a window size ${WINDOW_SIZES_TEXT}, found ${found}${hint}`,
  };
}

/**
 * Parses a size known to be valid (code and tests); throws otherwise.
 *
 * @example
 * ```ts
 * import { windowSize } from "./window_size.ts";
 * windowSize("1d").unit; // "day"
 * ```
 */
export function windowSize(size: string): WindowSpec {
  const parsed = parseWindowSize(size);
  if (!parsed.ok) throw new RangeError(parsed.message);
  return parsed.spec;
}
