/**
 * Batch speed: `computeFromLog` + `writeResults` over every loaded day, in this process, on the
 * bench pipeline the throughput run filled; the computed results are checked too.
 *
 * @module
 */
import { computeFromLog, writeResults } from "../lib/batch/recompute.ts";
import { openPipeline } from "../lib/runtime/start.ts";
import type { LoadedPipeline } from "./throughput.ts";
import { verifyComputed } from "./verify.ts";

/** Figures of the batch measurement. */
export interface BatchResult {
  /** Rows read from `log`. */
  rows: number;
  /** Days recomputed. */
  days: number;
  /** Window results written. */
  results: number;
  /** Seconds reading and aggregating. */
  computeSeconds: number;
  /** Seconds writing results to the sinks. */
  writeSeconds: number;
  /** rows / (compute + write seconds). */
  rowsPerSecond: number;
  /** Differences between the computed results and the bench's counts. */
  problems: string[];
}

/**
 * Recomputes every loaded day from `log` and writes the results.
 *
 * @param loaded The pipeline the throughput run filled, and what it holds.
 * @returns The figures.
 */
export async function measureBatch(loaded: LoadedPipeline): Promise<BatchResult> {
  const { pipeline } = loaded.bench;
  const { days } = loaded.expected;
  const resources = await openPipeline(pipeline, { log: () => {} });
  try {
    const range = { from: days[0]!, to: days[days.length - 1]! };
    const started = performance.now();
    const computed = await computeFromLog(resources, pipeline.aggregations, range);
    const computedAt = performance.now();
    await writeResults(resources, computed.results);
    const writtenAt = performance.now();
    return {
      rows: computed.rowsRead,
      days: days.length,
      results: computed.results.length,
      computeSeconds: (computedAt - started) / 1000,
      writeSeconds: (writtenAt - computedAt) / 1000,
      rowsPerSecond: computed.rowsRead / ((writtenAt - started) / 1000),
      problems: [
        ...(computed.rowsRead === loaded.expected.valid
          ? []
          : [`batch read ${computed.rowsRead} log rows, expected ${loaded.expected.valid}`]),
        ...verifyComputed(computed.results, loaded.expected),
      ],
    };
  } finally {
    await resources.close();
  }
}
