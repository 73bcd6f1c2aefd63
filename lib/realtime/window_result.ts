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
  /**
   * Set when some keys of the partition left memory (saved and unchanged since): a filter that
   * holds every such key, and a few others. A result reads those it needs from the store.
   */
  dropped?: { mightHold(key: string): boolean };
  /**
   * Optional: given the keys a result read back from this partition's rows (value parsed), as
   * stored, in the synchronous step that ends the result. The partition may take each back
   * into memory while it is still absent there, so the next result or record that needs it
   * does not read it again.
   */
  keep?(entries: readonly ReadBackEntry[]): void;
}

/** A key a result read back from a partition's rows: its parsed value and covered offset. */
export interface ReadBackEntry {
  /** The state key. */
  stateKey: string;
  /** Its value, parsed. */
  value: unknown;
  /** Highest input offset its value covers. */
  appliedOffset: number;
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
  /** Remote partitions merged. */
  remotes: Set<string>;
  /**
   * With a summary that uses `previous` ({@linkcode KeyedSummary.usesPrevious}): every key's
   * merged value as last lent to the summary, to lend again as `previous`. Empty otherwise: a
   * result merges a key's value from the partitions when it needs it, so the window's values
   * are not held twice.
   */
  values: Map<string, unknown>;
  /**
   * With an aggregation that has a summary (`KeyedState.summary`): its summary of the merged
   * values, started when the window was last merged whole and updated since with each key whose
   * value changed.
   */
  summary: unknown;
  /** When a result last used it, ms. */
  usedAt: number;
}

/**
 * What this process keeps between results so each one costs what changed, not the window's
 * size: other processes' partition states as last read (by {@linkcode stateKeyString}; a result
 * reads only the key rows written since, whose offsets are above the cached head's), and, for
 * an aggregation with a summary, each window's summary (updated with the keys whose value changed
 * in some partition, and finished instead of the values). Without a summary, `finish` reads every
 * key through a merged view of the partitions (nothing copied).
 *
 * Invariants of a window's entry (checked against results merged from scratch by
 * window_result_test.ts):
 * - `summary` is the summary of the merge of every partition merged: started when the window was
 *   last merged whole, then updated with each key whose value changed, with its new value and
 *   (when the summary uses it) the one it replaces in `values`, which is the value lent at the
 *   key's last update, as the summary's law wants;
 * - between two whole merges, a key's value only grows (the summary's law relies on it): a local
 *   partition's entries only grow while its map is the same (a reload or a reassignment gives
 *   another map, and the window is merged whole again; a key it drops from memory was saved and
 *   merged, and is read back as it was, or grown), a local partition new to the merge only adds
 *   to values (it is merged in with every key; it cannot have dropped any, as none was merged),
 *   and another process's partition is only read again at a later head of the same rows (a
 *   partition merged before and gone now, e.g. expired, makes the next result merge whole);
 * - a value lent to the summary is never changed afterwards (it is lent again as `previous`):
 *   each key's merged value is a fresh one;
 * - local partitions are read in one synchronous step at the end of a result, after every await,
 *   so a result's rows and its record count are of the same moment, and nothing can give it up
 *   after local keys were drained from `changedSinceResult`;
 * - the entry is out of the cache while it is being changed, so a throw half-way (a plugin's
 *   merge or summary update) leaves the next result to start over rather than from a summary
 *   that missed some keys (a finish only reads, so one that throws leaves the entry whole).
 */
export interface ResultCache {
  /** Other processes' partition states, by state key string. */
  remote: Map<string, RemotePartition>;
  /** Merged windows (`aggregation NUL windowKey`). */
  merged: Map<string, MergedWindow>;
  /** Key rows of local partitions read back from the store so far (keys they had dropped). */
  readBack: number;
}

