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
  SourceRunner,
  WindowResult,
} from "../contracts.ts";
import type { LogWriter } from "../log_store.ts";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import { type ChangelogStore, CHUNK_BYTES } from "./changelog_store.ts";
import { changelogStream, type Checkpoints, checkpoints, partitionId } from "./checkpoint.ts";
import { type PartitionMark, pendingKeyCount, windowId } from "./partition_state.ts";
import { forgetUnused, type ResultCache, resultCache, windowResult } from "./window_result.ts";
import { type AppliedAggregation, applyRecords } from "./apply_records.ts";
import { type Commits, commits } from "./commit.ts";
import { keyedFormOf } from "./keyed_form.ts";
import type { SpillStore } from "./spill.ts";
import type { SinkHealth } from "./sink_retry.ts";
import { type ResultPublisher, resultPublisher } from "./publish.ts";
import { type FailureLimits, failurePolicy } from "./failure_policy.ts";
import { fingerprint, recreatedTopicProblem } from "./recreated_topic.ts";
import { createMutex, type Mutex } from "../concurrency.ts";
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
  /**
   * The source's name from pipeline.yaml: its partitions' changelogs are kept under
   * `<name>:<stream>`, so two sources whose streams share a name (two simulators) keep apart.
   * Absent: under the stream's name alone.
   */
  name?: string;
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
  /**
   * Most state keys changed since the last flush before a new batch waits for the next flush
   * (default {@linkcode MAX_PENDING_KEYS}).
   */
  maxPendingKeys?: number;
  /**
   * Where keys of open windows that stopped changing spill past its budget of keys in memory
   * (`spill.ts`; none: every key stays in memory). Its owner closes it after the last flush.
   */
  spill?: SpillStore;
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
  /** State keys held, over every window of every partition owned or followed. */
  stateKeys: number;
  /** Of those, the keys in memory (all of them unless `runtime.state_memory_keys` is set). */
  stateKeysInMemory: number;
  /** State keys written to the local spill file so far. */
  spilledKeys: number;
  /** Spilled state keys read back so far, because a record added to them. */
  loadedKeys: number;
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
  /**
   * Cassandra rows the changelog wrote so far: every chunk of every entry, and each moved
   * checkpoint row. With the records logged, what the real-time loop costs Cassandra.
   */
  changelogRows: number;
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
  /** Largest single Cassandra write of state so far, in bytes: an entry, or its largest chunk. */
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

/** How many recent flush durations the percentiles cover. */
const RECENT_FLUSHES = 4096;

/** Counters of {@linkcode ProcessorStats} that only grow. */
type Counters = Pick<
  ProcessorStats,
  | "read"
  | "accepted"
  | "rejected"
  | "filtered"
  | "duplicates"
  | "tooLate"
  | "reassignments"
  | "abandonedBatches"
  | "backpressureWaits"
  | "changelogEntries"
  | "snapshots"
  | "changelogBytes"
  | "changelogRows"
  | "changelogBytesRead"
  | "fencedPartitions"
  | "sourceRestarts"
  | "flushFailures"
  | "largestWriteBytes"
>;

/** What a processor's jobs share. */
interface Context {
  options: ProcessorOptions;
  now: () => number;
  held: Checkpoints;
  acks: Commits;
  kept: ResultCache;
  publisher: ResultPublisher<DueWindow>;
  applied: AppliedAggregation[];
  boundByName: Map<string, BoundAggregation>;
  dueWindows: Map<string, DueWindow>;
  /** Streams seen: their other partitions are followed. */
  streams: Set<string>;
  /** Partitions taken in the current generation. */
  confirmed: Set<string>;
  mutex: Mutex;
  counters: Counters;
  generation: number;
  fatalError?: Error;
  stopFatally: (error: Error) => void;
  /** Batches waiting for a flush to make room. */
  flushEnded?: { promise: Promise<void>; resolve: () => void };
  failingFlush?: ProcessorStats["failingFlush"];
  lastSourceFailure?: string;
  lastFlush?: ProcessorStats["lastFlush"];
  flushDurations: number[];
  flushCount: number;
}

