/**
 * Turns a validated pipeline into running pieces: connects to Kafka and Cassandra, creates the
 * schema, topics and result tables, opens sinks, and starts each source with its processor.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import type {
  HttpRoute,
  RuntimeContext,
  Sink,
  SinkBinding,
  SourceRunner,
  TopicSpec,
} from "../contracts.ts";
import type { AggregationEntry, Pipeline, SinkEntry } from "../config/pipeline.ts";
import { applyCoreSchema, createCassandraClient } from "./cassandra.ts";
import { createKafka, ensureTopics } from "./kafka.ts";
import { logWriter } from "../log_store.ts";
import { withRecordSinks } from "./record_sinks.ts";
import { type WindowCutter, windowCutter } from "../windows.ts";
import {
  createProcessor,
  type FlushedResults,
  type Processor,
  type ProcessorStats,
} from "../realtime/processor.ts";
import { changelogStore } from "../realtime/changelog_store.ts";
import { type SpillStore, spillStore } from "../realtime/spill.ts";
import { upgradeState } from "../realtime/upgrade.ts";
import { errorText } from "../errors.ts";
import { failurePolicy } from "../realtime/failure_policy.ts";
import { failureHint } from "./failure_hint.ts";
import { openTransforms } from "./transforms.ts";
import { type LastFlush, nextFlushDelay } from "./flush_pacing.ts";

/** Connections and started sinks shared by the real-time loop and batch jobs. */
export interface PipelineResources {
  /** The pipeline. */
  pipeline: Pipeline;
  /** Context handed to plugins. */
  context: RuntimeContext;
  /** Started sinks by name, prepared with their aggregations' shapes. */
  sinks: Map<string, Sink>;
  /** Closes sinks and connections. */
  close(): Promise<void>;
}

/** Options for {@linkcode openPipeline}. */
export interface OpenOptions {
  /** Operator-facing log line (default: console.error). */
  log?: (line: string) => void;
  /**
   * Only read results (`deno task serve`): create no Kafka topics and open only the sinks that
   * keep results in tables, so Cassandra alone must answer.
   */
  readOnly?: boolean;
}

/** Who wants to hear what the real-time loop does (the HTTP server's live views and metrics). */
export interface RuntimeObserver {
  /** A processor flushed: the results it published, by source name. */
  flushed?(source: string, flushed: FlushedResults): void;
  /** A sink's write failed (the flush is retried), by sink name. */
  sinkFailed?(sink: string, error: unknown): void;
}

/** Options for {@linkcode startRealtime}. */
export interface RealtimeOptions extends OpenOptions {
  /** Told about flushes and sink failures. */
  observer?: RuntimeObserver;
}

/**
 * Connects, creates the keyspace, core tables and every topic the plugins declare, and opens and
 * prepares every sink.
 */
export async function openPipeline(
  pipeline: Pipeline,
  options: OpenOptions = {},
): Promise<PipelineResources> {
  const log = options.log ?? ((line: string) => console.error(line));
  const kafka: Kafka = createKafka(pipeline.kafka, log);
  const client: cassandra.Client = createCassandraClient(pipeline.cassandra);
  await client.connect();
  await applyCoreSchema(client, pipeline.cassandra, pipeline.runtime.logTable);
  const context: RuntimeContext = {
    kafka,
    cassandra: client,
    keyspace: pipeline.cassandra.keyspace,
    timeZone: pipeline.runtime.timeZone,
    consumerGroup: pipeline.runtime.consumerGroup,
    log,
  };
  const topics: TopicSpec[] = [
    ...pipeline.sources.flatMap((entry) => entry.plugin.topics?.(entry.options) ?? []),
    ...pipeline.sinks.flatMap((entry) => entry.plugin.topics?.(entry.options) ?? []),
  ];
  if (!options.readOnly) {
    const created = await ensureTopics(kafka, topics, pipeline.kafka.topicReplicationFactor);
    if (created.length > 0) log(`created Kafka topics: ${created.join(", ")}`);
  }

  const sinks = new Map<string, Sink>();
  try {
    for (const entry of pipeline.sinks) {
      if (options.readOnly && entry.plugin.tables === undefined) continue;
      const sink = await entry.plugin.open(entry.options, context);
      sinks.set(entry.name, sink);
      await sink.prepare(bindingsOf(entry, pipeline.aggregations));
    }
  } catch (error) {
    await Promise.allSettled([...sinks.values()].map((sink) => sink.close()));
    await client.shutdown();
    throw error;
  }
  return {
    pipeline,
    context,
    sinks,
    async close() {
      await Promise.allSettled([...sinks.values()].map((sink) => sink.close()));
      await client.shutdown();
    },
  };
}

/** The aggregations writing to a sink, as the sink sees them. */
function bindingsOf(sink: SinkEntry, aggregations: AggregationEntry[]): SinkBinding[] {
  return aggregations.filter((entry) => entry.sinks.includes(sink.name)).map((entry) => ({
    aggregation: entry.name,
    window: entry.window,
    shape: entry.aggregation.shape,
  }));
}

