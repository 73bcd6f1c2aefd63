import assert from "assert";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline } from "../lib/runtime/start.ts";
import { reconcile } from "../lib/batch/reconcile.ts";
import { computeFromLog, writeResults } from "../lib/batch/recompute.ts";
import { bucketsBetween, readLog } from "../lib/log_read.ts";
import { generateTraffic } from "../lib/traffic/mod.ts";
import type { LogRecord } from "../lib/records.ts";
import {
  createTestPipeline,
  dropTestPipeline,
  produceEvents,
  runRealtimeUntilCommitted,
  type TestPipeline,
} from "./_pipeline_support.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Berlin in late November: CET, UTC+1 all through the stream (no clock change near it). */
const CET = HOUR;
/** Sunday 2026-11-22 21:00 in Berlin: the stream crosses into the week of Monday the 23rd. */
const START = Date.parse("2026-11-22T20:00:00Z");

const GRAPH = `aggregations:
  - name: product_actions_5m
    plugin: product_actions
    source: rawlog
    window: 5m
    sinks: [product_actions_5m, results_topic]
  - name: product_actions_weekly
    plugin: product_actions
    source: rawlog
    window: 1w
    sinks: [product_actions_weekly]
  - name: pages_5m
    plugin: top_pages
    source: rawlog
    window: 5m
    sinks: [pages_5m]
    options: { n: 5 }
sinks:
  - { name: product_actions_5m, plugin: cassandra, options: { table: product_actions_5m } }
  - { name: product_actions_weekly, plugin: cassandra, options: { table: product_actions_weekly } }
  - { name: pages_5m, plugin: cassandra, options: { table: pages_5m } }
  - { name: results_topic, plugin: kafka, options: { topic: "{results_topic}" } }
`;

/** A window as the test computes it, by plain arithmetic on a fixed UTC+1 offset. */
interface ExpectedWindow {
  date: string;
  start: number;
  records: number;
  pairs: Map<string, number>;
}

function fiveMinuteStart(timestamp: number): number {
  return Math.floor((timestamp + CET) / (5 * MINUTE)) * 5 * MINUTE - CET;
}

function weekStart(timestamp: number): number {
  const localDay = Math.floor((timestamp + CET) / DAY);
  const monday = localDay - ((localDay + 3) % 7); // 1970-01-01 was a Thursday
  return monday * DAY - CET;
}

function expectWindows(records: LogRecord[], startOf: (t: number) => number) {
  const windows = new Map<number, ExpectedWindow>();
  for (const record of records) {
    const start = startOf(record.timestamp);
    let window = windows.get(start);
    if (window === undefined) {
      const date = new Date(start + CET).toISOString().slice(0, 10);
      windows.set(start, window = { date, start, records: 0, pairs: new Map() });
    }
    window.records++;
    if (record.product_id !== undefined && record.event_type !== undefined) {
      const pair = `${record.product_id}|${record.event_type}`;
      window.pairs.set(pair, (window.pairs.get(pair) ?? 0) + 1);
    }
  }
  return windows;
}

/** Every row of a composite-key table, as `start|product|action|count`, and window_records. */
async function storedWindows(test: TestPipeline, table: string, dates: Iterable<string>) {
  const rows: string[] = [];
  const records = new Map<number, Set<number>>();
  for (const date of new Set(dates)) {
    const found = await test.cassandra.execute(
      `SELECT window_start, window_end, product_id, action, count, window_records
       FROM ${test.keyspace}.${table} WHERE date = ?`,
      [date],
      { prepare: true, fetchSize: 100_000 },
    );
    for (const row of found.rows) {
      const start = (row.get("window_start") as Date).getTime();
      rows.push(`${start}|${row.get("product_id")}|${row.get("action")}|${row.get("count")}`);
      const set = records.get(start) ?? new Set<number>();
      set.add(Number(row.get("window_records")));
      records.set(start, set);
      assert.ok((row.get("window_end") as Date).getTime() > start);
    }
  }
  return { rows: rows.sort(), records };
}

function expectedRows(windows: Map<number, ExpectedWindow>): string[] {
  return [...windows.values()].flatMap((window) =>
    [...window.pairs].map(([pair, count]) => `${window.start}|${pair}|${count}`)
  ).sort();
}

async function assertTables(
  test: TestPipeline,
  fiveMinutes: Map<number, ExpectedWindow>,
  weeks: Map<number, ExpectedWindow>,
): Promise<void> {
  for (
    const [table, windows] of [["product_actions_5m", fiveMinutes], [
      "product_actions_weekly",
      weeks,
    ]] as const
  ) {
    const stored = await storedWindows(test, table, [...windows.values()].map((w) => w.date));
    assert.deepEqual(stored.rows, expectedRows(windows), `${table}: rows per window and pair`);
    for (const window of windows.values()) {
      if (window.pairs.size === 0) continue;
      assert.deepEqual(
        [...(stored.records.get(window.start) ?? [])],
        [window.records],
        `${table}: window_records of ${new Date(window.start).toISOString()}`,
      );
    }
  }
}

/** The canonical JSON of a record: keys sorted, props too. */
function canonical(record: LogRecord): string {
  const sorted = (object: object) =>
    Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : 1)));
  const copy: Record<string, unknown> = sorted(record);
  if (record.props !== undefined) copy.props = sorted(record.props);
  return JSON.stringify(copy);
}