/** An empty cache. */
export function resultCache(): ResultCache {
  return { remote: new Map(), merged: new Map(), readBack: 0 };
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
 * through saving one (a key row ahead of its head), or when the partitions held in memory
 * changed while others were read (a reassignment, a reload): try again at the next flush.
 *
 * Partitions held in memory (`local`, read synchronously after the other partitions were read)
 * are merged from memory, even when ahead of what is stored; only the others' key rows are read,
 * and with `cache` only those written since the last read (a partition whose head has not moved
 * is not read at all), and with a summary only the keys changed since the last result are merged
 * and finished again. Keys a local partition dropped from memory (`LocalPartition.dropped`) are
 * read back: those such a merge needs, or every row of the partition for a whole merge.
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

  // Which partitions are held here: the others are read from the store.
  const heldFirst = [...local()];
  const held = new Set(heldFirst.map(partitionId));

  // Other processes' partitions: only the key rows written since they were last read.
  const remotes: Array<[string, RemotePartition]> = [];
  for (const head of heads) {
    if (held.has(partitionId(head))) continue;
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
    partition.usedAt = now();
    remotes.push([id, partition]);
  }

  const summary = keyed.summary;
  const cached = cache.merged.get(windowId);
  const remoteIds = new Set(remotes.map(([id]) => id));
  const heldEntries = new Map(heldFirst.map((p) => [partitionId(p), p.entries]));
  // Local partitions new to the window's merge: merged in with every key, as a remote one is.
  // One that dropped keys never was (a key leaves memory only once merged), so it merges whole.
  const added = cached === undefined
    ? []
    : heldFirst.filter((p) => !cached.locals.has(partitionId(p)));
  const whole = cached === undefined ||
    // A local partition merged last time and gone now, or reloaded (another entries map).
    [...cached.locals].some(([id, entries]) => heldEntries.get(id) !== entries) ||
    added.some((p) => p.dropped !== undefined) ||
    // A remote partition merged last time and gone now (it became local, or expired).
    [...cached.remotes].some((id) => !remoteIds.has(id));

  // Local partitions that dropped keys from memory: a whole merge reads all their rows, another
  // the keys it merges (changed somewhere since the last result) that they dropped.
  const readBack = new Map<string, Map<string, unknown>>();
  if (whole) {
    for (const p of heldFirst) {
      if (p.dropped === undefined) continue;
      const rows = await states.loadEntries({ ...keyOf(p), aggregation: name, windowKey });
      cache.readBack += rows.length;
      readBack.set(
        partitionId(p),
        new Map(rows.map((row) => [row.stateKey, JSON.parse(row.value)])),
      );
    }
  }
  const asked = new Map<string, Set<string>>();
  // Keys read back by name (not by a whole merge), by partition: offered to it to keep.
  const fetched = new Map<string, ReadBackEntry[]>();
  let locals: LocalPartition[];
  for (let attempt = 0;; attempt++) {
    // From the last pass on to the end: synchronous, so no batch changes the local partitions.
    locals = [...local()];
    if (
      locals.length !== heldFirst.length ||
      locals.some((p, i) =>
        partitionId(p) !== partitionId(heldFirst[i]!) || p.entries !== heldFirst[i]!.entries
      )
    ) {
      return "being written";
    }
    if (whole) break;
    const wanted = droppedKeysToMerge(locals, added, remotes, readBack, asked);
    if (wanted.size === 0) break;
    // Records keep changing keys meanwhile; a result that cannot catch up waits a flush.
    if (attempt === MAX_READ_BACKS) return "being written";
    await Promise.all([...wanted].map(async ([p, keys]) => {
      const id = partitionId(p);
      const rows = await states.loadKeys({ ...keyOf(p), aggregation: name, windowKey }, keys);
      let values = readBack.get(id);
      if (values === undefined) readBack.set(id, values = new Map());
      let offered = fetched.get(id);
      if (offered === undefined) fetched.set(id, offered = []);
      for (const row of rows) {
        const value = JSON.parse(row.value);
        values.set(row.stateKey, value);
        offered.push({ stateKey: row.stateKey, value, appliedOffset: row.appliedOffset });
      }
      cache.readBack += rows.length;
      let done = asked.get(id);
      if (done === undefined) asked.set(id, done = new Set());
      for (const key of keys) done.add(key);
    }));
  }
  for (const p of locals) {
    const offered = fetched.get(partitionId(p));
    if (offered !== undefined) p.keep?.(offered);
  }
  if (locals.length + remotes.length === 0) return "no state";
  let records = 0;
  for (const p of locals) records += p.records;
  for (const [, partition] of remotes) records += partition.records;
  const sources: Array<Source> = [
    ...locals.map((p) => localSource(p, readBack.get(partitionId(p)))),
    ...remotes.map(([, partition]): Source => partition.values),
  ];

  // Changed in place from here on: out of the cache until whole again (see ResultCache).
  cache.merged.delete(windowId);
  const merged: MergedWindow = whole
    ? {
      locals: new Map(locals.map((p) => [partitionId(p), p.entries])),
      remotes: remoteIds,
      values: new Map(),
      summary: undefined,
      usedAt: 0,
    }
    : cached;
  const keepValues = summary?.usesPrevious === true;
  const view = mergedView(keyed, sources);
  if (summary !== undefined) {
    if (whole) {
      // A value may have shrunk (a partition gone): a new summary, of every key.
      merged.summary = summary.start();
      for (const [key, value] of view) {
        const fresh = keepValues ? keyed.merge(keyed.start(), value) : value;
        if (keepValues) merged.values.set(key, fresh);
        merged.summary = summary.update(merged.summary, key, fresh, undefined);
      }
    } else {
      for (const key of keysToMerge(locals, added, remotes)) {
        // A fresh merge when kept (lent again as `previous`); else lent as the view reads it
        // (a key of one partition is that partition's value, not a copy).
        const value = keepValues ? mergedValue(keyed, sources, key) : view.get(key);
        // The value lent at the key's last update: `values` holds exactly what was lent.
        const previous = keepValues ? merged.values.get(key) : undefined;
        if (keepValues) merged.values.set(key, value);
        merged.summary = summary.update(merged.summary, key, value, previous);
      }
    }
  }
  // Merged now: nothing below may give the result up any more.
  for (const p of added) merged.locals.set(partitionId(p), p.entries);
  for (const p of locals) p.changedSinceResult.clear();
  for (const [, partition] of remotes) partition.unmerged.clear();
  merged.remotes = remoteIds;
  merged.usedAt = now();
  cache.merged.set(windowId, merged);
  return {
    aggregation: name,
    window: cutter.windowFromKey(windowKey, window),
    shape: aggregation.shape,
    rows: summary !== undefined ? summary.finish(merged.summary) : keyed.finish(view),
    records,
    computedAt: Date.now(),
  };
}

