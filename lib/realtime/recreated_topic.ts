/**
 * Recognising a deleted and recreated (or truncated) input topic.
 *
 * Offsets of a recreated topic start again at 0, and every record up to the applied offset of
 * its partitions' state would be skipped as a duplicate. So each partition's state keeps the
 * offset and a fingerprint of the last message it applied (its `mark`, checkpointed with the
 * state), and the first batch of a partition after each take is checked against it.
 *
 * @module
 */
import type { SourceBatch } from "../contracts.ts";
import type { PartitionMark } from "./partition_state.ts";

/**
 * A short fingerprint of message bytes (FNV-1a, 32 bits, plus the length).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { fingerprint } from "./recreated_topic.ts";
 * assert.equal(fingerprint(new Uint8Array([1, 2])), fingerprint(new Uint8Array([1, 2])));
 * assert.notEqual(fingerprint(new Uint8Array([1, 2])), fingerprint(new Uint8Array([2, 1])));
 * assert.equal(fingerprint(null), "null");
 * ```
 */
export function fingerprint(bytes: Uint8Array | null): string {
  if (bytes === null) return "null";
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return `${bytes.length}:${(hash >>> 0).toString(16)}`;
}

/**
 * What is wrong when the first batch of a partition after a take does not fit the partition's
 * mark; undefined when it fits (or cannot be checked).
 */
export function recreatedTopicProblem(
  batch: SourceBatch,
  mark: PartitionMark | undefined,
): string | undefined {
  if (mark === undefined) return undefined;
  const where = `topic ${batch.stream} partition ${batch.partition}`;
  if (batch.endOffset !== undefined && batch.endOffset <= mark.offset) {
    return `${where} ends at offset ${batch.endOffset}, but offsets up to ` +
      `${mark.offset + 1} were already processed: the topic was deleted and recreated (or ` +
      `truncated), and its new messages would be skipped as duplicates`;
  }
  const marked = batch.messages.find((message) => message.offset === mark.offset);
  if (marked !== undefined && fingerprint(marked.value) !== mark.fingerprint) {
    return `${where} holds a different message at offset ${marked.offset} than the one ` +
      `already processed there: the topic was deleted and recreated, and its new messages ` +
      `would be skipped as duplicates`;
  }
  return undefined;
}
