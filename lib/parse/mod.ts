/**
 * Parsing of web-log input (JSON objects and combined-format lines) into validated
 * {@linkcode LogRecord}s, plus the helpers that write and read their timestamps.
 *
 * @example
 * ```ts
 * import { parseLogMessage } from "./mod.ts";
 * import assert from "assert";
 * const result = parseLogMessage('{"status": 200}');
 * assert.equal(result.ok, false);
 * ```
 *
 * @module
 */
export { parseLogMessage } from "./parse_log_message.ts";
export { parseJsonLog } from "./json_log.ts";
export {
  compileLogFormat,
  type LogFormat,
  LogFormatError,
  type LogFormatOptions,
  NAMED_FORMATS,
} from "./log_format.ts";
export { parseSyslogMessage, type SyslogMessage } from "./syslog.ts";
export {
  FIELD_ALIASES,
  MAX_EVENT_FIELD_LENGTH,
  MAX_PROP_KEY_LENGTH,
  MAX_PROP_VALUE_LENGTH,
  MAX_PROPS,
  validateRecordFields,
} from "./record_fields.ts";
export { parseCombinedLine } from "./combined_log.ts";
export { type CombinedLineLayout, formatCombinedLine } from "./format_combined_log.ts";
export {
  describeValue,
  EARLIEST_TIMESTAMP,
  MAX_FUTURE_MS,
  MAX_TEXT_LENGTH,
  MAX_URI_LENGTH,
  type ParseResult,
  type RawLogFields,
  validateLogFields,
} from "./validate.ts";
export { formatTimeLocal, parseIsoDateTime, parseTimeLocal, parseTimestamp } from "./time.ts";
export { DURATION_PATTERN, formatDuration, parseDuration } from "./duration.ts";
