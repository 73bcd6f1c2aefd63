import assert from "assert";
import { createProcessor, type ProcessorOptions } from "./processor.ts";
import { windowCutter } from "../windows.ts";
import { checkpoints } from "./checkpoint.ts";
import {
  batchOf,
  countRecords,
  DAY,
  fakeChangelogStore,
  fakeLogWriter,
  fakeSink,
  fakeSource,
  logMessage,
  range,
} from "./_fakes.ts";

const START = Date.parse("2026-11-20T12:00:00Z");

function setup(overrides: Partial<ProcessorOptions> = {}) {
  const changelog = fakeChangelogStore();
  const logWriter = fakeLogWriter();
  const source = fakeSource();
  const sink = fakeSink();
  const lines: string[] = [];
  const clock = { now: START };
  const options: ProcessorOptions = {
    source,
    aggregations: [{
      name: "count",
      aggregation: countRecords,
      window: DAY,
      sinks: [{ name: "results", sink }],
    }],
    cutter: windowCutter("UTC"),
    logWriter,
    changelog,
    log: (line) => lines.push(line),
    now: () => clock.now,
    ...overrides,
  };
  return {
    changelog,
    logWriter,
    source,
    sink,
    lines,
    clock,
    options,
    processor: createProcessor(options),
  };
}

type Setup = ReturnType<typeof setup>;

/** Records counted in the checkpointed state (restored from the changelogs), over every partition. */
async function counted(test: Setup): Promise<number> {
  const restored = checkpoints(test.changelog);
  await restored.follow(["RAWLOG"]);
  let total = 0;
  for (const { state } of restored.followed.values()) {
    for (const window of state.windows.values()) total += window.records;
  }
  return total;
}

/** The last committed next offset of a partition. */
function committed(test: Setup, partition: number): number | undefined {
  let offset: number | undefined;
  for (const commit of test.source.commits) {
    for (const position of commit) {
      if (position.partition === partition) offset = position.nextOffset;
    }
  }
  return offset;
}

/** The count the sink shows for 2026-11-20. */
function published(test: Setup): unknown {
  return test.sink.latest.get("count/2026-11-20")?.rows[0]?.values.n;
}

/** What a group rejoin does: the processor starts a new generation, Kafka re-delivers from the last commit. */
async function redeliver(test: Setup, partition: number, through: number): Promise<void> {
  const from = committed(test, partition) ?? 0;
  if (from <= through) await test.processor.onBatch(batchOf(partition, range(from, through)));
}

Deno.test("processor: every record counted once, committed after its state is saved", async () => {
  const test = setup();
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  await test.processor.onBatch(batchOf(1, range(0, 4)));
  // One changelog entry per partition that changed.
  assert.deepEqual(await test.processor.flush(), { states: 2, windows: 1, positions: 2 });
  assert.equal(test.processor.stats().changelogEntries, 2);
  assert.equal(await counted(test), 15);
  assert.equal(committed(test, 0), 10);
  assert.equal(committed(test, 1), 5);
  assert.equal(published(test), 15);
  assert.equal(test.logWriter.ids.size, 15);
});

Deno.test("processor: rebalance during the log write: the batch records neither state nor position", async () => {
  const test = setup();
  const gate = test.logWriter.write$.holdNext();
  const batch = test.processor.onBatch(batchOf(0, range(0, 9)));
  await gate.reached;
  test.processor.onReassigned();
  gate.open();
  await batch;
  assert.deepEqual(await test.processor.flush(), { states: 0, windows: 0, positions: 0 });
  assert.equal(test.source.commits.length, 0, "nothing committed for records never counted");
  assert.equal(test.processor.stats().abandonedBatches, 1);

  await redeliver(test, 0, 9);
  await test.processor.flush();
  assert.equal(await counted(test), 10);
  assert.equal(committed(test, 0), 10);
  assert.equal(published(test), 10);
});

Deno.test("processor: rebalance while a batch loads state: loaded rows of the old assignment are dropped", async () => {
  const test = setup();
  const gate = test.changelog.claim$.holdNext();
  const batch = test.processor.onBatch(batchOf(0, range(0, 9)));
  await gate.reached;
  test.processor.onReassigned();
  gate.open();
  await batch;
  assert.deepEqual(await test.processor.flush(), { states: 0, windows: 0, positions: 0 });
  assert.equal(test.logWriter.ids.size, 0, "stopped before writing anything");
  await redeliver(test, 0, 9);
  await test.processor.flush();
  assert.equal(await counted(test), 10);
  assert.equal(committed(test, 0), 10);
});

