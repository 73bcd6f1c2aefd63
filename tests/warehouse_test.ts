/**
 * A stream through `log`, Cassandra and the postgres sink, with a SIGKILL mid-stream and a
 * restart: every result row in PostgreSQL equals Cassandra's; the raw events count exactly once,
 * and the archive's Parquet files read back to exactly the records of `log`.
 */
import assert from "assert";
import type cassandra from "cassandra-driver";
import {
  assertResults,
  createTestPipeline,
  DAILY_N,
  dropTestPipeline,
  expectedFrom,
  HOURLY_N,
  killMidStream,
  runnerLog,
  spawnRunner,
  testStream,
  waitForCommitted,
} from "./_pipeline_support.ts";
import { createTestDatabase, type TestDatabase } from "./_postgres_support.ts";
import { bucketsBetween, readLog } from "../lib/log_read.ts";
import { readArchive } from "../lib/archive/verify.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import type { SourcedRecord } from "../lib/records.ts";

const STREAM_SIZE = 12_000;

/** The aggregations under test: name, Cassandra table, window, key and value columns. */
const AGGREGATIONS = [
  {
    name: "top_pages_daily",
    table: "results",
    size: "1d",
    keys: ["page_url"],
    values: ["visits", "rank"],
  },
  {
    name: "top_pages_hourly",
    table: "results_hourly",
    size: "1h",
    keys: ["page_url"],
    values: ["visits", "rank"],
  },
  { name: "status_daily", table: "status_counts", size: "1d", keys: ["status"], values: ["count"] },
] as const;

const graph = (url: string, archive: string) => `
aggregations:
  - name: top_pages_daily
    plugin: top_pages
    source: rawlog
    window: 1d
    sinks: [results, warehouse]
    options: { n: ${DAILY_N}, strip_query: false, exclude_static: false }
  - name: top_pages_hourly
    plugin: top_pages
    source: rawlog
    window: 1h
    sinks: [results_hourly, warehouse]
    options: { n: ${HOURLY_N}, strip_query: false, exclude_static: false }
  - name: status_daily
    plugin: status_counts
    source: rawlog
    window: 1d
    sinks: [status_counts, warehouse]
sinks:
  - name: results
    plugin: cassandra
    options: { table: results }
  - name: results_hourly
    plugin: cassandra
    options: { table: results_hourly }
  - name: status_counts
    plugin: cassandra
    options: { table: status_counts }
  - name: warehouse
    plugin: postgres
    options: { url: "${url}", events: true, batch_rows: 200 }
  - name: archive
    plugin: archive
    options: { dir: "${archive}" }
`;

