/**
 * The real-time result of a window: the merge, key by key, of every input partition's state of
 * it, those this process owns and those it follows from other owners' changelogs alike.
 *
 * @module
 */
import type { Aggregation, KeyedState, WindowResult } from "../contracts.ts";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import { keyedFormOf } from "./keyed_form.ts";
import type { WindowState } from "./partition_state.ts";
import { compareKeys, type WindowValues } from "./spill.ts";

/** One partition's state of the window, with the partition's id (`stream/partition`). */
export interface PartOfWindow {
  /** Partition id. */
  id: string;
  /** Its state of the window. */
  window: WindowState;
}

/** One window's merge as last computed, so the next result merges only the keys that changed. */
interface MergedWindow {
  /** The partition states merged, by partition id. */
  parts: Map<string, WindowState>;
  /**
   * With a summary that uses `previous` ({@linkcode KeyedSummary.usesPrevious}): every key's
   * merged value as last lent to the summary, to lend again as `previous`.
   */
  values: Map<string, unknown>;
  /** With a summary: the summary of the merged values. */
  summary: unknown;
  /** When a result last used it, ms. */
  usedAt: number;
}

/**
 * What this process keeps between results so each one costs what changed, not the window's
 * size: for an aggregation with a summary, each window's summary, updated with the keys whose
 * value changed in some partition and finished instead of the values.
 *
 * Invariants of a window's entry (checked against results merged from scratch by
 * window_result_test.ts):
 * - `summary` is the summary of the merge of every partition in `parts`: started when the
 *   window was last merged whole, then updated with each key whose value changed, with its new
 *   value and (when the summary uses it) the one it replaces in `values`;
 * - between two whole merges a key's value only grows: a partition's window state only grows
 *   while it is the same object (a restored or reassigned partition gives another object, and
 *   the window is merged whole again), and a partition new to the merge only adds to values;
 * - a value lent to the summary is never changed afterwards: each merged value is a fresh one;
 * - the entry is out of the cache while it is being changed, so a throw half-way (a plugin's
 *   merge or summary update) leaves the next result to start over.
 */
export interface ResultCache {
  /** Merged windows (`aggregation NUL windowKey`). */
  merged: Map<string, MergedWindow>;
}

/** An empty cache. */
export function resultCache(): ResultCache {
  return { merged: new Map() };
}

/** Drops what no result used since `before`, so memory follows the windows being computed. */
export function forgetUnused(cache: ResultCache, before: number): void {
  for (const [id, window] of cache.merged) if (window.usedAt < before) cache.merged.delete(id);
}

/**
 * The result of one aggregation window from every partition's state of it (undefined when no
 * partition holds it). Synchronous: the partitions are read in one step. With `cache`, only
 * the keys changed since the last result are merged and, with a summary, finished again.
 *
 * A mergeable aggregation's range summary is made from the keyed summary
 * (`MergeableResult.fromKeyed`) when it can be, so it costs what the summary holds; otherwise
 * `toSummary` passes over every key of the window.
 */