Deno.test("processor: rebalance during the state write: saved rows stay, old positions are not committed", async () => {
  const test = setup();
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  const gate = test.changelog.move$.holdNext();
  const flush = test.processor.flush();
  await gate.reached;
  test.processor.onReassigned();
  gate.open();
  assert.deepEqual(await flush, { states: 1, windows: 1, positions: 0 });
  assert.equal(test.source.commits.length, 0);
  assert.equal(await counted(test), 10, "the saved row is complete and correct");

  await redeliver(test, 0, 12);
  assert.equal(test.processor.stats().duplicates, 10, "the saved row recognises re-delivery");
  await test.processor.flush();
  assert.equal(await counted(test), 13);
  assert.equal(committed(test, 0), 13);
  assert.equal(published(test), 13);
});

Deno.test("processor: rebalance during the flush's commit and sink write: nothing lost or doubled", async () => {
  const test = setup();
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  const commitGate = test.source.commit$.holdNext();
  const first = test.processor.flush();
  await commitGate.reached;
  test.processor.onReassigned();
  commitGate.open();
  await first;
  // The new assignment re-reads from the last commit: 10 if the commit landed, 0 if not.
  await test.processor.onBatch(batchOf(0, range(0, 19)));
  const sinkGate = test.sink.write$.holdNext();
  const second = test.processor.flush();
  await sinkGate.reached;
  test.processor.onReassigned();
  // The batch takes the partition again once the flush is done (takes wait for flushes).
  const redelivered = redeliver(test, 0, 24);
  sinkGate.open();
  await Promise.all([second, redelivered]);
  await test.processor.flush();
  assert.equal(await counted(test), 25);
  assert.equal(committed(test, 0), 25);
  assert.equal(published(test), 25);
  assert.equal(test.processor.stats().reassignments, 2);
});

Deno.test("processor: a failing state write commits nothing and is retried by the next flush", async () => {
  const test = setup();
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  test.changelog.move$.failNext(new Error("Cassandra timeout"));
  await assert.rejects(
    test.processor.flush(),
    /Cassandra: checkpointing state failed: Cassandra timeout/,
  );
  assert.equal(test.source.commits.length, 0);
  assert.equal(published(test), undefined);
  await test.processor.onBatch(batchOf(0, range(10, 14)));
  assert.deepEqual(await test.processor.flush(), { states: 1, windows: 1, positions: 1 });
  assert.equal(await counted(test), 15);
  assert.equal(committed(test, 0), 15);
  assert.equal(published(test), 15);
});

Deno.test("processor: a failing log write fails the batch, which counts nothing", async () => {
  const test = setup();
  test.logWriter.write$.failNext(new Error("no host available"));
  await assert.rejects(
    test.processor.onBatch(batchOf(0, range(0, 9))),
    /writing log rows or dead letters failed: no host available/,
  );
  assert.deepEqual(await test.processor.flush(), { states: 0, windows: 0, positions: 0 });
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  await test.processor.flush();
  assert.equal(await counted(test), 10);
});

Deno.test("processor: a failing commit is counted and logged; the next flush commits", async () => {
  const test = setup();
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  test.source.commit$.failNext(new Error("REBALANCE_IN_PROGRESS"));
  assert.deepEqual(await test.processor.flush(), { states: 1, windows: 1, positions: 0 });
  assert.equal(test.processor.stats().commitFailures, 1);
  assert.match(
    test.lines.join("\n"),
    /could not acknowledge input positions.*REBALANCE_IN_PROGRESS/,
  );
  assert.equal(published(test), 10, "results do not wait for the commit");
  assert.deepEqual(await test.processor.flush(), { states: 0, windows: 0, positions: 1 });
  assert.equal(committed(test, 0), 10);
});

