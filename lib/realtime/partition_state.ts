/**
 * The aggregation state of one input partition: for every open window of every aggregation, a
 * value per state key and the records counted, with the partition's applied offset and
 * event-time watermark. The owner applies records to it; a changelog entry carries what changed
 * since the last entry (or all of it, a snapshot); another process rebuilds the same state by
 * applying those entries in order.
 *
 * Invariants:
 * - **One position.** The state covers exactly the partition's records up to `offset`: a record
 *   at or below it is a re-delivery and is skipped. Entries carry `offset`, so a state rebuilt
 *   from a changelog skips exactly what it covers.
 * - **Event time.** `watermark` is the highest event time the partition has seen (each record's
 *   time capped at its message time, so a clock far ahead cannot close windows early), less the
 *   allowed out-of-orderness. A record whose window closed (end plus allowed lateness at or
 *   below the watermark) is too late for real time. The watermark is in every entry, so a
 *   rebuilt state reaches the same verdicts.
 * - **Mark.** `mark` is the offset and fingerprint of the last message applied, so a deleted
 *   and recreated topic (offsets starting again at 0) is recognised when the partition is taken
 *   (`recreated_topic.ts`) instead of its messages being skipped as duplicates.
 * - **Changes since the last entry** (`changed`, `recordsChanged`, `evicted`) are what the next
 *   entry writes; `changedSinceResult` what the next result of the window merges again.
 *
 * @module
 */
import type { KeyedState } from "../contracts.ts";
import type { LogRecord } from "../records.ts";
import { type SpillStore, WindowValues } from "./spill.ts";

/** One window's state in one partition. */
export interface WindowState {
  /** Aggregation name. */
  aggregation: string;
  /** Window key. */
  windowKey: string;
  /** Window end plus allowed lateness, ms: closed once the watermark reaches it. */
  closesAt: number;
  /** Records counted. */
  records: number;
  /** Value by state key, in memory or spilled (see `spill.ts`). */
  values: WindowValues;
  /** Keys changed since the last changelog entry. */
  changed: Set<string>;
  /** Whether `records` changed since the last changelog entry. */
  recordsChanged: boolean;
  /**
   * Keys changed since the window's last result (a result drains it). Marked with every record,
   * not when an entry is taken: a batch applied while a flush awaits its entries changes
   * `records`, and a result computed then must merge its keys too (else it publishes a summary
   * short of its record count, which a later result of the same count may not replace).
   */
  changedSinceResult: Set<string>;
}

/** The state of one input partition. */
export interface PartitionState {
  /** Input stream. */
  stream: string;
  /** Input partition. */
  partition: number;
  /** Windows by {@linkcode windowId}. */
  windows: Map<string, WindowState>;
  /** Highest offset applied (-1: none). */
  offset: number;
  /** Event-time watermark, ms (-Infinity before the first record). */
  watermark: number;
  /** The last message applied: its offset and fingerprint (none before the first). */
  mark?: PartitionMark;
  /** Windows that left the state since the last entry (their ids). */
  evicted: string[];
  /** Whether anything changed since the last entry. */
  dirty: boolean;
  /** Keys changed since the last entry, over every window (the sizes of their `changed`). */
  pending: number;
  /** Where idle keys spill (none: all stay in memory). */
  spill?: SpillStore;
}

/** The offset and fingerprint of the last message a partition's state applied. */
export interface PartitionMark {
  /** Its offset. */
  offset: number;
  /** Its fingerprint (see `recreated_topic.ts`). */
  fingerprint: string;
}

/** The window id of an aggregation's window. */
export function windowId(aggregation: string, windowKey: string): string {
  return `${aggregation}\u0000${windowKey}`;
}

/** A new, empty partition state, whose idle keys spill to `spill` when given. */
export function emptyPartition(
  stream: string,
  partition: number,
  spill?: SpillStore,
): PartitionState {
  return {
    stream,
    partition,
    windows: new Map(),
    offset: -1,
    watermark: -Infinity,
    evicted: [],
    dirty: false,
    pending: 0,
    ...(spill === undefined ? {} : { spill }),
  };
}

