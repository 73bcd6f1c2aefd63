/**
 * Compares batch results (recomputed from `log`) with real-time results (every input
 * partition's checkpointed state, restored from its changelog and merged) window by window.
 * For windows whose records have all arrived the two must agree exactly. A window real time
 * closed (by every partition's watermark) has left its state and is not compared.
 *
 * @module
 */
import type { AggregationEntry } from "../config/pipeline.ts";
import type { PipelineResources } from "../runtime/start.ts";
import { changelogStore } from "../realtime/changelog_store.ts";
import { checkpoints } from "../realtime/checkpoint.ts";
import { windowId } from "../realtime/partition_state.ts";
import { type PartOfWindow, windowResult } from "../realtime/window_result.ts";
import { windowCutter } from "../windows.ts";
import {
  computeFromLog,
  diffRows,
  type ResultDifference,
  windowsOverlapping,
} from "./recompute.ts";
import type { DayRange } from "./window_selection.ts";

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
  const held = checkpoints(changelogStore(context.cassandra, pipeline.cassandra.keyspace));
  await held.follow(await held.store.streams());
  const partitions = [...held.followed];
  const watermark = Math.min(...partitions.map(([, { state }]) => state.watermark));
  const batch = await computeFromLog(resources, aggregations, range, progress);
  const byKey = new Map(
    batch.results.map((result) => [`${result.aggregation}\u0000${result.window.key}`, result]),
  );
  const checks = aggregations.flatMap((entry) =>
    windowsOverlapping(cutter, entry.window, range).map((windowKey) => ({
      entry,
      windowKey,
      found: false,
      differences: [] as ResultDifference[],
    }))
  );
  for (const check of checks) {
    const { entry, windowKey } = check;
    const fromBatch = byKey.get(`${entry.name}\u0000${windowKey}`);
    const id = windowId(entry.name, windowKey);
    const parts: PartOfWindow[] = [];
    for (const [partId, { state }] of partitions) {
      const window = state.windows.get(id);
      if (window !== undefined) parts.push({ id: partId, window });
    }
    const fromRealtime = windowResult(
      cutter,
      entry.name,
      entry.aggregation,
      entry.window,
      windowKey,
      parts,
    );
    const difference = (detail: string) =>
      check.differences.push({ aggregation: entry.name, window: windowKey, detail });
    if (fromBatch === undefined && fromRealtime === undefined) continue;
    if (fromRealtime === undefined) {
      const window = cutter.windowFromKey(windowKey, entry.window);
      if (window.end + pipeline.runtime.allowedLatenessMs <= watermark) continue;
      check.found = true;
      difference(`no real-time result; batch counted ${fromBatch!.records} records`);
      continue;
    }
    check.found = true;
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
  const windows = checks.filter((check) => check.found).length;
  const differences = checks.flatMap((check) => check.differences);
  return { windows, rowsRead: batch.rowsRead, differences };
}
