/**
 * The real-time processor of one source: parses each batch, writes valid records to `log`,
 * dead-letters the rest, folds records into per-partition window state, and on every flush
 * persists the state that changed, publishes the changed windows' results and acknowledges the
 * input positions they cover.
 *
 * Exactly once: a window's state from one input partition is a head (records counted, up to
 * `appliedOffset`) and one entry per state key (its value, up to its own offset), so a
 * re-delivered record (restart, rebalance, crash before commit) is recognised and skipped, even
 * after a flush that saved only part of its rows; `log` rows are keyed by the record's stable id.
 * Records later than `allowedLatenessMs` after their window's end (by message time) are logged
 * but left to batch; closed windows leave memory once their result is written.
 *
 * Invariants (each has unit tests in `processor_*_test.ts`, with the fakes of `_fakes.ts`):
 * - **Generations.** Every reassignment of partitions starts a new generation and drops all
 *   in-memory rows, dirty windows and positions. A batch takes the generation when it starts
 *   and re-checks it after every await; once it changed, the batch stops without touching
 *   anything: it neither adds loaded rows, nor applies records, nor records a position.
 * - **Apply together.** A batch applies its records to state and records its position in one
 *   synchronous step after its log rows and dead letters are durable, so a flush's snapshot
 *   holds either both or neither, and every recorded position is covered by state it snapshots.
 * - **Commit only what the snapshot covers.** A flush takes its state snapshot and the positions
 *   in one synchronous step, commits the positions only after the snapshot is saved, and only
 *   when no reassignment happened in between (positions of an earlier generation are dropped:
 *   whoever owns the partition now re-reads them).
 * - **Results before commits.** Results are written after state is saved and before the
 *   positions are committed, so a crash in between re-delivers records of every window whose
 *   latest result may not have been written. A failing sink does not hold back the commit: its
 *   windows are retried with back-off (see `sink_retry.ts`), kept in memory only, so after a
 *   crash while a sink is failing its results catch up with the next change of each window (or
 *   the next batch run).
 * - **Dropped keys are saved and merged.** Above `maxKeptKeys`, a flush drops from memory only
 *   keys that are saved, unchanged since, and merged into their window's summary; a key a row
 *   dropped is in its filter. A batch reads back, after its last other await and again until
 *   none is missing, every key of its records its rows dropped, so it applies each record to
 *   the key's stored value and offset (a total key is a key like the others: read back, and
 *   skipped by a re-delivered record, on its own); a result reads back the keys it merges that
 *   a local partition dropped (`window_result.ts`), and the partition takes each back into
 *   memory while it is still absent there (`keepIn`). Only this process writes a partition it
 *   holds, so what it reads back is what it dropped, or a more complete value that a late write
 *   of the partition's previous owner left (written at a higher timestamp): a key's row covers
 *   its own offset, so either is exact.
 *
 * @module
 */
import type {
  Aggregation,
  KeyedState,
  Sink,
  SourceBatch,
  SourcePosition,
  SourceRunner,
  WindowResult,
} from "../contracts.ts";
import type { LogRecord } from "../records.ts";
import type { LogWriter } from "../log_store.ts";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import type { StateChange, StateKey, StateStore, StoredEntry, StoredHead } from "./state_store.ts";
import { stateKeyString } from "./state_store.ts";
import {
  forgetUnused,
  type LocalPartition,
  type ReadBackEntry,
  realtimeResult,
  resultCache,
} from "./window_result.ts";
import { keyedFormOf } from "./keyed_form.ts";
import { type KeyFilter, keyFilter } from "./key_filter.ts";
import type { SinkHealth } from "./sink_retry.ts";
import { resultPublisher } from "./publish.ts";
import { type FailureLimits, failurePolicy } from "./failure_policy.ts";
import { fingerprint, type MarkStore, recreatedTopicProblem } from "./stream_marks.ts";
import { createMutex, forEachConcurrent } from "../concurrency.ts";
import { parseBatch } from "./parse_batch.ts";
import { errorText } from "../errors.ts";

/** A started sink with its name from pipeline.yaml. */
export interface NamedSink {
  /** Sink name. */
  name: string;
  /** The started sink. */
  sink: Sink;
}

/** An aggregation as the processor runs it: its name, code and started sinks. */
export interface BoundAggregation {
  /** Aggregation name from pipeline.yaml. */
  name: string;
  /** The aggregation's functions. */
  aggregation: Aggregation;
  /** Its `window:` size. */
  window: WindowSpec;
  /** Started sinks it writes to. */
  sinks: NamedSink[];
}

/** What a processor needs. */
export interface ProcessorOptions {
  /** The source it reads (for rejecting and acknowledging). */
  source: SourceRunner;
  /** Aggregations reading this source. */
  aggregations: BoundAggregation[];
  /** Window cutter for the pipeline's time zone. */
  cutter: WindowCutter;
  /** Writer of the `log` table. */
  logWriter: LogWriter;
  /** Store of partial states. */
  states: StateStore;
  /** Operator-facing log line. */
  log: (line: string) => void;
  /** When a source crash counts as persistent (default: 10 in a row or 5 minutes). */
  sourceFailureLimits?: FailureLimits;
  /** Clock, ms since epoch (default `Date.now`); tests inject their own. */
  now?: () => number;
  /**
   * How long after its end a window takes records, in ms (`runtime.allowed_lateness`; default:
   * forever). A record is judged by its message time, so a replay reaches the same verdict.
   */
  allowedLatenessMs?: number;
  /** Marks recognising a deleted and recreated input topic (none: not checked). */
  marks?: MarkStore;
  /**
   * Most state keys changed since the last flush before a new batch waits for the next flush
   * (default {@linkcode MAX_PENDING_KEYS}).
   */
  maxPendingKeys?: number;
  /**
   * Most state keys held in memory, of aggregations that finish from a summary, before a flush
   * drops the clean ones not changed lately (default {@linkcode MAX_KEPT_KEYS}); they are read
   * back from Cassandra when a record or a result needs them.
   */
  maxKeptKeys?: number;
  /**
   * Told after each flush that wrote state or results or acknowledged input: what it published
   * and how long it took.
   */
  onFlushed?: (flushed: FlushedResults) => void;
}

