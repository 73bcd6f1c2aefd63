/**
 * Timestamp parsing and formatting for web-log input: ISO-8601 with a zone, epoch
 * milliseconds, and the nginx/Apache `$time_local` form `10/Oct/2026:13:55:36 -0700`.
 *
 * Parsers are hand-written over char codes: they run once per record on the hot path, and
 * `Date.parse` both accepts too much (zone-less strings read as local time) and is slow.
 *
 * @module
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_INDEX: Record<string, number> = Object.fromEntries(MONTHS.map((name, i) => [name, i]));
const CODE_0 = 48;
const CODE_9 = 57;

/** Reads `length` decimal digits at `at`; -1 when any is not a digit. */
function digitsAt(text: string, at: number, length: number): number {
  if (at + length > text.length) return -1;
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const code = text.charCodeAt(i);
    if (code < CODE_0 || code > CODE_9) return -1;
    value = value * 10 + code - CODE_0;
  }
  return value;
}

/** Days in a month (0-based) of a year, Gregorian. */
function daysInMonth(year: number, month: number): number {
  if (month === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 3 || month === 5 || month === 8 || month === 10 ? 30 : 31;
}

/** Epoch ms of a civil date-time minus a zone offset; NaN when any part is out of range. */
function civilToEpoch(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
): number {
  if (
    year < 0 || month < 0 || month > 11 || day < 1 || day > daysInMonth(year, month) ||
    hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 ||
    offsetMinutes < -1080 || offsetMinutes > 1080
  ) return NaN;
  // A leap second (:60) is folded onto the next second, as most log tools do.
  return Date.UTC(year, month, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

/**
 * Parses an ISO-8601 date-time that carries a zone: `2026-11-20T13:05:01Z`,
 * `2026-11-20T13:05:01.250+01:00`, `2026-11-20 13:05:01+0100`. Fractions beyond
 * milliseconds are truncated.
 *
 * @param text The date-time, already trimmed.
 * @returns Epoch milliseconds, or NaN when `text` is not such a date-time (including a
 * missing zone, which would otherwise silently mean the reader's local time).
 *
 * @example
 * ```ts
 * import { parseIsoDateTime } from "./time.ts";
 * import assert from "assert";
 * assert.equal(parseIsoDateTime("2026-11-20T13:05:01+01:00"), Date.UTC(2026, 10, 20, 12, 5, 1));
 * assert.ok(Number.isNaN(parseIsoDateTime("2026-11-20T13:05:01")));
 * ```
 */
export function parseIsoDateTime(text: string): number {
  // YYYY-MM-DDTHH:MM:SS is 19 characters; the zone needs at least one more.
  if (text.length < 20 || text.length > 40) return NaN;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const separator = text[10];
  if (
    text[4] !== "-" || text[7] !== "-" || text[13] !== ":" || text[16] !== ":" ||
    (separator !== "T" && separator !== "t" && separator !== " ")
  ) return NaN;
  let at = 19;
  let millis = 0;
  if (text[at] === "." || text[at] === ",") {
    at++;
    const fractionStart = at;
    let scale = 100;
    while (at < text.length) {
      const code = text.charCodeAt(at);
      if (code < CODE_0 || code > CODE_9) break;
      millis += (code - CODE_0) * scale;
      scale /= 10;
      at++;
    }
    if (at === fractionStart) return NaN;
    millis = Math.floor(millis);
  }
  const offsetMinutes = parseZone(text, at);
  if (Number.isNaN(offsetMinutes)) return NaN;
  return civilToEpoch(year, month - 1, day, hour, minute, second, millis, offsetMinutes);
}

/** Reads a zone that must end the text: `Z`, `+HH:MM`, `+HHMM` or `+HH`; NaN otherwise. */
function parseZone(text: string, at: number): number {
  const sign = text[at];
  const rest = text.length - at - 1;
  if (sign === "Z" || sign === "z") return rest === 0 ? 0 : NaN;
  if (sign !== "+" && sign !== "-") return NaN;
  const hours = digitsAt(text, at + 1, 2);
  let minutes = 0;
  if (rest === 5 && text[at + 3] === ":") minutes = digitsAt(text, at + 4, 2);
  else if (rest === 4) minutes = digitsAt(text, at + 3, 2);
  else if (rest !== 2) return NaN;
  if (hours < 0 || minutes < 0 || minutes > 59) return NaN;
  const offset = hours * 60 + minutes;
  return sign === "-" ? -offset : offset;
}

/**
 * Parses the `$time_local` / `%t` form of nginx and Apache: `10/Oct/2026:13:55:36 -0700`
 * (brackets not included).
 *
 * @param text The time, exactly 26 characters.
 * @returns Epoch milliseconds, or NaN when `text` is not in that form.
 *
 * @example
 * ```ts
 * import { parseTimeLocal } from "./time.ts";
 * import assert from "assert";
 * assert.equal(parseTimeLocal("10/Oct/2026:13:55:36 -0700"), Date.UTC(2026, 9, 10, 20, 55, 36));
 * ```
 */
export function parseTimeLocal(text: string): number {
  if (text.length !== 26) return NaN;
  const month = MONTH_INDEX[text.slice(3, 6)];
  if (
    month === undefined || text[2] !== "/" || text[6] !== "/" || text[11] !== ":" ||
    text[14] !== ":" || text[17] !== ":" || text[20] !== " "
  ) return NaN;
  const offsetMinutes = parseZone(text, 21);
  if (Number.isNaN(offsetMinutes)) return NaN;
  return civilToEpoch(
    digitsAt(text, 7, 4),
    month,
    digitsAt(text, 0, 2),
    digitsAt(text, 12, 2),
    digitsAt(text, 15, 2),
    digitsAt(text, 18, 2),
    0,
    offsetMinutes,
  );
}

/**
 * Parses any timestamp a JSON log may carry: epoch milliseconds (number or digit string),
 * ISO-8601 with a zone, or `$time_local`.
 *
 * @param value The raw field value.
 * @returns Epoch milliseconds, or NaN when the value is none of those forms.
 *
 * @example
 * ```ts
 * import { parseTimestamp } from "./time.ts";
 * import assert from "assert";
 * assert.equal(parseTimestamp(1700000000000), 1700000000000);
 * assert.equal(parseTimestamp("1700000000000"), 1700000000000);
 * assert.equal(parseTimestamp("2023-11-14T22:13:20Z"), 1700000000000);
 * assert.equal(parseTimestamp("14/Nov/2023:22:13:20 +0000"), 1700000000000);
 * ```
 */
export function parseTimestamp(value: unknown): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : NaN;
  if (typeof value !== "string") return NaN;
  const text = value.trim();
  if (text.length === 0) return NaN;
  const first = text.charCodeAt(0);
  if (text.length === 26 && text[2] === "/") return parseTimeLocal(text);
  if (text.length >= 20 && text[4] === "-") return parseIsoDateTime(text);
  if (first >= CODE_0 && first <= CODE_9 && text.length <= 16) {
    const millis = digitsAt(text, 0, text.length);
    return millis < 0 ? NaN : millis;
  }
  return NaN;
}

/** Two-digit zero padding. */
function pad2(value: number): string {
  return value < 10 ? "0" + value : String(value);
}

/**
 * Formats epoch milliseconds as `$time_local` in a fixed zone, e.g.
 * `10/Oct/2026:13:55:36 -0700`. Milliseconds are dropped (the format has whole seconds).
 *
 * @param epochMs The instant.
 * @param offsetMinutes The zone's offset from UTC, e.g. -420 for `-0700`.
 * @returns The formatted time, without brackets.
 *
 * @example
 * ```ts
 * import { formatTimeLocal } from "./time.ts";
 * import assert from "assert";
 * assert.equal(formatTimeLocal(Date.UTC(2026, 9, 10, 20, 55, 36), -420), "10/Oct/2026:13:55:36 -0700");
 * ```
 */
export function formatTimeLocal(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000);
  const absolute = Math.abs(offsetMinutes);
  return pad2(local.getUTCDate()) + "/" + MONTHS[local.getUTCMonth()] + "/" +
    local.getUTCFullYear() + ":" + pad2(local.getUTCHours()) + ":" +
    pad2(local.getUTCMinutes()) + ":" + pad2(local.getUTCSeconds()) + " " +
    (offsetMinutes < 0 ? "-" : "+") + pad2(Math.floor(absolute / 60)) + pad2(absolute % 60);
}
