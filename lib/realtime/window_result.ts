/**
 * The real-time result of a window: the merge of every input partition's partial state.
 *
 * @module
 */
import type { Aggregation, WindowResult } from "../contracts.ts";
import type { WindowCutter } from "../windows.ts";
import type { StateStore } from "./state_store.ts";

/**
 * Reads every partition's state row of one aggregation window and finishes their merge;
 * undefined when no row exists.
 */
export async function realtimeResult(
  states: StateStore,
  cutter: WindowCutter,
  name: string,
  aggregation: Aggregation,
  windowKey: string,
): Promise<WindowResult | undefined> {
  const stored = await states.readWindow(name, windowKey);
  if (stored.length === 0) return undefined;
  let merged = aggregation.start();
  let records = 0;
  for (const row of stored) {
    merged = aggregation.merge(merged, JSON.parse(row.state));
    records += row.records;
  }
  return {
    aggregation: name,
    granularity: aggregation.granularity,
    window: cutter.windowFromKey(windowKey),
    shape: aggregation.shape,
    rows: aggregation.finish(merged),
    records,
    computedAt: Date.now(),
  };
}
