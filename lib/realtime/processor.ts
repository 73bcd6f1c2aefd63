/**
 * The real-time processor of one source: parses each batch, writes valid records to `log`,
 * dead-letters the rest, applies records to the state of their input partition, and on every
 * flush checkpoints the partitions that changed, publishes the changed windows' results and
 * acknowledges the input positions they cover.
 *
 * State is per input partition (`partition_state.ts`), checkpointed as a changelog
 * (`checkpoint.ts`): exactly once needs one applied offset per partition, written with the
 * state it covers. A record at or below it is a re-delivery; `log` rows are keyed by the
 * record's stable id. Lateness is judged against the partition's event-time watermark.
 *
 * Invariants (unit tests in `processor_test.ts`, with the fakes of `_fakes.ts`):
 * - **Take before apply.** The first batch of a partition in a generation takes it
 *   (`Checkpoints.take`: claim a higher epoch, then keep or restore its state) under the flush
 *   mutex, so no flush writes the partition half-way through a take.
 * - **Generations.** Every reassignment starts a new generation; a batch re-checks it after
 *   every await, and once it changed the batch stops without touching anything (its records
 *   are re-delivered from the committed offset, and those already applied are recognised).
 * - **Apply together.** A batch applies its records and records its position in one
 *   synchronous step after its log rows and dead letters are durable, so a checkpoint holds
 *   either both or neither.
 * - **Commit only what a checkpoint covers.** A flush takes the positions and the entries in
 *   one synchronous step, commits the positions only after the entries are written, only for
 *   partitions confirmed in this generation and not fenced, and only when no reassignment
 *   happened in between.
 * - **Results before commits.** Results are written after the entries and before the commit,
 *   so a crash in between re-delivers records of every window whose latest result may be
 *   missing. A failing sink does not hold back the commit: it is retried with back-off
 *   (`sink_retry.ts`), and a window it is owed stays in memory until it is written.
 * - **Windows leave memory** once the lowest watermark of every partition held (owned or
 *   followed) passes their close, and their latest result is written.
 *
 * @module
 */
import type {
  Aggregation,
  RecordTransform,
  Sink,
  SourceBatch,
  SourcePosition,
  SourceRunner,
  WindowResult,
} from "../contracts.ts";
import type { LogWriter } from "../log_store.ts";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import type { ChangelogStore } from "./changelog_store.ts";
import { checkpoints, partitionId } from "./checkpoint.ts";
import { evictClosed, keyCount, pendingKeyCount, windowId } from "./partition_state.ts";
import { forgetUnused, type PartOfWindow, resultCache, windowResult } from "./window_result.ts";
import { applyRecords } from "./apply_records.ts";
import { keyedFormOf } from "./keyed_form.ts";
import type { SinkHealth } from "./sink_retry.ts";
import { resultPublisher } from "./publish.ts";
import { type FailureLimits, failurePolicy } from "./failure_policy.ts";
import { fingerprint, type MarkStore, recreatedTopicProblem } from "./stream_marks.ts";
import { createMutex } from "../concurrency.ts";
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
  /** Where partition changelogs are kept. */
  changelog: ChangelogStore;
  /** Operator-facing log line. */
  log: (line: string) => void;
  /** When a source crash counts as persistent (default: 10 in a row or 5 minutes). */
  sourceFailureLimits?: FailureLimits;
  /**
   * The pipeline's transforms, chained, applied to each parsed record before it is written to
   * `log` (see `parse_batch.ts`); none: records as parsed.
   */
  transform?: RecordTransform;
  /** Clock, ms since epoch (default `Date.now`); tests inject their own. */
  now?: () => number;
  /**
   * How long after its end a window takes records, in ms (`runtime.allowed_lateness`; default:
   * forever), judged against the partition's event-time watermark, so a replay reaches the
   * same verdict.
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
  /**
   * Records a transform dropped (a `filter`): read and acknowledged, but neither written to
   * `log` nor counted by any aggregation, nor dead-lettered.
   */
  filtered: number;
  /** Re-delivered records recognised and not counted again. */
  duplicates: number;
  /** Records logged but too late for real time in at least one aggregation (left to batch). */
  tooLate: number;
  /** Windows of input partitions held in memory. */
  stateRows: number;
  /** State keys held in memory, over every window of every partition owned or followed. */
  stateKeys: number;
  /** Input partitions whose state this process owns. */
  ownedPartitions: number;
  /** Input partitions of other owners whose changelogs this process follows. */
  followedPartitions: number;
  /** Changelog entries written so far (one per changed partition per flush). */
  changelogEntries: number;
  /** Of those, snapshots (the whole state of a partition). */
  snapshots: number;
  /** Encoded changelog bytes written so far. */
  changelogBytes: number;
  /** Changelog bytes read so far, to take partitions or follow other owners. */
  changelogBytesRead: number;
  /** Partitions found taken by another owner when writing their entries. */
  fencedPartitions: number;
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
  /** Largest changelog entry written so far, in bytes (before cutting into chunks). */
  largestWriteBytes: number;
  /** Durations of the recent flushes that wrote something (up to the last 4,096). */
  flushTimes: { count: number; p50Ms: number; p99Ms: number };
  /** Last flush, if any: results published, changelog entries written, duration. */
  lastFlush?: { at: number; windows: number; states: number; ms: number };
}