/** Creates the processor of one source. */
export function createProcessor(options: ProcessorOptions): Processor {
  const now = options.now ?? Date.now;
  let stopFatally!: (error: Error) => void;
  const fatal = new Promise<never>((_, reject) => stopFatally = reject);
  fatal.catch(() => {});
  let spillFailure: string | undefined;
  const context: Context = {
    options,
    now,
    held: checkpoints(options.changelog, options.spill, (error) => {
      const line = `spilling idle state keys to the local cache failed: ${errorText(error)}; ` +
        "they stay in memory (check the space and permissions of runtime.state_dir)";
      if (line !== spillFailure) options.log(spillFailure = line);
    }),
    acks: commits(options.source, now, options.log),
    kept: resultCache(),
    publisher: resultPublisher<DueWindow>({
      sinks: options.aggregations.flatMap((bound) => bound.sinks),
      now,
      log: options.log,
      compute: (due) => Promise.resolve(computeResult(context, due)),
    }),
    applied: options.aggregations.map((bound) => ({
      name: bound.name,
      keyed: keyedFormOf(bound.aggregation),
      window: bound.window,
    })),
    boundByName: new Map(options.aggregations.map((bound) => [bound.name, bound])),
    dueWindows: new Map(),
    streams: new Set(),
    confirmed: new Set(),
    mutex: createMutex(),
    counters: {
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
      changelogRows: 0,
      changelogBytesRead: 0,
      fencedPartitions: 0,
      sourceRestarts: 0,
      flushFailures: 0,
      largestWriteBytes: 0,
    },
    generation: 0,
    stopFatally,
    flushDurations: [],
    flushCount: 0,
  };
  const sourceFailures = failurePolicy({ now, ...options.sourceFailureLimits });
  return {
    onBatch: (batch) => onBatch(context, batch).then(() => sourceFailures.succeeded()),
    onReassigned() {
      // Every partition is taken again at its next batch: one kept here keeps its state, one
      // another owner wrote meanwhile is restored from its changelog.
      context.generation++;
      context.counters.reassignments++;
      context.confirmed.clear();
      context.acks.reset();
    },
    onFailure: (error) => onFailure(context, sourceFailures, error),
    flush: () => flush(context),
    fatal,
    stats: () => stats(context),
  };
}

/** Handles one batch: takes its partition if new to this generation, logs, applies. */
async function onBatch(context: Context, batch: SourceBatch): Promise<void> {
  if (batch.messages.length === 0) return;
  if (context.fatalError !== undefined) throw context.fatalError;
  await roomForMore(context);
  if (context.fatalError !== undefined) throw context.fatalError;
  const { options, held, counters } = context;
  const startedIn = context.generation;
  const abandoned = () => {
    if (context.generation === startedIn) return false;
    counters.abandonedBatches++;
    return true;
  };
  const stream = changelogStream(options.name, batch.stream);
  const id = partitionId(stream, batch.partition);
  context.streams.add(stream);
  // Noted before anything can block, so lag grows while Cassandra does not answer.
  context.acks.seen(id, batch);
  if (!context.confirmed.has(id)) {
    let taken;
    try {
      taken = await context.mutex.run(() => held.take(stream, batch.partition));
    } catch (error) {
      throw new Error(
        `Cassandra: taking partition ${id} (its state and epoch) failed: ${errorText(error)}`,
        { cause: error },
      );
    }
    counters.changelogBytesRead += taken.restoredBytes;
    if (abandoned()) return;
    checkMark(context, batch, taken.owned.state.mark);
    context.confirmed.add(id);
  }
  const { accepted, rejections, filtered } = parseBatch(
    batch,
    context.now(),
    options.transform,
  );
  try {
    await Promise.all([
      options.logWriter.write(accepted),
      rejections.length > 0 ? options.source.reject(batch, rejections) : undefined,
    ]);
  } catch (error) {
    throw new Error(`writing log rows or dead letters failed: ${errorText(error)}`, {
      cause: error,
    });
  }
  if (abandoned()) return;
  const owned = held.owned.get(id);
  if (owned === undefined) {
    // Fenced by a flush meanwhile: another owner has it now.
    context.confirmed.delete(id);
    counters.abandonedBatches++;
    return;
  }

  // From here to the end: synchronous, so a flush sees all of it or none.
  const result = applyRecords(
    owned.state,
    accepted,
    context.applied,
    options.cutter,
    options.allowedLatenessMs ?? Infinity,
  );
  for (const window of result.changed) {
    context.dueWindows.set(windowId(window.aggregation, window.windowKey), {
      bound: context.boundByName.get(window.aggregation)!,
      windowKey: window.windowKey,
    });
  }
  const last = batch.messages[batch.messages.length - 1]!;
  owned.state.mark = { offset: last.offset, fingerprint: fingerprint(last.value) };
  owned.state.dirty = true;
  context.acks.applied(id, batch);
  counters.read += batch.messages.length;
  counters.duplicates += result.duplicates;
  counters.tooLate += result.tooLate;
  counters.accepted += accepted.length;
  counters.rejected += rejections.length;
  counters.filtered += filtered;
}

