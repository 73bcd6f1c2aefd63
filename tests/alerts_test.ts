/**
 * Alerts end to end, with real Kafka and Cassandra, `deno task run` as a child process and a
 * real local HTTP receiver: a staged error spike on /checkout fires the rule once (signed
 * payload checked), a SIGKILL and restart of the runner in the middle neither repeats nor loses
 * a notification, the spike's end resolves it once, and a receiver that fails its first answers
 * is retried, the failure shown in /api/alerts and /metrics.
 *
 * Quiet minutes at the end do not fire an anomaly rule with a minimum volume (its unguarded
 * twin, which notifies no one, fires on them). The lag rule under a frozen Cassandra is in
 * tests/alerts_lag_test.ts.
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

const SECRET = `alerts-test-${crypto.randomUUID()}`;
const MINUTE0 = Date.parse("2026-11-20T10:00:00Z");

/** What the receiver got: each body, with whether its signature checked out. */
interface Received {
  body: Record<string, unknown>;
  signed: boolean;
}

/** An HTTP receiver on a free loopback port that fails its first `failFirst` requests. */
function startReceiver(failFirst: number) {
  const received: Received[] = [];
  let requests = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      requests++;
      const text = await request.text();
      if (requests <= failFirst) return new Response("busy", { status: 503 });
      const timestamp = request.headers.get("x-signature-timestamp") ?? "";
      const expected = await hmacHex(SECRET, `${timestamp}.${text}`);
      received.push({
        body: JSON.parse(text),
        signed: request.headers.get("x-signature") === `sha256=${expected}`,
      });
      return new Response(null, { status: 204 });
    },
  );
  return {
    received,
    server,
    requests: () => requests,
    url: `http://127.0.0.1:${server.addr.port}/hook`,
  };
}

/** The test's own HMAC-SHA256, hex. */
async function hmacHex(secret: string, text: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `count` requests in minute `minute`: half to /checkout, `checkoutErrorPct` % of those 500s. */
function minuteOf(minute: number, checkoutErrorPct: number, count = 200): string[] {
  return Array.from({ length: count }, (_, i) => {
    const checkout = i % 2 === 0;
    const failed = checkout && (i / 2) % 100 < checkoutErrorPct;
    return JSON.stringify({
      timestamp: MINUTE0 + minute * 60_000 + Math.floor(i * 60_000 / count),
      request_uri: checkout ? `/checkout/step${i % 3}` : "/",
      status: failed ? 500 : 200,
      body_bytes_sent: 100,
      request_time: 0.01,
      http_referrer: "-",
      http_user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
      remote_addr: `10.0.0.${i % 50}`,
    });
  });
}

let produced = 0;
async function produce(test: TestPipeline, values: string[]): Promise<void> {
  const producer = test.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: test.topic,
    acks: -1,
    messages: values.map((value, i) => ({ key: String(i % 6), value: Buffer.from(value) })),
  });
  await producer.disconnect();
  produced += values.length;
}

async function committed(test: TestPipeline): Promise<void> {
  await waitFor(
    `the runner to commit ${produced} records`,
    async () =>
      (await committedCount(test.kafka, test.group, test.topic)) >= produced ? true : undefined,
    120_000,
    200,
  );
}

