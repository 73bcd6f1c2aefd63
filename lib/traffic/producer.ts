/**
 * Feeds simulated traffic into a Kafka topic: batched, idempotent, optionally paced to a
 * steady rate.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type Kafka, type Message, Partitioners } from "kafkajs";
import { openExactSender } from "./exact_send.ts";
import { generateTraffic, type TrafficEvent, type TrafficOptions } from "./simulate.ts";
import { pacingDelay, sleep } from "./pacing.ts";

/** How to feed a topic. */
export interface ProduceTrafficOptions extends TrafficOptions {
  /** Events per second; undefined or 0 = as fast as the broker takes them. */
  rate?: number;
  /** Most messages per produce request; default 5000. */
  batchSize?: number;
  /** Partitions of the topic when this call creates it; default 6. */
  partitions?: number;
  /** Stops producing (what was sent stays sent). */
  signal?: AbortSignal;
  /**
   * Awaited before each request, once the previous one is acknowledged: a caller holds the feed
   * here with nothing in flight (the chaos job, while it restarts the broker, since re-sending a
   * request whose acknowledgement was lost would duplicate input).
   */
  hold?: () => Promise<void>;
  /** Told when a request failed and what landed is being checked before a re-send. */
  onRetry?: (line: string) => void;
  /** Called after every acknowledged request with the running totals. */
  onProgress?: (sent: number, elapsedMs: number) => void;
}

/** What a finished (or aborted) run sent. */
export interface ProduceTrafficResult {
  /** Messages acknowledged by the broker. */
  sent: number;
  /** Wall time of the run, ms. */
  elapsedMs: number;
}

/** Requests per second when pacing: small enough batches to keep the rate smooth. */
const PACED_REQUESTS_PER_SECOND = 20;

/**
 * Creates `topic` when missing and returns its partition count.
 *
 * @param kafka The client.
 * @param topic The topic name.
 * @param partitions Partition count for a new topic.
 */
async function ensureTopic(kafka: Kafka, topic: string, partitions: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics[0]?.partitions.length || partitions;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The next up to `size` events as Kafka messages, each pinned to partition seq % count; events
 * lost to a staged traffic drop count as taken (pacing sees them) but are not sent.
 */
function takeMessages(
  events: Iterator<TrafficEvent>,
  size: number,
  partitionCount: number,
): { messages: Message[]; taken: number } {
  const messages: Message[] = [];
  let taken = 0;
  while (taken < size) {
    const next = events.next();
    if (next.done) break;
    taken++;
    const { seq, key, value, dropped } = next.value;
    if (dropped) continue;
    messages.push({
      key,
      // kafkajs only takes Buffers as bytes (anything else goes through String()); this
      // wraps the same memory without copying.
      value: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
      partition: seq % partitionCount,
    });
  }
  return { messages, taken };
}

/**
 * Produces simulated traffic to `topic` (creating it when missing) until `count` events
 * are sent or `signal` aborts. Partitions fill evenly (event `seq` goes to partition
 * `seq % partitions`). Every message lands exactly once: one request in flight, acks from all
 * in-sync replicas, and after a failed request only what did not land is re-sent (see
 * `exact_send.ts`; this must be the topic's only writer meanwhile). With `rate`, requests are paced against the
 * start time, so the average rate does not drift even when single requests are late.
 *
 * @param kafka A Kafka client.
 * @param topic Destination topic.
 * @param options The traffic to generate and how fast.
 * @returns How many messages were acknowledged, and how long it took.
 * @throws The Kafka client's error when the broker is unreachable or refuses the writes.
 *
 * @example
 * ```ts ignore
 * import { Kafka } from "kafkajs";
 * import { produceTraffic } from "./producer.ts";
 * const kafka = new Kafka({ brokers: ["127.0.0.1:9092"] });
 * const { sent } = await produceTraffic(kafka, "RAWLOG", {
 *   seed: 42, count: 10_000, start: Date.now() - 3_600_000, spanMs: 3_600_000,
 *   malformedShare: 0.01, lateShare: 0.02, combinedShare: 0.2, rate: 1000,
 * });
 * ```
 */
export async function produceTraffic(
  kafka: Kafka,
  topic: string,
  options: ProduceTrafficOptions,
): Promise<ProduceTrafficResult> {
  const { rate, signal, onProgress } = options;
  if (rate !== undefined && !(rate >= 0 && Number.isFinite(rate))) {
    throw new RangeError(`rate: expected events per second ≥ 0, found ${rate}`);
  }
  const paced = rate !== undefined && rate > 0;
  const batchSize = Math.max(
    1,
    Math.min(
      options.batchSize ?? 5000,
      paced ? Math.ceil(rate / PACED_REQUESTS_PER_SECOND) : Infinity,
    ),
  );
  const events = generateTraffic(options);
  const partitionCount = await ensureTopic(kafka, topic, options.partitions ?? 6);
  const sender = await openExactSender(kafka, topic, {
    newProducer: () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
  });

  const started = performance.now();
  let taken = 0;
  let sent = 0;
  let inFlight: Promise<void> = Promise.resolve();
  try {
    while (!signal?.aborted) {
      if (paced) await sleep(pacingDelay(started, taken, rate), signal);
      if (signal?.aborted) break;
      const { messages, taken: drawn } = takeMessages(events, batchSize, partitionCount);
      if (drawn === 0) break;
      taken += drawn;
      if (messages.length === 0) continue;
      // Build the next batch while this one travels; one request stays in flight.
      await inFlight;
      if (options.hold !== undefined) await options.hold();
      inFlight = sender.send(messages).then(() => {
        sent += messages.length;
        onProgress?.(sent, performance.now() - started);
      });
      // Mark it handled now: a failure surfaces at the next `await inFlight`, not as an
      // unhandled rejection while we sleep.
      inFlight.catch(() => {});
    }
    await inFlight;
  } finally {
    await sender.close();
  }
  return { sent, elapsedMs: performance.now() - started };
}
