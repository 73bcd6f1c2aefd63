/**
 * Compares batch results (recomputed from `log`) with real-time results (merged partial
 * states) window by window. For closed windows the two must agree exactly.
 *
 * @module
 */
import type { AggregationEntry } from "../config/pipeline.ts";
import type { PipelineResources } from "../runtime/start.ts";
import { stateStore } from "../realtime/state_store.ts";
import { realtimeResult } from "../realtime/window_result.ts";
import { windowCutter } from "../windows.ts";
import {
  computeFromLog,
  diffRows,
  type ResultDifference,
  windowsOverlapping,
} from "./recompute.ts";
import type { DayRange } from "./window_selection.ts";
import { forEachConcurrent } from "../concurrency.ts";

/** Windows whose real-time state is read at the same time. */
const WINDOWS_IN_FLIGHT = 16;
import { type Progress, silentProgress } from "./progress.ts";

/** Outcome of a reconciliation. */
export interface Reconciliation {
  /** Windows compared. */
  windows: number;
  /** Log rows read for the batch side. */
  rowsRead: number;
  /** Every difference found (expected: none). */
  differences: ResultDifference[];
}

/** Reconciles the given aggregations over the days of `range`. */
export async function reconcile(
  resources: PipelineResources,
  aggregations: readonly AggregationEntry[],
  range: DayRange,
  progress: Progress = silentProgress,
): Promise<Reconciliation> {
  const { pipeline, context } = resources;
  const cutter = windowCutter(pipeline.runtime.timeZone);
  const states = stateStore(context.cassandra, pipeline.cassandra.keyspace);
  const batch = await computeFromLog(resources, aggregations, range, progress);
  const byKey = new Map(
    batch.results.map((result) => [`${result.aggregation}\u0000${result.window.key}`, result]),
  );
  // Every window of every aggregation is one read of its state rows: 288 a day at 5m, so they
  // are read several at a time, and each window's differences are kept in window order.
  const checks = aggregations.flatMap((entry) =>
    windowsOverlapping(cutter, entry.window, range).map((windowKey) => ({
      entry,
      windowKey,
      found: false,
      differences: [] as ResultDifference[],
    }))
  );
  await forEachConcurrent(checks, WINDOWS_IN_FLIGHT, async (check) => {
    const { entry, windowKey } = check;
    const fromBatch = byKey.get(`${entry.name}\u0000${windowKey}`);
    const fromRealtime = await realtimeResult(
      states,
      cutter,
      entry.name,
      entry.aggregation,
      entry.window,
      windowKey,
    );
    const difference = (detail: string) =>
      check.differences.push({ aggregation: entry.name, window: windowKey, detail });
    if (fromRealtime === "being written") {
      check.found = true;
      difference("real-time state is being written by a runner right now; run reconcile again");
      return;
    }
    if (fromBatch === undefined && fromRealtime === "no state") return;
    check.found = true;
    if (fromRealtime === "no state") {
      difference(`no real-time result; batch counted ${fromBatch!.records} records`);
      return;
    }
    if (fromBatch === undefined) {
      difference(`no log rows; real time counted ${fromRealtime.records} records`);
      return;
    }
    if (fromBatch.records !== fromRealtime.records) {
      difference(`batch counted ${fromBatch.records} records, real time ${fromRealtime.records}`);
    }
    for (const line of diffRows(fromBatch.rows, fromRealtime.rows)) {
      difference(`real time ${line}`);
    }
  });
  const windows = checks.filter((check) => check.found).length;
  const differences = checks.flatMap((check) => check.differences);
  return { windows, rowsRead: batch.rowsRead, differences };
}
