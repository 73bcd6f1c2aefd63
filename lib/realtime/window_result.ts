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
  /**
   * Value by state key (read only: merged as a copy). The same map object for as long as the
   * partition window stays in memory.
   */
  entries: ReadonlyMap<string, { readonly value: unknown }>;
  /**
   * The keys whose value changed since this window's last result: the processor adds to it, a
   * result drains it. (Not the entries' offsets: after a flush cut short, a replayed record can
   * change a key at an offset below others already applied.)
   */
  changedSinceResult: Set<string>;
}

/** Another process's state of one partition window, as this process last read it. */
export interface RemotePartition {
  /** Offset its head covered when read. */
  appliedOffset: number;
  /** Records its head counted when read. */
  records: number;
  /** Parsed value by state key (read only: merged as a copy). */
  values: Map<string, unknown>;
  /**
   * Keys read into `values` but not yet merged into the window's result. Kept here, not in a
   * local of one result, because a result can be given up after this partition was read (a
   * later partition is "being written", or its read fails): the next result finds the head
   * unmoved and reads nothing, and must still merge these keys (otherwise it finishes stale
   * values under the head's full record count, seen in a chaos run).
   */
  unmerged: Set<string>;
  /** When a result last used it, ms. */
  usedAt: number;
}

/** One window's merge as last computed, so the next result merges only the keys that changed. */
interface MergedWindow {
  /** Local partitions merged, with their entries map. */
  locals: Map<string, LocalPartition["entries"]>;
  /** Keys drained from the local partitions but not yet merged into `values`. */
  pending: Set<string>;
  /** Remote partitions merged. */
  remotes: Set<string>;
  /** Merge of the local partitions' values, by key. */
  localValues: Map<string, unknown>;
  /** Merge of every partition's values, by key: what `finish` is given. */
  values: Map<string, unknown>;
  /**
   * With an aggregation that has a summary (`KeyedState.summary`): its summary of `values`,
   * started when `values` was last rebuilt and updated since with each key whose value changed.
   */
  summary: unknown;
  /** When a result last used it, ms. */
  usedAt: number;
}

/**
 * What this process keeps between results so each one costs what changed, not the window's
 * size: other processes' partition states as last read (by {@linkcode stateKeyString}; a result
 * reads only the key rows written since, whose offsets are above the cached head's), and each
 * window's merged values (a result re-merges only the keys whose value changed in some
 * partition) with, when the aggregation has one, its summary of them (updated with those keys
 * only, and finished instead of the values). Without a summary, `finish` still reads every
 * merged key.
 *
 * Invariants of a window's entry (checked against results merged from scratch by
 * window_result_test.ts):
 * - `values` holds, for every key, the merge of its value in every partition merged;
 * - `summary` is the summary of `values`: started when `values` was last rebuilt, then updated
 *   with each key whose value changed, with its new value and the one it replaces in `values`
 *   (which is the value lent at the key's last update, as the summary's law wants);
 * - between two rebuilds, a key's value only grows (the summary's law relies on it): a local
 *   partition's entries only grow while its map is the same (a reload or a reassignment gives
 *   another map, and `values` is rebuilt), and another process's partition is only read again
 *   at a later head of the same rows (a partition merged before and gone now, e.g. expired,
 *   rebuilds `values`);
 * - a value lent to the summary is never changed afterwards (it is lent again as `previous`,
 *   and the contract has the summary keep none, so this only matters for `previous`): `values`
 *   entries are merged into in place only while `values` is rebuilt, before the summary sees
 *   them, and a changed key gets a fresh value;
 * - the entry is out of the cache while it is being changed, so a throw half-way (a plugin's
 *   merge or summary update) leaves the next result to start over rather than from a summary
 *   that missed some keys (a finish only reads, so one that throws leaves the entry whole).
 */
export interface ResultCache {
  /** Other processes' partition states, by state key string. */
  remote: Map<string, RemotePartition>;
  /** Merged values by window (`aggregation NUL windowKey`). */
  merged: Map<string, MergedWindow>;
}

/** An empty cache. */
export function resultCache(): ResultCache {
  return { remote: new Map(), merged: new Map() };
}

/**
 * Drops what no result used since `before` (closed or quiet windows), so memory follows the
 * windows being computed.
 *
 * @param cache The cache.
 * @param before Time, ms.
 */
export function forgetUnused(cache: ResultCache, before: number): void {
  for (const [id, partition] of cache.remote) {
    if (partition.usedAt < before) cache.remote.delete(id);
  }
  for (const [id, window] of cache.merged) if (window.usedAt < before) cache.merged.delete(id);
}

/** Why no result could be computed. */
export type NoResult = "no state" | "being written";

/**
 * Reads every partition's head of one aggregation window and finishes the merge of their
 * states; "no state" when none exists, "being written" when another process is half-way
 * through saving one (a key row ahead of its head): try again at the next flush.
 *
 * Partitions held in memory (`local`, read synchronously once the heads are known) are merged
 * from memory, even when ahead of what is stored; only the others' key rows are read, and with
 * `cache` only those written since the last read (a partition whose head has not moved is not
 * read at all) and only the keys changed since the last result are merged again (and, with a
 * summary, only they are finished again).
 */
