/**
 * What each nginx `log_format` variable and Apache `LogFormat` directive means for a record:
 * the field it fills and how its text is read. Private to the format compiler.
 *
 * @module
 */

/**
 * How a captured value is used:
 * - `remote_addr`, `forwarded_for`: the client address (`forwarded_for` only when configured);
 * - `time_local` (`10/Oct/2000:13:55:36 -0700`, brackets allowed), `time_iso8601`, `msec`
 *   (seconds with a fraction): the time;
 * - `request` (`GET /a HTTP/1.1`), `method`, `request_uri`, `path`, `query`;
 * - `status`, `body_bytes` (`-` is 0), `bytes_sent` (used when there is no body size);
 * - `referrer`, `user_agent`;
 * - `seconds`, `milliseconds`, `microseconds`: the request time in that unit;
 * - `site`: the virtual host;
 * - `prop`: kept in `props` under the variable's name; `ignore`: dropped.
 */
export type FieldRole =
  | "remote_addr"
  | "forwarded_for"
  | "time_local"
  | "time_iso8601"
  | "msec"
  | "request"
  | "method"
  | "request_uri"
  | "path"
  | "query"
  | "status"
  | "body_bytes"
  | "bytes_sent"
  | "referrer"
  | "user_agent"
  | "seconds"
  | "milliseconds"
  | "microseconds"
  | "site"
  | "prop"
  | "ignore";

/** nginx variables with a meaning; any other variable is kept in `props` by its name. */
export const NGINX_VARIABLES: Readonly<Record<string, FieldRole>> = {
  remote_addr: "remote_addr",
  realip_remote_addr: "remote_addr",
  http_x_forwarded_for: "forwarded_for",
  proxy_add_x_forwarded_for: "forwarded_for",
  time_local: "time_local",
  time_iso8601: "time_iso8601",
  msec: "msec",
  request: "request",
  request_method: "method",
  request_uri: "request_uri",
  uri: "path",
  document_uri: "path",
  args: "query",
  query_string: "query",
  is_args: "ignore",
  status: "status",
  body_bytes_sent: "body_bytes",
  bytes_sent: "bytes_sent",
  http_referer: "referrer",
  http_user_agent: "user_agent",
  request_time: "seconds",
  host: "site",
  server_name: "site",
  http_host: "site",
};

/** Apache directives (the letter after `%`) with a meaning; others are kept in `props`. */
export const APACHE_DIRECTIVES: Readonly<Record<string, FieldRole>> = {
  h: "remote_addr",
  a: "remote_addr",
  l: "ignore",
  t: "time_local",
  r: "request",
  m: "method",
  U: "path",
  q: "query",
  s: "status",
  b: "body_bytes",
  B: "body_bytes",
  O: "bytes_sent",
  D: "microseconds",
  T: "seconds",
  v: "site",
  V: "site",
};

/** Names in `props` of Apache directives kept there (`%u` is `remote_user`, as in nginx). */
export const APACHE_PROP_NAMES: Readonly<Record<string, string>> = {
  u: "remote_user",
  H: "server_protocol",
  p: "server_port",
  P: "pid",
  I: "bytes_received",
  f: "request_filename",
  k: "keepalive_requests",
  X: "connection_status",
  L: "log_id",
  R: "handler",
  S: "bytes_transferred",
};

/** The role of Apache `%{Name}i` (a request header), by the header's lower-case name. */
export function apacheHeaderRole(header: string): FieldRole {
  switch (header.toLowerCase()) {
    case "referer":
      return "referrer";
    case "user-agent":
      return "user_agent";
    case "x-forwarded-for":
      return "forwarded_for";
    case "host":
      return "site";
    default:
      return "prop";
  }
}

/** The role of Apache `%{unit}T` (the time taken in a unit). */
export function apacheDurationRole(unit: string): FieldRole | undefined {
  switch (unit) {
    case "s":
      return "seconds";
    case "ms":
      return "milliseconds";
    case "us":
      return "microseconds";
    default:
      return undefined;
  }
}