/** What a flush published, for live views and metrics. */
export interface FlushedResults {
  /** Window results written to at least one sink. */
  results: WindowResult[];
  /** Duration of the whole flush, ms. */
  ms: number;
  /** Duration of acknowledging input positions, ms, when there were any. */
  commitMs?: number;
}

/** Counters for the live status line. */
export interface ProcessorStats {
  /** Messages read. */
  read: number;
  /** Valid records written to `log`. */
  accepted: number;
  /** Messages sent to the dead-letter topic. */
  rejected: number;
  /** Re-delivered records recognised and not counted again. */
  duplicates: number;
  /** Records logged but too late for real time in at least one aggregation (left to batch). */
  tooLate: number;
  /** Aggregation windows of input partitions held in memory. */
  stateRows: number;
  /** State keys held in memory, over every aggregation window of every input partition. */
  keptKeys: number;
  /** State keys dropped from memory so far (saved, and not changed lately). */
  droppedKeys: number;
  /** Dropped state keys read back from Cassandra so far, for records or results. */
  reloadedKeys: number;
  /**
   * State rows written to Cassandra so far: one per key changed since the previous flush, and
   * one head per changed partition window. With the records logged and the keys read back, the
   * Cassandra operations the real-time loop costs.
   */
  stateRowsWritten: number;
  /**
   * Messages not yet acknowledged, summed over the partitions this process owns: the latest
   * known end offset minus the committed offset (the source's own figure when it gives no end
   * offset). Grows while flushes or commits fail, even when every message has been read.
   */
  lag: number;
  /** The same by `<stream>/<partition>`, of the partitions this process owns. */
  partitionLag: Record<string, number>;
  /**
   * Messages waiting unread, summed over the partitions this process owns, as the source
   * reported them with each partition's latest batch (0 when it never does). Unlike `lag`, it
   * does not count what was read and waits for a flush: it tells whether input backs up.
   */
  waiting: number;
  /** Partition reassignments seen (each starts a new generation). */
  reassignments: number;
  /** Batches dropped because their partitions were reassigned while they ran. */
  abandonedBatches: number;
  /** Times a batch waited for a flush because too many changed keys were not yet written. */
  backpressureWaits: number;
  /** Source crashes, each followed by a restart unless it was the last. */
  sourceRestarts: number;
  /** The last source crash, one line, if any. */
  lastSourceFailure?: string;
  /** Commits of input positions that failed (their records are re-delivered). */
  commitFailures: number;
  /** Flushes that failed (retried; nothing they cover is acknowledged meanwhile). */
  flushFailures: number;
  /** Set while flushing fails: since when, how many attempts, the last cause (one line). */
  failingFlush?: { since: number; failures: number; lastError: string };
  /** Sinks currently failing, with their pending windows. */
  failingSinks: SinkHealth[];
  /** Estimated size of the largest single state write so far, in bytes. */
  largestWriteBytes: number;
  /** Durations of the recent flushes that wrote something (up to the last 4,096). */
  flushTimes: { count: number; p50Ms: number; p99Ms: number };
  /** Last flush, if any: results published, state rows written, duration. */
  lastFlush?: { at: number; windows: number; states: number; ms: number };
}

/** A running processor. */
export interface Processor {
  /** Handles one batch from the source. */
  onBatch(batch: SourceBatch): Promise<void>;
  /** Starts a new generation after partitions moved; state reloads on demand. */
  onReassigned(): void;
  /** Logs and counts a source crash; answers whether the source should restart. */
  onFailure(error: unknown): boolean;
  /** Persists state, publishes changed results, acknowledges input. Serialized. */
  flush(): Promise<FlushSummary>;
  /** Live counters. */
  stats(): ProcessorStats;
  /** Rejects when processing must stop for good (e.g. a recreated input topic). */
  fatal: Promise<never>;
}

/** What one flush did. */
export interface FlushSummary {
  /** State rows written. */
  states: number;
  /** Window results published (to at least one sink). */
  windows: number;
  /** Input positions acknowledged. */
  positions: number;
}

/** One aggregation window's state from one input partition, held in memory. */
interface StateRow {
  key: StateKey;
  bound: BoundAggregation;
  keyed: KeyedState;
  /** When the window closes: its end plus the allowed lateness. */
  closesAt: number;
  /**
   * Value and covered offset by state key: every key of the row, unless `dropped` is set, when
   * the keys it may hold are only in the store.
   */
  entries: Map<string, Entry>;
  /** Whether clean keys may leave memory: the aggregation finishes from a summary. */
  evictable: boolean;
  /** Keys that left memory (saved first, so the store holds them as they were). */
  dropped?: KeyFilter;
  /** State keys changed since the last snapshot. */
  changed: Set<string>;
  /** State keys changed since the window's last result (drained by `realtimeResult`). */
  changedSinceResult: Set<string>;
  records: number;
  appliedOffset: number;
  dirty: boolean;
  touchedAt: number;
}

