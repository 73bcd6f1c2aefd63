/**
 * examples/warehouse.yaml: valid, its postgres sink takes every shipped aggregation (each result
 * shape makes a table in a real PostgreSQL), and a run of it brings every aggregation's results
 * there, the raw events too, and Parquet files to the archive.
 */
import assert from "assert";
import { loadPipeline } from "../lib/config/load.ts";
import { listPlugins } from "../lib/config/plugins_catalog.ts";
import type { RuntimeContext } from "../lib/contracts.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import { createTestDatabase } from "./_postgres_support.ts";
import { connectTestCassandra, testKafkaSettings, waitFor } from "./_support.ts";
import { createKafka } from "../lib/runtime/kafka.ts";
import { readArchive } from "../lib/archive/verify.ts";

Deno.test("examples/warehouse.yaml runs every shipped aggregation into PostgreSQL", async () => {
  const db = await createTestDatabase();
  try {
    const pipeline = await loadPipeline(`${REPO_ROOT}/examples/warehouse.yaml`, {
      ...Deno.env.toObject(),
      DATABASE_URL: db.url,
    });
    const shipped = (await listPlugins()).filter((plugin) => plugin.kind === "aggregation")
      .map((plugin) => plugin.name).sort();
    assert.deepEqual(
      [...new Set(pipeline.aggregations.map((entry) => entry.plugin.name))].sort(),
      shipped,
      "every shipped aggregation plugin",
    );
    const warehouse = pipeline.sinks.find((entry) => entry.plugin.name === "postgres")!;
    assert.deepEqual(warehouse.plugin.postgresUrls!(warehouse.options), [db.url]);
    const sink = await warehouse.plugin.open(warehouse.options, {
      log: () => {},
    } as unknown as RuntimeContext);
    try {
      await sink.prepare(pipeline.aggregations.map((entry) => ({
        aggregation: entry.name,
        window: entry.window,
        shape: entry.aggregation.shape,
      })));
    } finally {
      await sink.close();
    }
    const tables = await db.client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'warehouse' " +
        "AND table_name NOT LIKE 'events\\_%' ORDER BY 1",
    );
    assert.deepEqual(
      tables.rows.map((row) => row.table_name),
      [
        "events",
        ...pipeline.aggregations.flatMap((entry) => [entry.name, `${entry.name}_windows`]),
      ].sort(),
    );
    assert.ok(pipeline.sinks.some((entry) => entry.plugin.name === "archive"), "and Parquet");
  } finally {
    await db.drop();
  }
});

Deno.test("examples/warehouse.yaml runs: every aggregation's results and the events in PostgreSQL, records in Parquet", async () => {
  const db = await createTestDatabase();
  const suffix = db.name.replace(/^wa_test_/, "");
  const dir = await Deno.makeTempDir({ prefix: "warehouse-example-" });
  // The example with names of this test's own, so it runs beside anything else.
  const text = (await Deno.readTextFile(`${REPO_ROOT}/examples/warehouse.yaml`))
    .replace("keyspace: warehouse", `keyspace: test_wh_${suffix}`)
    .replace("consumer_group: warehouse", `consumer_group: test-wh-${suffix}`)
    .replace("dir: warehouse-archive", `dir: ${dir}/archive`);
  const file = `${dir}/warehouse.yaml`;
  await Deno.writeTextFile(file, text);
  const pipeline = await loadPipeline(file, { ...Deno.env.toObject(), DATABASE_URL: db.url });
  const runner = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${REPO_ROOT}/jobs/run.ts`, "--config", file, "--no-http"],
    cwd: REPO_ROOT,
    env: { DATABASE_URL: db.url },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const output = new Response(runner.stderr).text();
  try {
    const names = pipeline.aggregations.map((entry) => entry.name);
    let missing: string[] = names;
    await waitFor(
      "a result of every aggregation in PostgreSQL",
      async () => {
        const counts = await Promise.all(names.map(async (name) => {
          const found = await db.client.query(
            `SELECT count(*)::int AS n FROM warehouse."${name}_windows"`,
          ).catch(() => ({ rows: [{ n: 0 }] }));
          return found.rows[0]!.n as number;
        }));
        missing = names.filter((_, index) => counts[index] === 0);
        return missing.length === 0 ? true : undefined;
      },
      180_000,
      1000,
    ).catch(async (error) => {
      runner.kill("SIGTERM");
      throw new Error(
        `${error.message}; still without a result: ${missing.join(", ")}\n` +
          (await output).slice(-3000),
      );
    });
    const rows = await db.client.query(
      "SELECT count(*)::int AS n FROM warehouse.top_pages_daily WHERE rank = 1",
    );
    assert.ok(rows.rows[0]!.n >= 1, "top pages ranked");
    await waitFor(
      "raw events in PostgreSQL and Parquet files in the archive",
      async () => {
        const events = await db.client.query("SELECT count(*)::int AS n FROM warehouse.events");
        const archive = await readArchive(`${dir}/archive`).catch(() => undefined);
        return events.rows[0]!.n > 0 && (archive?.files ?? 0) > 0 ? true : undefined;
      },
      120_000,
      1000,
    );
  } finally {
    try {
      runner.kill("SIGTERM");
    } catch {
      // already stopped
    }
    const status = await runner.status;
    const said = await output;
    await cleanUp(pipeline);
    await db.drop();
    await Deno.remove(dir, { recursive: true });
    assert.equal(status.code, 0, `the runner stops cleanly:\n${said.slice(-3000)}`);
  }
});

/** Drops the keyspace, topics and consumer group the example run made. */
async function cleanUp(pipeline: Awaited<ReturnType<typeof loadPipeline>>): Promise<void> {
  const cassandra = await connectTestCassandra(pipeline.cassandra.keyspace);
  await cassandra.execute(`DROP KEYSPACE IF EXISTS ${pipeline.cassandra.keyspace}`).catch(() => {});
  await cassandra.shutdown();
  const kafka = createKafka(testKafkaSettings());
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const topics = [...existing].filter((topic) =>
    pipeline.sources.some((source) => {
      const options = source.options as { topic?: string; to_topic?: string };
      return topic === options.topic || topic === options.to_topic ||
        topic === `${options.topic}.dlq`;
    })
  );
  if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => {});
  await admin.deleteGroups([pipeline.runtime.consumerGroup]).catch(() => {});
  await admin.disconnect();
}
