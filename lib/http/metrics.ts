/**
 * `/metrics` in the Prometheus text format, with prom-client: each source's record counters,
 * lag per partition and state rows held (read from the processors at scrape time), flush and
 * commit durations (observed at each flush), sink errors, and process memory.
 *
 * @module
 */
import client from "prom-client";
import type { ProcessorStats } from "../realtime/processor.ts";
import type { RuntimeObserver } from "../runtime/start.ts";
import type { AlertEngine } from "../alerts/engine.ts";

/** Prefix of every metric of ours. */
const PREFIX = "web_analytics_";

/** Record counters exported per source: metric suffix, help and the stats field it reads. */
const RECORD_COUNTERS = [
  ["records_read_total", "Messages read from the source.", "read"],
  ["records_logged_total", "Valid records written to the log table.", "accepted"],
  ["records_rejected_total", "Messages sent to the dead-letter destination.", "rejected"],
  [
    "records_filtered_total",
    "Records a transform dropped (filter): not logged, not counted, not dead-lettered.",
    "filtered",
  ],
  [
    "records_duplicate_total",
    "Re-delivered records recognised and not counted again.",
    "duplicates",
  ],
  [
    "records_too_late_total",
    "Records logged but later than runtime.allowed_lateness: counted by batch only.",
    "tooLate",
  ],
  [
    "flush_failures_total",
    "Flushes that failed (retried; input not acknowledged).",
    "flushFailures",
  ],
  [
    "commit_failures_total",
    "Offset commits that failed (records are re-delivered).",
    "commitFailures",
  ],
  ["source_restarts_total", "Crashes of the source, each followed by a restart.", "sourceRestarts"],
  ["reassignments_total", "Partition reassignments (consumer-group rebalances).", "reassignments"],
  [
    "backpressure_waits_total",
    "Batches that waited for a flush because too many changed state keys were unwritten.",
    "backpressureWaits",
  ],
  [
    "changelog_entries_total",
    "State changelog entries written (one per changed input partition per flush).",
    "changelogEntries",
  ],
  ["changelog_snapshots_total", "Of those, snapshots of a partition's whole state.", "snapshots"],
  [
    "state_keys_spilled_total",
    "State keys written to the local spill file (runtime.state_memory_keys).",
    "spilledKeys",
  ],
  [
    "state_keys_loaded_total",
    "Spilled state keys read back because a record added to them.",
    "loadedKeys",
  ],
  ["changelog_bytes_written_total", "Encoded changelog bytes written.", "changelogBytes"],
  [
    "changelog_rows_written_total",
    "Cassandra rows the state changelog wrote (entry chunks and checkpoint rows).",
    "changelogRows",
  ],
  [
    "changelog_bytes_read_total",
    "Changelog bytes read to take partitions or follow other runners' partitions.",
    "changelogBytesRead",
  ],
  [
    "partitions_fenced_total",
    "Partitions found taken by another runner when writing their changelog entries.",
    "fencedPartitions",
  ],
] as const;

/** The metrics of one process. */
export interface Metrics {
  /** Feeds flush, commit and sink-error observations; hand it to `startRealtime`. */
  observer: RuntimeObserver;
  /** Starts `sink_errors_total` of these sinks at 0, so a rate exists before the first error. */
  knowSinks(names: string[]): void;
  /** Exports the alerts and notifiers of this engine at every scrape. */
  knowAlerts(alerts: Pick<AlertEngine, "alerts" | "notifiers">): void;
  /** The current exposition text. */
  render(): Promise<string>;
  /** Content type of {@linkcode Metrics.render}'s text. */
  contentType: string;
}

/** State gauges exported per source: metric suffix, help and the stats field it reads. */
const STATE_GAUGES = [
  [
    "state_rows",
    "Windows of input partitions the processor holds in memory (owned or followed).",
    "stateRows",
  ],
  [
    "state_keys",
    "State keys the processor holds, in memory or spilled (owned or followed partitions).",
    "stateKeys",
  ],
  [
    "state_keys_in_memory",
    "Of the state keys, those in memory (the rest spilled to the local file).",
    "stateKeysInMemory",
  ],
] as const satisfies ReadonlyArray<readonly [string, string, keyof ProcessorStats]>;

/** A metric per row of `table` (suffix, help, stats field), with the field it reads. */
function perSource<F, M>(
  table: ReadonlyArray<readonly [string, string, F]>,
  make: (name: string, help: string) => M,
): Array<{ field: F; metric: M }> {
  return table.map(([suffix, help, field]) => ({
    field,
    metric: make(`${PREFIX}${suffix}`, help),
  }));
}

/**
 * Creates the registry. `stats` is read at every scrape (absent when nothing is processed here,
 * as in `deno task serve`).
 */
