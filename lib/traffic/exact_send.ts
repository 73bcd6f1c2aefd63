/**
 * Sending to Kafka so that every message lands exactly once, even when a send fails half-way.
 *
 * kafkajs' idempotent producer does not survive every broker failover: after a leader moves it
 * can answer "out of order sequence number" or time out on a request that did land, and a plain
 * re-send then duplicates input (an early three-node chaos run counted 12 records more than it
 * sent, before it checked its topic).
 * It also checks every acknowledgement: a partition's part must have been appended at the end
 * offset this sender expects (kafkajs reports success for a batch the broker discarded as a
 * duplicate; a later three-node run found 7 acknowledged messages missing from its topic). After a failed or
 * unexpected send this sender finds out what landed instead of guessing: it waits until the
 * partitions' end offsets are settled, compares them with where the batch started, and re-sends,
 * on a fresh producer, only the partitions whose messages are not there.
 *
 * Invariants:
 * - One request in flight, and this sender is the topic's only writer while it runs: so a
 *   partition's part of a request (one record batch, appended atomically) either moved that
 *   partition's end offset by exactly its count, or not at all.
 * - `ends` holds, per partition, the end offset after the last acknowledged message.
 *
 * @module
 */
import type { Kafka, Message, Producer } from "kafkajs";
import { CompressionTypes } from "kafkajs";
import { sleep } from "./pacing.ts";

/** What an exact sender needs. */
export interface ExactSenderOptions {
  /** A fresh, not yet connected producer (idempotent, one request in flight). */
  newProducer: () => Producer;
  /** Longest time a failing send keeps trying before it throws, ms (default 120 s). */
  giveUpMs?: number;
  /** How long the end offsets must stay unchanged before they are believed, ms (default 1 s). */
  settleMs?: number;
  /** Told about every failed attempt (one line). */
  onRetry?: (line: string) => void;
}

/** Sends batches of messages, each pinned to a partition, exactly once. */
export interface ExactSender {
  /** Sends `messages` (every one with `partition` set); resolves once all are in the topic. */
  send(messages: Message[]): Promise<void>;
  /** Disconnects the current producer. */
  close(): Promise<void>;
}

/**
 * Opens an exact sender on `topic`.
 *
 * @param kafka The client (its admin reads end offsets).
 * @param topic The topic, which must exist.
 * @param options The producer factory and patience.
 * @returns The sender, connected.
 * @throws {Error} When a send fails for longer than `giveUpMs`, or when the topic's end offsets
 *   show another writer (then nobody can tell which messages landed).
 */
export async function openExactSender(
  kafka: Kafka,
  topic: string,
  options: ExactSenderOptions,
): Promise<ExactSender> {
  const giveUpMs = options.giveUpMs ?? 120_000;
  const settleMs = options.settleMs ?? 1_000;
  const ends = await endOffsets(kafka, topic);
  let producer = options.newProducer();
  await producer.connect();

  /**
   * Sends the pending messages; throws unless every partition's part was appended where this
   * sender's end offset says. kafkajs reports success for a batch the broker took for a
   * duplicate (after a failover reset its sequence numbers) without appending it.
   */
  async function attempt(pending: Map<number, Message[]>): Promise<void> {
    const messages = [...pending.values()].flat();
    const written = await producer.send({
      topic,
      messages,
      acks: -1,
      compression: CompressionTypes.None,
    });
    const base = new Map(written.map((meta) => [meta.partition, Number(meta.baseOffset)]));
    for (const partition of pending.keys()) {
      const expected = ends.get(partition) ?? 0;
      if (base.get(partition) !== expected) {
        throw new Error(
          `partition ${partition} acknowledged at offset ${base.get(partition)}, ` +
            `expected ${expected}`,
        );
      }
    }
  }

  async function replaceProducer(): Promise<void> {
    await producer.disconnect().catch(() => {});
    producer = options.newProducer();
    await producer.connect();
  }

  /** The part of `pending` not yet in the topic, judged by settled end offsets. */
  async function missing(pending: Map<number, Message[]>): Promise<Map<number, Message[]>> {
    let seen = await endOffsets(kafka, topic);
    for (;;) {
      await sleep(settleMs);
      const again = await endOffsets(kafka, topic);
      if ([...pending.keys()].every((p) => again.get(p) === seen.get(p))) break;
      seen = again;
    }
    const left = new Map<number, Message[]>();
    for (const [partition, messages] of pending) {
      const before = ends.get(partition) ?? 0;
      const now = seen.get(partition) ?? 0;
      if (now === before) left.set(partition, messages);
      else if (now === before + messages.length) ends.set(partition, now);
      else {
        throw new OtherWriterError(
          `${topic} partition ${partition}: end offset ${now}, expected ${before} or ` +
            `${before + messages.length}: another producer writes this topic, so nobody can tell ` +
            `which messages of the failed send landed; feed a topic of its own`,
        );
      }
    }
    return left;
  }

  return {
    async send(messages) {
      let pending = byPartition(messages);
      const started = performance.now();
      for (let tries = 1; pending.size > 0; tries++) {
        try {
          await attempt(pending);
          for (const [partition, sent] of pending) {
            ends.set(partition, (ends.get(partition) ?? 0) + sent.length);
          }
          return;
        } catch (error) {
          options.onRetry?.(
            `send to ${topic} failed (attempt ${tries}): ${messageOf(error)}; checking what ` +
              `landed and re-sending the rest on a new producer`,
          );
          // Nothing is sent again before it is known what landed.
          for (let wait = 250;; wait = Math.min(wait * 2, 2_000)) {
            if (performance.now() - started > giveUpMs) {
              throw new Error(
                `sending to ${topic} failed for ${giveUpMs / 1000} s: ${messageOf(error)}`,
                { cause: error },
              );
            }
            await sleep(wait);
            try {
              pending = await missing(pending);
              if (pending.size > 0) await replaceProducer();
              break;
            } catch (failure) {
              if (failure instanceof OtherWriterError) throw failure;
              // The cluster does not answer yet: ask again.
            }
          }
        }
      }
    },
    close: () => producer.disconnect(),
  };
}

/** The topic's end offsets moved by something other than this sender. */
export class OtherWriterError extends Error {}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function byPartition(messages: Message[]): Map<number, Message[]> {
  const parts = new Map<number, Message[]>();
  for (const message of messages) {
    const partition = message.partition;
    if (partition === undefined) throw new Error("exact send: every message needs a partition");
    let list = parts.get(partition);
    if (list === undefined) parts.set(partition, list = []);
    list.push(message);
  }
  return parts;
}

/** End offset (next offset to be written) of every partition of `topic`. */
async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map(({ partition, high }) => [partition, Number(high)]));
  } finally {
    await admin.disconnect();
  }
}
