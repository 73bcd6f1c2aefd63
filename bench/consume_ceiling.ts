/**
 * Consume ceiling: how fast plain kafkajs reads the loaded topic when it does nothing with the
 * messages (fresh group, eachBatch only counting).
 *
 * @module
 */
import type { ConsumerConfig, Kafka } from "kafkajs";
import type { BenchNames } from "./names.ts";

/** One consumer configuration tried. */
export interface ConsumeAttempt {
  /** What was tried. */
  pattern: string;
  /** Messages per second from partitions assigned to the last message counted. */
  eventsPerSecond: number;
}

const ATTEMPTS: Array<{ pattern: string; config: Partial<ConsumerConfig>; concurrently: number }> =
  [
    {
      pattern: "kafka source settings: 1 MiB/partition fetches, 3 partitions at once",
      config: { maxBytesPerPartition: 1_048_576, maxBytes: 10_485_760 },
      concurrently: 3,
    },
    {
      pattern: "large fetches: 8 MiB/partition, 6 partitions at once",
      config: { maxBytesPerPartition: 8_388_608, maxBytes: 52_428_800 },
      concurrently: 6,
    },
  ];

/**
 * Reads all `total` messages of `topic` once per consumer configuration.
 *
 * @param kafka Client.
 * @param names Registry of the run's names (each attempt uses a fresh group).
 * @param topic The loaded topic.
 * @param total Messages in it.
 * @returns Every attempt; the best is the ceiling.
 */
export async function measureConsume(
  kafka: Kafka,
  names: BenchNames,
  topic: string,
  total: number,
): Promise<ConsumeAttempt[]> {
  const attempts: ConsumeAttempt[] = [];
  for (const [index, attempt] of ATTEMPTS.entries()) {
    const consumer = kafka.consumer({
      ...attempt.config,
      groupId: names.group(`consume${index}`),
      sessionTimeout: 10_000,
    });
    try {
      await consumer.connect();
      let joinedAt = 0;
      consumer.on(consumer.events.GROUP_JOIN, () => joinedAt ||= performance.now());
      await consumer.subscribe({ topic, fromBeginning: true });
      let count = 0;
      const finished = new Promise<number>((resolve) => {
        consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: attempt.concurrently,
          eachBatch: ({ batch }) => {
            count += batch.messages.length;
            if (count >= total) resolve(performance.now());
            return Promise.resolve();
          },
        });
      });
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`consume ceiling: not done within 600 s`)), 600_000)
      );
      const doneAt = await Promise.race([finished, timeout]);
      attempts.push({
        pattern: attempt.pattern,
        eventsPerSecond: total / ((doneAt - joinedAt) / 1000),
      });
    } finally {
      await consumer.disconnect().catch(() => {});
    }
  }
  return attempts;
}
