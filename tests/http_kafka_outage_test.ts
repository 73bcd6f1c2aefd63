import assert from "assert";
import { startPrivateKafka } from "./_private_kafka.ts";
import {
  createTopic,
  makeTestKeys,
  postEvents,
  readTopic,
  serveHttpSource,
  testKafka,
} from "./_ingest_support.ts";
import { connectTestCassandra, uniqueSuffix, waitFor } from "./_support.ts";
import { committedCount } from "./_pipeline_support.ts";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline, startRealtime } from "../lib/runtime/start.ts";

/** One time for every event, so they all fall in one day's window whenever the test runs. */
const STAMP = new Date().toISOString();

function event(page: string): string {
  return JSON.stringify({
    timestamp: STAMP,
    request_uri: page,
    status: 200,
    body_bytes_sent: 10,
    request_time: 0.001,
    http_referrer: "-",
    http_user_agent: "outage-test",
  });
}

/** A pipeline reading `topic` on `broker` into a test keyspace's `log` and a daily top list. */
async function writePipeline(broker: string, topic: string, suffix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "outage-test-" });
  await Deno.writeTextFile(
    `${dir}/pipeline.yaml`,
    `kafka: { brokers: ["${broker}"] }
cassandra: { keyspace: test_outage_${suffix} }
runtime: { consumer_group: outage-${suffix}, flush_interval_ms: 250 }
sources:
  - name: rawlog
    plugin: kafka
    options: { topic: ${topic}, partitions: 3 }
aggregations:
  - name: top_daily
    plugin: top_pages
    source: rawlog
    sinks: [results]
    options: { n: 100, strip_query: false }
sinks:
  - name: results
    plugin: cassandra
    options: { table: results }
`,
  );
  return `${dir}/pipeline.yaml`;
}

Deno.test("http source: Kafka stopped mid-run answers 503, comes back to 202; log holds exactly the acknowledged events", async () => {
  const keys = await makeTestKeys("site");
  const kafka = await startPrivateKafka();
  const topic = "OUTAGE";
  const client = testKafka([kafka.broker]);
  const source = await serveHttpSource({ api_keys_env: keys.variable, topic }, [kafka.broker]);
  const headers = { "content-type": "application/x-ndjson", "x-api-key": keys.keys.site! };
  const post = (pages: string[]) => postEvents(source.url, pages.map(event).join("\n"), headers);
  try {
    await createTopic(client, topic);
    const before = await post(["/before-1", "/before-2"]);
    assert.equal(before.status, 202);

    await kafka.stop();
    const during = await post(["/during-1", "/during-2"]);
    assert.equal(during.status, 503, JSON.stringify(during.json));
    assert.equal(during.headers.get("retry-after"), "5");

    await kafka.start();
    // The producer reconnects by itself; until the restarted broker has leaders again a request
    // may still get 503 (never 202 for events it did not write). Each attempt has its own page.
    const refusedAfterRestart: string[] = [];
    let attempt = 0;
    const page = await waitFor(
      "a 202 once Kafka is back",
      async () => {
        const page = `/after-${attempt++}`;
        const answer = await post([page]);
        if (answer.status === 202) return page;
        assert.equal(answer.status, 503, JSON.stringify(answer.json));
        refusedAfterRestart.push(page);
        return undefined;
      },
      120_000,
      500,
    );

    const acknowledged = ["/before-1", "/before-2", page].sort();
    const stored = (await readTopic(client, topic)).map((m) => JSON.parse(m.value).request_uri);
    assert.deepEqual(
      stored.sort(),
      acknowledged,
      `exactly the acknowledged events (refused after the restart: ${refusedAfterRestart})`,
    );

    // And through the pipeline: `log` and the results hold exactly the acknowledged events.
    const suffix = uniqueSuffix();
    const file = await writePipeline(kafka.broker, topic, suffix);
    const cassandra = await connectTestCassandra(`test_outage_${suffix}`);
    try {
      const resources = await openPipeline(await loadPipeline(file), { log: () => {} });
      const running = await startRealtime(resources);
      try {
        await waitFor(
          "the pipeline to commit every acknowledged event",
          async () =>
            (await committedCount(client, `outage-${suffix}`, topic)) >= acknowledged.length
              ? true
              : undefined,
        );
      } finally {
        await running.stop();
        await resources.close();
      }
      const logged = await cassandra.execute(`SELECT request_uri FROM test_outage_${suffix}.log`);
      assert.deepEqual(logged.rows.map((row) => row.get("request_uri")).sort(), acknowledged);
      const today = STAMP.slice(0, 10);
      const results = await cassandra.execute(
        `SELECT page_url, visits FROM test_outage_${suffix}.results WHERE date = ?`,
        [today],
        { prepare: true },
      );
      assert.deepEqual(
        results.rows.map((row) => [row.get("page_url"), Number(row.get("visits"))]).sort(),
        acknowledged.map((uri) => [uri, 1]),
      );
    } finally {
      await cassandra.execute(`DROP KEYSPACE IF EXISTS test_outage_${suffix}`).catch(() => {});
      await cassandra.shutdown();
      await Deno.remove(file.replace(/\/pipeline\.yaml$/, ""), { recursive: true });
    }
  } finally {
    await source.close();
    await kafka.remove();
    Deno.env.delete(keys.variable);
  }
});