Deno.test(
  "events: 5-minute and weekly windows in Europe/Berlin, keyed by product and action, " +
    "equal the test's counts; batch equals real time",
  async () => {
    const test = await createTestPipeline({ timeZone: "Europe/Berlin", graph: GRAPH });
    try {
      const events = [...generateTraffic({
        mode: "ecommerce",
        seed: 1123,
        count: 12_000,
        start: START,
        spanMs: 6 * HOUR,
        malformedShare: 0.02,
        lateShare: 0.03,
        combinedShare: 0,
      })];
      const records = events.flatMap((event) => event.record === undefined ? [] : [event.record]);
      const fiveMinutes = expectWindows(records, fiveMinuteStart);
      const weeks = expectWindows(records, weekStart);
      // The stream reaches back into the week of the 16th (late records) and on into the 23rd's.
      assert.ok(weeks.size === 2, `weeks: ${[...weeks.values()].map((w) => w.date)}`);

      await produceEvents(test.kafka, test.topic, events);
      const stats = await runRealtimeUntilCommitted(test, events.length);
      assert.equal(stats.accepted, records.length);
      assert.equal(stats.rejected, events.length - records.length);
      await assertTables(test, fiveMinutes, weeks);

      // Every field of every event is in the log, and reads back as the very same record.
      const logged: string[] = [];
      await readLog(
        test.cassandra,
        test.keyspace,
        "log",
        bucketsBetween(START - 50 * HOUR, START + 7 * HOUR),
        (record) => logged.push(canonical(record)),
      );
      assert.deepEqual(logged.sort(), records.map(canonical).sort());

      // Top pages of events count page_path.
      const someWindow = [...fiveMinutes.values()].find((window) => window.records > 50)!;
      const pages = await test.cassandra.execute(
        `SELECT page_url, visits, rank FROM ${test.keyspace}.pages_5m
         WHERE date = ? AND window_start = ?`,
        [someWindow.date, new Date(someWindow.start)],
        { prepare: true },
      );
      const pageCounts = new Map<string, number>();
      for (const record of records) {
        if (fiveMinuteStart(record.timestamp) !== someWindow.start) continue;
        const page = record.page_path!.split("?")[0]!;
        pageCounts.set(page, (pageCounts.get(page) ?? 0) + 1);
      }
      const top = [...pageCounts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, 5);
      assert.deepEqual(
        pages.rows.sort((a, b) => a.get("rank") - b.get("rank"))
          .map((row) => [row.get("page_url"), Number(row.get("visits"))]),
        top,
      );

      // Batch over the same days computes what real time holds, window by window, and
      // rewriting its results changes nothing.
      const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
      try {
        const range = { from: "2026-11-20", to: "2026-11-23" };
        const checked = await reconcile(resources, resources.pipeline.aggregations, range);
        assert.deepEqual(checked.differences, []);
        assert.equal(checked.rowsRead, records.length);
        assert.ok(
          checked.windows >= 2 * fiveMinutes.size + weeks.size,
          `${checked.windows} windows compared`,
        );
        const computed = await computeFromLog(resources, resources.pipeline.aggregations, range);
        await writeResults(resources, computed.results);
        await assertTables(test, fiveMinutes, weeks);
        // A range holding only part of a week still recomputes the whole week.
        const monday = await computeFromLog(
          resources,
          resources.pipeline.aggregations.filter((entry) => entry.window.size === "1w"),
          { from: "2026-11-22", to: "2026-11-22" },
        );
        const lastWeek = monday.results.map((result) => [result.window.key, result.records]);
        const earlier = [...weeks.values()].find((week) => week.date === "2026-11-16")!;
        assert.deepEqual(lastWeek, [["2026-11-16", earlier.records]]);
      } finally {
        await resources.close();
      }
    } finally {
      await dropTestPipeline(test);
    }
  },
);

Deno.test("events: with message_time_fallback, a record without a time takes the Kafka message's", async () => {
  const test = await createTestPipeline({ sourceOptions: "message_time_fallback: true" });
  try {
    const admin = test.kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: test.topic, numPartitions: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const producer = test.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sentAt = Date.parse("2026-11-20T10:00:00.250Z");
    await producer.send({
      topic: test.topic,
      acks: -1,
      messages: [
        { value: '{"event_type":"login","user_id":"u-1"}', timestamp: String(sentAt) },
        {
          value: '{"event_type":"logout","event_time":"2026-11-20T11:00:00Z"}',
          timestamp: String(sentAt),
        },
      ],
    });
    await producer.disconnect();
    const stats = await runRealtimeUntilCommitted(test, 2);
    assert.equal(stats.accepted, 2);
    const rows = await test.cassandra.execute(
      `SELECT event_type, timestamp FROM ${test.keyspace}.log WHERE date = '2026-11-20' AND hour IN (10, 11)`,
    );
    assert.deepEqual(
      rows.rows.map((row) => [row.get("event_type"), (row.get("timestamp") as Date).toISOString()])
        .sort(),
      [["login", "2026-11-20T10:00:00.250Z"], ["logout", "2026-11-20T11:00:00.000Z"]],
    );
  } finally {
    await dropTestPipeline(test);
  }
});

Deno.test("results: a table of another shape stops the start with both shapes named", async () => {
  const test = await createTestPipeline();
  try {
    const first = await openPipeline(await loadPipeline(test.file), { log: () => {} });
    await first.close();
    // The daily top pages move to 5-minute windows but keep writing table `results`.
    const text = await Deno.readTextFile(test.file);
    await Deno.writeTextFile(test.file, text.replace("window: 1d", "window: 5m"));
    await assert.rejects(
      async () => await openPipeline(await loadPipeline(test.file), { log: () => {} }),
      (error: Error) => {
        assert.match(error.message, new RegExp(`table ${test.keyspace}.results already exists`));
        assert.match(
          error.message,
          /aggregation top_pages_daily \(window: 5m\) needs .*window_start \(clustering\)/,
        );
        assert.match(error.message, /Point its cassandra sink at a new table/);
        return true;
      },
    );
  } finally {
    await dropTestPipeline(test);
  }
});
