/**
 * Opening the pipeline's `transforms:` into one function the real-time processor applies to
 * every parsed record, in the order listed, before the record is written to `log`.
 *
 * @module
 */
import type { RecordTransform } from "../contracts.ts";
import type { TransformEntry } from "../config/pipeline.ts";
import { errorText } from "../errors.ts";

/** A transform that could not start; its message names it and says what to do. */
export class TransformOpenError extends Error {
  /** The error with the transform's name and plugin in front of the cause's message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransformOpenError";
  }
}

/**
 * Opens every transform and chains them. A transform that drops a record ends the chain; one
 * that throws is reported with its name, so the dead letter says which transform failed.
 *
 * @param entries The pipeline's transforms, in order.
 * @param log Operator-facing lines (e.g. a database version).
 * @returns The chained transform, or undefined when there are none.
 * @throws {TransformOpenError} Naming the transform, when one cannot open (say, its database
 *   is missing).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { openTransforms } from "./transforms.ts";
 * const chain = await openTransforms([], () => {});
 * assert.equal(chain, undefined);
 * ```
 */
export async function openTransforms(
  entries: readonly TransformEntry[],
  log: (line: string) => void,
): Promise<RecordTransform | undefined> {
  if (entries.length === 0) return undefined;
  const opened: { name: string; apply: RecordTransform }[] = [];
  for (const entry of entries) {
    try {
      opened.push({ name: entry.name, apply: await entry.plugin.open(entry.options, { log }) });
    } catch (error) {
      throw new TransformOpenError(
        `transform ${entry.name} (${entry.pluginRef}): ${errorText(error)}`,
        { cause: error },
      );
    }
  }
  return (record) => {
    let current: typeof record | undefined = record;
    for (const { name, apply } of opened) {
      try {
        current = apply(current);
      } catch (error) {
        throw new Error(`transform ${name}: ${errorText(error, { firstLine: true })}`);
      }
      if (current === undefined) return undefined;
    }
    return current;
  };
}
