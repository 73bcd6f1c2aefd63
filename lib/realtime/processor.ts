/**
 * The real-time processor of one source: parses each batch, writes valid records to `log`,
 * dead-letters the rest, folds records into per-partition window state, and on every flush
 * persists that state, acknowledges the input positions it covers and publishes the changed
 * windows' results.
 *
 * Exactly once: a state row covers every record of its input partition up to its
 * `appliedOffset`, so a re-delivered record (restart, rebalance, crash before commit) is
 * recognised and skipped, and `log` rows are keyed by the record's stable id.
 *
 * Invariants (each has a unit test in `processor_test.ts`):
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
 * - **Sinks never hold back commits.** Results are written after state is saved; a failing
 *   sink's windows are retried with back-off (see `sink_retry.ts`) while positions still commit.
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
import type { StateKey, StateStore, StoredState } from "./state_store.ts";
import { stateKeyString } from "./state_store.ts";
import { realtimeResult } from "./window_result.ts";
import { type SinkHealth, sinkRetries } from "./sink_retry.ts";
import { type FailureLimits, failurePolicy } from "./failure_policy.ts";
import { createMutex } from "../concurrency.ts";
import { parseLogMessage } from "../parse/mod.ts";
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
  /** Partition reassignments seen (each starts a new generation). */
  reassignments: number;
  /** Batches dropped because their partitions were reassigned while they ran. */
  abandonedBatches: number;
  /** Source crashes, each followed by a restart unless it was the last. */
  sourceRestarts: number;
  /** The last source crash, one line, if any. */
  lastSourceFailure?: string;
  /** Commits of input positions that failed (their records are re-delivered). */
  commitFailures: number;
  /** Sinks currently failing, with their pending windows. */
  failingSinks: SinkHealth[];
  /** Last flush, if any. */
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
  /** Persists state, acknowledges input, publishes changed results. Serialized. */
  flush(): Promise<FlushSummary>;
  /** Live counters. */
  stats(): ProcessorStats;
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
  const now = options.now ?? Date.now;
  const rows = new Map<string, StateRow>();
  const dirtyWindows = new Map<string, DirtyWindow>();
  const durable = new Map<string, SourcePosition>();
  const committed = new Map<string, number>();
  const lagByPartition = new Map<string, number>();
  const mutex = createMutex();
  const retries = sinkRetries<DirtyWindow>({ now });
  const sourceFailures = failurePolicy({ now, ...options.sourceFailureLimits });
  const sinksByName = new Map<string, Sink>();
  for (const bound of aggregations) {
    for (const { name, sink } of bound.sinks) sinksByName.set(name, sink);
  }
  let generation = 0;
  const counters = {
    read: 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    lag: 0,
    reassignments: 0,
    abandonedBatches: 0,
    sourceRestarts: 0,
    commitFailures: 0,
  };
  let lastSourceFailure: string | undefined;
  let lastFlush: ProcessorStats["lastFlush"];

  async function onBatch(batch: SourceBatch): Promise<void> {
    if (batch.messages.length === 0) return;
    const startedIn = generation;
    const { accepted, rejections } = parseBatch(batch);

    // The state row of each record and aggregation, found once per distinct window of the batch.
    const slotsByAggregation = aggregations.map(() => new Map<string, Slot>());
    const recordSlots: Slot[] = new Array(accepted.length * aggregations.length);
    const missing: Slot[] = [];
    for (let i = 0; i < accepted.length; i++) {
      const record = accepted[i]!.record;
      for (let a = 0; a < aggregations.length; a++) {
        const bound = aggregations[a]!;
        const windowKey = cutter.windowOf(record.timestamp, bound.aggregation.granularity).key;
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
          if (slot.row === undefined) missing.push(slot);
        }
        recordSlots[i * aggregations.length + a] = slot;
      }
    }
    if (missing.length > 0) {
      let loaded: Map<string, StoredState>;
      try {
        loaded = await states.load(missing.map((slot) => slot.key));
      } catch (error) {
        throw new Error(`Cassandra: reading aggregate state failed: ${errorText(error)}`, {
          cause: error,
        });
      }
      if (generation !== startedIn) return abandon();
      for (const slot of missing) {
        slot.row = rowFrom(slot.key, slot.bound, loaded.get(slot.keyString));
      }
    }

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
    if (generation !== startedIn) return abandon();

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
        dirtyWindows.set(windowId(slot.bound, slot.key.windowKey), {
          bound: slot.bound,
          windowKey: slot.key.windowKey,
        });
      }
    }
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
    sourceFailures.succeeded();
  }

  function abandon(): void {
    counters.abandonedBatches++;
  }

  /**
   * Splits a batch into valid records and rejections. A record's timestamp is judged against
   * the time its message was produced (when the source knows it), so a replay reaches the same
   * verdict as the first run.
   */
  function parseBatch(batch: SourceBatch): { accepted: SourcedRecord[]; rejections: Rejection[] } {
    const accepted: SourcedRecord[] = [];
    const rejections: Rejection[] = [];
    const processedAt = now();
    for (const message of batch.messages) {
      if (message.value === null) {
        rejections.push({ message, reason: "empty message (null value)" });
        continue;
      }
      const parsed = parseLogMessage(message.value, message.producedAt ?? processedAt);
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
    return { accepted, rejections };
  }

  function rowFrom(key: StateKey, bound: BoundAggregation, stored?: StoredState): StateRow {
    return {
      key,
      bound,
      state: stored === undefined ? bound.aggregation.start() : JSON.parse(stored.state),
      records: stored?.records ?? 0,
      appliedOffset: stored?.appliedOffset ?? -1,
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
    committed.clear();
    lagByPartition.clear();
  }

  function onFailure(error: unknown): boolean {
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

  function flush(): Promise<FlushSummary> {
    return mutex.run(async () => {
      const started = now();
      const flushedIn = generation;
      // One synchronous step: the rows and the positions they cover.
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
      const windows = new Map(dirtyWindows);
      dirtyWindows.clear();
      const positions = [...durable.entries()].filter(([key, position]) =>
        committed.get(key) !== position.nextOffset
      );
      try {
        await states.save(snapshot);
      } catch (error) {
        if (generation === flushedIn) {
          for (const row of dirtyRows) row.dirty = true;
          for (const [id, window] of windows) dirtyWindows.set(id, window);
        }
        throw new Error(`Cassandra: saving aggregate state failed: ${errorText(error)}`, {
          cause: error,
        });
      }
      if (generation !== flushedIn) {
        // Partitions moved while saving: the saved rows are correct (and only win where they
        // are more complete), but the positions and windows belong to the old assignment.
        return { states: snapshot.length, windows: 0, positions: 0 };
      }
      let acknowledged = 0;
      if (positions.length > 0) {
        try {
          await source.commit(positions.map(([, position]) => position));
          if (generation === flushedIn) {
            for (const [key, position] of positions) committed.set(key, position.nextOffset);
          }
          acknowledged = positions.length;
        } catch (error) {
          // Harmless for correctness: the positions are re-delivered and recognised as
          // duplicates. Counted, and logged, because replay grows while commits fail.
          counters.commitFailures++;
          log(`could not acknowledge input positions (will be re-delivered): ${errorText(error)}`);
        }
      }
      const published = await publish(windows);
      evictIdleRows(started);
      if (snapshot.length > 0 || published > 0) {
        lastFlush = {
          at: now(),
          windows: published,
          states: snapshot.length,
          ms: now() - started,
        };
      }
      return { states: snapshot.length, windows: published, positions: acknowledged };
    });
  }

  /**
   * Writes the latest result of every changed window to each of its sinks, and of every window
   * a failing sink still owes once its back-off is over. A failing sink keeps its windows.
   */
  async function publish(changed: Map<string, DirtyWindow>): Promise<number> {
    const changedBySink = new Map<string, Map<string, DirtyWindow>>();
    for (const name of sinksByName.keys()) changedBySink.set(name, new Map());
    for (const [id, window] of changed) {
      for (const { name } of window.bound.sinks) changedBySink.get(name)!.set(id, window);
    }
    const dueBySink = new Map<string, Map<string, DirtyWindow>>();
    const needed = new Map<string, DirtyWindow>();
    for (const [name, windows] of changedBySink) {
      const due = retries.due(name, windows);
      if (due.size === 0) continue;
      dueBySink.set(name, due);
      for (const [id, window] of due) needed.set(id, window);
    }
    const results = new Map<string, WindowResult>();
    const failedToCompute = new Map<string, string>();
    await Promise.all([...needed].map(async ([id, window]) => {
      try {
        results.set(id, await computeResult(window));
      } catch (error) {
        failedToCompute.set(id, errorText(error, { firstLine: true }));
      }
    }));
    const written = new Set<string>();
    await Promise.all([...dueBySink].map(async ([name, due]) => {
      const ready = [...due.keys()].filter((id) => results.has(id));
      const missed = [...due.keys()].find((id) => failedToCompute.has(id));
      try {
        await sinksByName.get(name)!.write(ready.map((id) => results.get(id)!));
      } catch (error) {
        const reason = errorText(error, { firstLine: true });
        if (retries.health().every((health) => health.sink !== name)) {
          log(`sink ${name} failed (its results are retried, input still commits): ${reason}`);
        }
        retries.failed(name, due, reason);
        return;
      }
      for (const id of ready) written.add(id);
      if (missed === undefined) {
        const recovered = retries.health().some((health) => health.sink === name);
        retries.succeeded(name, due);
        if (recovered && retries.health().every((health) => health.sink !== name)) {
          log(`sink ${name} recovered`);
        }
      } else {
        const owed = new Map([...due].filter(([id]) => !results.has(id)));
        retries.succeeded(name, new Map([...due].filter(([id]) => results.has(id))));
        retries.failed(name, owed, `computing results failed: ${failedToCompute.get(missed)}`);
      }
    }));
    return written.size;
  }

  async function computeResult({ bound, windowKey }: DirtyWindow): Promise<WindowResult> {
    const result = await realtimeResult(
      states,
      cutter,
      bound.name,
      bound.aggregation,
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

  function evictIdleRows(at: number): void {
    for (const [keyString, row] of rows) {
      if (!row.dirty && at - row.touchedAt > IDLE_ROW_MS) rows.delete(keyString);
    }
  }

  return {
    onBatch,
    onReassigned,
    onFailure,
    flush,
    stats: () => ({
      ...counters,
      lastSourceFailure,
      failingSinks: retries.health(),
      lastFlush,
    }),
  };
}

function windowId(bound: BoundAggregation, windowKey: string): string {
  return `${bound.name}\u0000${windowKey}`;
}
