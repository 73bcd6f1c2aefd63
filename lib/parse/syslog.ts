/**
 * Reading the header of one syslog message, RFC 5424 or RFC 3164 (BSD), with `nsyslog-parser`
 * (MIT), and judging what it found: a message without a priority, with a priority above 191, or
 * with neither header is malformed.
 *
 * @module
 */
import parseSyslog from "nsyslog-parser";

/** One syslog message, its header read. */
export interface SyslogMessage {
  /** `RFC5424` or `RFC3164`. */
  protocol: "RFC5424" | "RFC3164";
  /** Facility number, 0..23. */
  facility: number;
  /** Severity number, 0..7. */
  severity: number;
  /** Time from the header, ms since epoch, when it has one (RFC 3164: the year is guessed). */
  time?: number;
  /** Host name from the header. */
  host?: string;
  /** Application (RFC 5424 APP-NAME, RFC 3164 TAG without its `[pid]`). */
  app?: string;
  /** The message body (for a web server: its log line). */
  body: string;
}

/** What `nsyslog-parser` returns, as far as it is read here. */
interface ParsedEntry {
  err?: unknown;
  prival?: number;
  facilityval?: number;
  levelval?: number;
  type?: string;
  ts?: string | Date;
  host?: string;
  appName?: string;
  message?: string;
}

const OPTIONS = { cef: false, leef: false, fields: false, pid: false, generateTimestamp: false };

/**
 * Reads one syslog message (one frame, without its framing).
 *
 * @param text The message.
 * @returns The message, or the reason it is malformed.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseSyslogMessage } from "./syslog.ts";
 * const result = parseSyslogMessage("<190>1 2026-11-20T10:00:00Z web1 nginx - - - GET /");
 * assert.ok(result.ok && result.message.body === "GET /" && result.message.host === "web1");
 * assert.equal(parseSyslogMessage("hello").ok, false);
 * ```
 */
export function parseSyslogMessage(
  text: string,
): { ok: true; message: SyslogMessage } | { ok: false; reason: string } {
  if (text.charCodeAt(0) !== 60) {
    return { ok: false, reason: "syslog: expected <PRI> at column 1 (e.g. <190>)" };
  }
  const close = text.indexOf(">");
  const priority = close > 1 && close <= 4 ? Number(text.slice(1, close)) : NaN;
  if (!Number.isInteger(priority) || text.slice(1, close).trim() !== text.slice(1, close)) {
    return { ok: false, reason: "syslog: expected <PRI> at column 1 with a number 0..191" };
  }
  if (priority > 191) {
    return { ok: false, reason: `syslog: priority ${priority} at column 2 is above 191` };
  }
  let entry: ParsedEntry;
  try {
    entry = parseSyslog(text, OPTIONS) as ParsedEntry;
  } catch (error) {
    return { ok: false, reason: `syslog: cannot read the header (${error})` };
  }
  if (entry.err !== undefined || entry.prival === undefined || Number.isNaN(entry.prival)) {
    return { ok: false, reason: "syslog: expected <PRI> at column 1 with a number 0..191" };
  }
  if (entry.type !== "RFC5424" && entry.type !== "BSD") {
    return {
      ok: false,
      reason: "syslog: after <PRI>, expected an RFC 5424 header (1 TIMESTAMP HOST APP ...) or " +
        "an RFC 3164 one (Mmm dd hh:mm:ss HOST TAG:)",
    };
  }
  const time = entry.ts === undefined ? NaN : new Date(entry.ts).getTime();
  let app = entry.appName;
  if (app !== undefined) {
    const bracket = app.indexOf("[");
    if (bracket > 0) app = app.slice(0, bracket);
    if (app.endsWith(":")) app = app.slice(0, -1);
  }
  let body = entry.message ?? "";
  if (body.charCodeAt(0) === 0xfeff) body = body.slice(1); // RFC 5424's BOM before UTF-8 text
  return {
    ok: true,
    message: {
      protocol: entry.type === "BSD" ? "RFC3164" : "RFC5424",
      facility: entry.facilityval ?? 1,
      severity: entry.levelval ?? 5,
      time: Number.isFinite(time) ? time : undefined,
      host: entry.host === "-" ? undefined : entry.host,
      app: app === "-" ? undefined : app,
      body,
    },
  };
}