Deno.test("processor: a failing sink does not stop commits; it is retried with back-off until it recovers", async () => {
  const test = setup();
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  test.sink.write$.failNext(new Error("results table unavailable"));
  assert.deepEqual(await test.processor.flush(), { states: 1, windows: 0, positions: 1 });
  assert.equal(committed(test, 0), 10, "input is acknowledged although the sink failed");
  const [health] = test.processor.stats().failingSinks;
  assert.equal(health?.sink, "results");
  assert.equal(health?.pendingWindows, 1);
  assert.equal(health?.lastError, "results table unavailable");

  await test.processor.onBatch(batchOf(0, range(10, 19)));
  const callsBefore = test.sink.write$.calls;
  await test.processor.flush();
  assert.equal(test.sink.write$.calls, callsBefore, "no attempt during the back-off");
  assert.equal(committed(test, 0), 20);

  test.clock.now += 1_000;
  await test.processor.flush();
  assert.equal(published(test), 20, "the retry writes the latest result");
  assert.deepEqual(test.processor.stats().failingSinks, []);
  const sinkLines = test.lines.filter((line) => line.startsWith("sink results"));
  assert.deepEqual(sinkLines.map((line) => line.split(" (")[0]!.split(":")[0]), [
    "sink results failed",
    "sink results recovered",
  ], "logged once when it fails and once when it recovers");
});

Deno.test("processor: one failing sink does not hold back the others", async () => {
  const healthy = fakeSink();
  const test = setup();
  const failing = test.sink;
  const processor = createProcessor({
    ...test.options,
    aggregations: [{
      name: "count",
      aggregation: countRecords,
      window: DAY,
      sinks: [{ name: "failing", sink: failing }, { name: "healthy", sink: healthy }],
    }],
  });
  await processor.onBatch(batchOf(0, range(0, 4)));
  failing.write$.failNext(new Error("down"), 100);
  await processor.flush();
  assert.equal(healthy.latest.get("count/2026-11-20")?.rows[0]?.values.n, 5);
  assert.deepEqual(processor.stats().failingSinks.map((sink) => sink.sink), ["failing"]);
});

Deno.test("processor: a source that crashes and restarts is logged and counted each time, then given up on", async () => {
  const test = setup({ sourceFailureLimits: { maxFailures: 3 } });
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  // Crash with state not yet flushed; kafkajs restarts, rejoins and re-delivers.
  assert.equal(test.processor.onFailure(new Error("Connection timeout")), true);
  test.processor.onReassigned();
  await redeliver(test, 0, 9);
  await test.processor.flush();
  assert.equal(await counted(test), 10);
  assert.equal(committed(test, 0), 10);
  assert.equal(test.processor.stats().sourceRestarts, 1);
  assert.equal(test.processor.stats().lastSourceFailure, "Connection timeout");
  assert.deepEqual(test.lines, ["source crashed (1 in a row), restarting: Connection timeout"]);

  // The batch after the restart was progress: the streak starts over.
  assert.equal(test.processor.onFailure(new Error("broker down")), true);
  assert.equal(test.processor.onFailure(new Error("broker down")), true);
  assert.equal(test.processor.onFailure(new Error("broker down\nstack")), false);
  assert.equal(test.processor.stats().sourceRestarts, 3);
  assert.match(
    test.lines.at(-1)!,
    /^source crashed 3 times in a row over 0 s; giving up: broker down$/,
  );
});

Deno.test("processor: a restarted process skips what the saved state already covers", async () => {
  const test = setup();
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  test.source.commit$.failNext(new Error("coordinator not available"));
  await test.processor.flush();
  const restarted = createProcessor(test.options);
  await restarted.onBatch(batchOf(0, range(0, 14)));
  await restarted.flush();
  assert.equal(restarted.stats().duplicates, 10);
  assert.equal(await counted(test), 15);
  assert.equal(published(test), 15);
});

Deno.test("processor: a record's validity is judged by its message's time, so a replay agrees", async () => {
  // Produced 2026-11-20 12:00: a timestamp of 2026-11-21 11:00 is within a day; 2026-11-22 is not.
  const messages = [
    logMessage(0, "2026-11-21T11:00:00Z"),
    logMessage(1, "2026-11-22T00:00:00Z"),
  ];
  for (const processedAt of [START, Date.parse("2026-11-23T00:00:00Z")]) {
    const test = setup();
    test.clock.now = processedAt;
    await test.processor.onBatch({ stream: "RAWLOG", partition: 0, messages });
    assert.deepEqual([...test.logWriter.ids], ["RAWLOG/0/0"]);
    assert.deepEqual(test.source.rejected, [1]);
  }
});

Deno.test("processor: results are written before input is acknowledged (a crash between re-delivers)", async () => {
  const test = setup();
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  const gate = test.sink.write$.holdNext();
  const flush = test.processor.flush();
  await gate.reached;
  assert.equal(test.source.commit$.calls, 0, "no commit while results are being written");
  gate.open();
  await flush;
  assert.equal(committed(test, 0), 10);

  assert.equal(published(test), 10);
});