/** A running processor. */
export interface Processor {
  /** Handles one batch from the source. */
  onBatch(batch: SourceBatch): Promise<void>;
  /** Starts a new generation after partitions moved: each partition is taken again. */
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
  /** Changelog entries written. */
  states: number;
  /** Window results published (to at least one sink). */
  windows: number;
  /** Input positions acknowledged. */
  positions: number;
}

/** A window whose result is due: its aggregation and key. */
interface DueWindow {
  bound: BoundAggregation;
  windowKey: string;
}

/**
 * Most state keys changed since the last flush before a new batch waits for the next flush,
 * so a flush's entries stay a few seconds of work and memory holds at most that much
 * unflushed change.
 */
export const MAX_PENDING_KEYS = 200_000; // runtime.max_pending_keys' default too (lib/config/schema.ts)

/** Merged windows no result used for this long leave the result cache. */
const IDLE_RESULT_MS = 120_000;

/** Creates the processor of one source. */
export function createProcessor(options: ProcessorOptions): Processor {
  const { source, aggregations, cutter, logWriter, log } = options;
  const now = options.now ?? Date.now;
  const held = checkpoints(options.changelog);
  const kept = resultCache();
  const dueWindows = new Map<string, DueWindow>();
  const boundByName = new Map(aggregations.map((bound) => [bound.name, bound]));
  const applied = aggregations.map((bound) => ({
    name: bound.name,
    keyed: keyedFormOf(bound.aggregation),
    window: bound.window,
  }));
  /** Streams seen: their other partitions are followed. */
  const streams = new Set<string>();
  /** Partitions taken in this generation. */
  const confirmed = new Set<string>();
  const durable = new Map<string, SourcePosition>();
  const durableFingerprints = new Map<string, string>();
  const committed = new Map<string, number>();
  const lagByPartition = new Map<string, number>();
  const waitingByPartition = new Map<string, number>();
  const endOffsets = new Map<string, number>();
  const firstOffsets = new Map<string, number>();
  const mutex = createMutex();
  const sourceFailures = failurePolicy({ now, ...options.sourceFailureLimits });
  const publisher = resultPublisher<DueWindow>({
    sinks: aggregations.flatMap((bound) => bound.sinks),
    now,
    log,
    compute: (due) => Promise.resolve(computeResult(due)),
  });
  const allowedLatenessMs = options.allowedLatenessMs ?? Infinity;
  const maxPendingKeys = options.maxPendingKeys ?? MAX_PENDING_KEYS;
  let stopFatally!: (error: Error) => void;
  const fatal = new Promise<never>((_, reject) => stopFatally = reject);
  fatal.catch(() => {});
  let fatalError: Error | undefined;
  let generation = 0;
  const counters = {
    read: 0,
    accepted: 0,
    rejected: 0,
    filtered: 0,
    duplicates: 0,
    tooLate: 0,
    reassignments: 0,
    abandonedBatches: 0,
    backpressureWaits: 0,
    changelogEntries: 0,
    snapshots: 0,
    changelogBytes: 0,
    changelogBytesRead: 0,
    fencedPartitions: 0,
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
    const id = partitionId(batch.stream, batch.partition);
    streams.add(batch.stream);
    if (batch.endOffset !== undefined) {
      // Noted before anything can block, so lag grows while Cassandra does not answer.
      endOffsets.set(id, batch.endOffset);
      if (!firstOffsets.has(id)) firstOffsets.set(id, batch.messages[0]!.offset);
    }
    if (!confirmed.has(id)) {
      await checkMark(batch);
      if (generation !== startedIn) return abandon();
      try {
        await mutex.run(async () => {
          const taken = await held.take(batch.stream, batch.partition);
          counters.changelogBytesRead += taken.restoredBytes;
        });
      } catch (error) {
        throw new Error(
          `Cassandra: taking partition ${id} (its state and epoch) failed: ${errorText(error)}`,
          { cause: error },
        );
      }
      if (generation !== startedIn) return abandon();
      confirmed.add(id);
    }
    const { accepted, rejections, filtered } = parseBatch(batch, now(), options.transform);
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
    const owned = held.owned.get(id);
    if (owned === undefined) {
      // Fenced by a flush meanwhile: another owner has it now.
      confirmed.delete(id);
      return abandon();
    }

    // From here to the end: synchronous, so a flush sees all of it or none.
    const result = applyRecords(owned.state, accepted, applied, cutter, allowedLatenessMs);
    for (const window of result.changed) {
      dueWindows.set(windowId(window.aggregation, window.windowKey), {
        bound: boundByName.get(window.aggregation)!,
        windowKey: window.windowKey,
      });
    }
    const last = batch.messages[batch.messages.length - 1]!;
    durableFingerprints.set(id, fingerprint(last.value));
    durable.set(id, {
      stream: batch.stream,
      partition: batch.partition,
      nextOffset: last.offset + 1,
    });
    counters.read += batch.messages.length;
    counters.duplicates += result.duplicates;
    counters.tooLate += result.tooLate;
    counters.accepted += accepted.length;
    counters.rejected += rejections.length;
    counters.filtered += filtered;
    if (batch.lag !== undefined) {
      waitingByPartition.set(id, batch.lag);
      if (batch.endOffset === undefined) lagByPartition.set(id, batch.lag);
    }
    sourceFailures.succeeded();
  }

  /** Stops for good when the partition's first batch shows a recreated topic. */
  async function checkMark(batch: SourceBatch): Promise<void> {
    if (options.marks === undefined) return;
    const mark = await options.marks.load(batch.stream, batch.partition);
    const problem = recreatedTopicProblem(batch, mark);
    if (problem === undefined) return;
    fatalError = new Error(
      `${problem}. Nothing of it was counted. To start over, use a new keyspace ` +
        `(cassandra.keyspace), or remove the real-time state of the old topic ` +
        `(TRUNCATE stream_marks, state_checkpoints and state_changelog in the keyspace), then ` +
        `run again; \`deno task batch\` recomputes results from the log table.`,
    );
    stopFatally(fatalError);
    throw fatalError;
  }

  function abandon(): void {
    counters.abandonedBatches++;
  }

  function onReassigned(): void {
    // Every partition is taken again at its next batch: one kept here keeps its state, one
    // another owner wrote meanwhile is restored from its changelog.
    generation++;
    counters.reassignments++;
    confirmed.clear();
    durable.clear();
    durableFingerprints.clear();
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
      log(`source crashed (${verdict.failures} in a row), restarting: ${cause}`);
    } else {
      log(
        `source crashed ${verdict.failures} times in a row over ${
          Math.round(verdict.failingMs / 1000)
        } s; giving up: ${cause}`,
      );
    }
    return verdict.retry;
  }

  /** Keys changed since the last flush, over every owned partition. */
  function pendingKeys(): number {
    let pending = 0;
    for (const owned of held.owned.values()) pending += pendingKeyCount(owned.state);
    return pending;
  }

  /** Batches waiting for a flush to make room. */
  let flushEnded: { promise: Promise<void>; resolve: () => void } | undefined;
  /**
   * Backpressure: waits while more than `maxPendingKeys` keys wait for a flush. Every flush's
   * end (success or failure) wakes the waiters to look again.
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
      const summary = await mutex.run(flushOnce);
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

  async function flushOnce(): Promise<FlushSummary> {
    const started = now();
    const flushedIn = generation;
    // One synchronous step: the positions, the due windows and (in `write`) the entries.
    const positions = [...durable].filter(([id, position]) =>
      confirmed.has(id) && committed.get(id) !== position.nextOffset
    ).map(([id, position]) => [id, position, durableFingerprints.get(id)!] as const);
    const windows = new Map(dueWindows);
    dueWindows.clear();
    let written;
    try {
      written = await held.write();
      counters.changelogEntries += written.entries;
      counters.snapshots += written.snapshots;
      counters.changelogBytes += written.bytes;
      counters.largestWriteBytes = Math.max(counters.largestWriteBytes, written.largestEntryBytes);
      counters.fencedPartitions += written.fenced.length;
      for (const id of written.fenced) {
        confirmed.delete(id);
        log(`partition ${id} was taken by another runner; its state here is dropped`);
      }
      counters.changelogBytesRead += await held.follow(streams);
    } catch (error) {
      for (const [id, window] of windows) if (!dueWindows.has(id)) dueWindows.set(id, window);
      throw new Error(`Cassandra: checkpointing state failed: ${errorText(error)}`, {
        cause: error,
      });
    }
    const publishing = await publisher.publish(
      [...windows].map(([id, window]) => ({
        id,
        window,
        sinks: window.bound.sinks.map((sink) => sink.name),
      })),
    );
    const { written: published, results } = publishing;
    let acknowledged = 0;
    let commitMs: number | undefined;
    const committable = positions.filter(([id]) => confirmed.has(id) && held.owned.has(id));
    if (generation === flushedIn && committable.length > 0) {
      try {
        const committing = now();
        await source.commit(committable.map(([, position]) => position));
        commitMs = now() - committing;
        if (generation === flushedIn) {
          for (const [id, position] of committable) committed.set(id, position.nextOffset);
        }
        acknowledged = committable.length;
        await saveMarks(committable);
      } catch (error) {
        // Harmless for correctness: the positions are re-delivered and recognised as
        // duplicates. Counted, and logged, because replay grows while commits fail.
        counters.commitFailures++;
        log(`could not acknowledge input positions (will be re-delivered): ${errorText(error)}`);
      }
    }
    evictClosedWindows();
    forgetUnused(kept, started - IDLE_RESULT_MS);
    if (written.entries > 0 || published > 0) {
      lastFlush = { at: now(), windows: published, states: written.entries, ms: now() - started };
      flushDurations[flushCount++ % RECENT_FLUSHES] = lastFlush.ms;
    }
    if (written.entries > 0 || published > 0 || commitMs !== undefined) {
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
    return { states: written.entries, windows: published, positions: acknowledged };
  }

  /** Every partition's state of a window, owned or followed. */
  function partsOf(aggregation: string, windowKey: string): PartOfWindow[] {
    const id = windowId(aggregation, windowKey);
    const parts: PartOfWindow[] = [];
    for (const [partId, owned] of held.owned) {
      const window = owned.state.windows.get(id);
      if (window !== undefined) parts.push({ id: partId, window });
    }
    for (const [partId, followed] of held.followed) {
      const window = followed.state.windows.get(id);
      if (window !== undefined) parts.push({ id: partId, window });
    }
    return parts;
  }

  /** The window's result, or undefined when no partition holds it any more. */
  function computeResult({ bound, windowKey }: DueWindow): WindowResult | undefined {
    return windowResult(
      cutter,
      bound.name,
      bound.aggregation,
      bound.window,
      windowKey,
      partsOf(bound.name, windowKey),
      kept,
      now(),
    );
  }

  /**
   * Removes windows closed by the lowest watermark of every partition held, unless a result of
   * them is still due or owed to a failing sink.
   */
  function evictClosedWindows(): void {
    let watermark = Infinity;
    for (const owned of held.owned.values()) {
      watermark = Math.min(watermark, owned.state.watermark);
    }
    for (const followed of held.followed.values()) {
      watermark = Math.min(watermark, followed.state.watermark);
    }
    if (!Number.isFinite(watermark)) return;
    const keep = (id: string) => dueWindows.has(id) || publisher.owes(id);
    for (const owned of held.owned.values()) evictClosed(owned.state, watermark, keep);
    for (const followed of held.followed.values()) {
      for (const [id, window] of followed.state.windows) {
        if (window.closesAt <= watermark && !keep(id)) followed.state.windows.delete(id);
      }
    }
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

  /** Lag by `<stream>/<partition>`: end offset minus committed offset. */
  function partitionLag(): Record<string, number> {
    const byName: Record<string, number> = {};
    for (const [id, lag] of lagByPartition) byName[id] = lag;
    for (const [id, end] of endOffsets) {
      const from = committed.get(id) ?? firstOffsets.get(id) ?? end;
      byName[id] = Math.max(0, end - from);
    }
    return byName;
  }

  function stats(): ProcessorStats {
    const lagOf = partitionLag();
    let stateRows = 0, stateKeys = 0;
    for (const { state } of [...held.owned.values(), ...held.followed.values()]) {
      stateRows += state.windows.size;
      stateKeys += keyCount(state);
    }
    return {
      ...counters,
      stateRows,
      stateKeys,
      ownedPartitions: held.owned.size,
      followedPartitions: held.followed.size,
      lag: Object.values(lagOf).reduce((total, lag) => total + lag, 0),
      partitionLag: lagOf,
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
    };
  }

  return { onBatch, onReassigned, onFailure, flush, fatal, stats };
}

/** How many recent flush durations the percentiles cover. */
const RECENT_FLUSHES = 4096;

/** The `q` quantile (nearest rank) of `values`; 0 when empty. */
function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
