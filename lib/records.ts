/**
 * The normalized web-log record every source yields and every aggregation reads.
 *
 * @module
 */

/** One web-server request, normalized from JSON or combined-format input. */
export interface LogRecord {
  /** Request time, milliseconds since the Unix epoch (UTC). */
  timestamp: number;
  /** Path and query of the request, e.g. `/products/42?ref=mail`. */
  request_uri: string;
  /** HTTP status code, 100..599. */
  status: number;
  /** Response body size in bytes. */
  body_bytes_sent: number;
  /** Seconds the server spent on the request. */
  request_time: number;
  /** Referrer header, `-` when absent. */
  http_referrer: string;
  /** User-Agent header, `-` when absent. */
  http_user_agent: string;
  /** Client address. */
  remote_addr: string;
  /** HTTP method, upper case. */
  method: string;
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
