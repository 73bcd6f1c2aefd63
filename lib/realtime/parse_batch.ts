/**
 * Splitting a source batch into valid records and rejections, with the pipeline's transforms
 * applied to each valid record (a record a transform drops is neither; one a transform fails
 * on is a rejection with the transform's reason).
 *
 * @module
 */
import type { RecordTransform, Rejection, SourceBatch } from "../contracts.ts";
import type { SourcedRecord } from "../records.ts";
import { parseLogMessage } from "../parse/mod.ts";
import { errorText } from "../errors.ts";

/** A valid record with the time its message was produced. */
export interface TimedRecord extends SourcedRecord {
  /** The message's time (Kafka message timestamp), or the processing time when unknown. */
  messageTime: number;
}

/**
 * Parses every message of a batch. A record's timestamp is judged against the time its message
 * was produced (when the source knows it), so a replay reaches the same verdict as the first run.
 *
 * @param batch The batch.
 * @param processedAt Now, used only for messages without a produce time.
 * @param transform The pipeline's transforms, chained (none: records as parsed).
 * @returns Valid records (with stable ids `<stream>/<partition>/<offset>`), rejections, and
 *   how many records the transforms dropped.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseBatch } from "./parse_batch.ts";
 * const { accepted, rejections } = parseBatch({
 *   stream: "RAWLOG",
 *   partition: 0,
 *   messages: [{ offset: 7, value: new TextEncoder().encode("nonsense"), producedAt: 0 }],
 * }, Date.now());
 * assert.equal(accepted.length, 0);
 * assert.equal(rejections[0]?.message.offset, 7);
 * ```
 */
export function parseBatch(
  batch: SourceBatch,
  processedAt: number,
  transform?: RecordTransform,
): { accepted: TimedRecord[]; rejections: Rejection[]; filtered: number } {
  const accepted: TimedRecord[] = [];
  const rejections: Rejection[] = [];
  let filtered = 0;
  for (const message of batch.messages) {
    if (message.value === null) {
      rejections.push({ message, reason: "empty message (null value)" });
      continue;
    }
    const messageTime = message.producedAt ?? processedAt;
    const parsed = parseLogMessage(message.value, messageTime, message.fallbackTime);
    if (parsed.ok) {
      let record = parsed.record;
      if (transform !== undefined) {
        try {
          const transformed = transform(record);
          if (transformed === undefined) {
            filtered++;
            continue;
          }
          record = transformed;
        } catch (error) {
          rejections.push({ message, reason: errorText(error, { firstLine: true }) });
          continue;
        }
      }
      accepted.push({
        messageTime,
        id: `${batch.stream}/${batch.partition}/${message.offset}`,
        stream: batch.stream,
        partition: batch.partition,
        offset: message.offset,
        record,
      });
    } else {
      rejections.push({ message, reason: parsed.reason });
    }
  }
  return { accepted, rejections, filtered };
}
