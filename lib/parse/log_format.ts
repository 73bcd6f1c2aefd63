/**
 * Log formats: a named format (`combined`, `common`, `nginx_timed`, `json`, ...) or an nginx
 * `log_format` / Apache `LogFormat` string, compiled once into a parser for one line.
 *
 * The compiled parser is a list of steps run left to right over the line: a literal is
 * compared in place, a field runs up to the literal that follows it (a quoted field up to its
 * unescaped closing quote). No regular expression runs per line, and a line that does not
 * match is rejected with the column where it stopped matching.
 *
 * @module
 */
import { describeValue, type ParseResult } from "./validate.ts";
import { validateRecordFields } from "./record_fields.ts";
import { parseJsonLog } from "./json_log.ts";
import { parseLogMessage } from "./parse_log_message.ts";
import {
  apacheTokens,
  type FormatDialect,
  formatDialect,
  type FormatField,
  type FormatToken,
  LogFormatError,
  nginxTokens,
} from "./_format_tokens.ts";
import { fieldValues } from "./_format_fields.ts";

export { LogFormatError };

/** A compiled log format. */
export interface LogFormat {
  /** The format's name, or the format string as configured. */
  name: string;
  /**
   * Parses one line (without its line break) into a record.
   *
   * @param line The line.
   * @param now Current time in epoch ms; times later than `now` + 1 day are rejected.
   * @param fallbackTime Time for a line whose format carries none (e.g. a syslog header's).
   */
  parse(line: string, now: number, fallbackTime?: number): ParseResult;
}

/** How the compiled format fills a record. */
export interface LogFormatOptions {
  /**
   * Read the client address from `$http_x_forwarded_for` / `%{X-Forwarded-For}i` (its first
   * address) when the line has one, rather than from `$remote_addr` (the proxy, behind one).
   */
  clientFromForwardedFor?: boolean;
}

const COMBINED_NGINX = '$remote_addr - $remote_user [$time_local] "$request" $status ' +
  '$body_bytes_sent "$http_referer" "$http_user_agent"';

/** The named formats and the format string each stands for (`json`, `auto` have none). */
export const NAMED_FORMATS: Readonly<Record<string, string>> = {
  combined: COMBINED_NGINX,
  common: "$remote_addr - $remote_user [$time_local] " + '"$request" $status $body_bytes_sent',
  nginx_timed: `${COMBINED_NGINX} $request_time`,
  vhost_combined: '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  json: "",
  auto: "",
};

/** One step of a compiled format: a literal to compare, or a field to capture. */
interface Step {
  /** Literal text to find at the position, or undefined for a field. */
  literal?: string;
  /** The field captured, for a field step. */
  field?: FormatField;
  /** For a field: the literal that ends it ("" when it runs to the end of the line). */
  until: string;
  /** For a field between quotes: it ends at the first quote not escaped by a backslash. */
  quoted: boolean;
}

/** The steps of a token list; two fields with no text between them cannot be told apart. */
function compileSteps(tokens: FormatToken[], format: string): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (typeof token === "string") {
      steps.push({ literal: token, until: "", quoted: false });
      continue;
    }
    const next = tokens[i + 1];
    if (next !== undefined && typeof next !== "string") {
      const column = format.indexOf(next.written) + 1;
      throw new LogFormatError(
        `format: ${token.written} and ${next.written} (column ${column} of the format) have no text between ` +
          `them, so a line cannot be split between them; put a space or other text between`,
        column,
      );
    }
    const previous = tokens[i - 1];
    const quoted = typeof previous === "string" && previous.endsWith('"') &&
      typeof next === "string" && next.startsWith('"');
    steps.push({ field: token, until: next ?? "", quoted });
  }
  return steps;
}

/** The fields a format needs to make a request record, or the reason it cannot. */
function checkFields(tokens: FormatToken[]): void {
  const roles = new Set(
    tokens.filter((token): token is FormatField => typeof token !== "string").map((t) => t.role),
  );
  if (roles.size === 0) {
    throw new LogFormatError(
      "format: no variable found; write an nginx log_format ($remote_addr ...), an Apache " +
        "LogFormat (%h ...) or a named format (combined, common, nginx_timed, " +
        "vhost_combined, json)",
      1,
    );
  }
  if (!roles.has("request") && !roles.has("request_uri") && !roles.has("path")) {
    throw new LogFormatError(
      "format: no request path; add $request or $request_uri (nginx), %r or %U (Apache)",
      1,
    );
  }
  if (!roles.has("status")) {
    throw new LogFormatError("format: no status; add $status (nginx) or %>s (Apache)", 1);
  }
}

/** Index of the quote ending a quoted value starting at `at`, honouring backslashes; or -1. */
function closingQuote(line: string, at: number): number {
  for (let i = at; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === 92) i++;
    else if (code === 34) return i;
  }
  return -1;
}

/** A rejection for a line that stops matching at `at` (0-based). */
function mismatch(name: string, line: string, expected: string, at: number): ParseResult {
  return {
    ok: false,
    reason: `line does not match format ${name}: expected ${expected} at column ${at + 1}, ` +
      `found ${describeValue(line.slice(at))}`,
  };
}