/** Stops for good when a partition's first batch after a take shows a recreated topic. */
function checkMark(context: Context, batch: SourceBatch, mark: PartitionMark | undefined): void {
  const problem = recreatedTopicProblem(batch, mark);
  if (problem === undefined) return;
  context.fatalError = new Error(
    `${problem}. Nothing of it was counted. To start over, use a new keyspace ` +
      `(cassandra.keyspace), or remove the real-time state of the old topic ` +
      `(TRUNCATE state_checkpoints and state_changelog in the keyspace), then ` +
      `run again; \`deno task batch\` recomputes results from the log table.`,
  );
  context.stopFatally(context.fatalError);
  throw context.fatalError;
}

/** Logs and counts a source crash; answers whether the source should restart. */
function onFailure(
  context: Context,
  sourceFailures: ReturnType<typeof failurePolicy>,
  error: unknown,
): boolean {
  if (context.fatalError !== undefined) return false;
  const verdict = sourceFailures.failed();
  const cause = errorText(error, { firstLine: true });
  context.lastSourceFailure = cause;
  if (verdict.retry) {
    context.counters.sourceRestarts++;
    context.options.log(`source crashed (${verdict.failures} in a row), restarting: ${cause}`);
  } else {
    context.options.log(
      `source crashed ${verdict.failures} times in a row over ${
        Math.round(verdict.failingMs / 1000)
      } s; giving up: ${cause}`,
    );
  }
  return verdict.retry;
}

/** Keys changed since the last flush, over every owned partition. */
function pendingKeys(context: Context): number {
  let pending = 0;
  for (const owned of context.held.owned.values()) pending += pendingKeyCount(owned.state);
  return pending;
}

/**
 * Backpressure: waits while more than `maxPendingKeys` keys wait for a flush. Every flush's
 * end (success or failure) wakes the waiters to look again.
 */
async function roomForMore(context: Context): Promise<void> {
  const maxPendingKeys = context.options.maxPendingKeys ?? MAX_PENDING_KEYS;
  while (pendingKeys(context) > maxPendingKeys) {
    context.counters.backpressureWaits++;
    context.flushEnded ??= Promise.withResolvers<void>();
    await context.flushEnded.promise;
    if (context.fatalError !== undefined) return;
  }
}

/** Flushes, keeping count of failures for the status line and /metrics. */
async function flush(context: Context): Promise<FlushSummary> {
  try {
    const summary = await context.mutex.run(() => flushOnce(context));
    context.failingFlush = undefined;
    return summary;
  } catch (error) {
    context.counters.flushFailures++;
    const failing = context.failingFlush ??= { since: context.now(), failures: 0, lastError: "" };
    failing.failures++;
    failing.lastError = errorText(error, { firstLine: true });
    throw error;
  } finally {
    const waiting = context.flushEnded;
    context.flushEnded = undefined;
    waiting?.resolve();
  }
}

