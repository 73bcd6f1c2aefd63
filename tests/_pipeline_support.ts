/**
 * Support for end-to-end pipeline tests: a test-owned pipeline file, a seeded stream, the
 * counts a test computes itself from what it sent, and checks against Kafka and Cassandra.
 *
 * The expected results here are computed independently of the plugins: plain counting and
 * sorting over the records the test generated.
 *
 * @module
 */
import assert from "assert";
import { Buffer } from "node:buffer";
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import { generateTraffic, type TrafficEvent } from "../lib/traffic/simulate.ts";
import type { LogRecord, RequestRecord } from "../lib/records.ts";
import { createKafka } from "../lib/runtime/kafka.ts";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline, startRealtime } from "../lib/runtime/start.ts";
import type { ProcessorStats } from "../lib/realtime/processor.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import { RUNNER_V8_FLAGS } from "../lib/runtime/runner_flags.ts";
import { connectTestCassandra, testKafkaSettings, uniqueSuffix, waitFor } from "./_support.ts";

/** Names a test owns; all removed by {@linkcode dropTestPipeline}. */
export interface TestPipeline {
  /** Path of the generated pipeline.yaml. */
  file: string;
  /** Keyspace. */
  keyspace: string;
  /** Input topic. */
  topic: string;
  /** Dead-letter topic. */
  deadLetterTopic: string;
  /** Results topic. */
  resultsTopic: string;
  /** Consumer group. */
  group: string;
  /** Kafka client. */
  kafka: Kafka;
  /** Cassandra client. */
  cassandra: cassandra.Client;
}

/** Top-N sizes the test pipeline uses. */
export const DAILY_N = 10;
/** Hourly top-N size of the test pipeline. */
export const HOURLY_N = 5;

/** The aggregations and sinks of the default test pipeline. */
const DEFAULT_GRAPH = (resultsTopic: string) =>
  `aggregations:
  - name: top_pages_daily
    plugin: top_pages
    source: rawlog
    window: 1d
    sinks: [results, results_topic]
    options: { n: ${DAILY_N}, strip_query: false, exclude_static: false }
  - name: top_pages_hourly
    plugin: top_pages
    source: rawlog
    window: 1h
    sinks: [results_hourly]
    options: { n: ${HOURLY_N}, strip_query: false, exclude_static: false }
  - name: status_daily
    plugin: status_counts
    source: rawlog
    window: 1d
    sinks: [status_counts]
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
  - name: results_topic
    plugin: kafka
    options: { topic: ${resultsTopic} }`;

/** Options of {@linkcode createTestPipeline}. */
export interface TestPipelineOptions {
  /** Real-time flush interval (default 250 ms). */
  flushIntervalMs?: number;
  /** A `schedules:` section to append, as YAML text. */
  schedules?: string;
  /**
   * The `http:` section, as YAML text (default: listen on a free loopback port, so runners of
   * parallel tests and a `deno task run` never collide).
   */
  http?: string;
  /** `runtime.time_zone` (default UTC). */
  timeZone?: string;
  /** More options of the `rawlog` kafka source, as YAML flow-mapping entries (`a: 1, b: 2`). */
  sourceOptions?: string;
  /**
   * `aggregations:` and `sinks:` sections replacing the default ones, as YAML text; the source
   * is `rawlog`, and `{results_topic}` in the text is replaced with the test's results topic.
   */
  graph?: string;
  /**
   * More `sources:` items, as YAML text indented by two spaces; `$TOPIC` stands for the input
   * topic (e.g. an `http` source writing to it).
   */
  extraSources?: string;
}

