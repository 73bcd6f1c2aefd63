/**
 * Reads the `log` table bucket by bucket (UTC date and hour partitions), with paging and several
 * partitions in flight, handing rows to a callback so memory stays bounded whatever the size.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { LogRecord } from "./records.ts";
import { forEachConcurrent } from "./concurrency.ts";
import { LOG_COLUMNS, recordFromRow } from "./log_store.ts";

/** A `log` partition: one UTC hour. */
export interface LogBucket {
  /** UTC date, `YYYY-MM-DD`. */
  date: string;
  /** UTC hour, 0..23. */
  hour: number;
}

/** Options for {@linkcode readLog}. */
export interface ReadLogOptions {
  /** Partitions read at the same time (default 8). */
  partitionsInFlight?: number;
  /** Rows per page (default 5000). */
  pageSize?: number;
  /** Called after each finished bucket with the rows it held. */
  onBucketDone?: (bucket: LogBucket, rows: number) => void;
}

/** Every UTC hour bucket overlapping [start, end). */
export function bucketsBetween(start: number, end: number): LogBucket[] {
  const buckets: LogBucket[] = [];
  for (let t = Math.floor(start / 3_600_000) * 3_600_000; t < end; t += 3_600_000) {
    const iso = new Date(t).toISOString();
    buckets.push({ date: iso.slice(0, 10), hour: Number(iso.slice(11, 13)) });
  }
  return buckets;
}

/** Streams every record of the given buckets to `onRecord`; resolves to the row count. */
export async function readLog(
  client: cassandra.Client,
  keyspace: string,
  table: string,
  buckets: readonly LogBucket[],
  onRecord: (record: LogRecord, id: string) => void,
  options: ReadLogOptions = {},
): Promise<number> {
  const columns = LOG_COLUMNS.filter((column) => column !== "date" && column !== "hour");
  const query = `SELECT ${
    columns.join(", ")
  } FROM ${keyspace}.${table} WHERE date = ? AND hour = ?`;
  let total = 0;
  await forEachConcurrent(
    buckets,
    options.partitionsInFlight ?? 8,
    (bucket) =>
      new Promise<void>((resolve, reject) => {
        let rows = 0;
        client.eachRow(
          query,
          [bucket.date, bucket.hour],
          { prepare: true, autoPage: true, fetchSize: options.pageSize ?? 5000 },
          (_index, row) => {
            const { id, record } = recordFromRow(row);
            rows++;
            onRecord(record, id);
          },
          (error) => {
            if (error) {
              reject(error);
              return;
            }
            total += rows;
            options.onBucketDone?.(bucket, rows);
            resolve();
          },
        );
      }),
  );
  return total;
}
