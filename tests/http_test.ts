import assert from "assert";
import type { LogRecord } from "../lib/records.ts";
import type { TrafficEvent } from "../lib/traffic/simulate.ts";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline } from "../lib/runtime/start.ts";
import { runnerHttp } from "../lib/http/mod.ts";
import { localDate } from "../lib/http/results_query.ts";
import { windowCutter } from "../lib/windows.ts";
import { windowSize } from "../lib/window_size.ts";
import { cassandraContactPoints } from "../lib/services/settings.ts";
import {
  createTestPipeline,
  DAILY_N,
  dropTestPipeline,
  expectedFrom,
  HOURLY_N,
  produceEvents,
  testStream,
  topN,
  waitForCommitted,
} from "./_pipeline_support.ts";
import {
  parseCsv,
  parsePrometheus,
  sampleValue,
  startServedRunner,
  startTcpProxy,
} from "./_http_support.ts";
import { waitFor } from "./_support.ts";

interface ApiWindow {
  window: string;
  records: number;
  rows: Array<{ key: string | number; values: Record<string, number> }>;
}

/** A valid JSON log event the test writes itself. */
export function jsonEvent(seq: number, record: LogRecord): TrafficEvent {
  const text = JSON.stringify({ ...record, timestamp: new Date(record.timestamp).toISOString() });
  return { seq, key: `extra-${seq}`, value: new TextEncoder().encode(text), record };
}

Deno.test("http: the results API, /metrics, /health, /ready and the live stream agree with the test's own counts", async () => {
  const test = await createTestPipeline();
  const events = testStream(6_000, 1313);
  const expected = expectedFrom(events);
  await produceEvents(test.kafka, test.topic, events);
  const runner = await startServedRunner(test);
  try {
    await waitForCommitted(test, events.length);
    const get = (path: string) => fetch(`${runner.url}${path}`);

    const described = await (await get("/api/aggregations")).json();
    assert.deepEqual(
      described.aggregations.map((view: { name: string; chart: string; window: string }) => [
        view.name,
        view.chart,
        view.window,
      ]),
      [
        ["top_pages_daily", "bar", "1d"],
        ["top_pages_hourly", "bar", "1h"],
        ["status_daily", "line", "1d"],
      ],
    );

    const days = [...expected.pagesByDay.keys()].sort();
    const range = `from=${days[0]}&to=${days.at(-1)}`;
    const daily: { windows: ApiWindow[] } =
      await (await get(`/api/results/top_pages_daily?${range}`))
        .json();
    assert.deepEqual(daily.windows.map((w) => w.window), days);
    for (const window of daily.windows) {
      const counts = expected.pagesByDay.get(window.window)!;
      assert.equal(window.records, [...counts.values()].reduce((a, b) => a + b, 0));
      const got = [...window.rows].sort((a, b) => a.values.rank! - b.values.rank!)
        .map((row) => [row.key, row.values.visits]);
      assert.deepEqual(got, topN(counts, DAILY_N), `top pages of ${window.window}`);
    }
    const hourly: { windows: ApiWindow[] } = await (
      await get(`/api/results/top_pages_hourly?${range}`)
    ).json();
    assert.deepEqual(hourly.windows.map((w) => w.window), [...expected.pagesByHour.keys()].sort());
    for (const window of hourly.windows) {
      const got = [...window.rows].sort((a, b) => a.values.rank! - b.values.rank!)
        .map((row) => [row.key, row.values.visits]);
      assert.deepEqual(got, topN(expected.pagesByHour.get(window.window)!, HOURLY_N));
    }
    const status: { windows: ApiWindow[] } = await (await get(`/api/results/status_daily?${range}`))
      .json();
    for (const window of status.windows) {
      assert.deepEqual(
        new Map(window.rows.map((row) => [String(row.key), row.values.count])),
        expected.statusByDay.get(window.window),
      );
    }

    // CSV holds exactly what JSON holds.
    const csv = parseCsv(
      await (await get(`/api/results/top_pages_hourly?${range}&format=csv`)).text(),
    );
    assert.deepEqual(csv[0], ["window", "page_url", "visits", "rank", "window_records"]);
    assert.deepEqual(
      csv.slice(1),
      hourly.windows.flatMap((w) =>
        w.rows.map((row) => [
          w.window,
          String(row.key),
          String(row.values.visits),
          String(row.values.rank),
          String(w.records),
        ])
      ),
    );
    const empty = await (await get("/api/results/status_daily?from=2026-10-01&to=2026-10-02"))
      .json();
    assert.deepEqual(empty.windows, []);
    const bad = await get("/api/results/status_daily?from=2026-11-20&to=2026-11-19");
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error, "to (2026-11-19) is before from (2026-11-20)");

    const metrics = parsePrometheus(await (await get("/metrics")).text());
    const source = { source: "rawlog" };
    assert.equal(sampleValue(metrics, "web_analytics_records_read_total", source), events.length);
    assert.equal(
      sampleValue(metrics, "web_analytics_records_logged_total", source),
      expected.records.length,
    );
    assert.equal(
      sampleValue(metrics, "web_analytics_records_rejected_total", source),
      expected.malformed.length,
    );
    const lags = metrics.filter((sample) => sample.name === "web_analytics_lag_messages");
    assert.ok(lags.length > 0 && lags.every((sample) => sample.value === 0), "lag per partition");
    assert.ok(sampleValue(metrics, "web_analytics_flush_duration_seconds_count", source)! > 0);
    assert.ok(sampleValue(metrics, "web_analytics_commit_duration_seconds_count", source)! > 0);
    assert.ok(sampleValue(metrics, "web_analytics_state_rows", source)! > 0);
    assert.ok(sampleValue(metrics, "process_resident_memory_bytes")! > 0);

    const health = await get("/health");
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, "alive");
    const ready = await waitFor("/ready to answer 200", async () => {
      const response = await get("/ready");
      const body = await response.json();
      return response.status === 200 ? body : undefined;
    });
    assert.deepEqual(
      ready.checks.map((check: { name: string; ok: boolean }) => [check.name, check.ok]),
      [
        ["process", true],
        ["cassandra", true],
        ["kafka", true],
        ["source rawlog partitions", true],
        ["source rawlog lag", true],
      ],
    );

    // Live: a new result reaches a stream client without asking.
    const stream = await get("/api/stream");
    assert.equal(stream.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const teapots = [0, 1, 2].map((i) =>
      jsonEvent(i, {
        timestamp: Date.parse("2026-11-22T10:00:00Z") + i * 1000,
        request_uri: "/teapot",
        status: 418,
        body_bytes_sent: 10,
        request_time: 0.01,
        http_referrer: "-",
        http_user_agent: "test",
        remote_addr: "10.0.0.1",
        method: "GET",
      })
    );
    await produceEvents(test.kafka, test.topic, teapots);
    let text = "";
    let live: { rows: Array<{ key: string; values: { count: number } }> } | undefined;
    while (live === undefined) {
      const chunk = await reader.read();
      assert.ok(!chunk.done, "the stream stays open");
      text += chunk.value;
      const match =
        /event: result\ndata: (\{"aggregation":"status_daily","window":"2026-11-22".*)\n/
          .exec(text);
      if (match) live = JSON.parse(match[1]!);
    }
    await reader.cancel();
    assert.deepEqual(live.rows, [
      { key: "418", values: { count: 3 } },
      { key: "4xx", values: { count: 3 } },
    ]);

    // Stopping: unready at once, so a balancer stops sending work; still alive.
    runner.server.draining();
    const draining = await get("/ready");
    assert.equal(draining.status, 503);
    assert.deepEqual((await draining.json()).failing, ["process"]);
    assert.equal((await get("/health")).status, 200);
  } finally {
    await runner.stop();
    await dropTestPipeline(test);
  }
});

