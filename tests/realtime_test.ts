import assert from "assert";
import {
  assertDeadLetters,
  assertLogTable,
  assertResults,
  assertResultsTopic,
  createTestPipeline,
  dropTestPipeline,
  expectedFrom,
  killMidStream,
  type KillPoint,
  produceEvents,
  runnerLog,
  runRealtimeUntilCommitted,
  spawnRunner,
  testStream,
  waitForCommitted,
} from "./_pipeline_support.ts";
import { openPipeline, startRealtime } from "../lib/runtime/start.ts";
import { loadPipeline } from "../lib/config/load.ts";
import { reconcile } from "../lib/batch/reconcile.ts";

const STREAM_SIZE = 50_000;
/** Events of the high-cardinality variants: 1M distinct pages, almost every page seen once. */
const HIGH_CARDINALITY_SIZE = 20_000;

Deno.test("real time: 50,000 records, malformed, combined and late, land exactly once", async () => {
  const test = await createTestPipeline();
  try {
    const events = testStream(STREAM_SIZE);
    const expected = expectedFrom(events);
    assert.ok(expected.malformed.length > 500, "the stream includes malformed records");
    await produceEvents(test.kafka, test.topic, events);

    const stats = await runRealtimeUntilCommitted(test, events.length);
    assert.equal(stats.accepted, expected.records.length);
    assert.equal(stats.rejected, expected.malformed.length);

    await assertTables(test, expected);
    await assertResultsTopic(test, expected);
  } finally {
    await dropTestPipeline(test);
  }
});

/** The log table, the dead letters and the results, each against the test's own counts. */
async function assertTables(
  test: Parameters<typeof assertLogTable>[0],
  expected: ReturnType<typeof expectedFrom>,
): Promise<void> {
  await assertLogTable(test, expected);
  await assertDeadLetters(test, expected);
  await assertResults(test, expected);
}

/** Sizes of a SIGKILL run: stream, and where {@link killMidStream} kills the first runner. */
interface KillPlan extends KillPoint {
  size: number;
  seed: number;
  pages?: number;
}

/** Kills a runner mid-stream, restarts one, and checks every table against the test's counts. */
async function killAndRestart(plan: KillPlan): Promise<void> {
  const test = await createTestPipeline({ flushIntervalMs: 200 });
  try {
    const events = testStream(plan.size, plan.seed, plan.pages);
    const expected = expectedFrom(events);
    await killMidStream(test, events, plan);

    const second = spawnRunner(test, "second");
    try {
      await waitForCommitted(test, events.length);
    } finally {
      second.kill("SIGTERM");
    }
    const stopped = await second.status;
    assert.equal(stopped.code, 0, `graceful stop exits 0:\n${await runnerLog(test, "second")}`);
    const log = await runnerLog(test, "second");
    assert.match(log, /stopped: flushed \d+ window results/);
    // The restarted runner took the partitions back from their changelogs.
    assert.match(log, /state: \d+ keys in \d+ partitions owned/);

    await assertTables(test, expected);
  } finally {
    await dropTestPipeline(test);
  }
}

Deno.test("real time: SIGKILL mid-stream, restart, catch up: still exactly once", async () => {
  await killAndRestart({ size: STREAM_SIZE, seed: 7, head: 10_000, killAfter: 15_000 });
});

/** `latency` per page, as shipped: a sketch per page and the total key `*`. */
const LATENCY_GRAPH = `aggregations:
  - { name: latency_5m, plugin: latency, source: rawlog, window: 5m, sinks: [latency_5m], options: { per_page: true, n: 5 } }
sinks:
  - { name: latency_5m, plugin: cassandra, options: { table: latency_5m } }
`;

Deno.test("real time, latency per page and the total key: equal to batch", async () => {
  const test = await createTestPipeline({ graph: LATENCY_GRAPH });
  try {
    const events = testStream(20_000, 9);
    const expected = expectedFrom(events);
    const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
    const running = await startRealtime(resources);
    try {
      await produceEvents(test.kafka, test.topic, events.slice(0, 10_000));
      await produceEvents(test.kafka, test.topic, events.slice(10_000));
      await waitForCommitted(test, events.length);
    } finally {
      await running.stop();
    }
    try {
      const days = expected.records.map((record) => new Date(record.timestamp).toISOString())
        .map((time) => time.slice(0, 10)).sort();
      const range = { from: days[0]!, to: days[days.length - 1]! };
      const checked = await reconcile(resources, resources.pipeline.aggregations, range);
      assert.deepEqual(checked.differences, []);
      assert.equal(checked.rowsRead, expected.records.length);
    } finally {
      await resources.close();
    }
  } finally {
    await dropTestPipeline(test);
  }
});

Deno.test("real time, 1M distinct pages: SIGKILL mid-stream, restart: still exactly once", async () => {
  await killAndRestart({
    size: HIGH_CARDINALITY_SIZE,
    seed: 8,
    pages: 1_000_000,
    head: 6_000,
    killAfter: 9_000,
  });
});

/** Two runners share a consumer group; checks every table against the test's own counts. */
async function twoRunners(
  size: number,
  seed: number,
  pages?: number,
): Promise<void> {
  const test = await createTestPipeline();
  try {
    const events = testStream(size, seed, pages);
    const expected = expectedFrom(events);
    const runners = [spawnRunner(test, "a"), spawnRunner(test, "b")];
    try {
      await produceEvents(test.kafka, test.topic, events);
      await waitForCommitted(test, events.length);
    } finally {
      for (const runner of runners) runner.kill("SIGTERM");
    }
    for (const [i, runner] of runners.entries()) {
      const status = await runner.status;
      assert.equal(status.code, 0, await runnerLog(test, i === 0 ? "a" : "b"));
    }
    const logs = [await runnerLog(test, "a"), await runnerLog(test, "b")];
    await assertTables(test, expected);
    assert.ok(logs.every((log) => log.includes("stopped:")), logs.join("\n---\n"));
  } finally {
    await dropTestPipeline(test);
  }
}

Deno.test("real time: two runners in one consumer group produce the same results as one", async () => {
  await twoRunners(STREAM_SIZE, 99);
});

Deno.test("real time, 1M distinct pages: two runners produce the same results as one", async () => {
  // 1,000 keys in memory at most: keys leave memory, and are read back across the rebalances.
  await twoRunners(HIGH_CARDINALITY_SIZE, 98, 1_000_000);
});

Deno.test("real time, 1M distinct pages: exactly once, and no single state write over 1 MiB", async () => {
  const test = await createTestPipeline();
  try {
    const events = testStream(HIGH_CARDINALITY_SIZE, 97, 1_000_000);
    const expected = expectedFrom(events);
    const distinctPages = new Set(expected.records.map((record) => record.request_uri)).size;
    // More distinct pages than the default simulated site has at all (3,000).
    assert.ok(distinctPages > 5_000, `${distinctPages} distinct pages`);
    await produceEvents(test.kafka, test.topic, events);

    const stats = await runRealtimeUntilCommitted(test, events.length);
    assert.equal(stats.accepted, expected.records.length);
    assert.ok(stats.largestWriteBytes > 0, "state was written");
    assert.ok(stats.largestWriteBytes <= 1024 * 1024, `largest write ${stats.largestWriteBytes} B`);
    await assertLogTable(test, expected);
    await assertResults(test, expected);
  } finally {
    await dropTestPipeline(test);
  }
});
