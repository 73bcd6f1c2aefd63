/**
 * The real-time result of a window: the merge, key by key, of every input partition's state.
 *
 * @module
 */
import type { Aggregation, KeyedState, WindowResult } from "../contracts.ts";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import { stateKeyString, type StateStore, type StoredEntry } from "./state_store.ts";
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

/** Another process's state of one partition window, as this process last read it. */
export interface RemotePartition {
  /** Offset its head covered when read. */
  appliedOffset: number;
  /** Records its head counted when read. */
  records: number;
  /** Parsed value by state key (read only: merged as a copy). */
  values: Map<string, unknown>;
  /** When a result last used it, ms. */
  usedAt: number;
}

/**
 * What this process last read of other processes' partition states, by
 * {@linkcode stateKeyString}: a result then reads only the key rows written since (their offsets
 * are above the cached head's), so its reads follow what changed, not the window's size.
 */
export type RemoteStates = Map<string, RemotePartition>;

/**
 * Drops the partition states no result used since `before` (closed or quiet windows), so
 * memory follows the windows being computed.
 *
 * @param remote The cache.
 * @param before Time, ms.
 */
export function forgetUnused(remote: RemoteStates, before: number): void {
  for (const [id, partition] of remote) if (partition.usedAt < before) remote.delete(id);
}

/** Why no result could be computed. */
export type NoResult = "no state" | "being written";

/**
 * Reads every partition's head of one aggregation window and finishes the merge of their
 * states; "no state" when none exists, "being written" when another process is half-way
 * through saving one (a key row ahead of its head): try again at the next flush.
 *
 * Partitions held in memory (`local`, read synchronously once the heads are known) are merged
 * from memory, even when ahead of what is stored; only the others' key rows are read, and of
 * those, with `remote`, only the rows written since the last read (a cached partition whose
 * head has not moved is not read at all).
 */
export async function realtimeResult(
  states: StateStore,
  cutter: WindowCutter,
  name: string,
  aggregation: Aggregation,
  window: WindowSpec,
  windowKey: string,
  local: () => Iterable<LocalPartition> = () => [],
  remote: RemoteStates = new Map(),
  now: () => number = Date.now,
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
  const others: RemotePartition[] = [];
  for (const head of heads) {
    if (held.has(`${head.stream}\u0000${head.partition}`)) continue;
    const key = { aggregation: name, windowKey, stream: head.stream, partition: head.partition };
    const id = stateKeyString(key);
    let cached = remote.get(id);
    if (cached === undefined || cached.appliedOffset !== head.appliedOffset) {
      // Rows at or below the cached head's offset were read already (a row's offset only grows).
      const entries: StoredEntry[] = await states.loadEntries(key, cached?.appliedOffset);
      if (entries.some((entry) => entry.appliedOffset > head.appliedOffset)) {
        return "being written";
      }
      const values = cached?.values ?? new Map<string, unknown>();
      for (const entry of entries) values.set(entry.stateKey, JSON.parse(entry.value));
      cached = { appliedOffset: head.appliedOffset, records: head.records, values, usedAt: 0 };
      remote.set(id, cached);
    }
    cached.usedAt = now();
    others.push(cached);
  }
  for (const partition of others) {
    for (const [key, value] of partition.values) mergeValue(keyed, merged, key, value);
    records += partition.records;
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
