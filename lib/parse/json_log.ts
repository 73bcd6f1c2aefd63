/**
 * Parser for one JSON log object, as nginx `log_format ... escape=json` or an application
 * logger writes it.
 *
 * @module
 */
import { describeValue, type ParseResult, validateLogFields } from "./validate.ts";

/**
 * Parses a JSON log object with fields `timestamp`, `request_uri`, `status`,
 * `body_bytes_sent`, `request_time`, `http_referrer`, `http_user_agent` and optional
 * `remote_addr` and `method`. Other fields are ignored.
 *
 * @param text The message text, trimmed, starting with `{`.
 * @param now Current time in epoch ms, bounding future timestamps.
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
export function parseJsonLog(text: string, now: number): ParseResult {
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
  const fields = parsed as Record<string, unknown>;
  return validateLogFields({
    timestamp: fields.timestamp,
    request_uri: fields.request_uri,
    status: fields.status,
    body_bytes_sent: fields.body_bytes_sent,
    request_time: fields.request_time,
    http_referrer: fields.http_referrer,
    http_user_agent: fields.http_user_agent,
    remote_addr: fields.remote_addr,
    method: fields.method,
  }, now);
}
