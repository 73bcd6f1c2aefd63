/**
 * Parser for one JSON object: a web-server log as nginx `log_format ... escape=json` or an
 * application logger writes it, or a product/user event as a tracker sends it.
 *
 * @module
 */
import { describeValue, type ParseResult } from "./validate.ts";
import { validateRecordFields } from "./record_fields.ts";

/**
 * Parses a JSON object: a web log with `timestamp`, `request_uri`, `status`,
 * `body_bytes_sent`, `request_time`, `http_referrer`, `http_user_agent` and optional
 * `remote_addr` and `method`; or an event with a time (`timestamp` or `event_time`) and
 * `event_type` (or `action`) or `page_path`, plus optional event fields. Other fields are kept
 * in `props` (see `validateRecordFields`).
 *
 * @param text The message text, trimmed, starting with `{`.
 * @param now Current time in epoch ms, bounding future timestamps.
 * @param fallbackTime Time to use when the object carries none.
 * @returns The record, or the reason it was rejected.
 *
 * @example
 * ```ts
 * import { parseJsonLog } from "./json_log.ts";
 * import assert from "assert";
 * const result = parseJsonLog(
 *   '{"timestamp":"2026-11-20T10:00:00Z","request_uri":"/","status":200,' +
 *     '"body_bytes_sent":512,"request_time":0.01,"http_referrer":"-","http_user_agent":"curl"}',
 *   Date.UTC(2026, 10, 21),
 * );
 * assert.ok(result.ok);
 * ```
 */
export function parseJsonLog(text: string, now: number, fallbackTime?: number): ParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message : String(error);
    return { ok: false, reason: `invalid JSON (${detail}): ${describeValue(text)}` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: `expected a JSON object, found ${describeValue(parsed)}` };
  }
  return validateRecordFields(parsed as Record<string, unknown>, now, fallbackTime);
}