/** One state key's value and the highest input offset it covers. */
interface Entry {
  value: unknown;
  offset: number;
  /** The flush count when the value last changed (keys changed lately stay in memory). */
  stamp: number;
}

/** The state row one distinct window of a batch maps to. */
interface Slot {
  key: StateKey;
  keyString: string;
  bound: BoundAggregation;
  closesAt: number;
  row?: StateRow;
}

interface DirtyWindow {
  bound: BoundAggregation;
  windowKey: string;
}

/**
 * Rows untouched for this long and already flushed leave memory: all of a row, or, for a row
 * that may drop keys, its keys (see `evictRows`).
 */
const IDLE_ROW_MS = 120_000;

/**
 * Most state keys changed since the last flush before a new batch waits for the next flush.
 * Without a bound, a runner catching up a backlog reads far ahead of what its flushes can write:
 * at 1M distinct pages each flush covered more than the one before (74 s, then over 120 s with
 * nothing committed), and memory grew to 3.7 GiB with the unflushed changes. A flush writes one
 * row per changed key, so this caps a flush at a few seconds of Cassandra's row rate.
 */
export const MAX_PENDING_KEYS = 200_000; // runtime.max_pending_keys' default too (lib/config/schema.ts)
/**
 * Most state keys held in memory, of aggregations that finish from a summary, before a flush
 * drops the clean ones used longest ago (not in the last two flushes). Per partition window, a
 * Bloom filter of the dropped keys (1.5 bytes each) tells a new key from one to read back, so at
 * high cardinality, where most keys are new, few reads are needed.
 */
export const MAX_KEPT_KEYS = 500_000; // runtime.max_state_keys' default too (lib/config/schema.ts)
/**
 * Above `maxKeptKeys`, a flush drops the least recently used droppable keys until this share of
 * the budget is left, so the next flushes need not drop again at once.
 */
const KEPT_AFTER_DROP = 0.8;
/**
 * State rows expire this long after their window closed: long enough for a replay of records
 * that were on time (a consumer catching up after an outage), then they stop costing anything.
 */
export const STATE_RETENTION_MS = 86_400_000;

