import assert from "assert";
import {
  assertDeadLetters,
  assertLogTable,
  assertResults,
  assertResultsTopic,
  committedCount,
  createTestPipeline,
  dropTestPipeline,
  expectedFrom,
  produceEvents,
  runnerLog,
  runRealtimeUntilCommitted,
  spawnRunner,
  testStream,
  waitForCommitted,
} from "./_pipeline_support.ts";
import { waitFor } from "./_support.ts";

const STREAM_SIZE = 50_000;

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

    await assertLogTable(test, expected);
    await assertDeadLetters(test, expected);
    await assertResults(test, expected);
    await assertResultsTopic(test, expected);
  } finally {
    await dropTestPipeline(test);
  }
});

Deno.test("real time: SIGKILL mid-stream, restart, catch up: still exactly once", async () => {
  const test = await createTestPipeline({ flushIntervalMs: 200 });
  try {
    const events = testStream(STREAM_SIZE, 7);
    const expected = expectedFrom(events);
    const head = 10_000;
    await produceEvents(test.kafka, test.topic, events.slice(0, head));

    const first = spawnRunner(test, "first");
    await waitFor(
      "the first runner to commit its first records",
      async () => (await committedCount(test.kafka, test.group, test.topic)) > 0 ? true : undefined,
      120_000,
      100,
    );
    // Kill while it is working: part of the stream committed, the rest still arriving (the tail
    // is paced over about 8 s and only starts once the runner is up).
    const producing = produceEvents(test.kafka, test.topic, events.slice(head), {
      chunk: 500,
      pauseMs: 100,
    });
    await waitFor(
      "the first runner to commit part of the tail",
      async () =>
        (await committedCount(test.kafka, test.group, test.topic)) > head + 5_000
          ? true
          : undefined,
      120_000,
      100,
    );
    first.kill("SIGKILL");
    const killed = await first.status;
    assert.equal(killed.signal, "SIGKILL");
    await producing;
    const committedAtKill = await committedCount(test.kafka, test.group, test.topic);
    assert.ok(
      committedAtKill < events.length,
      "the runner was killed before the end of the stream",
    );

    const second = spawnRunner(test, "second");
    try {
      await waitForCommitted(test, events.length);
    } finally {
      second.kill("SIGTERM");
    }
    const stopped = await second.status;
    assert.equal(stopped.code, 0, `graceful stop exits 0:\n${await runnerLog(test, "second")}`);
    assert.match(await runnerLog(test, "second"), /stopped: flushed \d+ window results/);

    await assertLogTable(test, expected);
    await assertDeadLetters(test, expected);
    await assertResults(test, expected);
  } finally {
    await dropTestPipeline(test);
  }
});

Deno.test("real time: two runners in one consumer group produce the same results as one", async () => {
  const test = await createTestPipeline();
  try {
    const events = testStream(STREAM_SIZE, 99);
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
    await assertLogTable(test, expected);
    await assertDeadLetters(test, expected);
    await assertResults(test, expected);
    assert.ok(logs.every((log) => log.includes("stopped:")), logs.join("\n---\n"));
  } finally {
    await dropTestPipeline(test);
  }
});
