import assert from "assert";
import { createProcessor } from "./processor.ts";
import { windowCutter } from "../windows.ts";
import {
  batchOf,
  countRecords,
  DAY,
  fakeChangelogStore,
  fakeLogWriter,
  fakeSink,
  fakeSource,
  range,
} from "./_fakes.ts";

function setup() {
  const changelog = fakeChangelogStore();
  const logWriter = fakeLogWriter();
  const source = fakeSource();
  const processor = createProcessor({
    source,
    aggregations: [{
      name: "count",
      aggregation: countRecords,
      window: DAY,
      sinks: [{ name: "results", sink: fakeSink() }],
    }],
    cutter: windowCutter("UTC"),
    logWriter,
    changelog,
    log: () => {},
  });
  return { processor, logWriter, source, changelog };
}

Deno.test("lag: end offset minus committed offset, not the fetch-side figure", async () => {
  const { processor } = setup();
  // Read up to the end (the fetch-side lag is 0) but nothing committed yet.
  await processor.onBatch({ ...batchOf(0, range(100, 149)), lag: 0, endOffset: 150 });
  assert.equal(processor.stats().lag, 50, "50 read, none acknowledged");
  assert.deepEqual(processor.stats().partitionLag, { "RAWLOG/0": 50 });
  await processor.flush();
  assert.equal(processor.stats().lag, 0, "acknowledged up to the end");
  await processor.onBatch({ ...batchOf(0, range(150, 159)), lag: 5, endOffset: 165 });
  assert.equal(processor.stats().lag, 15, "165 - 150 committed");
});

Deno.test("waiting: what the source said waits unread, not what waits for a flush", async () => {
  const { processor } = setup();
  await processor.onBatch({ ...batchOf(0, range(100, 149)), lag: 0, endOffset: 150 });
  await processor.onBatch({ ...batchOf(1, range(0, 9)), lag: 40, endOffset: 50 });
  assert.equal(processor.stats().waiting, 40, "read but unacknowledged messages do not count");
  await processor.onBatch({ ...batchOf(1, range(10, 19)), lag: 35, endOffset: 55 });
  assert.equal(processor.stats().waiting, 35, "the latest batch of a partition stands");
  await processor.flush();
  assert.equal(processor.stats().waiting, 35, "a flush reads nothing");
  processor.onReassigned();
  assert.equal(processor.stats().waiting, 0, "a reassignment forgets the partitions it had");
});

Deno.test("lag: grows while Cassandra does not answer, though every message was read", async () => {
  const test = setup();
  const gate = test.logWriter.write$.holdNext();
  const blocked = test.processor.onBatch({ ...batchOf(1, range(0, 19)), lag: 0, endOffset: 20 });
  await gate.reached;
  assert.equal(test.processor.stats().lag, 20, "the blocked batch's messages count as lag");
  gate.open();
  await blocked;
  test.source.commit$.failNext(new Error("coordinator not available"));
  await test.processor.flush();
  assert.equal(test.processor.stats().lag, 20, "a failed commit acknowledges nothing");
  await test.processor.flush();
  assert.equal(test.processor.stats().lag, 0);
});

Deno.test("lag: a reassignment forgets the partitions it had", async () => {
  const { processor } = setup();
  await processor.onBatch({ ...batchOf(2, range(0, 9)), endOffset: 30 });
  assert.equal(processor.stats().lag, 30);
  processor.onReassigned();
  assert.equal(processor.stats().lag, 0);
  assert.deepEqual(processor.stats().partitionLag, {});
});

Deno.test("a failing flush shows in the stats until a flush succeeds", async () => {
  const test = setup();
  await test.processor.onBatch({ ...batchOf(0, range(0, 9)), endOffset: 10 });
  test.changelog.move$.failNext(new Error("no host available"), 2);
  await assert.rejects(test.processor.flush(), /no host available/);
  await assert.rejects(test.processor.flush(), /no host available/);
  const failing = test.processor.stats();
  assert.equal(failing.flushFailures, 2);
  assert.equal(failing.failingFlush?.failures, 2);
  assert.match(failing.failingFlush?.lastError ?? "", /checkpointing state failed/);
  assert.equal(failing.lag, 10, "nothing acknowledged while flushing fails");
  await test.processor.flush();
  const recovered = test.processor.stats();
  assert.equal(recovered.failingFlush, undefined);
  assert.equal(recovered.flushFailures, 2, "the counter keeps the history");
  assert.equal(recovered.lag, 0);
});
