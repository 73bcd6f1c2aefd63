/**
 * Hands the valid records of each input batch to the sinks that keep raw records
 * (`Sink.writeRecords`: an events table, an archive), beside the `log` write.
 *
 * The processor calls its `LogWriter` once per batch with exactly the records it writes to
 * `log`, before the batch counts and so before its offsets can be committed, and treats a
 * failure as a failed `log` write (the batch is read again). Wrapping the log writer gives the
 * record sinks that same place and those same guarantees without a change to the processor:
 * a record sink that fails holds up reading the way Cassandra's `log` does, and a replay hands
 * it the records again (its writes are idempotent by record id).
 *
 * @module
 */
import type { Sink } from "../contracts.ts";
import type { LogWriter } from "../log_store.ts";
import { errorText } from "../errors.ts";

/** A started sink that keeps raw records, with its name from pipeline.yaml. */
export interface RecordSink {
  /** Sink name. */
  name: string;
  /** The sink; only its `writeRecords` is called here. */
  sink: Sink;
}

/**
 * A log writer that also writes every batch to each record sink, all at once.
 *
 * @param log The `log` table's writer.
 * @param sinks The sinks with a `writeRecords`; others are left out.
 * @param onFailure Told about a record sink's failure (for `/metrics`), before the write rejects.
 * @returns `log` itself when no sink keeps records.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { withRecordSinks } from "./record_sinks.ts";
 * const seen: string[] = [];
 * const writer = withRecordSinks({ write: () => Promise.resolve() }, [{
 *   name: "archive",
 *   sink: {
 *     prepare: () => Promise.resolve(), write: () => Promise.resolve(),
 *     close: () => Promise.resolve(),
 *     writeRecords: (records) => { seen.push(...records.map((r) => r.id)); return Promise.resolve(); },
 *   },
 * }]);
 * await writer.write([{ id: "T/0/7", stream: "T", partition: 0, offset: 7, record: { timestamp: 0 } }]);
 * assert.deepEqual(seen, ["T/0/7"]);
 * ```
 */
export function withRecordSinks(
  log: LogWriter,
  sinks: readonly RecordSink[],
  onFailure?: (sink: string, error: unknown) => void,
): LogWriter {
  const keeping = sinks.filter(({ sink }) => sink.writeRecords !== undefined);
  if (keeping.length === 0) return log;
  return {
    async write(records) {
      await Promise.all([
        log.write(records),
        ...keeping.map(async ({ name, sink }) => {
          if (records.length === 0) return;
          try {
            await sink.writeRecords!(records);
          } catch (error) {
            onFailure?.(name, error);
            throw new Error(`sink ${name} could not keep the records: ${errorText(error)}`, {
              cause: error,
            });
          }
        }),
      ]);
    },
  };
}
