/**
 * The validated pipeline: what `loadPipeline` returns and the runtime consumes.
 *
 * @module
 */
import type {
  Aggregation,
  AggregationPlugin,
  NotifierPlugin,
  PluginDefinition,
  SinkPlugin,
  SourcePlugin,
  TransformPlugin,
} from "../contracts.ts";
import type { Condition } from "../conditions/condition.ts";
import type { HttpSettings } from "./http.ts";
import type { AlertRule } from "./alerts.ts";

export type { HttpSettings };
import type { WindowSpec } from "../window_size.ts";

/** Connection settings for Kafka. */
export interface KafkaSettings {
  /** `host:port` of each bootstrap broker. */
  brokers: string[];
  /** Client id reported to the brokers. */
  clientId: string;
  /** Replicas of the topics the runner creates (absent: the broker's default). */
  topicReplicationFactor?: number;
}

/** Replication of the keyspace, as CQL `WITH replication = {...}` takes it. */
export type Replication =
  | { class: "SimpleStrategy"; replication_factor: number }
  | { class: "NetworkTopologyStrategy"; datacenters: Record<string, number> };

/** Connection settings for Cassandra. */
export interface CassandraSettings {
  /** `host:port` of each contact point. */
  contactPoints: string[];
  /** Name of the local data center (`datacenter1` on a default node). */
  localDataCenter: string;
  /** Keyspace holding every table (a validated identifier). */
  keyspace: string;
  /** Keyspace replication used when the runner creates it. */
  replication: Replication;
  /** Consistency level of reads and writes (`local_quorum` unless set). */
  consistency?: "one" | "local_one" | "quorum" | "local_quorum" | "each_quorum" | "all";
}

/** Settings of the real-time loop. */
export interface RuntimeSettings {
  /** IANA time zone in which windows are cut. */
  timeZone: string;
  /** How often changed results are flushed to sinks, in ms. */
  flushIntervalMs: number;
  /**
   * How long after its end a window still takes records in real time, in ms, judged against
   * the input partition's event-time watermark; later records are logged and left to batch.
   */
  allowedLatenessMs: number;
  /**
   * Most state keys changed and not yet written before the next batch waits for a flush: the
   * size of a flush while catching up (larger: fewer, longer flushes, more memory).
   */
  maxPendingKeys: number;
  /**
   * Most state keys of open windows held in memory; past it, keys that stopped changing spill
   * to a local SQLite cache (rebuilt from the changelog, never the truth). Undefined: every key
   * stays in memory.
   */
  stateMemoryKeys?: number;
  /** Where that cache's file goes (a new directory under it); default the temporary directory. */
  stateDir?: string;
  /** Kafka consumer group of the real-time loop. */
  consumerGroup: string;
  /** Table every valid record is written to (a validated identifier). */
  logTable: string;
  /**
   * How long a `log` row lives after it is written, in ms (`runtime.log_ttl`); undefined keeps
   * every row forever. Never shorter than `allowedLatenessMs` (the config check refuses it).
   */
  logTtlMs?: number;
}

/** A configured entry: its name, plugin and validated options. */
export interface Entry<P extends PluginDefinition> {
  /** Unique name within its section. */
  name: string;
  /** The loaded plugin definition. */
  plugin: P;
  /** Plugin name or path as written in pipeline.yaml. */
  pluginRef: string;
  /** Options after validation and defaults. */
  options: unknown;
}

/** A configured source. */
export type SourceEntry = Entry<SourcePlugin>;

/** A configured transform, applied to every record of every source in `transforms:` order. */
export type TransformEntry = Entry<TransformPlugin>;

/** A configured sink. */
export type SinkEntry = Entry<SinkPlugin>;

/** A configured alert notifier. */
export type NotifierEntry = Entry<NotifierPlugin>;

/** A configured aggregation, wired to its source and sinks. */
export interface AggregationEntry extends Entry<AggregationPlugin> {
  /** Name of the source it reads. */
  source: string;
  /** Names of the sinks it writes to. */
  sinks: string[];
  /** Its `window:` size. */
  window: WindowSpec;
  /** The aggregation built from the options (already limited to `where:` when set). */
  aggregation: Aggregation;
  /** Its `where:` condition, when set. */
  where?: Condition;
}

/** Which windows a schedule recomputes. */
export type WindowSelection =
  | { kind: "today" }
  | { kind: "yesterday" }
  | { kind: "last_days"; days: number }
  | { kind: "range"; from: string; to: string };

/** A configured batch schedule. */
export interface ScheduleEntry {
  /** Unique name; also the Deno.cron job name. */
  name: string;
  /** Five-field cron expression (UTC, as Deno.cron reads it). */
  cron: string;
  /** Aggregations it recomputes. */
  aggregations: string[];
  /** Windows it covers. */
  windows: WindowSelection;
}

/** A whole, validated pipeline. */
export interface Pipeline {
  /** Path of the file it was loaded from. */
  file: string;
  /** Kafka connection. */
  kafka: KafkaSettings;
  /** Cassandra connection. */
  cassandra: CassandraSettings;
  /** Real-time loop settings. */
  runtime: RuntimeSettings;
  /** The HTTP server (dashboard, API, health, metrics). */
  http: HttpSettings;
  /** Sources in file order. */
  sources: SourceEntry[];
  /** Transforms in file order (applied in that order). */
  transforms: TransformEntry[];
  /** Aggregations in file order. */
  aggregations: AggregationEntry[];
  /** Sinks in file order. */
  sinks: SinkEntry[];
  /** Schedules in file order. */
  schedules: ScheduleEntry[];
  /** Alert notifiers in file order. */
  notifiers: NotifierEntry[];
  /** Alert rules in file order. */
  alerts: AlertRule[];
}
