/**
 * Parser for one Apache/nginx "combined" access-log line, optionally followed by nginx
 * `$request_time`:
 *
 * `127.0.0.1 - frank [10/Oct/2026:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "-" "curl/8" 0.123`
 *
 * A single left-to-right scan over char codes: no regular expressions, so no backtracking on
 * hostile input and no per-line allocations beyond the field strings.
 *
 * @module
 */
import { describeValue, type ParseResult, validateLogFields } from "./validate.ts";

const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
/** `dd/Mon/yyyy:HH:mm:ss +zzzz` */
const TIME_LOCAL_LENGTH = 26;

/** Index of the next space (or the end) from `at`. */
function tokenEnd(line: string, at: number): number {
  let i = at;
  while (i < line.length && line.charCodeAt(i) !== SPACE) i++;
  return i;
}

/** Index of the first non-space from `at`. */
function skipSpaces(line: string, at: number): number {
  let i = at;
  while (i < line.length && line.charCodeAt(i) === SPACE) i++;
  return i;
}

/**
 * Index of the quote closing a quoted field whose opening quote is at `at - 1`, honouring
 * backslash escapes; -1 when unterminated.
 */
function closingQuote(line: string, at: number): number {
  for (let i = at; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === QUOTE) return i;
  }
  return -1;
}

/** Content of a quoted field with `\"` and `\\` unescaped (the forms Apache writes). */
function unescapeQuoted(raw: string): string {
  if (raw.indexOf("\\") < 0) return raw;
  let text = "";
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    const next = raw[i + 1];
    if (char === "\\" && (next === '"' || next === "\\")) {
      text += next;
      i++;
    } else {
      text += char;
    }
  }
  return text;
}

/** The generic rejection for text that is neither format. */
function notCombined(line: string): ParseResult {
  return {
    ok: false,
    reason: `not JSON and not a combined-format line: ${describeValue(line)}`,
  };
}

/** A rejection for a line that starts like a combined line but breaks at `column`. */
function malformed(line: string, expected: string, column: number): ParseResult {
  return {
    ok: false,
    reason: `combined-format line: expected ${expected} at column ${column + 1}: ${
      describeValue(line)
    }`,
  };
}

/**
 * Parses one combined-format line (the common format without referrer and user agent is
 * accepted too, both then `-`). A trailing number is read as `$request_time` in seconds;
 * without it request_time is 0. A `-` body size means 0.
 *
 * @param line The line, trimmed.
 * @param now Current time in epoch ms, bounding future timestamps.
 * @returns The record, or the reason it was rejected.
 *
 * @example
 * ```ts
 * import { parseCombinedLine } from "./combined_log.ts";
 * import assert from "assert";
 * const result = parseCombinedLine(
 *   '127.0.0.1 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 ' +
 *     '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
 *   Date.UTC(2026, 10, 1),
 * );
 * assert.ok(result.ok && result.record.timestamp === Date.UTC(2026, 9, 10, 20, 55, 36));
 * ```
 */
export function parseCombinedLine(line: string, now: number): ParseResult {
  // host ident user [
  const hostEnd = tokenEnd(line, 0);
  if (hostEnd === 0) return notCombined(line);
  const identStart = skipSpaces(line, hostEnd);
  const userStart = skipSpaces(line, tokenEnd(line, identStart));
  const timeOpen = skipSpaces(line, tokenEnd(line, userStart));
  if (
    identStart === hostEnd || userStart === identStart || timeOpen >= line.length ||
    line.charCodeAt(timeOpen) !== OPEN_BRACKET
  ) return notCombined(line);

  const timeStart = timeOpen + 1;
  const timeEnd = timeStart + TIME_LOCAL_LENGTH;
  if (line.charCodeAt(timeEnd) !== CLOSE_BRACKET) {
    return malformed(line, "[dd/Mon/yyyy:HH:mm:ss +zzzz]", timeOpen);
  }

  // "METHOD URI PROTOCOL"
  const requestOpen = skipSpaces(line, timeEnd + 1);
  if (line.charCodeAt(requestOpen) !== QUOTE) return malformed(line, '"request"', requestOpen);
  const requestClose = closingQuote(line, requestOpen + 1);
  if (requestClose < 0) return malformed(line, "a closing quote", requestOpen);
  const request = unescapeQuoted(line.slice(requestOpen + 1, requestClose));
  const methodEnd = request.indexOf(" ");
  if (methodEnd <= 0) {
    return malformed(line, '"METHOD /path HTTP/x.y" as the request', requestOpen);
  }
  let uriEnd = request.lastIndexOf(" ");
  if (uriEnd === methodEnd || !request.startsWith("HTTP/", uriEnd + 1)) uriEnd = request.length;
  const method = request.slice(0, methodEnd);
  const requestUri = request.slice(methodEnd + 1, uriEnd);

  // status bytes
  const statusStart = skipSpaces(line, requestClose + 1);
  const statusEnd = tokenEnd(line, statusStart);
  const bytesStart = skipSpaces(line, statusEnd);
  const bytesEnd = tokenEnd(line, bytesStart);
  if (statusEnd === statusStart) return malformed(line, "a status code", statusStart);
  if (bytesEnd === bytesStart) return malformed(line, "a body size", bytesStart);
  const bytesText = line.slice(bytesStart, bytesEnd);

  // "referrer" "user agent" (absent in the common format)
  let referrer = "-";
  let userAgent = "-";
  let at = skipSpaces(line, bytesEnd);
  if (at < line.length && line.charCodeAt(at) === QUOTE) {
    const referrerClose = closingQuote(line, at + 1);
    if (referrerClose < 0) return malformed(line, "a closing quote", at);
    referrer = unescapeQuoted(line.slice(at + 1, referrerClose));
    at = skipSpaces(line, referrerClose + 1);
    if (line.charCodeAt(at) !== QUOTE) return malformed(line, '"user agent"', at);
    const userAgentClose = closingQuote(line, at + 1);
    if (userAgentClose < 0) return malformed(line, "a closing quote", at);
    userAgent = unescapeQuoted(line.slice(at + 1, userAgentClose));
    at = skipSpaces(line, userAgentClose + 1);
  }

  // optional $request_time, then the end
  let requestTime: string | number = 0;
  if (at < line.length) {
    const timeTokenEnd = tokenEnd(line, at);
    requestTime = line.slice(at, timeTokenEnd);
    if (skipSpaces(line, timeTokenEnd) !== line.length) {
      return malformed(line, "the end of the line after the request time", timeTokenEnd);
    }
  }

  return validateLogFields({
    timestamp: line.slice(timeStart, timeEnd),
    request_uri: requestUri,
    status: line.slice(statusStart, statusEnd),
    body_bytes_sent: bytesText === "-" ? 0 : bytesText,
    request_time: requestTime,
    http_referrer: referrer,
    http_user_agent: userAgent,
    remote_addr: line.slice(0, hostEnd),
    method,
  }, now);
}