/** Writes a pipeline file with test-owned names and connects clients. */
export async function createTestPipeline(
  options: TestPipelineOptions = {},
): Promise<TestPipeline> {
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  const suffix = uniqueSuffix();
  const keyspace = `test_pipe_${suffix}`;
  const topic = `RAWLOG-${suffix}`;
  const deadLetterTopic = `${topic}.dlq`;
  const resultsTopic = `RESULTS-${suffix}`;
  const group = `test-group-${suffix}`;
  const dir = await Deno.makeTempDir({ prefix: "pipeline-test-" });
  const file = `${dir}/pipeline.yaml`;
  await Deno.writeTextFile(
    file,
    `
cassandra:
  keyspace: ${keyspace}
runtime:
  time_zone: ${options.timeZone ?? "UTC"}
  flush_interval_ms: ${flushIntervalMs}
  # The test streams carry fixed dates in the past: keep every window open for real time.
  allowed_lateness: 36500d
  consumer_group: ${group}
sources:
  - name: rawlog
    plugin: kafka
    options: { topic: ${topic}, dead_letter_topic: ${deadLetterTopic}${
      options.sourceOptions ? `, ${options.sourceOptions}` : ""
    } }
${(options.extraSources ?? "").replaceAll("$TOPIC", topic)}
${options.graph?.replaceAll("{results_topic}", resultsTopic) ?? DEFAULT_GRAPH(resultsTopic)}
${options.schedules ?? ""}
${options.http ?? "http:\n  listen: 127.0.0.1:0\n"}
`,
  );
  return {
    file,
    keyspace,
    topic,
    deadLetterTopic,
    resultsTopic,
    group,
    kafka: createKafka(testKafkaSettings()),
    cassandra: await connectTestCassandra(keyspace),
  };
}

/** Drops the keyspace and topics of a test pipeline and closes its clients. */
export async function dropTestPipeline(test: TestPipeline): Promise<void> {
  await test.cassandra.execute(`DROP KEYSPACE IF EXISTS ${test.keyspace}`).catch(() => {});
  await test.cassandra.shutdown();
  const admin = test.kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const topics = [test.topic, test.deadLetterTopic, test.resultsTopic].filter((t) =>
    existing.has(t)
  );
  if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => {});
  await admin.deleteGroups([test.group]).catch(() => {});
  await admin.disconnect();
  await Deno.remove(test.file.replace(/\/pipeline\.yaml$/, ""), { recursive: true });
}

/**
 * The seeded stream used by the pipeline tests: malformed, combined and late records; `pages`
 * distinct URIs (default 3000; 1,000,000 for the high-cardinality variants).
 */
export function testStream(count: number, seed = 20261122, pages?: number): TrafficEvent[] {
  return [...generateTraffic({
    seed,
    count,
    pages,
    start: Date.parse("2026-11-20T00:00:00Z"),
    spanMs: 2 * 86_400_000,
    malformedShare: 0.02,
    lateShare: 0.03,
    combinedShare: 0.2,
  })];
}

/**
 * Produces events to a topic (creating it with 6 partitions), keyed as generated; with
 * `pauseMs`, in chunks of `chunk` with a pause between them, so a stream keeps arriving.
 */
export async function produceEvents(
  kafka: Kafka,
  topic: string,
  events: TrafficEvent[],
  pacing: { chunk: number; pauseMs: number } = { chunk: 5000, pauseMs: 0 },
) {
  const admin = kafka.admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  }
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < events.length; i += pacing.chunk) {
    if (i > 0 && pacing.pauseMs > 0) await new Promise((r) => setTimeout(r, pacing.pauseMs));
    await producer.send({
      topic,
      acks: -1,
      messages: events.slice(i, i + pacing.chunk).map((event) => ({
        key: event.key,
        value: Buffer.from(event.value),
      })),
    });
  }
  await producer.disconnect();
}

