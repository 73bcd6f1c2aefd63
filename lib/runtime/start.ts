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
import { applyCoreSchema, createCassandraClient } from "../cassandra.ts";
import { createKafka, ensureTopics } from "../kafka.ts";
import { logWriter } from "../log_store.ts";
import { windowCutter } from "../windows.ts";
import { createProcessor, type Processor, type ProcessorStats } from "../realtime/processor.ts";
import { stateStore } from "../realtime/state_store.ts";
import { errorText } from "../errors.ts";

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
  const kafka: Kafka = createKafka(pipeline.kafka);
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
  const created = await ensureTopics(kafka, topics);
  if (created.length > 0) log(`created Kafka topics: ${created.join(", ")}`);

  const sinks = new Map<string, Sink>();
  try {
    for (const entry of pipeline.sinks) {
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
export function bindingsOf(sink: SinkEntry, aggregations: AggregationEntry[]): SinkBinding[] {
  return aggregations.filter((entry) => entry.sinks.includes(sink.name)).map((entry) => ({
    aggregation: entry.name,
    granularity: entry.aggregation.granularity,
    shape: entry.aggregation.shape,
  }));
}

/** A running real-time pipeline. */
export interface RunningPipeline {
  /** Resolves when every source has stopped (after `stop()` or the end of its input). */
  done: Promise<void>;
  /** Stops reading, flushes, acknowledges, and closes everything. */
  stop(): Promise<FlushReport>;
  /** Counters of each processor, by source name. */
  stats(): Map<string, ProcessorStats>;
  /** Flushes every processor now. */
  flush(): Promise<void>;
  /** HTTP routes the started sources declare, for the runner's HTTP server to mount. */
  routes: HttpRoute[];
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
  options: OpenOptions = {},
): Promise<RunningPipeline> {
  const { pipeline, context, sinks } = resources;
  const log = options.log ?? context.log;
  const cutter = windowCutter(pipeline.runtime.timeZone);
  const writer = logWriter(
    context.cassandra,
    pipeline.cassandra.keyspace,
    pipeline.runtime.logTable,
  );
  const states = stateStore(context.cassandra, pipeline.cassandra.keyspace);
  const controller = new AbortController();
  const processors = new Map<string, Processor>();
  const runners: SourceRunner[] = [];
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
    const processor = createProcessor({
      source: runner,
      aggregations: aggregations.map((aggregation) => ({
        name: aggregation.name,
        aggregation: aggregation.aggregation,
        sinks: aggregation.sinks.map((name) => sinks.get(name)!),
      })),
      cutter,
      logWriter: writer,
      states,
      log,
    });
    processors.set(entry.name, processor);
    runs.push(runner.run({
      onBatch: processor.onBatch,
      onReassigned: processor.onReassigned,
    }, controller.signal));
  }

  // Flush every interval; when a flush takes long (a backlog touching many windows), leave at
  // least three times its duration before the next, so flushing never takes over the loop.
  let flushing = false;
  let lastFlushEnd = 0;
  let lastFlushMs = 0;
  const timer = setInterval(async () => {
    if (flushing || Date.now() - lastFlushEnd < 3 * lastFlushMs) return;
    flushing = true;
    const started = Date.now();
    try {
      await Promise.all([...processors.values()].map((processor) => processor.flush()));
    } catch (error) {
      log(`flush failed (will retry): ${errorText(error)}`);
    } finally {
      flushing = false;
      lastFlushEnd = Date.now();
      lastFlushMs = lastFlushEnd - started;
    }
  }, pipeline.runtime.flushIntervalMs);

  const done = Promise.all(runs).then(() => {});
  let stopping: Promise<FlushReport> | undefined;
  async function stop(): Promise<FlushReport> {
    controller.abort();
    await Promise.allSettled(runs);
    clearInterval(timer);
    const report: FlushReport = { states: 0, windows: 0, positions: 0 };
    for (const processor of processors.values()) {
      const summary = await processor.flush();
      report.states += summary.states;
      report.windows += summary.windows;
      report.positions += summary.positions;
    }
    await Promise.allSettled(runners.map((runner) => runner.close()));
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
  };
}
