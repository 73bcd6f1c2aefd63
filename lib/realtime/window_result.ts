/**
 * The real-time result of a window: the merge of every input partition's partial state.
 *
 * @module
 */
import type { Aggregation, WindowResult } from "../contracts.ts";
import type { WindowCutter } from "../windows.ts";
import type { StateStore } from "./state_store.ts";

/** A partial state this process holds in memory, as of `appliedOffset`. */
export interface LocalState {
  /** The state object (not modified here). */
  state: unknown;
  /** Offset it covers. */
  appliedOffset: number;
}

/**
 * Reads every partition's state row of one aggregation window and finishes their merge;
 * undefined when no row exists. A row this process holds in memory at the same offset
 * (`local`, keyed `stream/partition`) is used as is instead of being parsed again.
 */
export async function realtimeResult(
  states: StateStore,
  cutter: WindowCutter,
  name: string,
  aggregation: Aggregation,
  windowKey: string,
  local?: (stream: string, partition: number) => LocalState | undefined,
): Promise<WindowResult | undefined> {
  const stored = await states.readWindow(name, windowKey);
  if (stored.length === 0) return undefined;
  let merged = aggregation.start();
  let records = 0;
  for (const row of stored) {
    const held = local?.(row.stream, row.partition);
    const state = held !== undefined && held.appliedOffset === row.appliedOffset
      ? held.state
      : JSON.parse(row.state);
    merged = aggregation.merge(merged, state);
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