export function windowResult(
  cutter: WindowCutter,
  name: string,
  aggregation: Aggregation,
  window: WindowSpec,
  windowKey: string,
  parts: readonly PartOfWindow[],
  cache: ResultCache = resultCache(),
  now: number = Date.now(),
): WindowResult | undefined {
  if (parts.length === 0) return undefined;
  const keyed = keyedFormOf(aggregation);
  const summary = keyed.summary;
  const id = `${name}\u0000${windowKey}`;
  const cached = cache.merged.get(id);
  const current = new Map(parts.map((part) => [part.id, part.window]));
  const whole = cached === undefined ||
    [...cached.parts].some(([partId, state]) => current.get(partId) !== state);
  const added = whole ? [] : parts.filter((part) => !cached!.parts.has(part.id));
  const sources = parts.map((part) => part.window.values);

  // Changed in place from here on: out of the cache until whole again (see ResultCache).
  cache.merged.delete(id);
  const merged: MergedWindow = whole
    ? { parts: current, values: new Map(), summary: undefined, usedAt: 0 }
    : cached!;
  const keepValues = summary?.usesPrevious === true;
  const view = mergedView(keyed, sources);
  if (summary !== undefined) {
    if (whole) {
      merged.summary = summary.start();
      for (const [key, value] of view) {
        const fresh = keepValues ? keyed.merge(keyed.start(), value) : value;
        if (keepValues) merged.values.set(key, fresh);
        merged.summary = summary.update(merged.summary, key, fresh, undefined);
      }
    } else {
      for (const key of keysToMerge(parts, added)) {
        // A fresh merge when kept (lent again as `previous`); else lent as the view reads it.
        const value = keepValues ? mergedValue(keyed, sources, key) : view.get(key);
        const previous = keepValues ? merged.values.get(key) : undefined;
        if (keepValues) merged.values.set(key, value);
        merged.summary = summary.update(merged.summary, key, value, previous);
      }
    }
  }
  for (const part of parts) part.window.changedSinceResult.clear();
  const mergeable = aggregation.mergeable;
  const range = mergeable === undefined
    ? undefined
    : summary !== undefined && mergeable.fromKeyed !== undefined
    ? { summary: mergeable.fromKeyed(merged.summary) }
    : { summary: mergeable.toSummary(view) };
  merged.parts = current;
  merged.usedAt = now;
  cache.merged.set(id, merged);
  let records = 0;
  for (const part of parts) records += part.window.records;
  return {
    aggregation: name,
    window: cutter.windowFromKey(windowKey, window),
    shape: aggregation.shape,
    rows: summary !== undefined ? summary.finish(merged.summary) : keyed.finish(view),
    records,
    computedAt: Date.now(),
    ...range,
  };
}

/**
 * The keys an incremental result merges: those changed in a partition since the last result,
 * and every key of a partition new to the merge.
 */
function keysToMerge(
  parts: readonly PartOfWindow[],
  added: readonly PartOfWindow[],
): Set<string> {
  const keys = new Set<string>();
  for (const part of parts) for (const key of part.window.changedSinceResult) keys.add(key);
  for (const part of added) for (const key of part.window.values.keys()) keys.add(key);
  return keys;
}

/** A fresh merge of `key`'s value in every source that has it. */
function mergedValue(
  keyed: KeyedState,
  sources: ReadonlyArray<ReadonlyMap<string, unknown>>,
  key: string,
): unknown {
  let value = keyed.start();
  for (const source of sources) {
    const part = source.get(key);
    if (part !== undefined) value = keyed.merge(value, part);
  }
  return value;
}

/**
 * `value` (the merge of `holders` parts so far) with one more part: the part itself when it is
 * the first, else a fresh merge (a source's own value is never merged into).
 */
function withPart(keyed: KeyedState, value: unknown, holders: number, part: unknown): unknown {
  if (holders === 0) return part;
  return keyed.merge(holders === 1 ? keyed.merge(keyed.start(), value) : value, part);
}

/**
 * Every key's value merged over `sources`, computed as it is read: a key held by one source
 * only is that source's value itself (read only, as `finish` and a summary's `update` treat what
 * they are given), one held by several a fresh merge. Nothing of the window is copied: a pass
 * merges the sources' sorted entries key by key (spilled keys come in order from their file, so
 * a pass makes no lookups).
 */
function mergedView(
  keyed: KeyedState,
  sources: readonly WindowValues[],
): ReadonlyMap<string, unknown> {
  function* merged(): Generator<[string, unknown]> {
    const heads = sources.map((source) => {
      const entries = source.sortedEntries();
      return { entries, next: entries.next() };
    });
    for (;;) {
      let key: string | undefined;
      for (const head of heads) {
        if (!head.next.done && (key === undefined || compareKeys(head.next.value[0], key) < 0)) {
          key = head.next.value[0];
        }
      }
      if (key === undefined) return;
      let value: unknown, holders = 0;
      for (const head of heads) {
        if (head.next.done || head.next.value[0] !== key) continue;
        value = withPart(keyed, value, holders++, head.next.value[1]);
        head.next = head.entries.next();
      }
      yield [key, value];
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
      let value: unknown, holders = 0;
      for (const source of sources) {
        const part = source.get(key);
        if (part !== undefined) value = withPart(keyed, value, holders++, part);
      }
      return value;
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
