/**
 * The real-time result of a window: the merge, key by key, of every input partition's state.
 *
 * @module
 */
import type { Aggregation, KeyedState, WindowResult } from "../contracts.ts";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import type { StateStore } from "./state_store.ts";
import { keyedFormOf } from "./keyed_form.ts";

/** A partition's state of the window that this process holds in memory. */
export interface LocalPartition {
  /** Input stream. */
  stream: string;
  /** Input partition. */
  partition: number;
  /** Records counted. */
  records: number;
  /** Value by state key (read only: merged as a copy). */
  entries: ReadonlyMap<string, { readonly value: unknown }>;
}

/** Why no result could be computed. */
export type NoResult = "no state" | "being written";

/**
 * Reads every partition's head of one aggregation window and finishes the merge of their
 * states; "no state" when none exists, "being written" when another process is half-way
 * through saving one (a key row ahead of its head): try again at the next flush.
 *
 * Partitions held in memory (`local`, read synchronously once the heads are known) are merged
 * from memory, even when ahead of what is stored; only the others' key rows are read.
 */
export async function realtimeResult(
  states: StateStore,
  cutter: WindowCutter,
  name: string,
  aggregation: Aggregation,
  window: WindowSpec,
  windowKey: string,
  local: () => Iterable<LocalPartition> = () => [],
): Promise<WindowResult | NoResult> {
  const keyed = keyedFormOf(aggregation);
  const heads = await states.readWindowHeads(name, windowKey);
  const merged = new Map<string, unknown>();
  let records = 0;
  let partitions = 0;
  const held = new Set<string>();
  // Merge in-memory states now, before any other await lets a batch change them.
  for (const partition of local()) {
    held.add(`${partition.stream}\u0000${partition.partition}`);
    for (const [key, entry] of partition.entries) mergeValue(keyed, merged, key, entry.value);
    records += partition.records;
    partitions++;
  }
  for (const head of heads) {
    if (held.has(`${head.stream}\u0000${head.partition}`)) continue;
    const entries = await states.loadEntries({
      aggregation: name,
      windowKey,
      stream: head.stream,
      partition: head.partition,
    });
    for (const entry of entries) {
      if (entry.appliedOffset > head.appliedOffset) return "being written";
      mergeValue(keyed, merged, entry.stateKey, JSON.parse(entry.value));
    }
    records += head.records;
    partitions++;
  }
  if (partitions === 0) return "no state";
  return {
    aggregation: name,
    window: cutter.windowFromKey(windowKey, window),
    shape: aggregation.shape,
    rows: keyed.finish(merged),
    records,
    computedAt: Date.now(),
  };
}

/** Merges `value` into `merged[key]`; a fresh value first, so nothing of `value` is kept. */
function mergeValue(
  keyed: KeyedState,
  merged: Map<string, unknown>,
  key: string,
  value: unknown,
): void {
  merged.set(key, keyed.merge(merged.has(key) ? merged.get(key) : keyed.start(), value));
}
