/**
 * Alerts in a running pipeline: opens the notifiers, loads state from Cassandra, feeds the
 * engine with each flush's results (through a {@linkcode RuntimeObserver}) and with the
 * processors' counters every second, and reads earlier windows back from a sink that keeps
 * results.
 *
 * @example
 * ```ts ignore
 * const alerts = await startAlerts(resources, { log: console.error });
 * const running = await startRealtime(resources, { observer: alerts.observer });
 * alerts.watch(() => running.stats());
 * ```
 *
 * @module
 */
import type { Notifier } from "../contracts.ts";
import type { PipelineResources, RuntimeObserver } from "../runtime/start.ts";
import { ensureTopics } from "../runtime/kafka.ts";
import type { ProcessorStats } from "../realtime/processor.ts";
import { errorText } from "../errors.ts";
import { type AlertEngine, createAlertEngine } from "./engine.ts";
import { createDispatcher } from "./dispatch.ts";
import { cassandraAlertStore } from "./store.ts";
import type { ReadHistory } from "./window_values.ts";

/** How often metric rules are evaluated, ms. */
export const ALERT_TICK_MS = 1000;

/** Alerts of a running pipeline. */
export interface RunningAlerts {
  /** Hand to `startRealtime` (with the other observers): results reach the rules through it. */
  observer: RuntimeObserver;
  /** The engine, for `/api/alerts`, `/metrics` and the status line. */
  engine: AlertEngine;
  /** Starts evaluating metric rules on these counters every second. */
  watch(stats: () => Map<string, ProcessorStats>): void;
  /** Stops evaluating; undelivered notifications stay owed for the next start. */
  close(): Promise<void>;
}

/** Options for {@linkcode startAlerts}. */
export interface StartAlertsOptions {
  /** Operator-facing log line. */
  log: (line: string) => void;
  /** First wait after a failed delivery, ms (default 1000, doubling to 5 min). */
  firstRetryMs?: number;
  /** How often metric rules are evaluated, ms (default {@linkcode ALERT_TICK_MS}). */
  tickMs?: number;
}

/**
 * Opens the notifiers, creates their topics, and starts the engine on the stored state.
 *
 * @throws When a notifier cannot start (its message says which and what to do), or Cassandra
 *   cannot be read.
 */
export async function startAlerts(
  resources: PipelineResources,
  options: StartAlertsOptions,
): Promise<RunningAlerts> {
  const { pipeline, context } = resources;
  const notifiers = new Map<string, Notifier>();
  try {
    const topics = pipeline.notifiers.flatMap((entry) =>
      entry.plugin.topics?.(entry.options) ?? []
    );
    const created = await ensureTopics(
      context.kafka,
      topics,
      pipeline.kafka.topicReplicationFactor,
    );
    if (created.length > 0) options.log(`created Kafka topics: ${created.join(", ")}`);
    for (const entry of pipeline.notifiers) {
      notifiers.set(entry.name, await entry.plugin.open(entry.options, context));
    }
  } catch (error) {
    await Promise.allSettled([...notifiers.values()].map((notifier) => notifier.close()));
    throw new Error(`alerts: ${errorText(error, { firstLine: true })}`, { cause: error });
  }
  const store = cassandraAlertStore(context.cassandra, pipeline.cassandra.keyspace);
  const dispatcher = createDispatcher({
    notifiers,
    store,
    log: options.log,
    firstRetryMs: options.firstRetryMs,
  });
  const engine = createAlertEngine({
    rules: pipeline.alerts,
    windows: new Map(pipeline.aggregations.map((entry) => [entry.name, entry.window])),
    store,
    dispatcher,
    readHistory: historyReader(resources),
    log: options.log,
  });
  await engine.start();
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    observer: { flushed: (_source, flushed) => engine.results(flushed.results) },
    engine,
    watch(stats) {
      if (pipeline.alerts.length === 0) return;
      timer = setInterval(() => engine.tick(stats()), options.tickMs ?? ALERT_TICK_MS);
    },
    async close() {
      clearInterval(timer);
      await engine.close();
    },
  };
}

/** Reads an aggregation's stored windows from the first of its sinks that reads back. */
function historyReader(resources: PipelineResources): ReadHistory {
  return async (aggregation, from, to) => {
    const entry = resources.pipeline.aggregations.find((candidate) =>
      candidate.name === aggregation
    );
    if (entry === undefined) return [];
    for (const name of entry.sinks) {
      const sink = resources.sinks.get(name);
      if (sink?.readRange === undefined) continue;
      return await sink.readRange(
        { aggregation, window: entry.window, shape: entry.aggregation.shape },
        from,
        to,
      );
    }
    return [];
  };
}