/** The runner's HTTP base URL, read from its log. */
async function dashboardUrl(test: TestPipeline, name: string): Promise<string> {
  return await waitFor(
    `runner ${name} to serve HTTP`,
    async () => (await runnerLog(test, name)).match(/dashboard: (http:\/\/[^ \n]+)\//)?.[1],
    120_000,
  );
}

/** Rows of the outbox: notifications not yet delivered. */
async function owed(test: TestPipeline): Promise<number> {
  const rows = await test.cassandra.execute(`SELECT id FROM ${test.keyspace}.alert_outbox`);
  return rows.rowLength;
}

Deno.test({
  name:
    "alerts: a staged error spike fires once and resolves once across a SIGKILL and restart; a failing receiver is retried and shown",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const receiver = startReceiver(2);
    Deno.env.set("ALERTS_TEST_SECRET", SECRET);
    const test = await createTestPipeline({
      graph: `aggregations:
  - name: errors_1m
    plugin: error_rate
    source: rawlog
    window: 1m
    sinks: [errors_table]
sinks:
  - name: errors_table
    plugin: cassandra
    options: { table: errors_1m }
notifiers:
  - name: hook
    plugin: webhook
    options: { url: "${receiver.url}", secret_env: ALERTS_TEST_SECRET }
alerts:
  - name: checkout_errors
    aggregation: errors_1m
    key: /checkout
    value: error_pct
    above: 10
    min_records: 50
    severity: critical
    labels: { team: shop }
  - name: traffic_anomaly
    aggregation: errors_1m
    key: "*"
    value: requests
    kind: anomaly
    windows: 5
    below: -4
    min_records: 100
  - name: traffic_anomaly_unguarded
    aggregation: errors_1m
    key: "*"
    value: requests
    kind: anomaly
    windows: 5
    below: -4
    notify: []`,
    });
    let runner: Deno.ChildProcess | undefined;
    try {
      runner = spawnRunner(test, "first");
      await produce(test, minuteOf(0, 1));
      await committed(test);
      await produce(test, [...minuteOf(1, 50), ...minuteOf(2, 60)]);
      // The receiver refuses the first two attempts: the runner retries and says so.
      const base = await dashboardUrl(test, "first");
      const failing = await waitFor("/api/alerts to show the failing notifier", async () => {
        const body = await (await fetch(`${base}/api/alerts`)).json();
        return body.notifiers[0]?.failures >= 1 ? body : undefined;
      }, 60_000);
      assert.equal(failing.notifiers[0].name, "hook");
      assert.match(failing.notifiers[0].last_error ?? "", /503/);
      await waitFor(
        "the firing notification",
        () => receiver.received.length >= 1 ? true : undefined,
        60_000,
      );
      assert.ok(receiver.requests() >= 3, "two refused attempts, then the delivery");
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(
        metrics,
        /web_analytics_alerts\{alertname="checkout_errors",alertstate="firing",severity="critical",series="\/checkout"\} 1/,
      );
      assert.match(metrics, /web_analytics_notifier_failures_total\{notifier="hook"\} [2-9]/);
      assert.match(
        await runnerLog(test, "first"),
        /notifier hook failed \(retrying with back-off; the pipeline goes on\): .*503/,
      );
      await waitFor(
        "the delivery to be recorded",
        async () => (await owed(test)) === 0 ? true : undefined,
      );

      // SIGKILL mid-incident, then a new runner: the spike goes on, then ends.
      runner.kill("SIGKILL");
      await runner.status;
      runner = spawnRunner(test, "second");
      await produce(test, minuteOf(3, 70));
      await committed(test);
      const secondBase = await dashboardUrl(test, "second");
      await waitFor("the restarted runner to judge minute 3 as firing", async () => {
        const body = await (await fetch(`${secondBase}/api/alerts`)).json();
        return body.alerts[0]?.status === "firing" && body.alerts[0]?.value >= 60
          ? true
          : undefined;
      }, 60_000);
      await produce(test, [...minuteOf(4, 0), ...minuteOf(5, 2)]);
      await committed(test);
      await waitFor(
        "the resolved notification",
        () => receiver.received.length >= 2 ? true : undefined,
        60_000,
      );
      // Quiet hours: a few records a minute. The unguarded twin (no min_records, notifying no
      // one) fires on them; the rule with min_records 100 does not judge them at all.
      await produce(test, [...minuteOf(6, 0, 6), ...minuteOf(7, 0, 3), ...minuteOf(8, 0, 9)]);
      await committed(test);
      const quiet = await waitFor(
        "the unguarded anomaly rule to fire on quiet minutes",
        async () => {
          const body = await (await fetch(`${secondBase}/api/alerts`)).json();
          const twin = body.alerts.find((alert: { rule: string }) =>
            alert.rule === "traffic_anomaly_unguarded"
          );
          return twin?.status === "firing" ? body : undefined;
        },
        60_000,
      );
      const guarded = quiet.alerts.find((alert: { rule: string }) =>
        alert.rule === "traffic_anomaly"
      );
      assert.ok(guarded === undefined || guarded.status === "inactive", JSON.stringify(guarded));
      runner.kill("SIGTERM");
      assert.equal((await runner.status).code, 0, await runnerLog(test, "second"));
      runner = undefined;

      const bodies = receiver.received.map(({ body }) => body);
      assert.deepEqual(
        bodies.map((body) => body.status),
        ["firing", "resolved"],
        JSON.stringify(bodies),
      );
      assert.ok(
        receiver.received.every(({ signed }) => signed),
        "every payload is signed with the secret",
      );
      const [firing, resolved] = bodies;
      assert.equal(firing!.rule, "checkout_errors");
      assert.equal(firing!.series, "/checkout");
      assert.deepEqual(firing!.labels, { team: "shop" });
      assert.match(
        String(firing!.text),
        /^\[FIRING\] checkout_errors \(critical\): error_pct of \/checkout in errors_1m is \d+(\.\d+)? \(above 10\)$/,
      );
      assert.match(String(resolved!.text), /^\[RESOLVED\] checkout_errors/);
      assert.equal(resolved!.fired_at, firing!.fired_at);
      assert.equal(await owed(test), 0);
      const state = await test.cassandra.execute(
        `SELECT status FROM ${test.keyspace}.alert_state WHERE rule = 'checkout_errors'`,
      );
      assert.equal(state.first()?.get("status"), "resolved");
    } finally {
      runner?.kill("SIGKILL");
      await runner?.status;
      await receiver.server.shutdown();
      await dropTestPipeline(test);
    }
  },
});
