/**
 * The real-time result of a window: the merge of every input partition's partial state.
 *
 * @module
 */
import type { Aggregation, WindowResult } from "../contracts.ts";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import type { StateKey, StateStore } from "./state_store.ts";

/** A partial state this process holds in memory, as of `appliedOffset`. */
export interface LocalState {
  /** The state object (read only: merged as a copy). */
  state: unknown;
  /** Offset it covers. */
  appliedOffset: number;
}

/**
 * Reads every partition's state row of one aggregation window and finishes their merge;
 * undefined when no row exists.
 *
 * With `local` (rows this process holds in memory, keyed by stream and partition), the rows'
 * offsets are read first, and the state text only of rows not held in memory at the same offset:
 * with one process owning every partition, no state text is read back at all.
 */
export async function realtimeResult(
  states: StateStore,
  cutter: WindowCutter,
  name: string,
  aggregation: Aggregation,
  window: WindowSpec,
  windowKey: string,
  local?: (stream: string, partition: number) => LocalState | undefined,
): Promise<WindowResult | undefined> {
  let merged = aggregation.start();
  let records = 0;
  let rows = 0;
  if (local === undefined) {
    for (const row of await states.readWindow(name, windowKey)) {
      merged = aggregation.merge(merged, JSON.parse(row.state));
      records += row.records;
      rows++;
    }
  } else {
    const heads = await states.readWindowHeads(name, windowKey);
    const remote: StateKey[] = [];
    // Merge in-memory states now, before any other await lets a batch change them.
    for (const head of heads) {
      const held = local(head.stream, head.partition);
      if (held !== undefined && held.appliedOffset === head.appliedOffset) {
        // A copy: `other` must never be state this process keeps adding to.
        merged = aggregation.merge(merged, structuredClone(held.state));
        records += head.records;
      } else {
        remote.push({
          aggregation: name,
          windowKey,
          stream: head.stream,
          partition: head.partition,
        });
      }
    }
    rows = heads.length;
    if (remote.length > 0) {
      for (const stored of (await states.load(remote)).values()) {
        merged = aggregation.merge(merged, JSON.parse(stored.state));
        records += stored.records;
      }
    }
  }
  if (rows === 0) return undefined;
  return {
    aggregation: name,
    window: cutter.windowFromKey(windowKey, window),
    shape: aggregation.shape,
    rows: aggregation.finish(merged),
    records,
    computedAt: Date.now(),
  };
}
