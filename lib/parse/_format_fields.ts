/**
 * Turning the values a compiled log format captured into the fields of a record object, which
 * `validateRecordFields` then checks like any JSON record. Private to the format compiler.
 *
 * @module
 */
import type { FormatField } from "./_format_tokens.ts";
import { describeValue } from "./validate.ts";
import { parseTimestamp } from "./time.ts";

const utf8 = new TextDecoder();

/**
 * Text with the escapes web servers write undone: `\xHH` (nginx, Apache: bytes of UTF-8),
 * `\"` and `\\`.
 */
export function unescapeLogText(raw: string): string {
  if (raw.indexOf("\\") < 0) return raw;
  const bytes: number[] = [];
  let text = "";
  const flush = () => {
    if (bytes.length > 0) text += utf8.decode(new Uint8Array(bytes.splice(0)));
  };
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!;
    if (char === "\\" && raw[i + 1] === "x") {
      const code = hexByte(raw, i + 2);
      if (code >= 0) {
        bytes.push(code);
        i += 3;
        continue;
      }
    }
    flush();
    if (char === "\\" && (raw[i + 1] === '"' || raw[i + 1] === "\\")) {
      text += raw[i + 1];
      i++;
    } else {
      text += char;
    }
  }
  flush();
  return text;
}

/** The byte written as two hex digits at `at`, or -1. */
function hexByte(text: string, at: number): number {
  let byte = 0;
  for (let i = at; i < at + 2; i++) {
    const code = text.charCodeAt(i);
    const digit = code >= 48 && code <= 57
      ? code - 48
      : code >= 97 && code <= 102
      ? code - 87
      : code >= 65 && code <= 70
      ? code - 55
      : -1;
    if (digit < 0) return -1;
    byte = byte * 16 + digit;
  }
  return byte;
}

/** True when `text` is 1 to 15 decimal digits. */
function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** A number of `unit` seconds as seconds, or NaN. */
function durationSeconds(text: string, divisor: number): number {
  if (text.length === 0) return NaN;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!((code >= 48 && code <= 57) || code === 46)) return NaN;
  }
  return Number(text) / divisor;
}

const DIVISORS: Readonly<Record<string, number>> = {
  seconds: 1,
  milliseconds: 1_000,
  microseconds: 1_000_000,
};

/** What a field failed to hold, e.g. `$status at column 40: expected digits, found "x"`. */
function wrong(field: FormatField, column: number, expected: string, value: string): string {
  return `${field.written} at column ${column}: expected ${expected}, found ${
    describeValue(value)
  }`;
}

/** Method and URI of a request line `GET /path HTTP/1.1` (protocol optional). */
function splitRequest(value: string): [string, string] | undefined {
  const first = value.indexOf(" ");
  if (first <= 0) return undefined;
  const last = value.lastIndexOf(" ");
  const uri = last > first ? value.slice(first + 1, last) : value.slice(first + 1);
  return uri.length === 0 ? undefined : [value.slice(0, first), uri];
}

/** Fields of one line, or the text of the reason it cannot be a record. */
export function fieldValues(
  fields: readonly FormatField[],
  values: readonly string[],
  columns: readonly number[],
  options: { clientFromForwardedFor?: boolean },
): Record<string, unknown> | string {
  const record: Record<string, unknown> = {};
  const props: Record<string, string> = {};
  let path: string | undefined;
  let query: string | undefined;
  let forwardedFor: string | undefined;
  let bytesSent: string | undefined;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const value = values[i]!;
    const column = columns[i]!;
    switch (field.role) {
      case "remote_addr":
        record.remote_addr = value;
        break;
      case "forwarded_for":
        if (value !== "-" && value.length > 0) forwardedFor = value;
        break;
      case "time_local": {
        const time = value.charCodeAt(0) === 91 ? value.slice(1, -1) : value;
        if (Number.isNaN(parseTimestamp(time))) {
          return wrong(field, column, "a time like 10/Oct/2000:13:55:36 -0700", value);
        }
        record.timestamp = time;
        break;
      }
      case "time_iso8601":
        record.timestamp = value;
        break;
      case "msec": {
        const seconds = durationSeconds(value, 1);
        if (Number.isNaN(seconds)) return wrong(field, column, "seconds since 1970", value);
        record.timestamp = Math.round(seconds * 1000);
        break;
      }
      case "request": {
        const parts = splitRequest(unescapeLogText(value));
        if (parts === undefined) {
          return wrong(field, column, "a request line like GET /path HTTP/1.1", value);
        }
        record.method = parts[0];
        record.request_uri = parts[1];
        break;
      }
      case "method":
        record.method = value;
        break;
      case "request_uri":
        record.request_uri = unescapeLogText(value);
        break;
      case "path":
        path = unescapeLogText(value);
        break;
      case "query":
        if (value !== "-" && value.length > 0) query = value;
        break;
      case "status":
        if (!isDigits(value)) return wrong(field, column, "a status code like 200", value);
        record.status = value;
        break;
      case "body_bytes":
        if (value !== "-" && !isDigits(value)) {
          return wrong(field, column, "a size in bytes", value);
        }
        record.body_bytes_sent = value === "-" ? 0 : value;
        break;
      case "bytes_sent":
        bytesSent = value === "-" ? "0" : value;
        break;
      case "referrer":
        record.http_referrer = unescapeLogText(value);
        break;
      case "user_agent":
        record.http_user_agent = unescapeLogText(value);
        break;
      case "seconds":
      case "milliseconds":
      case "microseconds": {
        if (value === "-") break;
        const seconds = durationSeconds(value, DIVISORS[field.role]!);
        if (Number.isNaN(seconds)) return wrong(field, column, "a duration", value);
        record.request_time = seconds;
        break;
      }
      case "site":
        if (value !== "-" && value.length > 0) props.site = value;
        break;
      case "prop":
        if (value !== "-" && value.length > 0) props[field.prop] = unescapeLogText(value);
        break;
      case "ignore":
        break;
    }
  }
  if (record.request_uri === undefined && path !== undefined) {
    record.request_uri = query === undefined
      ? path
      : `${path}${query.charCodeAt(0) === 63 ? "" : "?"}${query}`;
  }
  if (record.body_bytes_sent === undefined) record.body_bytes_sent = bytesSent ?? 0;
  record.request_time ??= 0;
  record.http_referrer ??= "-";
  record.http_user_agent ??= "-";
  if (forwardedFor !== undefined) {
    props.forwarded_for = forwardedFor;
    if (options.clientFromForwardedFor) {
      const first = forwardedFor.split(",")[0]!.trim();
      if (first.length > 0) record.remote_addr = first;
    }
  }
  if (Object.keys(props).length > 0) record.props = props;
  return record;
}