/** Sum over partitions of the group's committed offsets on a topic. */
export async function committedCount(kafka: Kafka, group: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return (offsets?.partitions ?? []).reduce(
      (sum, partition) => sum + Math.max(0, Number(partition.offset)),
      0,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the group has committed every message of the topic. */
export async function waitForCommitted(test: TestPipeline, total: number, timeoutMs = 180_000) {
  await waitFor(
    `consumer group ${test.group} to commit ${total} messages`,
    async () =>
      (await committedCount(test.kafka, test.group, test.topic)) >= total ? true : undefined,
    timeoutMs,
    250,
  );
}

/** Starts `deno run jobs/run.ts --config <file>` as a child process; output goes to a log file. */
export function spawnRunner(test: TestPipeline, name: string): Deno.ChildProcess {
  const logFile = `${test.file.replace(/pipeline\.yaml$/, "")}${name}.log`;
  return new Deno.Command("sh", {
    args: [
      "-c",
      `exec "$0" run --allow-all "$4" "$1" --config "$2" > "$3" 2>&1`,
      Deno.execPath(),
      `${REPO_ROOT}/jobs/run.ts`,
      test.file,
      logFile,
      RUNNER_V8_FLAGS,
    ],
    cwd: REPO_ROOT,
    stdin: "null",
  }).spawn();
}

/** Where {@link killMidStream} kills the first runner. */
export interface KillPoint {
  /** Records produced before the runner starts. */
  head: number;
  /** The runner is killed once the group has committed more than this many records. */
  killAfter: number;
}

/**
 * Starts runner "first" on a stream's head, paces most of the tail in while it works (chunks of
 * 500 every 100 ms), SIGKILLs it once the group has committed more than `killAfter` records,
 * then produces the last tenth of the stream. Those last records arrive only after the kill, so
 * the runner that restarts always has work the killed one never saw, however fast the killed
 * one was (a test that asserted "killed before the end" raced a runner that caught up with the
 * whole paced tail in one flush). Returns the count committed at the kill.
 */
export async function killMidStream(
  test: TestPipeline,
  events: TrafficEvent[],
  at: KillPoint,
): Promise<number> {
  const afterKill = events.length - Math.max(500, Math.ceil(events.length / 10));
  if (at.head > afterKill || at.killAfter >= afterKill) {
    throw new Error(
      `killMidStream: head ${at.head} and killAfter ${at.killAfter} must be below ${afterKill}`,
    );
  }
  await produceEvents(test.kafka, test.topic, events.slice(0, at.head));
  const first = spawnRunner(test, "first");
  await waitFor(
    "the first runner to commit its first records",
    async () => (await committedCount(test.kafka, test.group, test.topic)) > 0 ? true : undefined,
    120_000,
    100,
  );
  const producing = produceEvents(test.kafka, test.topic, events.slice(at.head, afterKill), {
    chunk: 500,
    pauseMs: 100,
  });
  await waitFor(
    "the first runner to commit part of the tail",
    async () =>
      (await committedCount(test.kafka, test.group, test.topic)) > at.killAfter ? true : undefined,
    120_000,
    100,
  );
  first.kill("SIGKILL");
  const killed = await first.status;
  assert.equal(
    killed.signal,
    "SIGKILL",
    `the first runner died before the kill:\n${await runnerLog(test, "first")}`,
  );
  await producing;
  const committed = await committedCount(test.kafka, test.group, test.topic);
  await produceEvents(test.kafka, test.topic, events.slice(afterKill));
  return committed;
}

/** Reads a runner's log file (for failure messages). */
export async function runnerLog(test: TestPipeline, name: string): Promise<string> {
  try {
    return await Deno.readTextFile(`${test.file.replace(/pipeline\.yaml$/, "")}${name}.log`);
  } catch {
    return "(no log)";
  }
}

/** What the pipeline must hold after processing `events`, computed by plain counting. */
export interface Expected {
  /** Valid records. */
  records: LogRecord[];
  /** Bytes of malformed events. */
  malformed: string[];
  /** Day -> page -> visits. */
  pagesByDay: Map<string, Map<string, number>>;
  /** `YYYY-MM-DDTHH` -> page -> visits. */
  pagesByHour: Map<string, Map<string, number>>;
  /** Day -> status or class -> count. */
  statusByDay: Map<string, Map<string, number>>;
}

/**
 * Counts what the test sent; with `days`, results only for windows on those days (the log
 * still holds every valid record).
 */
export function expectedFrom(events: TrafficEvent[], days?: ReadonlySet<string>): Expected {
  const expected: Expected = {
    records: [],
    malformed: [],
    pagesByDay: new Map(),
    pagesByHour: new Map(),
    statusByDay: new Map(),
  };
  const decoder = new TextDecoder();
  for (const event of events) {
    if (event.record === undefined) {
      expected.malformed.push(decoder.decode(event.value));
      continue;
    }
    // The test stream is web-server traffic: every record has the web-log fields.
    const record = event.record as RequestRecord;
    expected.records.push(record);
    const iso = new Date(record.timestamp).toISOString();
    const day = iso.slice(0, 10);
    if (days !== undefined && !days.has(day)) continue;
    increment(expected.pagesByDay, day, record.request_uri);
    increment(expected.pagesByHour, iso.slice(0, 13), record.request_uri);
    increment(expected.statusByDay, day, String(record.status));
    increment(expected.statusByDay, day, `${String(record.status)[0]}xx`);
  }
  return expected;
}

function increment(map: Map<string, Map<string, number>>, window: string, key: string): void {
  let counts = map.get(window);
  if (counts === undefined) map.set(window, counts = new Map());
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** The top `n` of a count map: visits descending, then key ascending. */
export function topN(counts: Map<string, number>, n: number): Array<[string, number]> {
  return [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)).slice(0, n);
}

/** Asserts that `log` holds exactly one row per valid record and nothing else. */
export async function assertLogTable(test: TestPipeline, expected: Expected): Promise<void> {
  const fingerprint = (r: LogRecord) =>
    `${r.timestamp}|${r.request_uri}|${r.status}|${r.remote_addr}|${r.body_bytes_sent}|${r.request_time}|${r.http_user_agent}`;
  const want = new Map<string, number>();
  for (const record of expected.records) {
    want.set(fingerprint(record), (want.get(fingerprint(record)) ?? 0) + 1);
  }
  const got = new Map<string, number>();
  const ids = new Set<string>();
  let rows = 0;
  await new Promise<void>((resolve, reject) => {
    test.cassandra.eachRow(
      `SELECT record_id, timestamp, request_uri, status, remote_addr, body_bytes_sent,
        request_time, http_user_agent FROM ${test.keyspace}.log`,
      [],
      { prepare: true, autoPage: true, fetchSize: 5000 },
      (_n, row) => {
        rows++;
        ids.add(row.get("record_id"));
        const key = fingerprint({
          timestamp: (row.get("timestamp") as Date).getTime(),
          request_uri: row.get("request_uri"),
          status: row.get("status"),
          remote_addr: row.get("remote_addr"),
          body_bytes_sent: Number(row.get("body_bytes_sent")),
          request_time: row.get("request_time"),
          http_user_agent: row.get("http_user_agent"),
        } as LogRecord);
        got.set(key, (got.get(key) ?? 0) + 1);
      },
      (error) => error ? reject(error) : resolve(),
    );
  });
  assert.equal(rows, expected.records.length, "log holds one row per valid record");
  assert.equal(ids.size, rows, "record ids are unique");
  assert.deepEqual(got, want, "log rows are exactly the valid records sent");
}

/** Asserts that the dead-letter topic holds exactly the malformed messages. */
export async function assertDeadLetters(test: TestPipeline, expected: Expected): Promise<void> {
  const consumer = test.kafka.consumer({ groupId: `dlq-check-${uniqueSuffix()}` });
  const byKey = new Map<string, string>();
  let reasons = 0;
  let total = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: test.deadLetterTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      total++;
      byKey.set(message.key?.toString() ?? "", message.value?.toString() ?? "");
      if ((message.headers?.reason?.toString() ?? "").length > 0) reasons++;
      return Promise.resolve();
    },
  });
  try {
    await waitFor(
      "every dead letter",
      () => byKey.size >= expected.malformed.length ? true : undefined,
      60_000,
    );
  } finally {
    await consumer.disconnect();
  }
  assert.equal(reasons, total, "every dead letter carries a reason header");
  assert.deepEqual(
    [...byKey.values()].sort(),
    [...expected.malformed].sort(),
    "the dead-letter topic holds exactly the malformed messages (one per source offset)",
  );
}