/** How often a result reads dropped keys back before it waits for the next flush. */
const MAX_READ_BACKS = 3;

/** The stream and partition of a partition (the rest of its state key is the window's). */
function keyOf(p: { stream: string; partition: number }): { stream: string; partition: number } {
  return { stream: p.stream, partition: p.partition };
}

/**
 * The keys a result merges (changed in a local partition or read from another since the last
 * result) that a local partition dropped from memory and that were not read back yet.
 */
function droppedKeysToMerge(
  locals: readonly LocalPartition[],
  added: readonly LocalPartition[],
  remotes: ReadonlyArray<readonly [string, RemotePartition]>,
  readBack: ReadonlyMap<string, ReadonlyMap<string, unknown>>,
  asked: ReadonlyMap<string, ReadonlySet<string>>,
): Map<LocalPartition, string[]> {
  const wanted = new Map<LocalPartition, string[]>();
  const partial = locals.filter((p) => p.dropped !== undefined);
  if (partial.length === 0) return wanted;
  const changed = keysToMerge(locals, added, remotes);
  for (const p of partial) {
    const id = partitionId(p);
    const keys: string[] = [];
    for (const key of changed) {
      if (p.entries.has(key) || asked.get(id)?.has(key) || readBack.get(id)?.has(key)) continue;
      if (p.dropped!.mightHold(key)) keys.push(key);
    }
    if (keys.length > 0) wanted.set(p, keys);
  }
  return wanted;
}

