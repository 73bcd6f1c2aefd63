/**
 * The real-time processor of one source: parses each batch, writes valid records to `log`,
 * dead-letters the rest, folds records into per-partition window state, and on every flush
 * persists that state, publishes the changed windows' results and only then acknowledges the
 * input positions.
 *
 * Exactly once: a state row covers every record of its input partition up to its
 * `appliedOffset`, so a re-delivered record (restart, rebalance, crash before commit) is
 * recognised and skipped, and `log` rows are keyed by the record's stable id.
 *
 * @module
 */
import type {
  Aggregation,
  Rejection,
  Sink,
  SourceBatch,
  SourcePosition,
  SourceRunner,
  WindowResult,
} from "../contracts.ts";
import type { SourcedRecord } from "../records.ts";
import type { LogWriter } from "../log_store.ts";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import type { StateKey, StateStore, StoredState } from "./state_store.ts";
import { stateKeyString } from "./state_store.ts";
import { realtimeResult } from "./window_result.ts";
import { createMutex } from "../concurrency.ts";
import { parseLogMessage } from "../parse/mod.ts";
import { errorText } from "../errors.ts";

/** An aggregation as the processor runs it: its name, code and started sinks. */
export interface BoundAggregation {
  /** Aggregation name from pipeline.yaml. */
  name: string;
  /** The aggregation's functions. */
  aggregation: Aggregation;
  /** Its `window:` size. */
  window: WindowSpec;
  /** Started sinks it writes to. */
  sinks: Sink[];
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
  /**
   * Told after each flush that wrote state or results or acknowledged input: what it published
   * and how long it took.
   */
  onFlushed?: (flushed: FlushedResults) => void;
}

/** What a flush published, for live views and metrics. */
export interface FlushedResults {
  /** Window results written to every sink. */
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
  /** Messages waiting in the source (sum over partitions of the latest known lag). */
  lag: number;
  /** Latest known lag by `<stream>/<partition>`, of the partitions this process owns. */
  partitionLag: Record<string, number>;
  /** Partial-state rows held in memory. */
  stateRows: number;
  /** Last flush, if any. */
  lastFlush?: { at: number; windows: number; states: number; ms: number };
}

/** A running processor. */
export interface Processor {
  /** Handles one batch from the source. */
  onBatch(batch: SourceBatch): Promise<void>;
  /** Forgets in-memory state after partitions moved; it reloads on demand. */
  onReassigned(): void;
  /** Persists state, publishes changed results, acknowledges input. Serialized. */
  flush(): Promise<FlushSummary>;
  /** Live counters. */
  stats(): ProcessorStats;
}

/** What one flush did. */
export interface FlushSummary {
  /** State rows written. */
  states: number;
  /** Window results published. */
  windows: number;
  /** Input positions acknowledged. */
  positions: number;
}

interface StateRow {
  key: StateKey;
  bound: BoundAggregation;
  state: unknown;
  records: number;
  appliedOffset: number;
  dirty: boolean;
  touchedAt: number;
}

/** The state row one distinct window of a batch maps to. */
interface Slot {
  key: StateKey;
  keyString: string;
  bound: BoundAggregation;
  row?: StateRow;
}

interface DirtyWindow {
  bound: BoundAggregation;
  windowKey: string;
}

/** Rows untouched for this long and already flushed are dropped from memory. */
const IDLE_ROW_MS = 120_000;