/** Asserts every result table equals the test's own counts. */
export async function assertResults(test: TestPipeline, expected: Expected): Promise<void> {
  for (const [day, counts] of expected.pagesByDay) {
    const rows = await test.cassandra.execute(
      `SELECT page_url, visits, rank, window_records FROM ${test.keyspace}.results WHERE date = ?`,
      [day],
      { prepare: true },
    );
    const got = rows.rows.map((
      row,
    ) => [row.get("rank"), row.get("page_url"), Number(row.get("visits"))])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    const want = topN(counts, DAILY_N).map(([page, visits], i) => [i + 1, page, visits]);
    assert.deepEqual(got, want, `daily top pages of ${day}`);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    assert.equal(Number(rows.rows[0]?.get("window_records")), total, `records covered on ${day}`);
  }
  for (const [hour, counts] of expected.pagesByHour) {
    const rows = await test.cassandra.execute(
      `SELECT page_url, visits, rank FROM ${test.keyspace}.results_hourly WHERE date = ? AND hour = ?`,
      [hour.slice(0, 10), Number(hour.slice(11, 13))],
      { prepare: true },
    );
    const got = rows.rows.map((
      row,
    ) => [row.get("rank"), row.get("page_url"), Number(row.get("visits"))])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    const want = topN(counts, HOURLY_N).map(([page, visits], i) => [i + 1, page, visits]);
    assert.deepEqual(got, want, `hourly top pages of ${hour}`);
  }
  for (const [day, counts] of expected.statusByDay) {
    const rows = await test.cassandra.execute(
      `SELECT status, count FROM ${test.keyspace}.status_counts WHERE date = ?`,
      [day],
      { prepare: true },
    );
    const got = new Map(
      rows.rows.map((row) => [row.get("status") as string, Number(row.get("count"))]),
    );
    assert.deepEqual(got, counts, `status counts of ${day}`);
  }
  const days = await test.cassandra.execute(`SELECT DISTINCT date FROM ${test.keyspace}.results`);
  assert.equal(days.rowLength, expected.pagesByDay.size, "no result for a day without records");
}

