/**
 * A Kafka send that resolves only when every message was acknowledged.
 *
 * kafkajs 2.2.4 can resolve `producer.send` without sending some partitions' messages: it keeps
 * one response per broker across retries, so when a partition's leader fails and moves to a
 * broker that already answered for other partitions of the same send, the retry skips that
 * broker and the partition's messages are never sent (`sendMessages.js`). A three-node chaos run
 * saw it: a send resolved with no answer for partition 5. This helper checks the answer for
 * every partition it sent to and sends the unanswered ones again on the same idempotent
 * producer: kafkajs rolled their sequence numbers back when the first request failed, so a
 * part that did land is recognised by the broker as a duplicate, never written twice.
 *
 * @module
 */
import {
  type Kafka,
  type Message,
  Partitioners,
  type PartitionMetadata,
  type Producer,
} from "kafkajs";

/** A message whose partition is chosen. */
export type PartitionedMessage = Message & { partition: number };

/**
 * Sends `messages` to `topic` (acks from all in-sync replicas) and resolves once every one of
 * them was acknowledged.
 *
 * @param producer An idempotent producer (one request in flight).
 * @param topic The topic.
 * @param messages The messages, each with its partition.
 * @param attempts Sends of the unanswered part before giving up (default 3).
 * @throws {Error} The producer's error, or one naming the partitions still unanswered.
 *
 * @example
 * ```ts ignore
 * import { sendAcknowledged } from "./kafka_send.ts";
 * await sendAcknowledged(producer, "RAWLOG", [{ value: "{}", partition: 0 }]);
 * ```
 */
export async function sendAcknowledged(
  producer: Producer,
  topic: string,
  messages: readonly PartitionedMessage[],
  attempts = 3,
): Promise<void> {
  let pending = [...messages];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const answers = await producer.send({ topic, messages: pending, acks: -1 });
    const answered = new Set(
      answers.filter((answer) => answer.errorCode === 0).map((answer) => answer.partition),
    );
    const unanswered = pending.filter((message) => !answered.has(message.partition));
    if (unanswered.length > 0 && attempt >= attempts) {
      const partitions = [...new Set(unanswered.map((message) => message.partition))];
      throw new Error(
        `Kafka did not acknowledge ${unanswered.length} of ${messages.length} messages to ` +
          `${topic} (partitions ${partitions.join(", ")}) after ${attempts} sends`,
      );
    }
    pending = unanswered;
  }
}

/** Sends to one topic with every message's acknowledgement checked. */
export interface AcknowledgedSender {
  /** Chooses each message's partition (as kafkajs would) and sends with {@linkcode sendAcknowledged}. */
  send(messages: readonly Message[]): Promise<void>;
}

/**
 * A sender to `topic` on `producer` that picks partitions itself, as kafkajs' default
 * partitioner does (hash of the key, else round robin), so that the answer of every partition
 * written to can be checked. The topic's partitions are read once, and again after a failure.
 *
 * @param kafka The client (its admin reads the topic's partitions).
 * @param producer An idempotent producer, connected before `send`.
 * @param topic The topic.
 * @param metadataWaitMs Longest wait for the topic's partitions (Kafka down: fail fast).
 * @returns The sender.
 */
export function acknowledgedSender(
  kafka: Kafka,
  producer: Producer,
  topic: string,
  metadataWaitMs = 3_000,
): AcknowledgedSender {
  const partitioner = Partitioners.DefaultPartitioner();
  let partitions: Promise<PartitionMetadata[]> | undefined;
  const partitionsOfTopic = () =>
    partitions ??= (async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const found = topics[0]?.partitions ?? [];
        if (found.length === 0) throw new Error(`Kafka: topic ${topic} has no partitions`);
        return found;
      } finally {
        await admin.disconnect();
      }
    })();
  return {
    async send(messages) {
      if (messages.length === 0) return;
      try {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const partitionMetadata = await Promise.race([
          partitionsOfTopic(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new Error(`Kafka: no partitions of ${topic} within ${metadataWaitMs} ms`),
                ),
              metadataWaitMs,
            );
          }),
        ]).finally(() => clearTimeout(timer));
        const outgoing = messages.map((message): PartitionedMessage => ({
          ...message,
          partition: partitioner({ topic, partitionMetadata, message }),
        }));
        await sendAcknowledged(producer, topic, outgoing);
      } catch (error) {
        // Ask again next time: the partitions or their leaders may have changed.
        partitions = undefined;
        throw error;
      }
    },
  };
}
