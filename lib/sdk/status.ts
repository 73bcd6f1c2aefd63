/**
 * HTTP status classes, for breakdowns, filters and error rates.
 *
 * @module
 */

/** A status class. */
export type StatusClass = "1xx" | "2xx" | "3xx" | "4xx" | "5xx";

/** Every status class, in order. */
export const STATUS_CLASSES: readonly StatusClass[] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/**
 * The class of a status code: `404` is `4xx`.
 *
 * @param status An HTTP status code.
 * @returns Its class, or `other` outside 100..599 (records are validated to that range, so a
 *   plugin never sees `other` from a parsed log; it is there so this function never throws).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { statusClass } from "./status.ts";
 * assert.equal(statusClass(404), "4xx");
 * assert.equal(statusClass(200), "2xx");
 * assert.equal(statusClass(42), "other");
 * ```
 */
export function statusClass(status: number): StatusClass | "other" {
  if (!(status >= 100 && status < 600)) return "other";
  return STATUS_CLASSES[Math.floor(status / 100) - 1]!;
}

/**
 * Whether a status is an error, client (4xx) or server (5xx).
 *
 * @param status An HTTP status code.
 * @returns `true` for 400..599.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { isErrorStatus } from "./status.ts";
 * assert.deepEqual([200, 302, 404, 503].map(isErrorStatus), [false, false, true, true]);
 * ```
 */
export function isErrorStatus(status: number): boolean {
  return status >= 400 && status < 600;
}
