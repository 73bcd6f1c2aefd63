/**
 * Marks that recognise a deleted and recreated (or truncated) input topic.
 *
 * Offsets of a recreated topic start again at 0, and every record up to the old applied offsets
 * would be skipped as a duplicate. So at every commit the processor records, per input
 * partition, the committed offset and a fingerprint of the last message it covers; the first
 * batch of a partition after each assignment is checked against that mark.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { SourceBatch } from "../contracts.ts";
import { forEachConcurrent } from "../concurrency.ts";

/** The mark of one input partition. */
export interface StreamMark {
  /** Input stream. */
  stream: string;
  /** Input partition. */
  partition: number;
  /** Highest committed offset (the next message to read). */
  committedOffset: number;
  /** Fingerprint of the message at `committedOffset - 1`. */
  fingerprint: string;
}

/** Reads and writes stream marks. */
export interface MarkStore {
  /** The mark of a partition, if any. */
  load(stream: string, partition: number): Promise<StreamMark | undefined>;
  /** Records marks; a mark never moves back (written with its offset as timestamp). */
  save(marks: readonly StreamMark[]): Promise<void>;
}

/**
 * A short fingerprint of message bytes (FNV-1a, 32 bits, plus the length).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { fingerprint } from "./stream_marks.ts";
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
 * What is wrong when the first batch of a partition after an assignment does not fit the
 * partition's mark; undefined when it fits (or cannot be checked).
 */
export function recreatedTopicProblem(
  batch: SourceBatch,
  mark: StreamMark | undefined,
): string | undefined {
  if (mark === undefined) return undefined;
  const where = `topic ${batch.stream} partition ${batch.partition}`;
  if (batch.endOffset !== undefined && batch.endOffset < mark.committedOffset) {
    return `${where} ends at offset ${batch.endOffset}, but offsets up to ` +
      `${mark.committedOffset} were already processed and committed: the topic was deleted ` +
      `and recreated (or truncated), and its new messages would be skipped as duplicates`;
  }
  const marked = batch.messages.find((message) => message.offset === mark.committedOffset - 1);
  if (marked !== undefined && fingerprint(marked.value) !== mark.fingerprint) {
    return `${where} holds a different message at offset ${marked.offset} than the one ` +
      `already processed there: the topic was deleted and recreated, and its new messages ` +
      `would be skipped as duplicates`;
  }
  return undefined;
}

/** Creates a mark store on `keyspace.stream_marks`. */
export function markStore(client: cassandra.Client, keyspace: string): MarkStore {
  const table = `${keyspace}.stream_marks`;
  const select = `SELECT committed_offset, fingerprint FROM ${table}
    WHERE stream = ? AND partition = ?`;
  const insert = `INSERT INTO ${table} (stream, partition, committed_offset, fingerprint)
    VALUES (?, ?, ?, ?) USING TIMESTAMP ?`;
  return {
    async load(stream, partition) {
      const row = (await client.execute(select, [stream, partition], { prepare: true })).first();
      if (row === null) return undefined;
      return {
        stream,
        partition,
        committedOffset: Number(row.get("committed_offset")),
        fingerprint: row.get("fingerprint") as string,
      };
    },
    async save(marks) {
      await forEachConcurrent(marks, 16, (mark) =>
        client.execute(insert, [
          mark.stream,
          mark.partition,
          mark.committedOffset,
          mark.fingerprint,
          mark.committedOffset,
        ], { prepare: true }));
    },
  };
}