/** A running real-time pipeline. */
export interface RunningPipeline {
  /**
   * Resolves when every source has stopped (after `stop()` or the end of its input); rejects,
   * naming the failing service, when a source crashed persistently or flushing kept failing.
   */
  done: Promise<void>;
  /** Stops reading, flushes, acknowledges, and closes everything. */
  stop(): Promise<FlushReport>;
  /** Counters of each processor, by source name. */
  stats(): Map<string, ProcessorStats>;
  /** Flushes every processor now. */
  flush(): Promise<void>;
  /** HTTP endpoints the started sources serve. */
  routes: HttpRoute[];
  /**
   * Input partitions each source that tracks assignments owns (undefined: none assigned yet),
   * by source name.
   */
  assignments(): Map<string, number | undefined>;
}

/** What the final flush wrote. */
export interface FlushReport {
  /** State rows written. */
  states: number;
  /** Window results published. */
  windows: number;
  /** Input positions acknowledged. */
  positions: number;
}

/** Starts every source: simulators feed their topics, others run through a processor. */
export async function startRealtime(
  resources: PipelineResources,
  options: RealtimeOptions = {},
): Promise<RunningPipeline> {
  const { pipeline, context } = resources;
  const log = options.log ?? context.log;
  const observer = options.observer;
  const sinks = observer?.sinkFailed === undefined
    ? resources.sinks
    : new Map([...resources.sinks].map(([name, sink]) => [name, reportingFailures(name, sink)]));
  const cutter = windowCutter(pipeline.runtime.timeZone);
  const { transform, writer, changelog } = await openRecordPath(resources, cutter, log, observer);
  const controller = new AbortController();
  const processors = new Map<string, Processor>();
  const spills: SpillStore[] = [];
  const runners: SourceRunner[] = [];
  const processing = new Map<string, SourceRunner>();
  const runs: Promise<void>[] = [];

  for (const entry of pipeline.sources) {
    const runner = await entry.plugin.open(entry.options, context);
    runners.push(runner);
    const feeds = entry.plugin.feedsTopic?.(entry.options);
    if (feeds !== undefined) {
      log(`source ${entry.name} feeds Kafka topic ${feeds}`);
      runs.push(
        runner.run({ onBatch: () => Promise.resolve(), onReassigned: () => {} }, controller.signal),
      );
      continue;
    }
    const aggregations = pipeline.aggregations.filter((aggregation) =>
      aggregation.source === entry.name
    );
    const { stateMemoryKeys, stateDir } = pipeline.runtime;
    const spill = stateMemoryKeys === undefined ? undefined : spillStore(stateMemoryKeys, stateDir);
    if (spill !== undefined) spills.push(spill);
    const processor = createProcessor({
      name: entry.name,
      source: runner,
      aggregations: aggregations.map((aggregation) => ({
        name: aggregation.name,
        aggregation: aggregation.aggregation,
        window: aggregation.window,
        sinks: aggregation.sinks.map((name) => ({ name, sink: sinks.get(name)! })),
      })),
      cutter,
      logWriter: writer,
      changelog,
      log,
      allowedLatenessMs: pipeline.runtime.allowedLatenessMs,
      ...(transform === undefined ? {} : { transform }),
      maxPendingKeys: pipeline.runtime.maxPendingKeys,
      ...(spill === undefined ? {} : { spill }),
      onFlushed: (flushed) => observer?.flushed?.(entry.name, flushed),
    });
    processors.set(entry.name, processor);
    processing.set(entry.name, runner);
    runs.push(
      runner.run({
        onBatch: processor.onBatch,
        onReassigned: processor.onReassigned,
        onFailure: processor.onFailure,
      }, controller.signal).catch((error) => {
        throw new Error(
          `source ${entry.name} stopped after a persistent failure: ${errorText(error)}\n` +
            failureHint(error),
          { cause: error },
        );
      }),
    );
  }

  const flushLoop = startFlushLoop(processors, pipeline.runtime.flushIntervalMs, log);

  const done = Promise.race([
    Promise.all(runs).then(() => {}),
    flushLoop.gaveUp,
    ...[...processors].map(([name, processor]) =>
      processor.fatal.catch((error) => {
        throw new Error(`source ${name}: ${errorText(error)}`, { cause: error });
      })
    ),
  ]);
  let stopping: Promise<FlushReport> | undefined;
  async function stop(): Promise<FlushReport> {
    controller.abort();
    await Promise.allSettled(runs);
    flushLoop.stop();
    const report: FlushReport = { states: 0, windows: 0, positions: 0 };
    for (const processor of processors.values()) {
      const summary = await processor.flush();
      report.states += summary.states;
      report.windows += summary.windows;
      report.positions += summary.positions;
    }
    await Promise.allSettled(runners.map((runner) => runner.close()));
    for (const spill of spills) spill.close();
    return report;
  }
  return {
    done,
    stop: () => stopping ??= stop(),
    stats: () => new Map([...processors].map(([name, processor]) => [name, processor.stats()])),
    flush: async () => {
      await Promise.all([...processors.values()].map((processor) => processor.flush()));
    },
    routes: runners.flatMap((runner) => runner.routes ?? []),
    assignments: () =>
      new Map(
        [...processing].filter(([, runner]) => runner.assignment !== undefined)
          .map(([name, runner]) => [name, runner.assignment!()]),
      ),
  };

  function reportingFailures(name: string, sink: Sink): Sink {
    // Only `write` is called by processors; the rest stays with the sink itself.
    return {
      prepare: (bindings) => sink.prepare(bindings),
      write: async (results) => {
        try {
          await sink.write(results);
        } catch (error) {
          observer?.sinkFailed?.(name, error);
          throw error;
        }
      },
      close: () => sink.close(),
    };
  }
}

