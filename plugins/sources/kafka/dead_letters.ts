/**
 * The `kafka` source's dead letters: each rejected message with its original bytes, keyed by
 * where it came from, with the reason in a header.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Message } from "kafkajs";
import type { Rejection, SourceBatch } from "../../../lib/sdk/mod.ts";

/**
 * The dead-letter messages of a batch's rejections: keyed `<topic>/<partition>/<offset>`, the
 * value the original bytes (null for a tombstone), with headers reason, source_topic,
 * source_partition and source_offset.
 *
 * @param batch The batch the rejected messages came in.
 * @param rejections The rejected messages and why.
 * @returns One message per rejection, in order.
 */
export function deadLetterMessages(batch: SourceBatch, rejections: Rejection[]): Message[] {
  return rejections.map(({ message, reason }) => ({
    key: `${batch.stream}/${batch.partition}/${message.offset}`,
    value: message.value === null ? null : Buffer.from(
      message.value.buffer,
      message.value.byteOffset,
      message.value.byteLength,
    ),
    headers: {
      reason,
      source_topic: batch.stream,
      source_partition: String(batch.partition),
      source_offset: String(message.offset),
    },
  }));
}
