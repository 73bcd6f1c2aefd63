/**
 * The one place where an ingested event meets today's record model, which is a web-server log
 * line: every record needs `timestamp`, `request_uri`, `status`, `body_bytes_sent`,
 * `request_time`, `http_referrer` and `http_user_agent`. Product and user events (issue 11's
 * record model, with `event_type`, `page_path`, `session_id`...) are not accepted by the current
 * parser, so until that model lands an event is stored as a log record of its page.
 *
 * When the record model takes events, replace {@linkcode toCurrentRecordModel} by the identity
 * (and drop this file): the parser then reads `event_time`, `page_path` and the event fields
 * itself.
 *
 * @module
 */

/**
 * Maps an event onto the current log-record fields, filling only what is absent:
 * `timestamp` from `event_time`; and for an event (an object with a string `event_type`):
 * `request_uri` from `page_path`, `status` 200, `body_bytes_sent` 0, `request_time` 0,
 * `http_referrer` `-`, and `method` the event type upper-cased (`PAGE_VISITED`), so events stay
 * apart from real GETs in `log`. Fields already present are kept as sent, and so are the event
 * fields, so nothing the client sent is lost on the way to Kafka.
 *
 * @param event A JSON object from the request, with server-filled fields.
 * @returns The object to validate and write.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { toCurrentRecordModel } from "./record_model_bridge.ts";
 * const record = toCurrentRecordModel({ event_type: "page_visited", page_path: "/a", event_time: 1 });
 * assert.equal(record.request_uri, "/a");
 * assert.equal(record.method, "PAGE_VISITED");
 * assert.equal(record.timestamp, 1);
 * ```
 */
export function toCurrentRecordModel(event: Record<string, unknown>): Record<string, unknown> {
  const record: Record<string, unknown> = { ...event };
  if (record.timestamp === undefined && record.event_time !== undefined) {
    record.timestamp = record.event_time;
  }
  if (typeof record.event_type !== "string") return record;
  record.request_uri ??= record.page_path;
  record.status ??= 200;
  record.body_bytes_sent ??= 0;
  record.request_time ??= 0;
  record.http_referrer ??= "-";
  if (record.method === undefined) {
    const method = record.event_type.trim().toUpperCase();
    record.method = /^[A-Z_-]{1,20}$/.test(method) ? method : "EVENT";
  }
  return record;
}

/**
 * What the current model would call a missing page, said in the event's own terms.
 *
 * @param event The object as sent.
 * @returns A reason when the event names no page, otherwise undefined.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { missingPage } from "./record_model_bridge.ts";
 * assert.match(missingPage({ event_type: "button_clicked" }) ?? "", /^page_path: /);
 * assert.equal(missingPage({ event_type: "x", page_path: "/" }), undefined);
 * ```
 */
export function missingPage(event: Record<string, unknown>): string | undefined {
  if (typeof event.event_type !== "string") return undefined;
  if (event.page_path !== undefined || event.request_uri !== undefined) return undefined;
  return "page_path: expected a path starting with /, found nothing (field missing)";
}
