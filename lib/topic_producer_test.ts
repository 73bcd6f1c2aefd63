import assert from "assert";
import type { Kafka, Message, ProducerConfig, RecordMetadata } from "kafkajs";
import { topicProducer } from "./topic_producer.ts";

/** A client whose one producer fails its first `failingConnects` connects. */
function client(failingConnects: number) {
  const calls: string[] = [];
  const sent: Message[] = [];
  let config: ProducerConfig | undefined;
  const kafka = {
    producer(given: ProducerConfig) {
      config = given;
      return {
        connect() {
          calls.push("connect");
          return failingConnects-- > 0 ? Promise.reject(new Error("no broker")) : Promise.resolve();
        },
        send({ messages }: { messages: Message[] }): Promise<RecordMetadata[]> {
          sent.push(...messages);
          const partitions = [...new Set(messages.map((m) => m.partition!))];
          return Promise.resolve(
            partitions.map((partition) => ({ topicName: "ALERTS", partition, errorCode: 0 })),
          );
        },
        disconnect() {
          calls.push("disconnect");
          return Promise.resolve();
        },
      };
    },
    admin: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      fetchTopicMetadata: () =>
        Promise.resolve({
          topics: [{ name: "ALERTS", partitions: [{ partitionId: 0, leader: 1 }] }],
        }),
    }),
  } as unknown as Kafka;
  return { kafka, calls, sent, config: () => config };
}

Deno.test("topic producer: idempotent, connects once, and again after a failed connect", async () => {
  const { kafka, calls, sent, config } = client(1);
  const producer = topicProducer(kafka, "ALERTS");
  assert.deepEqual(config(), { idempotent: true, maxInFlightRequests: 1 });
  await assert.rejects(() => producer.connect(), /no broker/);
  await producer.connect();
  await producer.connect();
  assert.deepEqual(calls, ["connect", "connect"]);
  await producer.send([{ key: "rule/series", value: "{}" }]);
  assert.deepEqual(sent.map((m) => [m.key, m.partition]), [["rule/series", 0]]);
  await producer.close();
  assert.deepEqual(calls, ["connect", "connect", "disconnect"]);
});
