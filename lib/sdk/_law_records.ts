/**
 * Test support: records for running a sketch through `assertAggregationLaws`, by wrapping it in
 * a tiny aggregation whose one row shows the sketch's answer.
 *
 * @module
 */
import type { Aggregation, ResultRow } from "../contracts.ts";
import type { LogRecord } from "../records.ts";

/**
 * One plain web request for `uri` (12:00 UTC on 2026-01-01, status 200, one client).
 *
 * @param uri The request URI.
 * @returns The record.
 */
export function webRequest(uri: string): LogRecord {
  return { ...lawRecords(1, 1)[0]!, timestamp: Date.UTC(2026, 0, 1, 12), request_uri: uri };
}

/**
 * `count` records with a varied client address, user agent, page, time and request time.
 *
 * @param count How many records.
 * @param distinct How many distinct client addresses (and pages) they use.
 * @returns Records of one day.
 */
export function lawRecords(count: number, distinct: number): LogRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    timestamp: Date.UTC(2026, 10, 23, 8) + ((i * 7_919) % 36_000) * 1_000,
    request_uri: `/page/${(i * 31) % distinct}`,
    status: 200,
    body_bytes_sent: 100,
    request_time: ((i * 7_919) % 10_007) / 1_000,
    http_referrer: "-",
    http_user_agent: "Mozilla/5.0",
    remote_addr: `10.0.${(i * 13) % distinct >> 8}.${(i * 13) % distinct & 255}`,
    method: "GET",
  }));
}

/**
 * An aggregation over one sketch, for the law check.
 *
 * @param sketch How to start, add to, merge and read the sketch.
 * @returns An aggregation with one row, `all`, whose value `answer` is the sketch's answer.
 */
export function sketchAggregation<S>(sketch: {
  start(): S;
  add(state: S, record: LogRecord): S;
  merge(into: S, other: S): S;
  answer(state: S): string;
}): Aggregation<S> {
  return {
    shape: { key: { name: "all", type: "text" }, values: [{ name: "answer", type: "text" }] },
    start: sketch.start,
    add: sketch.add,
    merge: sketch.merge,
    finish: (state): ResultRow[] => [{ key: "all", values: { answer: sketch.answer(state) } }],
  };
}