/** Checkpoints, follows, publishes the due windows' results, commits, evicts closed windows. */
async function flushOnce(context: Context): Promise<FlushSummary> {
  const { held, counters, options, now } = context;
  const started = now();
  const flushedIn = context.generation;
  // One synchronous step: the positions, the due windows and (in `write`) the entries.
  const positions = context.acks.due((id) => context.confirmed.has(id));
  const windows = new Map(context.dueWindows);
  context.dueWindows.clear();
  let written;
  try {
    written = await held.write();
    counters.changelogEntries += written.entries;
    counters.snapshots += written.snapshots;
    counters.changelogBytes += written.bytes;
    counters.changelogRows += written.rows;
    counters.largestWriteBytes = Math.max(
      counters.largestWriteBytes,
      Math.min(written.largestEntryBytes, CHUNK_BYTES),
    );
    counters.fencedPartitions += written.fenced.length;
    for (const id of written.fenced) {
      context.confirmed.delete(id);
      options.log(`partition ${id} was taken by another runner; its state here is dropped`);
    }
    counters.changelogBytesRead += await held.follow(context.streams);
  } catch (error) {
    for (const [id, window] of windows) {
      if (!context.dueWindows.has(id)) context.dueWindows.set(id, window);
    }
    throw new Error(`Cassandra: checkpointing state failed: ${errorText(error)}`, {
      cause: error,
    });
  }
  const { written: published, results } = await context.publisher.publish(
    [...windows].map(([id, window]) => ({
      id,
      window,
      sinks: window.bound.sinks.map((sink) => sink.name),
    })),
  );
  const current = () => context.generation === flushedIn;
  const committed = current()
    ? await context.acks.commit(
      positions.filter(([id]) => context.confirmed.has(id) && held.owned.has(id)),
      current,
    )
    : { positions: 0 };
  held.evictClosed((id) => context.dueWindows.has(id) || context.publisher.owes(id));
  forgetUnused(context.kept, started - IDLE_RESULT_MS);
  if (written.entries > 0 || published > 0) {
    context.lastFlush = {
      at: now(),
      windows: published,
      states: written.entries,
      ms: now() - started,
    };
    context.flushDurations[context.flushCount++ % RECENT_FLUSHES] = context.lastFlush.ms;
  }
  if (written.entries > 0 || published > 0 || committed.ms !== undefined) {
    // The flush is done and acknowledged: a failing observer must not make it look failed.
    try {
      options.onFlushed?.({
        results,
        ms: now() - started,
        ...(committed.ms === undefined ? {} : { commitMs: committed.ms }),
      });
    } catch (error) {
      options.log(`flush observer failed: ${errorText(error)}`);
    }
  }
  return { states: written.entries, windows: published, positions: committed.positions };
}

/** The window's result, or undefined when no partition holds it any more. */
function computeResult(
  context: Context,
  { bound, windowKey }: DueWindow,
): WindowResult | undefined {
  return windowResult(
    context.options.cutter,
    bound.name,
    bound.aggregation,
    bound.window,
    windowKey,
    context.held.partsOf(bound.name, windowKey),
    context.kept,
    context.now(),
  );
}

function stats(context: Context): ProcessorStats {
  const lagOf = context.acks.lag();
  const { windows, keys } = context.held.size();
  return {
    ...context.counters,
    commitFailures: context.acks.failures(),
    stateRows: windows,
    stateKeys: keys,
    stateKeysInMemory: context.options.spill?.inMemory ?? keys,
    spilledKeys: context.options.spill?.spilled ?? 0,
    loadedKeys: context.options.spill?.loaded ?? 0,
    ownedPartitions: context.held.owned.size,
    followedPartitions: context.held.followed.size,
    lag: Object.values(lagOf).reduce((total, lag) => total + lag, 0),
    partitionLag: lagOf,
    waiting: context.acks.waiting(),
    ...(context.failingFlush === undefined ? {} : { failingFlush: { ...context.failingFlush } }),
    flushTimes: {
      count: context.flushCount,
      p50Ms: percentile(context.flushDurations, 0.5),
      p99Ms: percentile(context.flushDurations, 0.99),
    },
    lastSourceFailure: context.lastSourceFailure,
    failingSinks: context.publisher.health(),
    lastFlush: context.lastFlush,
  };
}

/** The `q` quantile (nearest rank) of `values`; 0 when empty. */
function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
