/**
 * Durations written the way operators type them: `500ms`, `60s`, `5m`, `1h`, `3d`.
 *
 * @module
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The accepted syntax, for option schemas and messages. */
export const DURATION_PATTERN = /^[0-9]{1,9}(ms|s|m|h|d)$/;

/**
 * Parses a duration such as `90s`, `5m`, `1h` or `3d`.
 *
 * @param text The duration: whole number followed by `ms`, `s`, `m`, `h` or `d`.
 * @returns Milliseconds, or undefined when `text` is not such a duration.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * import assert from "assert";
 * assert.equal(parseDuration("5m"), 300_000);
 * assert.equal(parseDuration("5 minutes"), undefined);
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (match === null) return undefined;
  const unit = UNIT_MS[match[1] ?? ""];
  return unit === undefined ? undefined : Number.parseInt(text.trim(), 10) * unit;
}

/**
 * Formats milliseconds compactly for humans: `850ms`, `12.5s`, `3m 20s`, `2h 5m`, `1h`, `3d 4h`.
 *
 * @param ms A duration in milliseconds.
 * @returns The formatted duration.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./duration.ts";
 * import assert from "assert";
 * assert.equal(formatDuration(200_000), "3m 20s");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return twoUnits(Math.floor(seconds / 60), "m", seconds % 60, "s");
  if (seconds < 86_400) {
    return twoUnits(Math.floor(seconds / 3600), "h", Math.floor(seconds / 60) % 60, "m");
  }
  return twoUnits(Math.floor(seconds / 86_400), "d", Math.floor(seconds / 3600) % 24, "h");
}

/** `3m 20s`, or just `3m` when the smaller unit is zero. */
function twoUnits(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit} ${minor}${minorUnit}`;
}
