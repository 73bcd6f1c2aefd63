/**
 * Insert ceiling: how fast plain cassandra-driver writes rows shaped like `log` (same columns
 * and key, from cql/schema.cql) into a fresh table, with a few write patterns.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import { applyCoreSchema } from "../lib/runtime/cassandra.ts";
import { forEachConcurrent } from "../lib/concurrency.ts";
import type { CassandraSettings } from "../lib/config/pipeline.ts";
import { LOG_COLUMNS, logRowValues } from "../lib/log_store.ts";
import type { LogRecord } from "../lib/records.ts";

/** One write pattern tried. */
export interface InsertAttempt {
  /** What was tried. */
  pattern: string;
  /** Rows written per second. */
  rowsPerSecond: number;
  /** Rows written. */
  rows: number;
}

/**
 * Writes `records` into a fresh log-shaped table once per write pattern.
 *
 * @param client Connected client (the same settings the pipeline uses).
 * @param settings Cassandra settings whose keyspace (bench-owned) receives the tables.
 * @param records Valid records to write.
 * @returns Every attempt; the best is the ceiling.
 */
export async function measureInsert(
  client: cassandra.Client,
  settings: CassandraSettings,
  records: readonly LogRecord[],
): Promise<InsertAttempt[]> {
  const rows = records.map((record, index) => logRowValues(`bench/0/${index}`, record));
  const byPartition = new Map<string, unknown[][]>();
  for (const row of rows) {
    const key = `${row[0]}/${row[1]}`;
    let list = byPartition.get(key);
    if (list === undefined) byPartition.set(key, list = []);
    list.push(row);
  }
  const batchesOf = (size: number) =>
    [...byPartition.values()].flatMap((list) => {
      const batches: unknown[][][] = [];
      for (let i = 0; i < list.length; i += size) batches.push(list.slice(i, i + size));
      return batches;
    });

  const patterns: Array<
    { pattern: string; table: string; write: (insert: string) => Promise<void> }
  > = [
    {
      pattern: "unlogged single-partition batches of 40, 24 in flight (the runtime's pattern)",
      table: "log_batch40",
      write: (insert) => writeBatches(client, insert, batchesOf(40), 24),
    },
    {
      pattern: "unlogged single-partition batches of 100, 64 in flight",
      table: "log_batch100",
      write: (insert) => writeBatches(client, insert, batchesOf(100), 64),
    },
    {
      pattern: "executeConcurrent, single-row prepared inserts, concurrency 512",
      table: "log_concurrent",
      write: async (insert) => {
        await cassandra.concurrent.executeConcurrent(client, insert, rows as unknown[][], {
          concurrencyLevel: 512,
          raiseOnFirstError: true,
        });
      },
    },
  ];
  const attempts: InsertAttempt[] = [];
  for (const { pattern, table, write } of patterns) {
    await applyCoreSchema(client, settings, table);
    const insert = `INSERT INTO ${settings.keyspace}.${table} (${LOG_COLUMNS.join(", ")}) ` +
      `VALUES (${LOG_COLUMNS.map(() => "?").join(", ")})`;
    await client.execute(insert, rows[0]!, { prepare: true }); // prepares outside the timing
    const started = performance.now();
    await write(insert);
    attempts.push({
      pattern,
      rows: rows.length,
      rowsPerSecond: rows.length / ((performance.now() - started) / 1000),
    });
  }
  return attempts;
}

async function writeBatches(
  client: cassandra.Client,
  insert: string,
  batches: unknown[][][],
  inFlight: number,
): Promise<void> {
  await forEachConcurrent(
    batches,
    inFlight,
    (batch) =>
      client.batch(batch.map((params) => ({ query: insert, params })), {
        prepare: true,
        logged: false,
      }),
  );
}