/** A new, empty window of `state`. */
function newWindow(
  state: PartitionState,
  aggregation: string,
  windowKey: string,
  closesAt: number,
): WindowState {
  return {
    aggregation,
    windowKey,
    closesAt,
    records: 0,
    values: new WindowValues(state.spill),
    changed: new Set(),
    recordsChanged: false,
    changedSinceResult: new Set(),
  };
}

/** Removes a window from `state`, its spilled keys included. */
export function removeWindow(state: PartitionState, id: string): void {
  state.windows.get(id)?.values.drop();
  state.windows.delete(id);
}

/** Forgets every window of a state that is no longer held (its spilled keys included). */
export function dropState(state: PartitionState): void {
  for (const window of state.windows.values()) window.values.drop();
  state.windows.clear();
}

/**
 * Spills the keys of `state` that did not change since its last entry (the keys the next entry
 * writes stay), window by window in the order they opened, while the spill store holds more
 * keys in memory than its budget. Returns how many keys left memory.
 */
export function spillIdle(state: PartitionState): number {
  const spill = state.spill;
  if (spill === undefined) return 0;
  let moved = 0;
  for (const window of state.windows.values()) {
    if (spill.inMemory <= spill.budget) break;
    if (window.values.inMemory === 0) continue;
    moved += window.values.spill((key) => window.changed.has(key));
  }
  return moved;
}

/** The window a record adds to in one aggregation, as the processor cut it. */
export interface WindowOfRecord {
  /** Aggregation name. */
  aggregation: string;
  /** The aggregation's keyed form. */
  keyed: KeyedState;
  /** Window key. */
  windowKey: string;
  /** Window end plus allowed lateness, ms. */
  closesAt: number;
}

/**
 * Applies one record at `offset` (above the partition's offset) to the windows it falls in,
 * then moves the watermark by its event time. Returns the windows changed and whether the
 * record was too late for at least one of them.
 */
export function applyRecord(
  state: PartitionState,
  record: LogRecord,
  offset: number,
  eventTime: number,
  windows: readonly WindowOfRecord[],
  changedWindows: Set<WindowState>,
): boolean {
  let late = false;
  for (const target of windows) {
    if (target.closesAt <= state.watermark) {
      late = true;
      continue;
    }
    const id = windowId(target.aggregation, target.windowKey);
    let window = state.windows.get(id);
    if (window === undefined) {
      window = newWindow(state, target.aggregation, target.windowKey, target.closesAt);
      state.windows.set(id, window);
    }
    window.records++;
    window.recordsChanged = true;
    const key = target.keyed.keyOf(record);
    if (key !== undefined) {
      state.pending += addToKey(window, target.keyed, key, record);
      if (target.keyed.totalKey !== undefined) {
        state.pending += addToKey(window, target.keyed, target.keyed.totalKey, record);
      }
    }
    changedWindows.add(window);
  }
  state.offset = offset;
  if (eventTime > state.watermark) state.watermark = eventTime;
  state.dirty = true;
  return late;
}

/** Adds a record to a key's value; returns 1 when the key is newly changed since the entry. */
function addToKey(window: WindowState, keyed: KeyedState, key: string, record: LogRecord): number {
  const value = window.values.hold(key);
  const added = keyed.add(value === undefined ? keyed.start() : value, record);
  if (added !== value) window.values.set(key, added);
  window.changedSinceResult.add(key);
  const before = window.changed.size;
  window.changed.add(key);
  return window.changed.size - before;
}

/**
 * Removes the windows that closed at or before `watermark`, but those `keep` names (a result
 * still due), and notes them for the next entry. Returns how many left.
 */
export function evictClosed(
  state: PartitionState,
  watermark: number,
  keep: (id: string) => boolean = () => false,
): number {
  let evicted = 0;
  for (const [id, window] of state.windows) {
    if (window.closesAt > watermark || keep(id)) continue;
    removeWindow(state, id);
    state.evicted.push(id);
    state.dirty = true;
    evicted++;
  }
  return evicted;
}

/** One window in a changelog entry: its records and the keys it writes. */
export type EntryWindow = [
  aggregation: string,
  windowKey: string,
  closesAt: number,
  records: number,
  keys: string[],
  values: unknown[],
];

