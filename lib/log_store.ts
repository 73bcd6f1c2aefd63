/**
 * The `log` table: every valid record exactly once, bucketed by UTC date and hour, every field
 * in a typed column (unset when the record lacks it) and extra fields in the `props` map.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import {
  EVENT_TEXT_FIELDS,
  type LogRecord,
  type SourcedRecord,
  WEB_LOG_FIELDS,
} from "./records.ts";
import { forEachConcurrent } from "./concurrency.ts";
import { utcBucket } from "./windows.ts";

/** Rows per unlogged batch: all rows of a batch share one partition, so it is one mutation. */
const ROWS_PER_BATCH = 100;
/** Batches in flight at once. */
const BATCHES_IN_FLIGHT = 48;

/** The record fields stored in a column of their own, in table order after the key. */
const FIELD_COLUMNS = [
  ...WEB_LOG_FIELDS.slice(1), // the time is a key column
  ...EVENT_TEXT_FIELDS,
  "props",
] as const;

const COLUMNS = ["date", "hour", "timestamp", "record_id", ...FIELD_COLUMNS] as const;

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

/**
 * Creates a writer for `keyspace.table` (both already validated identifiers).
 *
 * @param ttlMs When set, every row is written `USING TTL` this long (rounded up to a second), so
 *   Cassandra drops it that long after the write (`runtime.log_ttl`).
 */
export function logWriter(
  client: cassandra.Client,
  keyspace: string,
  table: string,
  ttlMs?: number,
): LogWriter {
  const insert = `INSERT INTO ${keyspace}.${table} (${COLUMNS.join(", ")}) VALUES (${
    COLUMNS.map(() => "?").join(", ")
  })${ttlMs === undefined ? "" : ` USING TTL ${Math.ceil(ttlMs / 1000)}`}`;
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

/**
 * The column values of one log row, in table column order. A field the record lacks is
 * `undefined`, which the driver sends as "unset": no tombstone, no null written.
 */
export function logRowValues(
  id: string,
  record: LogRecord,
  bucket = utcBucket(record.timestamp),
): unknown[] {
  const values: unknown[] = [localDate(bucket.date), bucket.hour, new Date(record.timestamp), id];
  const fields = record as unknown as Record<string, unknown>;
  for (const column of FIELD_COLUMNS) values.push(fields[column]);
  return values;
}

/** Turns a row of the log table back into a record: unset columns become absent fields. */
export function recordFromRow(row: cassandra.types.Row): StoredRecord {
  // Rows carry their columns as properties; reading them directly skips a lookup per column.
  const columns = row as unknown as Record<string, unknown>;
  const record: LogRecord = { timestamp: (columns.timestamp as Date).getTime() };
  const fields = record as unknown as Record<string, unknown>;
  for (const column of FIELD_COLUMNS) {
    const value = columns[column];
    if (value === null || value === undefined) continue;
    // bigint columns come back as the driver's Long.
    fields[column] = column === "body_bytes_sent" ? Number(value) : value;
  }
  return { id: columns.record_id as string, record };
}

/** The columns of the log table, in order. */
export const LOG_COLUMNS: readonly string[] = COLUMNS;
