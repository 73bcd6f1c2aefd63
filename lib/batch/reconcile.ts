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
import { computeFromLog, diffRows, type ResultDifference } from "./recompute.ts";
import { type DayRange, daysOf } from "./window_selection.ts";
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
  const differences: ResultDifference[] = [];
  let windows = 0;
  for (const entry of aggregations) {
    for (const windowKey of windowKeys(daysOf(range), entry.aggregation.granularity)) {
      const fromBatch = byKey.get(`${entry.name}\u0000${windowKey}`);
      const fromRealtime = await realtimeResult(
        states,
        cutter,
        entry.name,
        entry.aggregation,
        windowKey,
      );
      if (fromRealtime === "being written") {
        windows++;
        differences.push({
          aggregation: entry.name,
          window: windowKey,
          detail: "real-time state is being written by a runner right now; run reconcile again",
        });
        continue;
      }
      if (fromBatch === undefined && fromRealtime === "no state") continue;
      windows++;
      const difference = (detail: string) =>
        differences.push({ aggregation: entry.name, window: windowKey, detail });
      if (fromRealtime === "no state") {
        difference(`no real-time result; batch counted ${fromBatch!.records} records`);
        continue;
      }
      if (fromBatch === undefined) {
        difference(`no log rows; real time counted ${fromRealtime.records} records`);
        continue;
      }
      if (fromBatch.records !== fromRealtime.records) {
        difference(`batch counted ${fromBatch.records} records, real time ${fromRealtime.records}`);
      }
      for (const line of diffRows(fromBatch.rows, fromRealtime.rows)) {
        difference(`real time ${line}`);
      }
    }
  }
  return { windows, rowsRead: batch.rowsRead, differences };
}

function windowKeys(days: readonly string[], granularity: "hour" | "day"): string[] {
  if (granularity === "day") return [...days];
  return days.flatMap((day) =>
    Array.from({ length: 24 }, (_, hour) => `${day}T${String(hour).padStart(2, "0")}`)
  );
}