Deno.test("http: /ready names Cassandra when it stops answering (deno task serve's server)", async () => {
  const test = await createTestPipeline();
  const [host, port] = cassandraContactPoints()[0]!.split(":");
  const proxy = startTcpProxy({ hostname: host!, port: Number(port) });
  const pipeline = await loadPipeline(test.file, {
    ...Deno.env.toObject(),
    CASSANDRA_CONTACT_POINTS: `127.0.0.1:${proxy.port}`,
  });
  const resources = await openPipeline(pipeline, { log: () => {}, readOnly: true });
  const server = await runnerHttp().start({ resources, dashboard: true, log: () => {} });
  try {
    const ready = await fetch(`${server.url}/ready`);
    assert.equal(ready.status, 200, JSON.stringify(await ready.clone().json()));
    assert.deepEqual((await ready.json()).checks.map((check: { name: string }) => check.name), [
      "process",
      "cassandra",
    ]);
    assert.equal(
      (await fetch(`${server.url}/api/results/status_daily?from=2026-11-20`)).status,
      200,
      "serve reads results",
    );

    // Live views without a processor: a result stored by someone else reaches the stream.
    const stream = await fetch(`${server.url}/api/stream`);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const today = localDate(Date.now(), "UTC");
    await resources.sinks.get("status_counts")!.write([{
      aggregation: "status_daily",
      window: windowCutter("UTC").windowFromKey(today, windowSize("1d")),
      shape: { key: { name: "status", type: "text" }, values: [{ name: "count", type: "bigint" }] },
      rows: [{ key: "200", values: { count: 7 } }],
      records: 7,
      computedAt: Date.now(),
    }]);
    let text = "";
    while (!text.includes(`"window":"${today}","records":7`)) {
      const chunk = await reader.read();
      assert.ok(!chunk.done, "the stream stays open");
      text += chunk.value;
    }
    await reader.cancel();
    assert.match(text, /"rows":\[\{"key":"200","values":\{"count":7\}\}\]/);

    proxy.cut();
    const unready = await waitFor("/ready to answer 503", async () => {
      const response = await fetch(`${server.url}/ready`);
      const body = await response.json();
      return response.status === 503 ? body : undefined;
    }, 30_000);
    assert.equal(unready.status, "unready");
    assert.deepEqual(unready.failing, ["cassandra"]);
    assert.equal((await fetch(`${server.url}/health`)).status, 200, "still alive");
  } finally {
    proxy.cut();
    await server.close();
    await resources.close();
    await dropTestPipeline(test);
  }
});