/** Creates the processor of one source. */
export function createProcessor(options: ProcessorOptions): Processor {
  const { source, aggregations, cutter, logWriter, states, log } = options;
  const rows = new Map<string, StateRow>();
  const dirtyWindows = new Map<string, DirtyWindow>();
  const durable = new Map<string, SourcePosition>();
  const committed = new Map<string, number>();
  const lagByPartition = new Map<string, number>();
  const mutex = createMutex();
  const counters: ProcessorStats = {
    read: 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    lag: 0,
    partitionLag: {},
    stateRows: 0,
  };

  async function onBatch(batch: SourceBatch): Promise<void> {
    if (batch.messages.length === 0) return;
    const accepted: SourcedRecord[] = [];
    const rejections: Rejection[] = [];
    for (const message of batch.messages) {
      if (message.value === null) {
        rejections.push({ message, reason: "empty message (null value)" });
        continue;
      }
      const parsed = parseLogMessage(message.value, undefined, message.fallbackTime);
      if (parsed.ok) {
        accepted.push({
          id: `${batch.stream}/${batch.partition}/${message.offset}`,
          stream: batch.stream,
          partition: batch.partition,
          offset: message.offset,
          record: parsed.record,
        });
      } else {
        rejections.push({ message, reason: parsed.reason });
      }
    }

    // The state row of each record and aggregation, found once per distinct window of the batch.
    const now = Date.now();
    const slotsByAggregation = aggregations.map(() => new Map<string, Slot>());
    const recordSlots: Slot[] = new Array(accepted.length * aggregations.length);
    const missing: Slot[] = [];
    for (let i = 0; i < accepted.length; i++) {
      const record = accepted[i]!.record;
      for (let a = 0; a < aggregations.length; a++) {
        const bound = aggregations[a]!;
        const windowKey = cutter.windowOf(record.timestamp, bound.window).key;
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
          slot = { key, keyString, bound, row: rows.get(keyString) };
          slots.set(windowKey, slot);
          // Touching it keeps a concurrent flush from evicting it while other rows load.
          if (slot.row !== undefined) slot.row.touchedAt = now;
          else missing.push(slot);
        }
        recordSlots[i * aggregations.length + a] = slot;
      }
    }
    if (missing.length > 0) {
      const loaded = await states.load(missing.map((slot) => slot.key));
      for (const slot of missing) {
        slot.row = rowFrom(slot.key, slot.bound, loaded.get(slot.keyString));
        rows.set(slot.keyString, slot.row);
      }
    }

    for (let i = 0; i < accepted.length; i++) {
      const { record, offset } = accepted[i]!;
      let duplicate = false;
      for (let a = 0; a < aggregations.length; a++) {
        const row = recordSlots[i * aggregations.length + a]!.row!;
        if (offset > row.appliedOffset) {
          row.state = row.bound.aggregation.add(row.state, record);
          row.records++;
          row.appliedOffset = offset;
        } else {
          duplicate = true;
        }
      }
      if (duplicate) counters.duplicates++;
    }
    for (const slots of slotsByAggregation) {
      for (const slot of slots.values()) {
        slot.row!.dirty = true;
        slot.row!.touchedAt = now;
        dirtyWindows.set(`${slot.bound.name}\u0000${slot.key.windowKey}`, {
          bound: slot.bound,
          windowKey: slot.key.windowKey,
        });
      }
    }

    await Promise.all([
      logWriter.write(accepted),
      rejections.length > 0 ? source.reject(batch, rejections) : undefined,
    ]);
    const last = batch.messages[batch.messages.length - 1]!;
    const partitionKey = `${batch.stream}\u0000${batch.partition}`;
    durable.set(partitionKey, {
      stream: batch.stream,
      partition: batch.partition,
      nextOffset: last.offset + 1,
    });
    counters.read += batch.messages.length;
    counters.accepted += accepted.length;
    counters.rejected += rejections.length;
    if (batch.lag !== undefined) {
      lagByPartition.set(partitionKey, batch.lag);
      let lag = 0;
      for (const value of lagByPartition.values()) lag += value;
      counters.lag = lag;
    }
  }

  function rowFrom(key: StateKey, bound: BoundAggregation, stored?: StoredState): StateRow {
    return {
      key,
      bound,
      state: stored === undefined ? bound.aggregation.start() : JSON.parse(stored.state),
      records: stored?.records ?? 0,
      appliedOffset: stored?.appliedOffset ?? -1,
      dirty: false,
      touchedAt: Date.now(),
    };
  }

  function onReassigned(): void {
    // Uncommitted work of partitions we keep is re-delivered from the committed offsets, and
    // partitions we lost belong to another process now: reload everything on demand.
    rows.clear();
    dirtyWindows.clear();
    durable.clear();
    committed.clear();
    lagByPartition.clear();
  }

  function flush(): Promise<FlushSummary> {
    return mutex.run(async () => {
      const started = Date.now();
      const dirtyRows = [...rows.values()].filter((row) => row.dirty);
      const snapshot = dirtyRows.map((row) => ({
        key: row.key,
        value: {
          state: JSON.stringify(row.state),
          records: row.records,
          appliedOffset: row.appliedOffset,
        },
      }));
      for (const row of dirtyRows) row.dirty = false;
      const windows = [...dirtyWindows.values()];
      dirtyWindows.clear();
      const positions = [...durable.entries()].filter(([key, position]) =>
        committed.get(key) !== position.nextOffset
      );
      let results: WindowResult[];
      try {
        await states.save(snapshot);
        results = await Promise.all(windows.map(computeResult));
        await writeToSinks(results);
      } catch (error) {
        for (const row of dirtyRows) row.dirty = true;
        for (const window of windows) {
          dirtyWindows.set(`${window.bound.name}\u0000${window.windowKey}`, window);
        }
        throw error;
      }
      let commitMs: number | undefined;
      if (positions.length > 0) {
        const committing = Date.now();
        try {
          await source.commit(positions.map(([, position]) => position));
          for (const [key, position] of positions) committed.set(key, position.nextOffset);
          commitMs = Date.now() - committing;
        } catch (error) {
          // Harmless: the positions are re-delivered and recognised as duplicates.
          log(`could not acknowledge input positions (will be re-delivered): ${errorText(error)}`);
        }
      }
      evictIdleRows(started);
      if (snapshot.length > 0 || windows.length > 0) {
        counters.lastFlush = {
          at: Date.now(),
          windows: windows.length,
          states: snapshot.length,
          ms: Date.now() - started,
        };
      }
      if (snapshot.length > 0 || windows.length > 0 || commitMs !== undefined) {
        // The flush is done and acknowledged: a failing observer must not make it look failed.
        try {
          options.onFlushed?.({
            results,
            ms: Date.now() - started,
            ...(commitMs === undefined ? {} : { commitMs }),
          });
        } catch (error) {
          log(`flush observer failed: ${errorText(error)}`);
        }
      }
      return { states: snapshot.length, windows: windows.length, positions: positions.length };
    });
  }

  async function computeResult({ bound, windowKey }: DirtyWindow): Promise<WindowResult> {
    const result = await realtimeResult(
      states,
      cutter,
      bound.name,
      bound.aggregation,
      bound.window,
      windowKey,
      (stream, partition) => {
        const row = rows.get(
          stateKeyString({ aggregation: bound.name, windowKey, stream, partition }),
        );
        return row === undefined || row.dirty
          ? undefined
          : { state: row.state, appliedOffset: row.appliedOffset };
      },
    );
    if (result === undefined) throw new Error(`state of ${bound.name} ${windowKey} vanished`);
    return result;
  }

  async function writeToSinks(results: WindowResult[]): Promise<void> {
    const bySink = new Map<Sink, WindowResult[]>();
    for (const result of results) {
      const bound = aggregations.find((candidate) => candidate.name === result.aggregation)!;
      for (const sink of bound.sinks) {
        let list = bySink.get(sink);
        if (list === undefined) bySink.set(sink, list = []);
        list.push(result);
      }
    }
    await Promise.all([...bySink].map(([sink, list]) => sink.write(list)));
  }

  function evictIdleRows(now: number): void {
    for (const [keyString, row] of rows) {
      if (!row.dirty && now - row.touchedAt > IDLE_ROW_MS) rows.delete(keyString);
    }
  }

  function stats(): ProcessorStats {
    const partitionLag: Record<string, number> = {};
    for (const [key, lag] of lagByPartition) partitionLag[key.replace("\u0000", "/")] = lag;
    return { ...counters, partitionLag, stateRows: rows.size };
  }

  return { onBatch, onReassigned, flush, stats };
}
