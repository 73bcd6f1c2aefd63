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
import type { SourceBatch } from "../contracts.ts";

function setup() {
  const changelog = fakeChangelogStore();
  const logWriter = fakeLogWriter();
  const source = fakeSource();
  const options: ProcessorOptions = {
    source,
    aggregations: [{
      name: "count",
      aggregation: countRecords,
      window: DAY,
      sinks: [{ name: "s", sink: fakeSink() }],
    }],
    cutter: windowCutter("UTC"),
    logWriter,
    changelog,
    log: () => {},
  };
  return { changelog, logWriter, source, options, processor: createProcessor(options) };
}

/** The same offsets with different message bytes: what a recreated topic holds. */
function recreated(partition: number, offsets: number[], endOffset?: number): SourceBatch {
  return {
    stream: "RAWLOG",
    partition,
    endOffset,
    messages: offsets.map((offset) => logMessage(offset, "2026-11-20T11:00:00Z")),
  };
}

Deno.test("recreated topic: the checkpointed state keeps the last message's offset and fingerprint", async () => {
  const test = setup();
  await test.processor.onBatch(batchOf(0, range(0, 9)));
  await test.processor.flush();
  const restored = checkpoints(test.changelog);
  await restored.follow(["RAWLOG"]);
  const mark = restored.followed.get("RAWLOG/0")?.state.mark;
  assert.equal(mark?.offset, 9);
  assert.match(mark!.fingerprint, /^\d+:[0-9a-f]+$/);
});

Deno.test("recreated topic: one that ends below the processed offsets stops processing", async () => {
  const first = setup();
  await first.processor.onBatch(batchOf(0, range(0, 99)));
  await first.processor.flush();

  const restarted = createProcessor(first.options);
  await assert.rejects(
    restarted.onBatch(recreated(0, range(0, 9), 10)),
    /topic RAWLOG partition 0 ends at offset 10, but offsets up to 100 were already processed.*To start over/,
  );
  await assert.rejects(restarted.fatal, /deleted and recreated/);
  assert.equal(first.logWriter.ids.size, 100, "nothing of the new topic was logged");
  assert.equal(restarted.onFailure(new Error("crash")), false, "no restart after a fatal stop");
});

Deno.test("recreated topic: other messages at the marked offset stop processing", async () => {
  const first = setup();
  await first.processor.onBatch(batchOf(0, range(0, 9)));
  await first.processor.flush();
  const restarted = createProcessor(first.options);
  await assert.rejects(
    restarted.onBatch(recreated(0, range(0, 19), 500)),
    /holds a different message at offset 9 than the one already processed/,
  );
});

Deno.test("recreated topic: re-delivery and a replay by a new group over the same topic are fine", async () => {
  const first = setup();
  await first.processor.onBatch(batchOf(0, range(0, 9)));
  await first.processor.flush();
  const restarted = createProcessor(first.options);
  await restarted.onBatch({ ...batchOf(0, range(10, 14)), endOffset: 15 });
  const replay = createProcessor(first.options);
  await replay.onBatch({ ...batchOf(0, range(0, 14)), endOffset: 15 });
  assert.equal(replay.stats().duplicates, 10);
});
