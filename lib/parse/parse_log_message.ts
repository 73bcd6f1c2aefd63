/**
 * The entry point for turning one input message into a {@linkcode LogRecord}.
 *
 * @module
 */
import { parseCombinedLine } from "./combined_log.ts";
import { parseJsonLog } from "./json_log.ts";
import type { ParseResult } from "./validate.ts";

// One shared decoder: creating one per message would cost more than the parse itself.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses one message: a JSON object (web log or event), or an Apache/nginx combined-format line
 * (optionally followed by `$request_time`). Surrounding whitespace is ignored.
 *
 * @param bytes The message, as bytes (UTF-8) or text.
 * @param now Current time in epoch ms; timestamps later than `now` + 1 day are rejected.
 * Defaults to the clock.
 * @param fallbackTime Time for a JSON object that carries none (e.g. the Kafka message time);
 * without it such an object is rejected.
 * @returns `{ ok: true, record }`, or `{ ok: false, reason }` where the reason names the field
 * and what was wrong, e.g. `status: expected an integer 100..599, found "abc"`.
 *
 * @example
 * ```ts
 * import { parseLogMessage } from "./parse_log_message.ts";
 * import assert from "assert";
 * const line = '10.0.0.1 - - [20/Nov/2026:13:05:01 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8" 0.004';
 * const result = parseLogMessage(line, Date.UTC(2026, 10, 21));
 * assert.ok(result.ok && result.record.request_time === 0.004);
 * assert.deepEqual(parseLogMessage("hello", Date.UTC(2026, 10, 21)), {
 *   ok: false,
 *   reason: 'not JSON and not a combined-format line: "hello"',
 * });
 * ```
 */
export function parseLogMessage(
  bytes: Uint8Array | string,
  now: number = Date.now(),
  fallbackTime?: number,
): ParseResult {
  let text: string;
  if (typeof bytes === "string") {
    text = bytes;
  } else {
    try {
      text = utf8.decode(bytes);
    } catch {
      return { ok: false, reason: "message is not valid UTF-8" };
    }
  }
  text = text.trim();
  if (text.length === 0) return { ok: false, reason: "message is empty" };
  return text.charCodeAt(0) === 123
    ? parseJsonLog(text, now, fallbackTime)
    : parseCombinedLine(text, now);
}
