/**
 * The record every source yields and every aggregation reads: a web-server request, a product
 * or user event, or both at once.
 *
 * A request log line fills the web-log fields (`request_uri`, `status`, ...); a tracked event
 * fills the event fields (`event_type`, `user_id`, `page_path`, ...). Every field but
 * `timestamp` is optional; the parser requires a time and either a request URI, a page path or
 * an event type. Fields the input carries beyond these land in `props`, never dropped.
 *
 * The page rule: for page aggregations a record's page is its `page_path` when it has one (the
 * page the user saw), otherwise its `request_uri` (the path the server answered); see
 * {@linkcode pageOf}.
 *
 * @module
 */

/** One request or event, normalized from JSON or combined-format input. */
export interface LogRecord {
  /** Time of the request or event, ms since the Unix epoch (UTC). Always set. */
  timestamp: number;

  // Web-log fields: set for request logs (all but remote_addr and method together).
  /** Path and query of the request, e.g. `/products/42?ref=mail`. */
  request_uri?: string;
  /** HTTP status code, 100..599. */
  status?: number;
  /** Response body size in bytes. */
  body_bytes_sent?: number;
  /** Seconds the server spent on the request. */
  request_time?: number;
  /** Referrer header, `-` when absent. */
  http_referrer?: string;
  /** User-Agent header, `-` when absent. */
  http_user_agent?: string;
  /** Client address (`ip` in the input is read as this). */
  remote_addr?: string;
  /** HTTP method, upper case. */
  method?: string;

  // Event fields: set when the input carries them.
  /** The event's own id, when the tracker gives one. */
  event_id?: string;
  /** What happened, e.g. `page_visited`, `add_to_cart` (`action` in the input is read as this). */
  event_type?: string;
  /** Who did it. */
  user_id?: string;
  /** In which visit. */
  session_id?: string;
  /** The page the user was on, a path starting with `/`. */
  page_path?: string;
  /** The product concerned. */
  product_id?: string;
  /** The button clicked. */
  button_id?: string;
  /** Device class, e.g. `mobile`, `desktop`, `tablet`. */
  device?: string;
  /** Country, e.g. an ISO code `DE`. */
  country?: string;
  /** Campaign source (`utm_source`). */
  utm_source?: string;
  /** Campaign medium (`utm_medium`). */
  utm_medium?: string;
  /** Campaign name (`utm_campaign`). */
  utm_campaign?: string;
  /**
   * Every other field of the input, as text: strings as they are, numbers and booleans in
   * their JSON form, objects and arrays as JSON. Absent when there are none.
   */
  props?: Record<string, string>;
}

/** A web-server request: a record with every web-log field set (what the weblog simulator writes). */
export type RequestRecord =
  & LogRecord
  & Required<
    Pick<
      LogRecord,
      | "request_uri"
      | "status"
      | "body_bytes_sent"
      | "request_time"
      | "http_referrer"
      | "http_user_agent"
      | "remote_addr"
      | "method"
    >
  >;

/** The web-log fields, in the order the log table stores them (the time first). */
export const WEB_LOG_FIELDS = [
  "timestamp",
  "request_uri",
  "status",
  "body_bytes_sent",
  "request_time",
  "http_referrer",
  "http_user_agent",
  "remote_addr",
  "method",
] as const;

/** The optional event fields that hold text, in the order the log table stores them. */
export const EVENT_TEXT_FIELDS = [
  "event_id",
  "event_type",
  "user_id",
  "session_id",
  "page_path",
  "product_id",
  "button_id",
  "device",
  "country",
  "utm_source",
  "utm_medium",
  "utm_campaign",
] as const;

/**
 * The page a record counts for in page aggregations: `page_path` when set, else `request_uri`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { pageOf } from "./records.ts";
 * assert.equal(pageOf({ timestamp: 0, request_uri: "/api/track", page_path: "/shoes" }), "/shoes");
 * assert.equal(pageOf({ timestamp: 0, request_uri: "/about" }), "/about");
 * assert.equal(pageOf({ timestamp: 0, event_type: "login" }), undefined);
 * ```
 */
export function pageOf(record: LogRecord): string | undefined {
  return record.page_path ?? record.request_uri;
}

/** A record together with the stable identity of where it came from. */
export interface SourcedRecord {
  /** Stable, unique id of the input message (same message, same id), e.g. `RAWLOG/3/1042`. */
  id: string;
  /** The ordered stream it came from (a Kafka topic, a generator name). */
  stream: string;
  /** Partition within the stream. */
  partition: number;
  /** Position within the partition; increases with every message. */
  offset: number;
  /** The parsed record. */
  record: LogRecord;
}