/** A changelog entry of one partition, as encoded. */
export interface ChangelogEntry {
  /** True: the whole state (earlier entries are not needed); false: changes only. */
  snapshot: boolean;
  /** Highest offset the state covers after this entry. */
  offset: number;
  /** Watermark after this entry (null: none yet). */
  watermark: number | null;
  /** The last message applied, as `[offset, fingerprint]` (null: none yet). */
  mark: [number, string] | null;
  /** Windows written: every window of a snapshot, the changed ones otherwise. */
  windows: EntryWindow[];
  /** Windows that left the state (ids), in a change entry. */
  evicted: string[];
}

/**
 * Takes what changed since the last entry (everything, for a snapshot) as an entry, and
 * starts the next one. The values are the state's own objects: encode them before the state
 * changes again.
 */
export function takeEntry(state: PartitionState, snapshot: boolean): ChangelogEntry {
  const windows: EntryWindow[] = [];
  for (const window of state.windows.values()) {
    if (!snapshot && window.changed.size === 0 && !window.recordsChanged) continue;
    const keys: string[] = [];
    const values: unknown[] = [];
    if (snapshot) {
      for (const [key, value] of window.values) keys.push(key), values.push(value);
    } else {
      for (const key of window.changed) keys.push(key), values.push(window.values.get(key));
    }
    windows.push([
      window.aggregation,
      window.windowKey,
      window.closesAt,
      window.records,
      keys,
      values,
    ]);
    window.changed = new Set();
    window.recordsChanged = false;
  }
  state.pending = 0;
  const entry: ChangelogEntry = {
    snapshot,
    offset: state.offset,
    watermark: Number.isFinite(state.watermark) ? state.watermark : null,
    mark: state.mark === undefined ? null : [state.mark.offset, state.mark.fingerprint],
    windows,
    evicted: snapshot ? [] : state.evicted,
  };
  state.evicted = [];
  state.dirty = false;
  return entry;
}

/**
 * Puts back what a failed entry took, so the next entry writes it again: its keys are marked
 * changed (their current values are written then), its records and evictions likewise.
 */
export function untakeEntry(state: PartitionState, entry: ChangelogEntry): void {
  for (const [aggregation, windowKey, , , keys] of entry.windows) {
    const window = state.windows.get(windowId(aggregation, windowKey));
    if (window === undefined) continue;
    for (const key of keys) {
      const before = window.changed.size;
      window.changed.add(key);
      state.pending += window.changed.size - before;
    }
    window.recordsChanged = true;
  }
  state.evicted.push(...entry.evicted);
  state.dirty = true;
}

/**
 * Applies an entry read from a changelog (a snapshot replaces the state); every key it writes
 * is marked changed since the window's last result. Returns the windows it changed.
 */
export function applyEntry(state: PartitionState, entry: ChangelogEntry): WindowState[] {
  if (entry.snapshot) dropState(state);
  const changed: WindowState[] = [];
  for (const [aggregation, windowKey, closesAt, records, keys, values] of entry.windows) {
    const id = windowId(aggregation, windowKey);
    let window = state.windows.get(id);
    if (window === undefined) {
      window = newWindow(state, aggregation, windowKey, closesAt);
      state.windows.set(id, window);
    }
    window.records = records;
    for (let i = 0; i < keys.length; i++) {
      window.values.set(keys[i]!, values[i]);
      window.changedSinceResult.add(keys[i]!);
    }
    changed.push(window);
  }
  for (const id of entry.evicted) removeWindow(state, id);
  state.offset = entry.offset;
  state.watermark = entry.watermark ?? -Infinity;
  if (entry.mark !== null && entry.mark !== undefined) {
    state.mark = { offset: entry.mark[0], fingerprint: entry.mark[1] };
  }
  return changed;
}

/** State keys held, over every window. */
export function keyCount(state: PartitionState): number {
  let keys = 0;
  for (const window of state.windows.values()) keys += window.values.size;
  return keys;
}

/** Keys changed since the last entry, over every window. */
export function pendingKeyCount(state: PartitionState): number {
  return state.pending;
}
