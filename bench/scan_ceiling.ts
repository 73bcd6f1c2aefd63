/**
 * Scan ceiling: how fast plain cassandra-driver reads every row of `log` (the columns
 * lib/log_read.ts selects), by token ranges and partition by partition, several reads in
 * flight, rows only counted.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import { forEachConcurrent } from "../lib/concurrency.ts";

/** One read pattern tried. */
export interface ScanAttempt {
  /** What was tried. */
  pattern: string;
  /** Rows read per second. */
  rowsPerSecond: number;
  /** Rows read. */
  rows: number;
}

const COLUMNS = "record_id, timestamp, request_uri, status, body_bytes_sent, request_time, " +
  "http_referrer, http_user_agent, remote_addr, method";

/**
 * Reads the whole table once per pattern.
 *
 * @param client Connected client.
 * @param table `keyspace.table` of a log table.
 * @param buckets The UTC buckets (`YYYY-MM-DD/H`) holding rows, for partition reads.
 * @returns Every attempt; the best is the ceiling.
 */
export async function measureScan(
  client: cassandra.Client,
  table: string,
  buckets: readonly string[],
): Promise<ScanAttempt[]> {
  const byToken = `SELECT ${COLUMNS} FROM ${table} WHERE token(date, hour) >= ? ` +
    `AND token(date, hour) < ?`;
  const last = `SELECT ${COLUMNS} FROM ${table} WHERE token(date, hour) >= ?`;
  const byPartition = `SELECT ${COLUMNS} FROM ${table} WHERE date = ? AND hour = ?`;
  const ranges = tokenRanges(64);
  const partitions = buckets.map((bucket) => {
    const [date, hour] = bucket.split("/");
    return [date, Number(hour)];
  });
  const patterns: Array<{
    pattern: string;
    reads: Array<{ query: string; params: unknown[] }>;
    inFlight: number;
  }> = [
    {
      pattern: "64 token ranges, 8 in flight, pages of 5000",
      reads: ranges.map(([from, to]) =>
        to === undefined ? { query: last, params: [from] } : { query: byToken, params: [from, to] }
      ),
      inFlight: 8,
    },
    {
      pattern: "partition by partition, 8 in flight, pages of 5000",
      reads: partitions.map((params) => ({ query: byPartition, params })),
      inFlight: 8,
    },
  ];
  const attempts: ScanAttempt[] = [];
  for (const { pattern, reads, inFlight } of patterns) {
    let rows = 0;
    const started = performance.now();
    await forEachConcurrent(
      reads,
      inFlight,
      ({ query, params }) =>
        new Promise<void>((resolve, reject) => {
          client.eachRow(
            query,
            params,
            { prepare: true, autoPage: true, fetchSize: 5000, readTimeout: 120_000 },
            () => rows++,
            (error) => error ? reject(error) : resolve(),
          );
        }),
    );
    attempts.push({ pattern, rows, rowsPerSecond: rows / ((performance.now() - started) / 1000) });
  }
  return attempts;
}

/** Splits the Murmur3 token ring into `count` ranges [from, to); the last one has no end. */
function tokenRanges(count: number): Array<[cassandra.types.Long, cassandra.types.Long?]> {
  const min = -(2n ** 63n);
  const span = 2n ** 64n / BigInt(count);
  const long = (value: bigint) => cassandra.types.Long.fromString(value.toString());
  return Array.from({ length: count }, (_, i) => {
    const from = min + span * BigInt(i);
    return i === count - 1 ? [long(from)] : [long(from), long(from + span)];
  });
}
