/**
 * Field validation shared by the JSON and combined-format parsers: both hand over raw field
 * values and get back a {@linkcode LogRecord} or a reason naming the field at fault.
 *
 * @module
 */
import type { LogRecord } from "../records.ts";
import { parseTimestamp } from "./time.ts";

/** Outcome of parsing one message: the record, or why it was rejected. */
export type ParseResult =
  | { ok: true; record: LogRecord }
  | { ok: false; reason: string };

/** Raw field values as found in the input, before any checking. */
export interface RawLogFields {
  /** Epoch ms (number or digits), ISO-8601 with zone, or `$time_local`. */
  timestamp: unknown;
  /** Path and query. */
  request_uri: unknown;
  /** Status code (number or digits). */
  status: unknown;
  /** Body size (number or digits). */
  body_bytes_sent: unknown;
  /** Seconds (number or decimal string). */
  request_time: unknown;
  /** Referrer text. */
  http_referrer: unknown;
  /** User agent text. */
  http_user_agent: unknown;
  /** Client address; absent means `-`. */
  remote_addr: unknown;
  /** HTTP method; absent means `GET`. */
  method: unknown;
}

/** Longest request URI accepted. */
export const MAX_URI_LENGTH = 2048;
/** Longest referrer, user agent or address accepted. */
export const MAX_TEXT_LENGTH = 8192;
/** Earliest timestamp accepted: 2000-01-01T00:00:00Z. */
export const EARLIEST_TIMESTAMP = Date.UTC(2000, 0, 1);
/** How far past `now` a timestamp may lie (clock skew allowance): one day. */
export const MAX_FUTURE_MS = 86_400_000;

// A single character class: linear time, no backtracking. Matching control characters is
// the point, hence the lint exception.
// deno-lint-ignore no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const CODE_0 = 48;
const CODE_9 = 57;

/**
 * Describes a rejected value for a reason message: strings quoted and cut to 60 characters.
 *
 * @param value Any raw value.
 * @returns Text such as `"abc"`, `42`, `null` or `nothing (field missing)`.
 *
 * @example
 * ```ts
 * import { describeValue } from "./validate.ts";
 * import assert from "assert";
 * assert.equal(describeValue("abc"), '"abc"');
 * assert.equal(describeValue(undefined), "nothing (field missing)");
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (field missing)";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 60 ? value.slice(0, 60) + "..." : value);
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  return Array.isArray(value) ? "an array" : "an object";
}

/** Builds a rejection naming the field, the expectation and the value found. */
function reject(field: string, expected: string, found: unknown): ParseResult {
  return { ok: false, reason: `${field}: expected ${expected}, found ${describeValue(found)}` };
}

/** A number, or a plain decimal string (`12`, `0.25`) read as one; NaN otherwise. */
function toNumber(value: unknown, allowFraction: boolean): number {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return NaN;
  const text = value.trim();
  if (text.length === 0 || text.length > 24) return NaN;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 && allowFraction && i > 0 && i < text.length - 1 && dots === 0) dots++;
    else if (code < CODE_0 || code > CODE_9) return NaN;
  }
  return Number(text);
}

/** Trimmed text without control characters; undefined when not such a string. */
function toCleanText(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text.length > maxLength || CONTROL_CHARACTER.test(text)) return undefined;
  return text;
}

/** What a text field should have been, given why `toCleanText` refused it. */
function textExpectation(value: unknown, maxLength: number): string {
  if (typeof value !== "string") return "a string";
  if (value.trim().length > maxLength) return `at most ${maxLength} characters`;
  return "text without control characters";
}

/** True for an upper-case HTTP method token such as `GET` or `PROPFIND`. */
function isMethodToken(text: string): boolean {
  if (text.length === 0 || text.length > 20) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 65 || code > 90) && code !== 45 && code !== 95) return false;
  }
  return true;
}