/** Creates the processor of one source. */
export function createProcessor(options: ProcessorOptions): Processor {
  const { source, aggregations, cutter, logWriter, states, log } = options;
  const now = options.now ?? Date.now;
  const rows = new Map<string, StateRow>();
  // What results keep between flushes (other processes' partition states as last read, each
  // window's merged values), so a result costs what changed. Kept across generations: what is
  // stored only grows more complete, and a window whose local partitions changed is re-merged.
  const kept = resultCache();
  const dirtyWindows = new Map<string, DirtyWindow>();
  const durable = new Map<string, SourcePosition>();
  const committed = new Map<string, number>();
  const lagByPartition = new Map<string, number>();
  /** Messages the source said wait after each partition's latest batch. */
  const waitingByPartition = new Map<string, number>();
  // Lag is end offset minus committed offset. Until this process commits a partition, its
  // committed offset is where the group's stood when the partition came: the first offset this
  // generation was given (a failed batch is re-delivered from there too).
  const endOffsets = new Map<string, number>();
  const firstOffsets = new Map<string, number>();
  const mutex = createMutex();
  const sourceFailures = failurePolicy({ now, ...options.sourceFailureLimits });
  const publisher = resultPublisher<DirtyWindow>({
    sinks: aggregations.flatMap((bound) => bound.sinks),
    now,
    log,
    compute: computeResult,
  });
  const allowedLatenessMs = options.allowedLatenessMs ?? Infinity;
  const maxPendingKeys = options.maxPendingKeys ?? MAX_PENDING_KEYS;
  const maxKeptKeys = options.maxKeptKeys ?? MAX_KEPT_KEYS;
  /** Each aggregation's keyed form, by index in `aggregations` (a row's `keyed` is the same). */
  const keyedForms = aggregations.map((bound) => keyedFormOf(bound.aggregation));
  /** Flushes started: an entry's `stamp`. */
  let flushes = 0;
  /** Fingerprint of the last message of each recorded position, for its mark. */
  const durableFingerprints = new Map<string, string>();
  /** Partitions whose first batch of this generation was checked against their mark. */
  const checkedPartitions = new Set<string>();
  let stopFatally!: (error: Error) => void;
  const fatal = new Promise<never>((_, reject) => stopFatally = reject);
  fatal.catch(() => {});
  let fatalError: Error | undefined;
  let generation = 0;
  /** The latest message time seen: windows closed before it leave memory. */
  let watermark = -Infinity;
  const counters = {
    read: 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    tooLate: 0,
    lag: 0,
    reassignments: 0,
    abandonedBatches: 0,
    backpressureWaits: 0,
    droppedKeys: 0,
    reloadedKeys: 0,
    stateRowsWritten: 0,
    sourceRestarts: 0,
    commitFailures: 0,
    flushFailures: 0,
    largestWriteBytes: 0,
  };
  let lastSourceFailure: string | undefined;
  let lastFlush: ProcessorStats["lastFlush"];
  const flushDurations: number[] = [];
  let flushCount = 0;

  async function onBatch(batch: SourceBatch): Promise<void> {
    if (batch.messages.length === 0) return;
    if (fatalError !== undefined) throw fatalError;
    await roomForMore();
    if (fatalError !== undefined) throw fatalError;
    const startedIn = generation;
    const partitionKey = `${batch.stream}\u0000${batch.partition}`;
    if (batch.endOffset !== undefined) {
      // Noted before anything can block, so lag grows while Cassandra does not answer.
      endOffsets.set(partitionKey, batch.endOffset);
      if (!firstOffsets.has(partitionKey)) {
        firstOffsets.set(partitionKey, batch.messages[0]!.offset);
      }
    }
    if (options.marks !== undefined && !checkedPartitions.has(partitionKey)) {
      const mark = await options.marks.load(batch.stream, batch.partition);
      if (generation !== startedIn) return abandon();
      const problem = recreatedTopicProblem(batch, mark);
      if (problem !== undefined) {
        fatalError = new Error(
          `${problem}. Nothing of it was counted. To start over, use a new keyspace ` +
            `(cassandra.keyspace), or remove the real-time state of the old topic ` +
            `(TRUNCATE stream_marks, state_heads and state_keys in the keyspace), then run ` +
            `again; \`deno task batch\` recomputes results from the log table.`,
        );
        stopFatally(fatalError);
        throw fatalError;
      }
      checkedPartitions.add(partitionKey);
    }
    const { accepted, rejections } = parseBatch(batch, now());

    // The state row of each record and aggregation, found once per distinct window of the batch.
    const slotsByAggregation = aggregations.map(() => new Map<string, Slot>());
    const recordSlots: Array<Slot | undefined> = new Array(accepted.length * aggregations.length);
    // Each record's state key per aggregation, computed once: read-backs and apply both need it.
    const recordKeys: Array<string | undefined> = new Array(recordSlots.length);
    const missing: Slot[] = [];
    let tooLate = 0;
    let latest = -Infinity;
    for (let i = 0; i < accepted.length; i++) {
      const { record, messageTime } = accepted[i]!;
      if (messageTime > latest) latest = messageTime;
      let late = false;
      for (let a = 0; a < aggregations.length; a++) {
        const bound = aggregations[a]!;
        const window = cutter.windowOf(record.timestamp, bound.window);
        const closesAt = window.end + allowedLatenessMs;
        // Too late for real time: logged (so batch counts it), not added to closed state.
        if (closesAt <= messageTime) {
          late = true;
          continue;
        }
        const windowKey = window.key;
        const slots = slotsByAggregation[a]!;
        let slot = slots.get(windowKey);
        if (slot === undefined) {
          const key = {
            aggregation: bound.name,
            windowKey,
            stream: batch.stream,
            partition: batch.partition,
          };
          const keyString = stateKeyString(key);
          slot = { key, keyString, bound, closesAt, row: rows.get(keyString) };
          slots.set(windowKey, slot);
          if (slot.row === undefined) missing.push(slot);
        }
        recordSlots[i * aggregations.length + a] = slot;
        recordKeys[i * aggregations.length + a] = keyedForms[a]!.keyOf(record);
      }
      if (late) tooLate++;
    }
    if (missing.length > 0) {
      let loaded: Map<string, StateRow>;
      try {
        loaded = await loadRows(missing);
      } catch (error) {
        throw new Error(`Cassandra: reading aggregate state failed: ${errorText(error)}`, {
          cause: error,
        });
      }
      if (generation !== startedIn) return abandon();
      for (const slot of missing) slot.row = loaded.get(slot.keyString);
    }

    // Keys of these records that left memory are read back before they change: while the log
    // rows are written, then again until none is missing (a flush may drop more meanwhile).
    const reloaded = new Map<StateRow, Map<string, Entry | null>>();
    const readBack = async (wanted: Map<StateRow, Set<string>>): Promise<void> => {
      try {
        await reloadKeys(wanted, reloaded);
      } catch (error) {
        throw new Error(`Cassandra: reading aggregate state failed: ${errorText(error)}`, {
          cause: error,
        });
      }
    };
    const logged = async (): Promise<void> => {
      try {
        await Promise.all([
          logWriter.write(accepted),
          rejections.length > 0 ? source.reject(batch, rejections) : undefined,
        ]);
      } catch (error) {
        throw new Error(`writing log rows or dead letters failed: ${errorText(error)}`, {
          cause: error,
        });
      }
    };
    await Promise.all([logged(), readBack(droppedKeysOf(recordSlots, recordKeys, reloaded))]);
    if (generation !== startedIn) return abandon();
    for (;;) {
      const wanted = droppedKeysOf(recordSlots, recordKeys, reloaded);
      if (wanted.size === 0) break;
      await readBack(wanted);
      if (generation !== startedIn) return abandon();
    }

    // From here to the end: synchronous, so a flush or reassignment sees all of it or none.
    const touchedAt = now();
    for (const slots of slotsByAggregation) {
      for (const slot of slots.values()) {
        const row = slot.row!;
        // A row loaded by this batch, or evicted while the log write ran (it was clean, so it
        // equals what is stored): this partition's batches run one at a time, so it is current.
        if (rows.get(slot.keyString) !== row) rows.set(slot.keyString, row);
        row.touchedAt = touchedAt;
      }
    }
    // A record counts in a window's records above the head's offset, and adds to its state
    // key above that key's offset: the two can differ after a flush that was cut short.
    for (let i = 0; i < accepted.length; i++) {
      const { record, offset } = accepted[i]!;
      let duplicate = false;
      for (let a = 0; a < aggregations.length; a++) {
        const row = recordSlots[i * aggregations.length + a]?.row;
        if (row === undefined) continue; // too late for this aggregation
        if (offset > row.appliedOffset) {
          row.records++;
          row.appliedOffset = offset;
        } else {
          duplicate = true;
        }
        const stateKey = recordKeys[i * aggregations.length + a];
        if (stateKey === undefined) continue;
        applyToKey(row, stateKey, record, offset, reloaded);
        const total = row.keyed.totalKey;
        if (total !== undefined) applyToKey(row, total, record, offset, reloaded);
      }
      if (duplicate) counters.duplicates++;
    }
    for (const slots of slotsByAggregation) {
      for (const slot of slots.values()) {
        slot.row!.dirty = true;
        dirtyWindows.set(windowId(slot.bound, slot.key.windowKey), {
          bound: slot.bound,
          windowKey: slot.key.windowKey,
        });
      }
    }
    const last = batch.messages[batch.messages.length - 1]!;
    durableFingerprints.set(partitionKey, fingerprint(last.value));
    durable.set(partitionKey, {
      stream: batch.stream,
      partition: batch.partition,
      nextOffset: last.offset + 1,
    });
    counters.read += batch.messages.length;
    counters.tooLate += tooLate;
    if (latest > watermark) watermark = latest;
    counters.accepted += accepted.length;
    counters.rejected += rejections.length;
    if (batch.lag !== undefined) {
      waitingByPartition.set(partitionKey, batch.lag);
      if (batch.endOffset === undefined) lagByPartition.set(partitionKey, batch.lag);
    }
    sourceFailures.succeeded();
  }

  function abandon(): void {
    counters.abandonedBatches++;
  }

  /**
   * Adds a record at `offset` to one state key of a row, unless the key's value covers that
   * offset already (a re-delivered record). A key not in memory is the one read back, when the
   * row dropped it, else new.
   */
  function applyToKey(
    row: StateRow,
    stateKey: string,
    record: LogRecord,
    offset: number,
    reloaded: ReadonlyMap<StateRow, ReadonlyMap<string, Entry | null>>,
  ): void {
    let entry = row.entries.get(stateKey);
    if (entry === undefined) {
      // A key read back (as stored: its offset tells a re-delivered record), else new.
      entry = reloaded.get(row)?.get(stateKey) ?? undefined;
      if (entry !== undefined) row.entries.set(stateKey, entry);
    }
    if (entry === undefined) {
      row.entries.set(stateKey, {
        value: row.keyed.add(row.keyed.start(), record),
        offset,
        stamp: flushes,
      });
    } else if (offset > entry.offset) {
      entry.value = row.keyed.add(entry.value, record);
      entry.offset = offset;
      entry.stamp = flushes;
    } else return;
    row.changed.add(stateKey);
    row.changedSinceResult.add(stateKey);
  }

  /**
   * The state keys of a batch's records (by record and aggregation; with the total key of
   * each, when there is one) that rows dropped from memory and that are neither back in memory
   * nor read already: those the row's filter may hold (a key it never dropped is new to it).
   */
  function droppedKeysOf(
    recordSlots: ReadonlyArray<Slot | undefined>,
    recordKeys: ReadonlyArray<string | undefined>,
    reloaded: ReadonlyMap<StateRow, ReadonlyMap<string, Entry | null>>,
  ): Map<StateRow, Set<string>> {
    const wanted = new Map<StateRow, Set<string>>();
    const want = (row: StateRow, dropped: KeyFilter, stateKey: string): void => {
      if (row.entries.has(stateKey)) return;
      if (reloaded.get(row)?.has(stateKey) || !dropped.mightHold(stateKey)) return;
      let keys = wanted.get(row);
      if (keys === undefined) wanted.set(row, keys = new Set());
      keys.add(stateKey);
    };
    for (let i = 0; i < recordSlots.length; i++) {
      const row = recordSlots[i]?.row;
      const dropped = row?.dropped;
      const stateKey = recordKeys[i];
      if (dropped === undefined || stateKey === undefined) continue;
      want(row!, dropped, stateKey);
      const total = row!.keyed.totalKey;
      if (total !== undefined) want(row!, dropped, total);
    }
    return wanted;
  }

  /**
   * Reads `wanted` keys back into `reloaded`, as stored; a key asked for and not stored is set
   * to null there, so it is not asked for again.
   */
  async function reloadKeys(
    wanted: ReadonlyMap<StateRow, ReadonlySet<string>>,
    reloaded: Map<StateRow, Map<string, Entry | null>>,
  ): Promise<void> {
    await Promise.all([...wanted].map(async ([row, keys]) => {
      const stored = await states.loadKeys(row.key, [...keys]);
      let into = reloaded.get(row);
      if (into === undefined) reloaded.set(row, into = new Map());
      for (const entry of stored) {
        into.set(entry.stateKey, {
          value: JSON.parse(entry.value),
          offset: entry.appliedOffset,
          stamp: flushes,
        });
      }
      counters.reloadedKeys += stored.length;
      // Asked for and not stored (the filter's "maybe" was wrong): new to the row.
      for (const key of keys) if (!into.has(key)) into.set(key, null);
    }));
  }

  /** Loads the stored heads and key rows of partition windows this process does not hold. */
  async function loadRows(slots: readonly Slot[]): Promise<Map<string, StateRow>> {
    const keys = slots.map((slot) => slot.key);
    // Key rows are read even without a head: a flush cut short may have written only them.
    const [heads, entries] = await Promise.all([
      states.loadHeads(keys),
      loadAllEntries(keys),
    ]);
    const loaded = new Map<string, StateRow>();
    for (const [i, slot] of slots.entries()) {
      loaded.set(slot.keyString, rowFrom(slot, heads.get(slot.keyString), entries[i]!));
    }
    return loaded;
  }

  async function loadAllEntries(keys: readonly StateKey[]): Promise<StoredEntry[][]> {
    const entries: StoredEntry[][] = new Array(keys.length);
    await forEachConcurrent(keys.map((key, i) => ({ key, i })), 16, async ({ key, i }) => {
      entries[i] = await states.loadEntries(key);
    });
    return entries;
  }

  function rowFrom(slot: Slot, head: StoredHead | undefined, stored: StoredEntry[]): StateRow {
    const entries = new Map<string, Entry>();
    for (const entry of stored) {
      entries.set(entry.stateKey, {
        value: JSON.parse(entry.value),
        offset: entry.appliedOffset,
        stamp: -1,
      });
    }
    const keyed = keyedFormOf(slot.bound.aggregation);
    return {
      key: slot.key,
      bound: slot.bound,
      keyed,
      closesAt: slot.closesAt,
      entries,
      evictable: keyed.summary !== undefined && keyed.summary.usesPrevious !== true,
      changed: new Set(),
      changedSinceResult: new Set(),
      records: head?.records ?? 0,
      appliedOffset: head?.appliedOffset ?? -1,
      dirty: false,
      touchedAt: now(),
    };
  }

  function onReassigned(): void {
    // Uncommitted work of partitions we keep is re-delivered from the committed offsets, and
    // partitions we lost belong to another process now: reload everything on demand.
    generation++;
    counters.reassignments++;
    rows.clear();
    dirtyWindows.clear();
    durable.clear();
    durableFingerprints.clear();
    checkedPartitions.clear();
    committed.clear();
    lagByPartition.clear();
    waitingByPartition.clear();
    endOffsets.clear();
    firstOffsets.clear();
  }

  function onFailure(error: unknown): boolean {
    if (fatalError !== undefined) return false;
    const verdict = sourceFailures.failed();
    const cause = errorText(error, { firstLine: true });
    lastSourceFailure = cause;
    if (verdict.retry) {
      counters.sourceRestarts++;
      log(
        `source crashed (${verdict.failures} in a row), restarting: ${cause}`,
      );
    } else {
      log(
        `source crashed ${verdict.failures} times in a row over ${
          Math.round(verdict.failingMs / 1000)
        } s; giving up: ${cause}`,
      );
    }
    return verdict.retry;
  }

  /** Keys changed since the last flush, over every row (what the next flush writes). */
  function pendingKeys(): number {
    let pending = 0;
    for (const row of rows.values()) if (row.dirty) pending += row.changed.size;
    return pending;
  }

  /** Batches waiting for a flush to make room. */
  let flushEnded: { promise: Promise<void>; resolve: () => void } | undefined;
  /**
   * Backpressure: waits while more than `maxPendingKeys` keys wait for a flush, so a flush stays
   * a few seconds long and memory holds at most that much unflushed change. Every flush's end
   * (success or failure) wakes the waiters to look again; a failing flush keeps them waiting
   * (reading on would only grow what cannot be written), and the runtime stops the runner when
   * flushes keep failing.
   */
  async function roomForMore(): Promise<void> {
    while (pendingKeys() > maxPendingKeys) {
      counters.backpressureWaits++;
      flushEnded ??= Promise.withResolvers<void>();
      await flushEnded.promise;
      if (fatalError !== undefined) return;
    }
  }

  let failingFlush: ProcessorStats["failingFlush"];
  /** Flushes, keeping count of failures for the status line and /metrics. */
  async function flush(): Promise<FlushSummary> {
    try {
      const summary = await flushOnce();
      failingFlush = undefined;
      return summary;
    } catch (error) {
      counters.flushFailures++;
      failingFlush ??= { since: now(), failures: 0, lastError: "" };
      failingFlush.failures++;
      failingFlush.lastError = errorText(error, { firstLine: true });
      throw error;
    } finally {
      const waiting = flushEnded;
      flushEnded = undefined;
      waiting?.resolve();
    }
  }

  function flushOnce(): Promise<FlushSummary> {
    return mutex.run(async () => {
      const started = now();
      flushes++;
      const flushedIn = generation;
      // One synchronous step: the rows and the positions they cover.
      const dirtyRows = [...rows.values()].filter((row) => row.dirty);
      const changedKeys = dirtyRows.map((row) => row.changed);
      const snapshot: StateChange[] = dirtyRows.map((row) => ({
        key: row.key,
        expiresAt: row.closesAt + STATE_RETENTION_MS,
        head: { records: row.records, appliedOffset: row.appliedOffset },
        entries: [...row.changed].map((stateKey) => {
          const entry = row.entries.get(stateKey)!;
          return { stateKey, value: JSON.stringify(entry.value), appliedOffset: entry.offset };
        }),
      }));
      for (const row of dirtyRows) {
        row.dirty = false;
        row.changed = new Set();
      }
      const windows = new Map(dirtyWindows);
      dirtyWindows.clear();
      const positions = [...durable.entries()].filter(([key, position]) =>
        committed.get(key) !== position.nextOffset
      ).map(([key, position]) => [key, position, durableFingerprints.get(key)!] as const);
      let saved = 0;
      try {
        const summary = await states.save(snapshot);
        saved = summary.rows;
        counters.stateRowsWritten += summary.rows;
        counters.largestWriteBytes = Math.max(
          counters.largestWriteBytes,
          summary.largestWriteBytes,
        );
      } catch (error) {
        if (generation === flushedIn) {
          for (const [i, row] of dirtyRows.entries()) {
            row.dirty = true;
            for (const stateKey of changedKeys[i]!) row.changed.add(stateKey);
          }
          for (const [id, window] of windows) dirtyWindows.set(id, window);
        }
        throw new Error(`Cassandra: saving aggregate state failed: ${errorText(error)}`, {
          cause: error,
        });
      }
      if (generation !== flushedIn) {
        // Partitions moved while saving: the saved rows are correct (and only win where they
        // are more complete), but the positions and windows belong to the old assignment.
        return { states: saved, windows: 0, positions: 0 };
      }
      // Results before the commit: a crash in between re-delivers the records, which marks
      // their windows changed again, so no window is left without its latest result.
      let publishing: Awaited<ReturnType<typeof publisher.publish>>;
      try {
        publishing = await publisher.publish(
          [...windows].map(([id, window]) => ({
            id,
            window,
            sinks: window.bound.sinks.map((sink) => sink.name),
          })),
        );
      } catch (error) {
        // Not a sink's failure (those are retried inside): keep the windows due, so a flush that
        // fails here never leaves a window without its latest result.
        if (generation === flushedIn) {
          for (const [id, window] of windows) dirtyWindows.set(id, window);
        }
        throw error;
      }
      const { written: published, results, notReady } = publishing;
      // Windows another process is half-way through saving: again at the next flush. Only
      // those of this flush: a window a failing sink is owed, and not changed since, stays owed
      // to it (see sink_retry.ts) and is not in `windows`.
      if (generation === flushedIn) {
        for (const id of notReady) {
          const window = windows.get(id);
          if (window !== undefined) dirtyWindows.set(id, window);
        }
      }
      if (generation !== flushedIn) {
        return { states: saved, windows: published, positions: 0 };
      }
      let acknowledged = 0;
      let commitMs: number | undefined;
      if (positions.length > 0) {
        try {
          const committing = now();
          await source.commit(positions.map(([, position]) => position));
          commitMs = now() - committing;
          if (generation === flushedIn) {
            for (const [key, position] of positions) committed.set(key, position.nextOffset);
          }
          acknowledged = positions.length;
          await saveMarks(positions);
        } catch (error) {
          // Harmless for correctness: the positions are re-delivered and recognised as
          // duplicates. Counted, and logged, because replay grows while commits fail.
          counters.commitFailures++;
          log(`could not acknowledge input positions (will be re-delivered): ${errorText(error)}`);
        }
      }
      evictRows(started);
      if (saved > 0 || published > 0) {
        lastFlush = { at: now(), windows: published, states: saved, ms: now() - started };
        flushDurations[flushCount++ % RECENT_FLUSHES] = lastFlush.ms;
      }
      if (saved > 0 || published > 0 || commitMs !== undefined) {
        // The flush is done and acknowledged: a failing observer must not make it look failed.
        try {
          options.onFlushed?.({
            results,
            ms: now() - started,
            ...(commitMs === undefined ? {} : { commitMs }),
          });
        } catch (error) {
          log(`flush observer failed: ${errorText(error)}`);
        }
      }
      return { states: saved, windows: published, positions: acknowledged };
    });
  }

  /** The window's result, or undefined when another process is half-way through saving it. */
  async function computeResult(
    { bound, windowKey }: DirtyWindow,
  ): Promise<WindowResult | undefined> {
    const result = await realtimeResult(
      states,
      cutter,
      bound.name,
      bound.aggregation,
      bound.window,
      windowKey,
      () => localPartitions(bound.name, windowKey),
      kept,
      now,
    );
    if (result === "being written") return undefined;
    if (result === "no state") throw new Error(`state of ${bound.name} ${windowKey} vanished`);
    return result;
  }

  function* localPartitions(aggregation: string, windowKey: string): Iterable<LocalPartition> {
    for (const row of rows.values()) {
      if (row.key.aggregation !== aggregation || row.key.windowKey !== windowKey) continue;
      yield {
        stream: row.key.stream,
        partition: row.key.partition,
        records: row.records,
        entries: row.entries,
        changedSinceResult: row.changedSinceResult,
        ...(row.dropped === undefined ? {} : { dropped: row.dropped, keep: keepIn(row) }),
      };
    }
  }

  /**
   * Takes keys a result read back into a row, as stored, each only while it is still absent
   * from memory. Then it is exactly what is stored: nothing changed it since it was dropped (a
   * record of it is applied only after it is read back, so it would be present), and no flush
   * saves or drops keys while a result is computed. Kept like any key, it may be dropped again.
   */
  function keepIn(row: StateRow): (entries: readonly ReadBackEntry[]) => void {
    return (entries) => {
      for (const entry of entries) {
        if (row.entries.has(entry.stateKey)) continue;
        row.entries.set(entry.stateKey, {
          value: entry.value,
          offset: entry.appliedOffset,
          stamp: flushes,
        });
      }
    };
  }

  /** Records what was committed, so a recreated topic is recognised later. */
  async function saveMarks(
    positions: ReadonlyArray<readonly [string, SourcePosition, string]>,
  ): Promise<void> {
    if (options.marks === undefined) return;
    try {
      await options.marks.save(positions.map(([, position, print]) => ({
        stream: position.stream,
        partition: position.partition,
        committedOffset: position.nextOffset,
        fingerprint: print,
      })));
    } catch (error) {
      // The commit stands; only the check of a recreated topic lags one commit behind.
      log(`could not record committed positions: ${errorText(error, { firstLine: true })}`);
    }
  }

  /**
   * Drops clean rows of closed windows (their results are written); of idle clean rows, the
   * keys of those that may drop keys, and the whole row of the others; then, above
   * `maxKeptKeys`, of rows that may drop keys, the saved keys used longest ago (not in the last
   * two flushes) until `KEPT_AFTER_DROP` of the budget is left.
   *
   * An idle row that may drop keys stays in memory without its keys: a late record of its
   * window reads back only its own key, and the window's result stays incremental (the row's
   * `entries` map is the same). A row dropped whole made that record load every key of the row,
   * and each result of the window read every key of every such partition again and kept them
   * all (`latency_5m` at 1M distinct pages: 45 MiB of other partitions' values, from late
   * records in five-minute windows idle for minutes). It costs its head and a filter (1.5 bytes
   * a key) until its window closes.
   *
   * Why a dropped key stays exact: it is dropped only once saved and unchanged since (not in
   * `changed`), so the store holds it as memory did (or more complete, see the module's
   * invariants) until a record brings it back (`droppedKeysOf`), before the record is applied.
   * Nor does a result miss it: it was merged into the window's summary already (not in
   * `changedSinceResult`), and a result that needs it again reads it back (`realtimeResult`).
   * Runs at the end of a flush, so never while a result is computed.
   */
  function evictRows(at: number): void {
    for (const [keyString, row] of rows) {
      if (row.dirty) continue;
      if (row.closesAt <= watermark) rows.delete(keyString);
      else if (at - row.touchedAt > IDLE_ROW_MS) {
        if (row.evictable) dropKeys(row, Infinity);
        else rows.delete(keyString);
      }
    }
    forgetUnused(kept, at - IDLE_ROW_MS);
    let keptKeys = 0;
    for (const row of rows.values()) if (row.evictable) keptKeys += row.entries.size;
    if (keptKeys <= maxKeptKeys) return;
    const recentFrom = oldestToDrop(keptKeys - Math.floor(maxKeptKeys * KEPT_AFTER_DROP));
    for (const row of rows.values()) {
      if (row.evictable) dropKeys(row, recentFrom);
    }
  }

  /**
   * The flush count from which keys stay: the least recently used droppable keys (by the flush
   * that last changed or read them back, before the last two flushes) that make at least
   * `excess` keys, or all droppable keys when they make fewer. A key used again soon after it
   * left memory costs a read; the keys used longest ago are the least likely to come back.
   */
  function oldestToDrop(excess: number): number {
    const byStamp = new Map<number, number>();
    for (const row of rows.values()) {
      if (!row.evictable) continue;
      for (const [stateKey, entry] of row.entries) {
        if (isDroppable(row, stateKey, entry, flushes - 1)) {
          byStamp.set(entry.stamp, (byStamp.get(entry.stamp) ?? 0) + 1);
        }
      }
    }
    let dropping = 0;
    for (const stamp of [...byStamp.keys()].sort((a, b) => a - b)) {
      dropping += byStamp.get(stamp)!;
      if (dropping >= excess) return stamp + 1;
    }
    return flushes - 1;
  }

  /**
   * Whether a key of `row` (which may drop keys) may leave memory: saved, merged into the
   * window's summary, and last changed or read back in a flush before `recentFrom`.
   */
  function isDroppable(row: StateRow, stateKey: string, entry: Entry, recentFrom: number): boolean {
    return entry.stamp < recentFrom && !row.changed.has(stateKey) &&
      !row.changedSinceResult.has(stateKey);
  }

  /** Drops from memory the keys of `row` (which may drop keys) that {@linkcode isDroppable}. */
  function dropKeys(row: StateRow, recentFrom: number): void {
    const droppable: string[] = [];
    for (const [stateKey, entry] of row.entries) {
      if (isDroppable(row, stateKey, entry, recentFrom)) droppable.push(stateKey);
    }
    if (droppable.length === 0) return;
    // A filter's first stage sized for what drops now: an idle row drops all its keys at once.
    const dropped = row.dropped ??= keyFilter(droppable.length);
    for (const stateKey of droppable) {
      row.entries.delete(stateKey);
      dropped.add(stateKey);
    }
    counters.droppedKeys += droppable.length;
  }

  function keptKeyCount(): number {
    let keptKeys = 0;
    for (const row of rows.values()) keptKeys += row.entries.size;
    return keptKeys;
  }

  /** Total and per-partition lag. */
  function lagFigures(): { lag: number; partitionLag: Record<string, number> } {
    const partitionLag = partitionLagByName();
    let lag = 0;
    for (const value of Object.values(partitionLag)) lag += value;
    return { lag, partitionLag };
  }

  /** Lag by `<stream>/<partition>` (the processor's own keys use NUL as separator). */
  function partitionLagByName(): Record<string, number> {
    const byName: Record<string, number> = {};
    for (const [key, lag] of lagByPartition) byName[key.replace("\u0000", "/")] = lag;
    for (const [key, end] of endOffsets) {
      const from = committed.get(key) ?? firstOffsets.get(key) ?? end;
      byName[key.replace("\u0000", "/")] = Math.max(0, end - from);
    }
    return byName;
  }

  return {
    onBatch,
    onReassigned,
    onFailure,
    flush,
    fatal,
    stats: () => ({
      ...counters,
      stateRows: rows.size,
      keptKeys: keptKeyCount(),
      reloadedKeys: counters.reloadedKeys + kept.readBack,
      ...lagFigures(),
      waiting: [...waitingByPartition.values()].reduce((total, count) => total + count, 0),
      ...(failingFlush === undefined ? {} : { failingFlush: { ...failingFlush } }),
      flushTimes: {
        count: flushCount,
        p50Ms: percentile(flushDurations, 0.5),
        p99Ms: percentile(flushDurations, 0.99),
      },
      lastSourceFailure,
      failingSinks: publisher.health(),
      lastFlush,
    }),
  };
}

/** How many recent flush durations the percentiles cover. */
const RECENT_FLUSHES = 4096;

/** The `q` quantile (nearest rank) of `values`; 0 when empty. */
function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function windowId(bound: BoundAggregation, windowKey: string): string {
  return `${bound.name}\u0000${windowKey}`;
}