/** What the real-time loop writes records and state with, opened before any source. */
async function openRecordPath(
  resources: PipelineResources,
  cutter: WindowCutter,
  log: (line: string) => void,
  observer: RuntimeObserver | undefined,
) {
  const { pipeline, context } = resources;
  // Opened before any source, so a transform that cannot start (a missing database) stops
  // the start before anything is read.
  const transform = await openTransforms(pipeline.transforms, log);
  const writer = withRecordSinks(
    logWriter(
      context.cassandra,
      pipeline.cassandra.keyspace,
      pipeline.runtime.logTable,
      pipeline.runtime.logTtlMs,
    ),
    [...resources.sinks].map(([name, sink]) => ({ name, sink })),
    (name, error) => observer?.sinkFailed?.(name, error),
  );
  const changelog = changelogStore(context.cassandra, pipeline.cassandra.keyspace);
  // A keyspace of an earlier version: its open windows come back from `log` before reading.
  await upgradeState({
    client: context.cassandra,
    keyspace: pipeline.cassandra.keyspace,
    logTable: pipeline.runtime.logTable,
    changelog,
    cutter,
    allowedLatenessMs: pipeline.runtime.allowedLatenessMs,
    aggregations: pipeline.aggregations,
    log,
  });
  return { transform, writer, changelog };
}

/**
 * The flush loop of the processors, with `gaveUp` (rejects when flushing failed for five minutes)
 * and `stop` (no flush after it).
 */
function startFlushLoop(
  processors: ReadonlyMap<string, Processor>,
  flushIntervalMs: number,
  log: (line: string) => void,
): { gaveUp: Promise<never>; stop(): void } {
  // Flush every interval; after a long flush while input backs up, pause as nextFlushDelay says
  // (three times its duration, capped so results are fresh again soon after a frozen or
  // restarted Cassandra answers; none after the first success following failures). A failing
  // flush is logged when it starts failing (and when its cause changes), not every interval; one
  // that keeps failing for five minutes stops the runner with the cause.
  let lastFlush: LastFlush | undefined;
  /** Messages read by every processor when the last flush started. */
  let readAtLastFlush = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let flushLoopStopped = false;
  const flushFailures = failurePolicy({ maxFailures: Infinity, maxFailingMs: 300_000 });
  let lastFlushError: string | undefined;
  let fatal: ((error: Error) => void) | undefined;
  const flushGaveUp = new Promise<never>((_, reject) => fatal = reject);
  flushGaveUp.catch(() => {});
  const scheduleFlush = () => {
    if (flushLoopStopped) return;
    timer = setTimeout(
      flushOnce,
      nextFlushDelay(Date.now(), flushIntervalMs, lastFlush),
    );
  };
  async function flushOnce(): Promise<void> {
    const startedAt = Date.now();
    const readBefore = readAtLastFlush;
    readAtLastFlush = inputTotals().read;
    let afterFailure = flushFailures.streak() > 0;
    try {
      await Promise.all([...processors.values()].map((processor) => processor.flush()));
      if (afterFailure) log("flush recovered");
      flushFailures.succeeded();
      lastFlushError = undefined;
    } catch (error) {
      afterFailure = true;
      const text = errorText(error, { firstLine: true });
      const verdict = flushFailures.failed();
      if (!verdict.retry) {
        flushLoopStopped = true;
        fatal!(
          new Error(
            `flushing has failed for ${Math.round(verdict.failingMs / 1000)} s ` +
              `(${verdict.failures} attempts): ${text}\n${failureHint(error)}`,
            { cause: error },
          ),
        );
      } else if (text !== lastFlushError) {
        log(`flush failed (retrying every interval; input is not acknowledged meanwhile): ${text}`);
      }
      lastFlushError = text;
    } finally {
      const input = inputTotals();
      lastFlush = {
        startedAt,
        endedAt: Date.now(),
        afterFailure,
        backlogged: input.waiting > input.read - readBefore,
      };
      scheduleFlush();
    }
  }
  /** Messages read so far and messages waiting unread, summed over every processor. */
  function inputTotals(): { read: number; waiting: number } {
    const totals = { read: 0, waiting: 0 };
    for (const processor of processors.values()) {
      const { read, waiting } = processor.stats();
      totals.read += read;
      totals.waiting += waiting;
    }
    return totals;
  }
  scheduleFlush();
  return {
    gaveUp: flushGaveUp,
    stop() {
      flushLoopStopped = true;
      clearTimeout(timer);
    },
  };
}
