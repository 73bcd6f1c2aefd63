/**
 * How the traffic simulator writes a record onto the wire: as a JSON object in one of the
 * several shapes real loggers produce, as a combined-format line, or deliberately broken.
 *
 * @module
 */
import type { RequestRecord } from "../records.ts";
import { formatCombinedLine } from "../parse/format_combined_log.ts";
import { formatTimeLocal } from "../parse/time.ts";
import type { SeededRandom } from "./random.ts";

/** Zone offsets (minutes) servers write their local times in; UTC is the most common. */
const SERVER_ZONES = [0, 0, 0, 60, 120, -300, -420, 330, 540, -180];
const REQUIRED_FIELDS = [
  "timestamp",
  "request_uri",
  "status",
  "body_bytes_sent",
  "request_time",
  "http_referrer",
  "http_user_agent",
] as const;
const BAD_STATUSES: unknown[] = ["abc", 0, 99, 600, 20.5, "2xx", null, "", true];
const BAD_TIMESTAMPS: unknown[] = [
  "yesterday",
  "2026-11-20T10:00:00",
  "2026-02-30T00:00:00Z",
  "2099-01-01T00:00:00Z",
  "1999-12-31T23:59:59Z",
  1_700_000_000,
  "20/Nov/2026 10:00:00",
  "",
  null,
];

/** `2026-11-20T11:00:00+01:00`: an ISO date-time written in a zone other than UTC. */
function formatIsoWithOffset(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const absolute = Math.abs(offsetMinutes);
  const hours = Math.floor(absolute / 60);
  const minutes = absolute % 60;
  return local + (offsetMinutes < 0 ? "-" : "+") + (hours < 10 ? "0" : "") + hours + ":" +
    (minutes < 10 ? "0" : "") + minutes;
}

// Consecutive events mostly share a second, and toISOString is slow: remember the last one.
let memoIsoMs = NaN;
let memoIso = "";

/** `new Date(ms).toISOString()`, memoized for repeated calls with the same instant. */
function isoString(epochMs: number): string {
  if (epochMs !== memoIsoMs) {
    memoIsoMs = epochMs;
    memoIso = new Date(epochMs).toISOString();
  }
  return memoIso;
}

/** The record's timestamp in one of the forms loggers use (all parse to the same ms). */
function timestampField(random: SeededRandom, timestamp: number): string | number {
  const form = random.next();
  if (form < 0.6) return isoString(timestamp);
  if (form < 0.7) return isoString(timestamp).slice(0, 19) + "Z";
  if (form < 0.8) return formatIsoWithOffset(timestamp, random.pick(SERVER_ZONES));
  if (form < 0.9) return timestamp;
  if (form < 0.95) return String(timestamp);
  return formatTimeLocal(timestamp, random.pick(SERVER_ZONES));
}

/** The JSON object fields of a record, with the variations real loggers show. */
function jsonFields(random: SeededRandom, record: RequestRecord): Record<string, unknown> {
  const numbersAsText = random.next() < 0.05;
  // Some loggers leave out the method when it is GET; the parser defaults it.
  const omitMethod = record.method === "GET" && random.next() < 0.2;
  return {
    timestamp: timestampField(random, record.timestamp),
    remote_addr: record.remote_addr,
    method: omitMethod ? undefined : record.method, // JSON.stringify drops undefined
    request_uri: record.request_uri,
    status: numbersAsText ? String(record.status) : record.status,
    body_bytes_sent: numbersAsText ? String(record.body_bytes_sent) : record.body_bytes_sent,
    request_time: numbersAsText ? String(record.request_time) : record.request_time,
    http_referrer: record.http_referrer,
    http_user_agent: record.http_user_agent,
  };
}

/** A JSON value: strings quoted (timestamps need no escaping), numbers as they are. */
function jsonValue(value: string | number): string {
  return typeof value === "string" ? '"' + value + '"' : String(value);
}

/**
 * Writes a record as one JSON log object, with the variations real loggers show: several
 * timestamp forms, numbers sometimes as strings, the method sometimes left out when GET.
 *
 * @param random The traffic's random stream (draws which layout variations to use).
 * @param record A valid record with a whole-second timestamp.
 * @returns JSON text that parses back to exactly `record`.
 */
export function encodeJson(random: SeededRandom, record: RequestRecord): string {
  // Written by hand: JSON.stringify of a fresh object is the slowest step of generation.
  const numbersAsText = random.next() < 0.05;
  const omitMethod = record.method === "GET" && random.next() < 0.2;
  const status = numbersAsText ? '"' + record.status + '"' : String(record.status);
  const bytes = numbersAsText ? '"' + record.body_bytes_sent + '"' : String(record.body_bytes_sent);
  const seconds = numbersAsText ? '"' + record.request_time + '"' : String(record.request_time);
  // The text fields come from the vocabulary, which holds no character JSON must escape.
  return '{"timestamp":' + jsonValue(timestampField(random, record.timestamp)) +
    ',"remote_addr":"' + record.remote_addr + '"' +
    (omitMethod ? "" : ',"method":"' + record.method + '"') +
    ',"request_uri":"' + record.request_uri + '","status":' + status +
    ',"body_bytes_sent":' + bytes + ',"request_time":' + seconds + ',"http_referrer":"' +
    record.http_referrer + '","http_user_agent":"' + record.http_user_agent + '"}';
}

/**
 * Writes a record as a combined-format line in a random server zone; 30% of lines carry no
 * request time (Apache), and then the record's request_time is set to 0 to match.
 *
 * @param random The traffic's random stream.
 * @param record A valid record with a whole-second timestamp; may be updated in place.
 * @returns The line.
 */
export function encodeCombined(random: SeededRandom, record: RequestRecord): string {
  const withRequestTime = random.next() < 0.7;
  if (!withRequestTime) record.request_time = 0;
  return formatCombinedLine(record, {
    offsetMinutes: random.pick(SERVER_ZONES),
    withRequestTime,
    dashForEmptyBody: random.next() < 0.5,
  });
}

/**
 * Writes a message the parser must reject: truncated JSON, a bad status, a missing field, a
 * bad timestamp, a truncated combined line, or text that is no log at all.
 *
 * @param random The traffic's random stream.
 * @param record A valid record to spoil.
 * @param garbageLines Prose lines to use as non-log text.
 * @returns The broken message.
 */
export function encodeMalformed(
  random: SeededRandom,
  record: RequestRecord,
  garbageLines: readonly string[],
): string {
  const kind = random.int(6);
  if (kind === 0) {
    const json = encodeJson(random, record);
    return json.slice(0, random.between(1, json.length - 1));
  }
  if (kind === 1) {
    return JSON.stringify({ ...jsonFields(random, record), status: random.pick(BAD_STATUSES) });
  }
  if (kind === 2) {
    const fields = jsonFields(random, record);
    delete fields[random.pick(REQUIRED_FIELDS)];
    return JSON.stringify(fields);
  }
  if (kind === 3) {
    return JSON.stringify({
      ...jsonFields(random, record),
      timestamp: random.pick(BAD_TIMESTAMPS),
    });
  }
  if (kind === 4) {
    // Cut before the request's closing quote: no parser can make a record of what is left.
    const line = formatCombinedLine(record);
    const requestEnd = line.indexOf('"', line.indexOf('"') + 1);
    return line.slice(0, random.between(1, requestEnd));
  }
  return random.pick(garbageLines);
}
