import assert from "assert";
import {
  createTestPipeline,
  dropTestPipeline,
  produceEvents,
  runnerLog,
  runRealtimeUntilCommitted,
  spawnRunner,
  testStream,
} from "./_pipeline_support.ts";
import { waitFor } from "./_support.ts";

Deno.test("a deleted and recreated input topic stops the runner with what happened and what to do", async () => {
  const test = await createTestPipeline();
  try {
    const before = testStream(3_000, 31);
    await produceEvents(test.kafka, test.topic, before);
    await runRealtimeUntilCommitted(test, before.length);

    const admin = test.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [test.topic] });
      await waitFor(
        "the topic to be recreated after its deletion",
        async () => {
          try {
            const created = await admin.createTopics({
              topics: [{ topic: test.topic, numPartitions: 6 }],
              waitForLeaders: true,
            });
            return created ? true : undefined;
          } catch {
            return undefined; // still being deleted
          }
        },
        60_000,
        250,
      );
    } finally {
      await admin.disconnect();
    }
    await produceEvents(test.kafka, test.topic, testStream(300, 32));

    const runner = spawnRunner(test, "after");
    const status = await runner.status;
    const log = await runnerLog(test, "after");
    assert.equal(status.code, 1, log);
    assert.match(log, new RegExp(`topic ${test.topic} partition \\d+ `));
    assert.match(log, /deleted and recreated .*Nothing of it was counted\. To start over/);
  } finally {
    await dropTestPipeline(test);
  }
});