/**
 * The keys an incremental result merges: those changed in a local partition or read from
 * another since the last result, and every key of a local partition new to the merge.
 */
function keysToMerge(
  locals: readonly LocalPartition[],
  added: readonly LocalPartition[],
  remotes: ReadonlyArray<readonly [string, RemotePartition]>,
): Set<string> {
  const keys = new Set<string>();
  for (const p of locals) for (const key of p.changedSinceResult) keys.add(key);
  for (const p of added) for (const key of p.entries.keys()) keys.add(key);
  for (const [, partition] of remotes) for (const key of partition.unmerged) keys.add(key);
  return keys;
}

/** A local partition's values: in memory, else as read back from the store. */
function localSource(
  p: LocalPartition,
  readBack: ReadonlyMap<string, unknown> | undefined,
): Source {
  if (readBack === undefined) {
    return {
      has: (key) => p.entries.has(key),
      get: (key) => p.entries.get(key)?.value,
      keys: () => p.entries.keys(),
    };
  }
  return {
    has: (key) => p.entries.has(key) || readBack.has(key),
    get: (key) => p.entries.has(key) ? p.entries.get(key)!.value : readBack.get(key),
    *keys() {
      yield* p.entries.keys();
      for (const key of readBack.keys()) if (!p.entries.has(key)) yield key;
    },
  };
}

/** `stream NUL partition` of a partition. */
function partitionId(p: { stream: string; partition: number }): string {
  return `${p.stream}\u0000${p.partition}`;
}

/** One partition's values by state key, as a result reads them. */
interface Source {
  has(key: string): boolean;
  get(key: string): unknown;
  keys(): Iterable<string>;
}

/** A fresh merge of `key`'s value in every source that has it. */
function mergedValue(keyed: KeyedState, sources: readonly Source[], key: string): unknown {
  let value = keyed.start();
  for (const source of sources) if (source.has(key)) value = keyed.merge(value, source.get(key));
  return value;
}

/**
 * Every key's value merged over `sources`, computed as it is read: a key held by one source
 * only is that source's value itself (read only, as `finish` and a summary's `update` treat what
 * they are given), one held by several a fresh merge. Nothing of the window is copied.
 */
function mergedView(keyed: KeyedState, sources: readonly Source[]): ReadonlyMap<string, unknown> {
  // `from` is the first source holding `key`.
  const valueOf = (key: string, from: number): unknown => {
    for (let i = from + 1; i < sources.length; i++) {
      if (sources[i]!.has(key)) return mergedValue(keyed, sources.slice(from), key);
    }
    return sources[from]!.get(key);
  };
  function* merged(): Generator<[string, unknown]> {
    for (let i = 0; i < sources.length; i++) {
      for (const key of sources[i]!.keys()) {
        let seen = false;
        for (let j = 0; j < i && !seen; j++) seen = sources[j]!.has(key);
        if (!seen) yield [key, valueOf(key, i)];
      }
    }
  }
  const entries = () => asMapIterator(merged());
  let size: number | undefined;
  const view: ReadonlyMap<string, unknown> = {
    get size() {
      if (size === undefined) {
        size = 0;
        for (const _ of merged()) size++;
      }
      return size;
    },
    has: (key) => sources.some((source) => source.has(key)),
    get: (key) => {
      const from = sources.findIndex((source) => source.has(key));
      return from < 0 ? undefined : valueOf(key, from);
    },
    entries,
    keys: () =>
      asMapIterator(function* () {
        for (const [key] of merged()) yield key;
      }()),
    values: () =>
      asMapIterator(function* () {
        for (const [, value] of merged()) yield value;
      }()),
    forEach(callback, thisArg) {
      for (const [key, value] of merged()) callback.call(thisArg, value, key, view);
    },
    [Symbol.iterator]: entries,
  };
  return view;
}

/**
 * A generator as the iterator a `Map` gives: it is one at run time (generators have every
 * iterator helper), only its declared type lacks the name.
 */
function asMapIterator<T>(iterator: Generator<T>): MapIterator<T> {
  return iterator as unknown as MapIterator<T>;
}
