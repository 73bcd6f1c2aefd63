/**
 * A producer that publishes to one Kafka topic, for plugins whose output is a topic (the
 * `kafka` sink and the `kafka` notifier): idempotent with one request in flight, connected when
 * first needed, and every send checked partition by partition ({@linkcode acknowledgedSender}).
 *
 * @module
 */
import type { Kafka, Message, Producer } from "kafkajs";
import { acknowledgedSender } from "./kafka_send.ts";

/** Publishes to one topic; see {@linkcode topicProducer}. */
export interface TopicProducer {
  /**
   * Connects the producer the first time, and later resolves at once. After a failed connect
   * the next call tries again.
   */
  connect(): Promise<void>;
  /**
   * Sends `messages` on the connected producer and resolves once every one was acknowledged.
   *
   * @throws {Error} The producer's error, or one naming the partitions still unanswered.
   */
  send(messages: readonly Message[]): Promise<void>;
  /** Disconnects the producer (nothing to do when it never connected). */
  close(): Promise<void>;
}

/**
 * An idempotent producer to `topic`, not yet connected.
 *
 * @param kafka The client.
 * @param topic The topic every message goes to.
 * @returns The producer.
 *
 * @example
 * ```ts ignore
 * import { topicProducer } from "./topic_producer.ts";
 * const results = topicProducer(kafka, "RESULTS");
 * await results.connect();
 * await results.send([{ key: "top_pages/2024-05-01", value: "{}" }]);
 * await results.close();
 * ```
 */
export function topicProducer(kafka: Kafka, topic: string): TopicProducer {
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  // Every partition's answer is checked: a kafkajs send can resolve without some.
  const sender = acknowledgedSender(kafka, producer, topic);
  let connected: Promise<void> | undefined;
  return {
    connect: () =>
      connected ??= producer.connect().catch((error) => {
        connected = undefined;
        throw error;
      }),
    send: (messages) => sender.send(messages),
    close: () => producer.disconnect(),
  };
}
