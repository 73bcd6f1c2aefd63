/**
 * Writes a {@linkcode RequestRecord} as a combined-format access-log line: the inverse of
 * `parseCombinedLine`, used by the traffic simulator and by tests.
 *
 * @module
 */
import type { RequestRecord } from "../records.ts";
import { formatTimeLocal } from "./time.ts";

/** How to lay out a combined-format line. */
export interface CombinedLineLayout {
  /** Zone offset of the written time in minutes (e.g. -420 for `-0700`); default 0. */
  offsetMinutes?: number;
  /** Append `$request_time` in seconds, as nginx setups often do; default true. */
  withRequestTime?: boolean;
  /** Write a zero body size as `-`, as Apache `%b` does; default false. */
  dashForEmptyBody?: boolean;
}

/** Escapes `"` and `\` inside a quoted field, the way Apache does. */
function escapeQuoted(text: string): string {
  if (text.indexOf('"') < 0 && text.indexOf("\\") < 0) return text;
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
}

/** Seconds with millisecond precision when that is exact, else the shortest exact form. */
function formatSeconds(seconds: number): string {
  const fixed = seconds.toFixed(3);
  return Number(fixed) === seconds ? fixed : String(seconds);
}

/**
 * Formats a record as `addr - - [time] "METHOD uri HTTP/1.1" status bytes "ref" "ua" rt`.
 * Parsing the line gives the record back exactly when its timestamp is a whole second (the
 * format has no milliseconds) and, with `withRequestTime: false`, its request_time is 0.
 *
 * @param record The record to write.
 * @param layout Zone, request-time and body-size choices.
 * @returns One line without a trailing newline.
 *
 * @example
 * ```ts
 * import { formatCombinedLine } from "./format_combined_log.ts";
 * import assert from "assert";
 * const line = formatCombinedLine({
 *   timestamp: Date.UTC(2026, 9, 10, 20, 55, 36), request_uri: "/a.gif", status: 200,
 *   body_bytes_sent: 2326, request_time: 0.123, http_referrer: "-", http_user_agent: "curl/8",
 *   remote_addr: "127.0.0.1", method: "GET",
 * }, { offsetMinutes: -420 });
 * assert.equal(
 *   line,
 *   '127.0.0.1 - - [10/Oct/2026:13:55:36 -0700] "GET /a.gif HTTP/1.1" 200 2326 "-" "curl/8" 0.123',
 * );
 * ```
 */
export function formatCombinedLine(record: RequestRecord, layout: CombinedLineLayout = {}): string {
  const body = record.body_bytes_sent === 0 && layout.dashForEmptyBody
    ? "-"
    : String(record.body_bytes_sent);
  const line = record.remote_addr + " - - [" +
    formatTimeLocal(record.timestamp, layout.offsetMinutes ?? 0) + '] "' + record.method + " " +
    escapeQuoted(record.request_uri) + ' HTTP/1.1" ' + record.status + " " + body + ' "' +
    escapeQuoted(record.http_referrer) + '" "' + escapeQuoted(record.http_user_agent) + '"';
  return layout.withRequestTime === false ? line : line + " " + formatSeconds(record.request_time);
}
