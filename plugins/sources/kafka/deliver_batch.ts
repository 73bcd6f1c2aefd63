/**
 * How the `kafka` source hands a fetched batch to the runtime: heartbeating while it waits, and
 * trying a failed batch again in place for a while before kafkajs sees the failure.
 *
 * @module
 */
import type { Batch } from "kafkajs";
import { errorText, type RawMessage, type SourceHandlers } from "../../../lib/sdk/mod.ts";
import { HEARTBEAT_MS } from "./consumer.ts";

/** How long a failed batch is tried again in place before kafkajs sees the failure, ms. */
export const BATCH_RETRY_MS = 20_000;
/**
 * How often a failed batch is tried again in place, ms: a batch waiting on a restarting
 * Cassandra goes through at most this long after it answers (it was a second, a fifth of the
 * 5 s within which results must be fresh again).
 */
const BATCH_RETRY_EVERY_MS = 250;

/** What {@linkcode deliverBatch} needs beside the batch. */
export interface BatchDelivery {
  /** The runtime's batch handler. */
  onBatch: SourceHandlers["onBatch"];
  /** Aborts when the source stops. */
  signal: AbortSignal;
  /** Give a JSON record without a time the message's timestamp (`message_time_fallback`). */
  messageTimeFallback: boolean;
  /** True once the group was joined again since the batch was fetched. */
  rejoined: () => boolean;
  /** Prints an operator-facing line. */
  log: (message: string) => void;
}

/** The batch's messages as the runtime reads them. */
function rawMessages(batch: Batch, messageTimeFallback: boolean): RawMessage[] {
  return batch.messages.map((message) => ({
    offset: Number(message.offset),
    value: message.value,
    producedAt: Number(message.timestamp),
    // The message timestamp is stored with the message: the same on every delivery.
    fallbackTime: messageTimeFallback ? Number(message.timestamp) : undefined,
  }));
}

/**
 * Hands `batch` to the runtime and resolves once it was applied.
 *
 * A batch can wait on Cassandra (a node restarting or frozen) for longer than the session, or
 * fail while it is down: heartbeats go on meanwhile and a failed batch is tried again in place
 * (re-delivery is recognised, so that is safe) for up to BATCH_RETRY_MS, so the group does not
 * evict a member that is only waiting (an eviction re-delivers everything read since the last
 * commit and costs a rebalance). Past that, the failure goes to kafkajs, which counts it as a
 * crash. When the group asks its members to rejoin (a heartbeat fails: rebalance, or a
 * restarted coordinator), or partitions move, retrying in place would only hold the group up,
 * so the failure goes to kafkajs at once and the batch is re-delivered after the join.
 *
 * @param batch The fetched batch.
 * @param heartbeat kafkajs' heartbeat of this batch's member.
 * @param delivery The handler, the stop signal and the rest.
 * @throws {Error} The handler's last error, once retrying in place is over.
 */
export async function deliverBatch(
  batch: Batch,
  heartbeat: () => Promise<void>,
  delivery: BatchDelivery,
): Promise<void> {
  const messages = rawMessages(batch, delivery.messageTimeFallback);
  let groupWaits = false;
  const keepAlive = setInterval(() =>
    heartbeat().catch(() => {
      groupWaits = true;
    }), HEARTBEAT_MS);
  const started = Date.now();
  try {
    for (let attempt = 1;; attempt++) {
      try {
        await delivery.onBatch({
          stream: batch.topic,
          partition: batch.partition,
          messages,
          lag: Number(batch.offsetLag()),
          endOffset: Number(batch.highWatermark),
        });
        if (attempt > 1) {
          delivery.log(
            `${batch.topic}/${batch.partition}: batch went through at attempt ${attempt}`,
          );
        }
        break;
      } catch (error) {
        const givingUp = delivery.signal.aborted || groupWaits || delivery.rejoined() ||
          Date.now() - started >= BATCH_RETRY_MS;
        if (givingUp) throw error;
        if (attempt === 1) {
          delivery.log(
            `${batch.topic}/${batch.partition}: batch failed, trying again every ` +
              `${BATCH_RETRY_EVERY_MS} ms for up to ${BATCH_RETRY_MS / 1000} s: ${
                errorText(error, { firstLine: true })
              }`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, BATCH_RETRY_EVERY_MS));
      }
    }
  } finally {
    clearInterval(keepAlive);
  }
  await heartbeat();
}