Deno.test("warehouse: after a SIGKILL and a restart, PostgreSQL holds Cassandra's rows, every event and archived record once", async () => {
  const db = await createTestDatabase();
  const archiveDir = await Deno.makeTempDir({ prefix: "warehouse-archive-" });
  const test = await createTestPipeline({ flushIntervalMs: 200, graph: graph(db.url, archiveDir) });
  try {
    const events = testStream(STREAM_SIZE, 2929);
    const expected = expectedFrom(events);
    await killMidStream(test, events, { head: 3000, killAfter: 5000 });
    const second = spawnRunner(test, "second");
    try {
      await waitForCommitted(test, events.length);
    } finally {
      second.kill("SIGTERM");
    }
    const stopped = await second.status;
    assert.equal(stopped.code, 0, `graceful stop exits 0:\n${await runnerLog(test, "second")}`);

    await assertResults(test, expected);
    for (const aggregation of AGGREGATIONS) {
      const inCassandra = await cassandraRows(test.cassandra, test.keyspace, aggregation);
      const inPostgres = await postgresRows(db, aggregation);
      assert.ok(inCassandra.length > 0, `${aggregation.name} has results`);
      assert.deepEqual(inPostgres, inCassandra, `${aggregation.name}: PostgreSQL equals Cassandra`);
    }

    // Raw records: the runners handed every batch to the events table and the archive beside
    // its log write; the killed one's last batches were handed again after the restart.
    const logged = await logRecords(test.cassandra, test.keyspace);
    assert.equal(logged.length, expected.records.length);
    const counted = await db.client.query(
      "SELECT count(*)::int AS rows, count(DISTINCT record_id)::int AS ids FROM events",
    );
    assert.deepEqual(counted.rows, [{ rows: logged.length, ids: logged.length }]);
    const ids = await db.client.query("SELECT record_id FROM events");
    assert.deepEqual(
      new Set(ids.rows.map((row) => row.record_id as string)),
      new Set(logged.map((item) => item.id)),
    );

    // The documented query of requests and server errors per day, over the stream's events.
    const doc = await Deno.readTextFile(`${REPO_ROOT}/docs/postgres.md`);
    const perDay = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)]
      .map((match) => match[1]!).find((sql) => sql.includes("server_errors"))!;
    const days = new Map<string, [number, number]>();
    for (const record of expected.records) {
      const day = new Date(record.timestamp).toISOString().slice(0, 10);
      const [requests, errors] = days.get(day) ?? [0, 0];
      days.set(day, [requests + 1, errors + ((record.status ?? 0) >= 500 ? 1 : 0)]);
    }
    const answered = await db.client.query(
      `SELECT day::text, requests, server_errors FROM (${perDay.replace(/;\s*$/, "")}) AS q`,
    );
    assert.deepEqual(
      answered.rows.map((row) => [row.day, Number(row.requests), Number(row.server_errors)]),
      [...days].sort().map(([day, [requests, errors]]) => [day, requests, errors]),
    );

    const archived = await readArchive(archiveDir);
    assert.equal(archived.duplicates.size, 0, "no record archived twice");
    assert.deepEqual(archived.ids, new Set(logged.map((item) => item.id)));
    const verify = await new Deno.Command(Deno.execPath(), {
      args: ["task", "archive", "verify", archiveDir, "--config", test.file],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(verify.stdout) + new TextDecoder().decode(verify.stderr);
    assert.equal(verify.code, 0, said);
    assert.match(said, /every hour matches log, no record twice/);
  } finally {
    await dropTestPipeline(test);
    await db.drop();
    await Deno.remove(archiveDir, { recursive: true });
  }
});

type AggregationUnderTest = (typeof AGGREGATIONS)[number];

/** One line per result row: window start (ISO), keys, values, records covered; sorted. */
async function cassandraRows(
  client: cassandra.Client,
  keyspace: string,
  aggregation: AggregationUnderTest,
): Promise<string[]> {
  const rows = await client.execute(`SELECT * FROM ${keyspace}.${aggregation.table}`);
  return rows.rows.map((row) => {
    const date = String(row.get("date"));
    const hour = aggregation.size === "1h" ? Number(row.get("hour")) : 0;
    const start = new Date(Date.parse(`${date}T00:00:00Z`) + hour * 3_600_000).toISOString();
    return line(start, aggregation, (column) => row.get(column), row.get("window_records"));
  }).sort();
}

async function postgresRows(
  db: TestDatabase,
  aggregation: AggregationUnderTest,
): Promise<string[]> {
  const rows = await db.client.query(`SELECT * FROM "${aggregation.name}"`);
  return rows.rows.map((row) =>
    line(
      (row.window_start as Date).toISOString(),
      aggregation,
      (column) => row[column],
      row.window_records,
    )
  ).sort();
}

function line(
  start: string,
  aggregation: AggregationUnderTest,
  get: (column: string) => unknown,
  records: unknown,
): string {
  return [
    start,
    ...aggregation.keys.map((column) => String(get(column))),
    ...aggregation.values.map((column) => Number(get(column))),
    Number(records),
  ].join("|");
}

/** Every record of `log` over the test stream's days (late ones included). */
async function logRecords(client: cassandra.Client, keyspace: string): Promise<SourcedRecord[]> {
  const records: SourcedRecord[] = [];
  await readLog(
    client,
    keyspace,
    "log",
    bucketsBetween(Date.parse("2026-11-18T00:00:00Z"), Date.parse("2026-11-24T00:00:00Z")),
    (record, id) => {
      const [stream, partition, offset] = id.split("/");
      records.push({
        id,
        stream: stream!,
        partition: Number(partition),
        offset: Number(offset),
        record,
      });
    },
  );
  return records;
}