export async function realtimeResult(
  states: StateStore,
  cutter: WindowCutter,
  name: string,
  aggregation: Aggregation,
  window: WindowSpec,
  windowKey: string,
  local: () => Iterable<LocalPartition> = () => [],
  cache: ResultCache = resultCache(),
  now: () => number = Date.now,
): Promise<WindowResult | NoResult> {
  const keyed = keyedFormOf(aggregation);
  const heads = await states.readWindowHeads(name, windowKey);
  const windowId = `${name}\u0000${windowKey}`;
  const cached = cache.merged.get(windowId);

  // Synchronously, before any other await lets a batch change them: the local partitions'
  // values of every key changed since the last result (of all keys when the partitions held
  // are not those merged last time, e.g. after a reassignment or a reload).
  const locals = [...local()];
  const held = new Set(locals.map((p) => `${p.stream}\u0000${p.partition}`));
  const sameLocals = cached !== undefined && cached.locals.size === locals.length &&
    locals.every((p) => cached.locals.get(`${p.stream}\u0000${p.partition}`) === p.entries);
  const merged: MergedWindow = sameLocals ? cached : {
    locals: new Map(locals.map((p) => [`${p.stream}\u0000${p.partition}`, p.entries])),
    pending: new Set(),
    remotes: new Set(),
    localValues: new Map(),
    values: new Map(),
    summary: undefined,
    usedAt: 0,
  };
  let changed: Set<string> | "all" = "all";
  if (sameLocals) {
    // Drained into the window's pending set, which is merged and cleared only once a result
    // is made: a result given up below ("being written", a failed read) loses nothing.
    for (const p of locals) {
      for (const key of p.changedSinceResult) merged.pending.add(key);
      p.changedSinceResult.clear();
    }
    for (const key of merged.pending) {
      let value = keyed.start();
      for (const p of locals) {
        const entry = p.entries.get(key);
        if (entry !== undefined) value = keyed.merge(value, entry.value);
      }
      merged.localValues.set(key, value);
    }
    changed = new Set(merged.pending);
  } else {
    for (const p of locals) {
      p.changedSinceResult.clear();
      for (const [key, entry] of p.entries) mergeValue(keyed, merged.localValues, key, entry.value);
    }
  }
  let records = locals.reduce((sum, p) => sum + p.records, 0);

  // Other processes' partitions: only the key rows written since they were last read.
  const remotes: Array<[string, RemotePartition]> = [];
  const remoteChanged = new Set<string>();
  for (const head of heads) {
    if (held.has(`${head.stream}\u0000${head.partition}`)) continue;
    const key = { aggregation: name, windowKey, stream: head.stream, partition: head.partition };
    const id = stateKeyString(key);
    let partition = cache.remote.get(id);
    if (partition === undefined || partition.appliedOffset !== head.appliedOffset) {
      // Rows at or below the cached head's offset were read already (a row's offset only grows).
      const entries: StoredEntry[] = await states.loadEntries(key, partition?.appliedOffset);
      if (entries.some((entry) => entry.appliedOffset > head.appliedOffset)) {
        return "being written";
      }
      const values = partition?.values ?? new Map<string, unknown>();
      const unmerged = partition?.unmerged ?? new Set<string>();
      for (const entry of entries) {
        values.set(entry.stateKey, JSON.parse(entry.value));
        unmerged.add(entry.stateKey);
      }
      partition = {
        appliedOffset: head.appliedOffset,
        records: head.records,
        values,
        unmerged,
        usedAt: 0,
      };
      cache.remote.set(id, partition);
    }
    for (const stateKey of partition.unmerged) remoteChanged.add(stateKey);
    partition.usedAt = now();
    remotes.push([id, partition]);
    records += partition.records;
  }
  if (locals.length + remotes.length === 0) return "no state";

  // A remote partition merged last time and gone now (it became local, or expired): start over.
  const remoteIds = new Set(remotes.map(([id]) => id));
  if ([...merged.remotes].some((id) => !remoteIds.has(id))) changed = "all";
  // Changed in place from here on: out of the cache until whole again (see ResultCache).
  cache.merged.delete(windowId);
  const summary = keyed.summary;
  if (changed === "all") {
    merged.values = new Map();
    for (const [key, value] of merged.localValues) mergeValue(keyed, merged.values, key, value);
    for (const [, partition] of remotes) {
      for (const [key, value] of partition.values) mergeValue(keyed, merged.values, key, value);
    }
    if (summary !== undefined) {
      // A value may have shrunk (a partition gone): a new summary, of every key.
      merged.summary = summary.start();
      for (const [key, value] of merged.values) {
        merged.summary = summary.update(merged.summary, key, value, undefined);
      }
    }
  } else {
    for (const key of remoteChanged) changed.add(key);
    for (const key of changed) {
      let value = keyed.start();
      const mine = merged.localValues.get(key);
      if (mine !== undefined) value = keyed.merge(value, mine);
      for (const [, partition] of remotes) {
        const theirs = partition.values.get(key);
        if (theirs !== undefined) value = keyed.merge(value, theirs);
      }
      // The value lent at the key's last update: `values` holds exactly what was lent.
      const previous = merged.values.get(key);
      merged.values.set(key, value);
      if (summary !== undefined) {
        merged.summary = summary.update(merged.summary, key, value, previous);
      }
    }
  }
  // Merged now: nothing below may give the result up any more.
  merged.pending.clear();
  for (const [, partition] of remotes) partition.unmerged.clear();
  merged.remotes = remoteIds;
  merged.usedAt = now();
  cache.merged.set(windowId, merged);
  return {
    aggregation: name,
    window: cutter.windowFromKey(windowKey, window),
    shape: aggregation.shape,
    rows: summary !== undefined ? summary.finish(merged.summary) : keyed.finish(merged.values),
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
