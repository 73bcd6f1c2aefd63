/**
 * A rule on lag with real Kafka and Cassandra and `deno task run` as a child process: the
 * runner reaches Cassandra through a loopback proxy that the test pauses, so Cassandra is frozen
 * for this runner alone (SIGSTOP of the shared Cassandra would freeze every other test on the
 * machine). The lag rule fires while it is frozen and resolves once it answers again, one
 * notification each.
 */
import assert from "assert";
import { Buffer } from "node:buffer";
import {
  committedCount,
  createTestPipeline,
  dropTestPipeline,
  runnerLog,
  spawnRunner,
  type TestPipeline,
} from "./_pipeline_support.ts";
import { waitFor } from "./_support.ts";
import { startTcpProxy } from "./_tcp_proxy.ts";
import { cassandraContactPoints } from "../lib/services/settings.ts";

async function produce(test: TestPipeline, from: number, count: number): Promise<void> {
  const producer = test.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: test.topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({
      key: String(i % 6),
      value: Buffer.from(JSON.stringify({
        timestamp: Date.parse("2026-11-20T10:00:00Z") + (from + i) * 100,
        request_uri: `/page${i % 7}`,
        status: 200,
        body_bytes_sent: 10,
        request_time: 0.01,
        http_referrer: "-",
        http_user_agent: "Mozilla/5.0 Firefox/120.0",
        remote_addr: "10.0.0.1",
      })),
    })),
  });
  await producer.disconnect();
}

Deno.test({
  name: "alerts: a lag rule fires while Cassandra is frozen and resolves after, once each",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const received: { status: string; text: string }[] = [];
    const receiver = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (request) => {
        received.push(await request.json());
        return new Response(null, { status: 204 });
      },
    );
    const [host, port] = cassandraContactPoints()[0]!.split(":");
    const proxy = startTcpProxy({ hostname: host!, port: Number(port) });
    const test = await createTestPipeline({
      graph: `aggregations:
  - name: statuses
    plugin: status_counts
    source: rawlog
    window: 1h
    sinks: [statuses]
sinks:
  - name: statuses
    plugin: cassandra
    options: { table: statuses }
notifiers:
  - name: hook
    plugin: webhook
    options: { url: "http://127.0.0.1:${receiver.addr.port}/" }
alerts:
  - name: lag
    metric: lag
    source: rawlog
    above: 500
    severity: critical`,
    });
    // The runner (a child process) reads the contact point from the environment: the proxy.
    Deno.env.set("CASSANDRA_CONTACT_POINTS", `127.0.0.1:${proxy.port}`);
    const runner = spawnRunner(test, "runner");
    let stopped = false;
    try {
      await produce(test, 0, 300);
      await waitFor(
        "the runner to commit the first records",
        async () =>
          (await committedCount(test.kafka, test.group, test.topic)) >= 300 ? true : undefined,
        120_000,
      );
      assert.deepEqual(received, []);

      proxy.pause();
      await produce(test, 300, 3000);
      await waitFor(
        "the firing notification",
        () => received.length >= 1 ? true : undefined,
        60_000,
      );
      assert.equal(received[0]!.status, "firing");
      assert.match(
        received[0]!.text,
        /^\[FIRING\] lag \(critical\): lag of rawlog is \d+ \(above 500\)$/,
      );

      // Frozen: nothing was acknowledged since, and nothing resolved.
      assert.equal(await committedCount(test.kafka, test.group, test.topic), 300);
      assert.equal(received.length, 1);
      proxy.resume();
      await waitFor(
        "the resolved notification",
        () => received.length >= 2 ? true : undefined,
        120_000,
      );
      await waitFor(
        "every record committed",
        async () =>
          (await committedCount(test.kafka, test.group, test.topic)) >= 3300 ? true : undefined,
        120_000,
      );
      runner.kill("SIGTERM");
      assert.equal((await runner.status).code, 0, await runnerLog(test, "runner"));
      stopped = true;
      assert.deepEqual(received.map((body) => body.status), ["firing", "resolved"]);
    } finally {
      if (!stopped) {
        runner.kill("SIGKILL");
        await runner.status;
      }
      Deno.env.delete("CASSANDRA_CONTACT_POINTS");
      await proxy.close();
      await receiver.shutdown();
      await dropTestPipeline(test);
    }
  },
});
