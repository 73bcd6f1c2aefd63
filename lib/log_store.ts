/**
 * The `log` table: every valid record exactly once, bucketed by UTC date and hour.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import type { LogRecord, SourcedRecord } from "./records.ts";
import { forEachConcurrent } from "./concurrency.ts";
import { utcBucket } from "./windows.ts";

/** Rows per unlogged batch: all rows of a batch share one partition, so it is one mutation. */
const ROWS_PER_BATCH = 100;
/** Batches in flight at once. */
const BATCHES_IN_FLIGHT = 48;

const COLUMNS = [
  "date",
  "hour",
  "timestamp",
  "record_id",
  "request_uri",
  "status",
  "body_bytes_sent",
  "request_time",
  "http_referrer",
  "http_user_agent",
  "remote_addr",
  "method",
] as const;

/** Writes records to the log table. */
export interface LogWriter {
  /** Writes every record (idempotently: a record id always maps to the same row). */
  write(records: readonly SourcedRecord[]): Promise<void>;
}

/** A record read back from the log table. */
export interface StoredRecord {
  /** The record's stable id. */
  id: string;
  /** The record. */
  record: LogRecord;
}

/** Creates a writer for `keyspace.table` (both already validated identifiers). */
export function logWriter(client: cassandra.Client, keyspace: string, table: string): LogWriter {
  const insert = `INSERT INTO ${keyspace}.${table} (${COLUMNS.join(", ")}) VALUES (${
    COLUMNS.map(() => "?").join(", ")
  })`;
  return {
    async write(records) {
      const byBucket = new Map<string, unknown[][]>();
      for (const { id, record } of records) {
        const bucket = utcBucket(record.timestamp);
        const key = `${bucket.date}/${bucket.hour}`;
        let rows = byBucket.get(key);
        if (rows === undefined) byBucket.set(key, rows = []);
        rows.push(logRowValues(id, record, bucket));
      }
      const batches: unknown[][][] = [];
      for (const rows of byBucket.values()) {
        for (let i = 0; i < rows.length; i += ROWS_PER_BATCH) {
          batches.push(rows.slice(i, i + ROWS_PER_BATCH));
        }
      }
      await forEachConcurrent(
        batches,
        BATCHES_IN_FLIGHT,
        (rows) =>
          rows.length === 1
            ? client.execute(insert, rows[0], { prepare: true })
            : client.batch(rows.map((params) => ({ query: insert, params })), {
              prepare: true,
              logged: false,
            }),
      );
    },
  };
}

/** Dates as the driver's LocalDate, parsed once per day rather than once per row. */
const localDates = new Map<string, cassandra.types.LocalDate>();

function localDate(day: string): cassandra.types.LocalDate {
  let date = localDates.get(day);
  if (date === undefined) {
    if (localDates.size > 10_000) localDates.clear();
    localDates.set(day, date = cassandra.types.LocalDate.fromString(day));
  }
  return date;
}

/** The column values of one log row, in table column order. */
export function logRowValues(
  id: string,
  record: LogRecord,
  bucket = utcBucket(record.timestamp),
): unknown[] {
  return [
    localDate(bucket.date),
    bucket.hour,
    new Date(record.timestamp),
    id,
    record.request_uri,
    record.status,
    record.body_bytes_sent,
    record.request_time,
    record.http_referrer,
    record.http_user_agent,
    record.remote_addr,
    record.method,
  ];
}

/** Turns a row of the log table back into a record. */
export function recordFromRow(row: cassandra.types.Row): StoredRecord {
  // Rows carry their columns as properties; reading them directly skips a lookup per column.
  const columns = row as unknown as Record<string, unknown>;
  return {
    id: columns.record_id as string,
    record: {
      timestamp: (columns.timestamp as Date).getTime(),
      request_uri: columns.request_uri as string,
      status: columns.status as number,
      body_bytes_sent: Number(columns.body_bytes_sent),
      request_time: columns.request_time as number,
      http_referrer: columns.http_referrer as string,
      http_user_agent: columns.http_user_agent as string,
      remote_addr: columns.remote_addr as string,
      method: columns.method as string,
    },
  };
}

/** The columns of the log table, in order. */
export const LOG_COLUMNS: readonly string[] = COLUMNS;