export function createMetrics(stats?: () => Map<string, ProcessorStats>): Metrics {
  const registry = new client.Registry();
  // Processor counters only grow, so each scrape adds what grew since the previous one.
  const exported = new Map<string, number>();
  const bySource = { labelNames: ["source"], registers: [registry] };
  const counters = perSource(
    RECORD_COUNTERS,
    (name, help) => new client.Counter({ name, help, ...bySource }),
  );
  const lag = new client.Gauge({
    name: `${PREFIX}lag_messages`,
    help: "Messages waiting in each input partition this process owns (latest known).",
    labelNames: ["source", "partition"],
    registers: [registry],
  });
  const gauges = perSource(
    STATE_GAUGES,
    (name, help) => new client.Gauge({ name, help, ...bySource }),
  );
  const flushSeconds = new client.Histogram({
    name: `${PREFIX}flush_duration_seconds`,
    help: "Duration of flushes that wrote state or results or acknowledged input.",
    labelNames: ["source"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const commitSeconds = new client.Histogram({
    name: `${PREFIX}commit_duration_seconds`,
    help: "Duration of acknowledging input positions (Kafka offset commits).",
    labelNames: ["source"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const sinkErrors = new client.Counter({
    name: `${PREFIX}sink_errors_total`,
    help: "Failed sink writes (the flush is retried).",
    labelNames: ["sink"],
    registers: [registry],
  });
  const windowsPublished = new client.Counter({
    name: `${PREFIX}window_results_total`,
    help: "Window results written to the sinks.",
    labelNames: ["source"],
    registers: [registry],
  });
  new client.Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory of the process.",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
  new client.Gauge({
    name: "process_heap_used_bytes",
    help: "JavaScript heap in use.",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().heapUsed);
    },
  });

  const alertFigures = alertMetrics(registry, exported);

  function collectStats(): void {
    if (stats === undefined) return;
    lag.reset();
    for (const [source, current] of stats()) {
      for (const { field, metric } of counters) {
        const id = `${field}\u0000${source}`;
        const grown = current[field] - (exported.get(id) ?? 0);
        if (grown > 0) metric.inc({ source }, grown);
        if (grown !== 0) exported.set(id, current[field]);
        else if (!exported.has(id)) metric.inc({ source }, 0);
      }
      for (const [partition, value] of Object.entries(current.partitionLag)) {
        lag.set({ source, partition }, value);
      }
      for (const { field, metric } of gauges) metric.set({ source }, current[field]);
    }
  }

  return {
    observer: {
      flushed(source, flushed) {
        flushSeconds.observe({ source }, flushed.ms / 1000);
        if (flushed.commitMs !== undefined) {
          commitSeconds.observe({ source }, flushed.commitMs / 1000);
        }
        windowsPublished.inc({ source }, flushed.results.length);
      },
      sinkFailed(sink) {
        sinkErrors.inc({ sink });
      },
    },
    async render() {
      collectStats();
      alertFigures.collect();
      return await registry.metrics();
    },
    knowAlerts: (source) => alertFigures.know(source),
    knowSinks(names) {
      for (const sink of names) sinkErrors.inc({ sink }, 0);
    },
    contentType: registry.contentType,
  };
}

/**
 * The alert series and notifier figures of a registry: `know` gives it the alerts to read,
 * `collect` updates the figures at a scrape (`exported` holds what counters already exported).
 */
function alertMetrics(registry: client.Registry, exported: Map<string, number>) {
  let alertSource: Pick<AlertEngine, "alerts" | "notifiers"> | undefined;
  // As Prometheus' own ALERTS series: 1 per pending or firing series, labelled with its state.
  const alerts = new client.Gauge({
    name: `${PREFIX}alerts`,
    help: "Alert series pending or firing (1), as Prometheus' ALERTS: alertname, alertstate, " +
      "severity, series.",
    labelNames: ["alertname", "alertstate", "severity", "series"],
    registers: [registry],
  });
  const notifierFigures = [
    ["notifications_delivered_total", "Alert notifications a notifier took.", "delivered"],
    ["notifier_failures_total", "Failed attempts to deliver an alert notification.", "failures"],
  ] as const;
  const notifierCounters = notifierFigures.map(([suffix, help, field]) => ({
    field,
    metric: new client.Counter({
      name: `${PREFIX}${suffix}`,
      help,
      labelNames: ["notifier"],
      registers: [registry],
    }),
  }));
  const notifierPending = new client.Gauge({
    name: `${PREFIX}notifier_pending`,
    help: "Alert notifications waiting for a notifier (retried with back-off while it fails).",
    labelNames: ["notifier"],
    registers: [registry],
  });

  function collect(): void {
    if (alertSource === undefined) return;
    alerts.reset();
    for (const alert of alertSource.alerts()) {
      if (alert.status !== "pending" && alert.status !== "firing") continue;
      alerts.set({
        alertname: alert.rule,
        alertstate: alert.status,
        severity: alert.severity,
        series: alert.series,
      }, 1);
    }
    for (const notifier of alertSource.notifiers()) {
      for (const { field, metric } of notifierCounters) {
        const id = `${field}\u0000notifier\u0000${notifier.name}`;
        const grown = notifier[field] - (exported.get(id) ?? 0);
        metric.inc({ notifier: notifier.name }, Math.max(0, grown));
        exported.set(id, Math.max(notifier[field], exported.get(id) ?? 0));
      }
      notifierPending.set({ notifier: notifier.name }, notifier.pending);
    }
  }

  return {
    know(source: Pick<AlertEngine, "alerts" | "notifiers">) {
      alertSource = source;
    },
    collect,
  };
}