/** The end of a field's value starting at `at`, or -1 when its terminator is missing. */
function fieldEnd(line: string, step: Step, at: number): number {
  if (step.field!.role === "time_local" && line.charCodeAt(at) === 91) {
    // Apache's %t writes its brackets itself: the value runs to the closing one.
    const close = line.indexOf("]", at);
    return close < 0 ? -1 : close + 1;
  }
  if (step.until.length === 0) return line.length;
  if (step.quoted) return closingQuote(line, at);
  return line.indexOf(step.until, at);
}

/** Builds the parser of a format string. */
function compileString(
  name: string,
  format: string,
  dialect: FormatDialect,
  options: LogFormatOptions,
): LogFormat {
  const tokens = dialect === "nginx" ? nginxTokens(format) : apacheTokens(format);
  checkFields(tokens);
  const steps = compileSteps(tokens, format);
  const fields = steps.filter((step) => step.field !== undefined).map((step) => step.field!);
  const values: string[] = new Array(fields.length);
  const columns: number[] = new Array(fields.length);
  return {
    name,
    parse(line, now, fallbackTime) {
      let end = line.length;
      while (end > 0 && (line.charCodeAt(end - 1) === 13 || line.charCodeAt(end - 1) === 32)) {
        end--;
      }
      const text = end === line.length ? line : line.slice(0, end);
      let at = 0;
      let field = 0;
      for (const step of steps) {
        if (step.literal !== undefined) {
          if (!text.startsWith(step.literal, at)) {
            return mismatch(name, text, JSON.stringify(step.literal), at);
          }
          at += step.literal.length;
          continue;
        }
        const stop = fieldEnd(text, step, at);
        if (stop < 0) {
          // Point at where the text after the field most likely should have been: the first
          // character of that text, if it occurs at all.
          const near = step.until.length > 0 ? text.indexOf(step.until[0]!, at) : -1;
          const expected = `${JSON.stringify(step.until)} after ${step.field!.written}`;
          return mismatch(name, text, expected, near < 0 ? at : near);
        }
        values[field] = text.slice(at, stop);
        columns[field++] = at + 1;
        at = stop;
      }
      if (at < text.length) return mismatch(name, text, "the end of the line", at);
      const built = fieldValues(fields, values, columns, options);
      if (typeof built === "string") return { ok: false, reason: `format ${name}: ${built}` };
      return validateRecordFields(built, now, fallbackTime);
    },
  };
}

/**
 * Compiles a log format, once, into a line parser.
 *
 * `format` is a named format (`combined`, `common`, `nginx_timed`: combined then
 * `$request_time`, `vhost_combined` (Apache), `json`: one JSON object
 * per line, `auto`: JSON or combined with an optional request time, as the `kafka` source
 * reads), or an nginx `log_format` string (`$remote_addr [$time_local] "$request" ...`), or an
 * Apache `LogFormat` string (`%h %l %u %t \"%r\" %>s %b ...`). Variables fill record fields:
 * the time (`$time_local`, `$time_iso8601`, `$msec`, `%t`), the request (`$request`, `%r`, or
 * `$request_method`/`$request_uri`), `$status`, `$body_bytes_sent`, `$http_referer`,
 * `$http_user_agent`, the latency (`$request_time` in seconds, `%D` in microseconds, `%T`,
 * `%{ms}T`), the site (`$host`, `$server_name`, `%v`: in `props.site`); any other variable is
 * kept in `props` under its name (`-` values dropped).
 *
 * @param format The format name or string.
 * @param options How the client address is chosen.
 * @returns The compiled format.
 * @throws {LogFormatError} When the format cannot be compiled: the message says what and where
 * (column in the format) and what to write instead.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { compileLogFormat } from "./log_format.ts";
 * const format = compileLogFormat('$remote_addr [$time_local] "$request" $status $request_time');
 * const result = format.parse(
 *   '10.0.0.1 [20/Nov/2026:13:05:01 +0000] "GET /shop HTTP/1.1" 200 0.250',
 *   Date.UTC(2026, 10, 21),
 * );
 * assert.ok(result.ok && result.record.request_time === 0.25);
 * ```
 */
export function compileLogFormat(format: string, options: LogFormatOptions = {}): LogFormat {
  if (format === "json") {
    return {
      name: "json",
      parse: (line, now, fallback) => parseJsonLog(line.trim(), now, fallback),
    };
  }
  if (format === "auto") {
    return { name: "auto", parse: (line, now, fallback) => parseLogMessage(line, now, fallback) };
  }
  const named = NAMED_FORMATS[format];
  const text = named ?? format;
  const dialect = formatDialect(text);
  if (dialect === undefined) {
    throw new LogFormatError(
      `format: ${JSON.stringify(format)} is neither a named format (${
        Object.keys(NAMED_FORMATS).join(", ")
      }) nor a format string with variables ($remote_addr ... or %h ...)`,
      1,
    );
  }
  return compileString(format, text, dialect, options);
}
