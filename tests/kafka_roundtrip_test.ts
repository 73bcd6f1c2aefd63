import assert from "assert";
import { createKafka, ensureTopics } from "../lib/runtime/kafka.ts";
import { testKafkaSettings, uniqueSuffix, waitFor } from "./_support.ts";

Deno.test("kafka round trip: 6 partitions, keyed messages, consumer group sees each once", async () => {
  const kafka = createKafka(testKafkaSettings());
  const topic = `test-roundtrip-${uniqueSuffix()}`;
  assert.deepEqual(await ensureTopics(kafka, [{ topic, partitions: 6 }]), [topic]);
  assert.deepEqual(
    await ensureTopics(kafka, [{ topic, partitions: 6 }]),
    [],
    "second call creates nothing",
  );

  const admin = kafka.admin();
  await admin.connect();
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(metadata.topics[0]?.partitions.length, 6);

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const count = 3000;
  const messages = Array.from(
    { length: count },
    (_, i) => ({ key: `key-${i % 97}`, value: `m${i}` }),
  );
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `test-group-${uniqueSuffix()}` });
  const seen = new Map<string, number>();
  const partitionsSeen = new Set<number>();
  const keyPartition = new Map<string, number>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      const value = message.value?.toString() ?? "";
      const key = message.key?.toString() ?? "";
      seen.set(value, (seen.get(value) ?? 0) + 1);
      partitionsSeen.add(partition);
      const before = keyPartition.get(key);
      assert.ok(before === undefined || before === partition, `key ${key} moved partitions`);
      keyPartition.set(key, partition);
      return Promise.resolve();
    },
  });
  try {
    await waitFor("all messages consumed", () => seen.size === count ? true : undefined);
  } finally {
    await consumer.disconnect();
  }
  assert.equal(seen.size, count);
  for (const [value, times] of seen) assert.equal(times, 1, `${value} delivered ${times} times`);
  assert.ok(partitionsSeen.size > 1, "keyed messages spread over several partitions");

  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});