/**
 * Checks raw field values and builds the normalized record.
 *
 * Rules: status an integer 100..599; body_bytes_sent an integer ≥ 0; request_time finite
 * ≥ 0; request_uri starts with `/` (or is `*`), at most 2048 characters; timestamp between
 * 2000-01-01 and `now` + 1 day; text trimmed, control characters rejected; empty referrer,
 * user agent or address become `-`; method upper-cased, `GET` when absent.
 *
 * @param fields Raw values from the JSON object or the combined-format line.
 * @param now Current time in epoch ms, bounding future timestamps.
 * @returns The record, or a reason such as `status: expected an integer 100..599, found "abc"`.
 *
 * @example
 * ```ts
 * import { validateLogFields } from "./validate.ts";
 * import assert from "assert";
 * const result = validateLogFields({
 *   timestamp: "2026-11-20T10:00:00Z", request_uri: "/", status: "200", body_bytes_sent: 512,
 *   request_time: 0.01, http_referrer: "-", http_user_agent: "curl/8.0", remote_addr: undefined,
 *   method: undefined,
 * }, Date.UTC(2026, 10, 21));
 * assert.ok(result.ok && result.record.status === 200 && result.record.method === "GET");
 * ```
 */
export function validateLogFields(fields: RawLogFields, now: number): ParseResult {
  const timestamp = parseTimestamp(fields.timestamp);
  if (Number.isNaN(timestamp)) {
    return reject(
      "timestamp",
      "epoch milliseconds, ISO-8601 with a zone or dd/Mon/yyyy:HH:mm:ss +zzzz",
      fields.timestamp,
    );
  }
  if (timestamp < EARLIEST_TIMESTAMP || timestamp > now + MAX_FUTURE_MS) {
    return reject("timestamp", "a time between year 2000 and now + 1 day", fields.timestamp);
  }

  const request_uri = toCleanText(fields.request_uri, MAX_URI_LENGTH);
  if (
    request_uri === undefined || !(request_uri.charCodeAt(0) === 47 || request_uri === "*")
  ) {
    const expected = request_uri === undefined
      ? textExpectation(fields.request_uri, MAX_URI_LENGTH)
      : "a path starting with / (or *)";
    return reject("request_uri", expected, fields.request_uri);
  }

  const status = toNumber(fields.status, false);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    return reject("status", "an integer 100..599", fields.status);
  }

  const body_bytes_sent = toNumber(fields.body_bytes_sent, false);
  if (!Number.isSafeInteger(body_bytes_sent) || body_bytes_sent < 0) {
    return reject("body_bytes_sent", "an integer ≥ 0", fields.body_bytes_sent);
  }

  const request_time = toNumber(fields.request_time, true);
  if (!Number.isFinite(request_time) || request_time < 0) {
    return reject("request_time", "a finite number of seconds ≥ 0", fields.request_time);
  }

  const http_referrer = toCleanText(fields.http_referrer, MAX_TEXT_LENGTH);
  if (http_referrer === undefined) {
    return reject(
      "http_referrer",
      textExpectation(fields.http_referrer, MAX_TEXT_LENGTH),
      fields.http_referrer,
    );
  }

  const http_user_agent = toCleanText(fields.http_user_agent, MAX_TEXT_LENGTH);
  if (http_user_agent === undefined) {
    return reject(
      "http_user_agent",
      textExpectation(fields.http_user_agent, MAX_TEXT_LENGTH),
      fields.http_user_agent,
    );
  }

  let remote_addr = "-";
  if (fields.remote_addr !== undefined && fields.remote_addr !== null) {
    const text = toCleanText(fields.remote_addr, 255);
    if (text === undefined) {
      return reject("remote_addr", textExpectation(fields.remote_addr, 255), fields.remote_addr);
    }
    if (text.length > 0) remote_addr = text;
  }

  let method = "GET";
  if (fields.method !== undefined && fields.method !== null) {
    const text = typeof fields.method === "string" ? fields.method.trim().toUpperCase() : "";
    if (!isMethodToken(text)) {
      return reject("method", "an HTTP method such as GET or POST", fields.method);
    }
    method = text;
  }

  return {
    ok: true,
    record: {
      timestamp,
      request_uri,
      status,
      body_bytes_sent,
      request_time,
      http_referrer: http_referrer.length === 0 ? "-" : http_referrer,
      http_user_agent: http_user_agent.length === 0 ? "-" : http_user_agent,
      remote_addr,
      method,
    },
  };
}
