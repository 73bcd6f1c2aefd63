/**
 * Test support for the event plugins' tests: hand-made shop events.
 *
 * @module
 */
import type { LogRecord } from "../../lib/sdk/mod.ts";

/** 2026-11-23 10:00 UTC, the time of every hand-made event unless told otherwise. */
export const T0: number = Date.UTC(2026, 10, 23, 10);

/**
 * A shop event.
 *
 * @param event_type The action.
 * @param fields Other fields (session, product, page...).
 * @returns The record.
 */
export function shopEvent(event_type: string, fields: Partial<LogRecord> = {}): LogRecord {
  return { timestamp: T0, event_type, ...fields };
}

/**
 * Runs an aggregation over records in one pass and finishes it.
 *
 * @param aggregation The aggregation.
 * @param records The records.
 * @returns The finished rows.
 */
export function finishOnePass<S>(
  aggregation: {
    start(): S;
    add(state: S, record: LogRecord): S;
    finish(state: S): unknown;
  },
  records: readonly LogRecord[],
): unknown {
  return aggregation.finish(records.reduce(aggregation.add, aggregation.start()));
}