/** Asserts the results topic's latest message per daily window equals the test's own top N. */
export async function assertResultsTopic(test: TestPipeline, expected: Expected): Promise<void> {
  const consumer = test.kafka.consumer({ groupId: `results-check-${uniqueSuffix()}` });
  const latest = new Map<string, { records: number; rows: Array<Record<string, unknown>> }>();
  let highWater = 0;
  const admin = test.kafka.admin();
  await admin.connect();
  for (const partition of await admin.fetchTopicOffsets(test.resultsTopic)) {
    highWater += Number(partition.high);
  }
  await admin.disconnect();
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: test.resultsTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      seen++;
      latest.set(message.key?.toString() ?? "", JSON.parse(message.value?.toString() ?? "{}"));
      return Promise.resolve();
    },
  });
  try {
    await waitFor("every result message", () => seen >= highWater ? true : undefined, 60_000);
  } finally {
    await consumer.disconnect();
  }
  for (const [day, counts] of expected.pagesByDay) {
    const message = latest.get(`top_pages_daily/${day}`);
    assert.ok(message, `a RESULTS message for top_pages_daily/${day}`);
    assert.equal(message.records, [...counts.values()].reduce((a, b) => a + b, 0));
    assert.deepEqual(
      message.rows,
      topN(counts, DAILY_N).map(([page, visits], i) => ({ page_url: page, visits, rank: i + 1 })),
      `RESULTS top pages of ${day}`,
    );
  }
}

/**
 * Runs the real-time loop in this process until the group has committed `total` messages, then
 * stops it gracefully; returns the processor counters of the `rawlog` source.
 */
export async function runRealtimeUntilCommitted(
  test: TestPipeline,
  total: number,
): Promise<ProcessorStats> {
  const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
  const running = await startRealtime(resources);
  try {
    await waitForCommitted(test, total);
  } finally {
    await running.stop();
    await resources.close();
  }
  return running.stats().get("rawlog")!;
}
