/**
 * Zod schemas of pipeline.yaml's own structure (everything but plugin options), and their
 * conversion into the camelCase settings of a `Pipeline`.
 *
 * @module
 */
import { z } from "zod";
import { ENTRY_NAME, explainCqlIdentifier, isCqlIdentifier } from "./identifiers.ts";
import { cronProblem } from "./cron.ts";
import { interpolate } from "./interpolate.ts";
import type { CassandraSettings, KafkaSettings, RuntimeSettings } from "./pipeline.ts";
import { parseWindows } from "./windows.ts";
import { parseWindowSize } from "../window_size.ts";
import { duration } from "./option_schemas.ts";
import { parseDuration } from "../parse/duration.ts";
import { conditionSchema } from "../conditions/schema.ts";

/** Top-level sections of pipeline.yaml. */
export const SECTIONS = [
  "kafka",
  "cassandra",
  "runtime",
  "http",
  "sources",
  "transforms",
  "aggregations",
  "sinks",
  "schedules",
  "notifiers",
  "alerts",
] as const;

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/;

/** Lists of `host:port`; a comma-separated string (e.g. from one env var) is split. */
function hostList(defaultValue: string[]) {
  return z.preprocess(
    (value) => {
      const items = typeof value === "string" ? [value] : value;
      return Array.isArray(items)
        ? items.flatMap((item) =>
          typeof item === "string"
            ? item.split(",").map((part) => part.trim()).filter((part) => part !== "")
            : [item]
        )
        : items;
    },
    z.array(z.string().regex(HOST_PORT, "expected host:port")).min(1),
  ).default(defaultValue);
}

const cqlIdentifier = z.string().refine(isCqlIdentifier, {
  error: (issue) => typeof issue.input === "string" ? explainCqlIdentifier(issue.input) : undefined,
});

/** A name of a source, aggregation, sink or schedule. */
const entryName = z.string().regex(ENTRY_NAME, {
  error: (issue) =>
    `expected a name of lower case letters, digits and _ starting with a letter (at most 48), ` +
    `found ${JSON.stringify(issue.input)}`,
});

/** The `kafka:` section; the broker default reads `KAFKA_BROKERS`. */
export function kafkaSchema(env: Record<string, string | undefined>) {
  return z.strictObject({
    brokers: hostList([interpolate("${KAFKA_BROKERS:-127.0.0.1:9092}", env).value]),
    client_id: z.string().min(1).default("web-analytics"),
    // Absent: the broker's default.replication.factor (1 on a single dev node, 3 on the dev
    // cluster), so the same file is safe on both.
    topic_replication_factor: z.number().int().min(1).max(16).optional(),
  });
}

/** Cassandra consistency levels a pipeline may ask for. */
export const CONSISTENCY_LEVELS = [
  "one",
  "local_one",
  "quorum",
  "local_quorum",
  "each_quorum",
  "all",
] as const;

/** The `cassandra:` section; the contact point default reads `CASSANDRA_CONTACT_POINTS`. */
export function cassandraSchema(env: Record<string, string | undefined>) {
  return z.strictObject({
    contact_points: hostList([
      interpolate("${CASSANDRA_CONTACT_POINTS:-127.0.0.1:9042}", env).value,
    ]),
    local_data_center: z.string().min(1).default("datacenter1"),
    keyspace: cqlIdentifier.default("web_analytics"),
    replication: z.discriminatedUnion("class", [
      z.strictObject({
        class: z.literal("SimpleStrategy"),
        replication_factor: z.number().int().min(1).max(32).default(1),
      }),
      z.strictObject({
        class: z.literal("NetworkTopologyStrategy"),
        datacenters: z.record(z.string().min(1), z.number().int().min(1).max(32)).refine(
          (datacenters) => Object.keys(datacenters).length > 0,
          "expected at least one data center, e.g. { dc1: 3 }",
        ),
      }),
    ]).default({ class: "SimpleStrategy", replication_factor: 1 }),
    // One level for reads and writes: with quorum on both, a read sees every acknowledged write
    // while one replica of three is down.
    consistency: z.enum(CONSISTENCY_LEVELS).default("local_quorum"),
  });
}

/** The `runtime:` section. */
export const runtimeSchema = z.strictObject({
  time_zone: z.string().refine(isTimeZone, {
    error: (issue) =>
      `expected an IANA time zone like UTC or Europe/Paris, found ${JSON.stringify(issue.input)}`,
  }).default("UTC"),
  flush_interval_ms: z.number().int().min(50).max(60_000).default(500),
  allowed_lateness: duration().default("2d"),
  // Gone with per-key state rows: state is held per input partition, checkpointed as a changelog.
  max_state_keys: z.never({
    error: "max_state_keys is no longer used (real-time state is now checkpointed per input " +
      "partition, with no key budget): remove the line",
  }).optional(),
  max_pending_keys: z.number().int().min(1).default(200_000),
  state_memory_keys: z.number().int().min(1).optional(),
  state_dir: z.string().min(1).optional(),
  consumer_group: z.string().min(1).default("web-analytics"),
  log_table: cqlIdentifier.default("log"),
  log_ttl: duration().optional(),
}).superRefine((runtime, context) => {
  if (runtime.log_ttl === undefined) return;
  const ttl = parseDuration(runtime.log_ttl)!;
  const lateness = parseDuration(runtime.allowed_lateness)!;
  if (ttl < lateness) {
    // Real time still takes a record this long after its window ends, and batch recomputes
    // from `log`: a window's records must outlive the time it stays open.
    context.addIssue({
      code: "custom",
      path: ["log_ttl"],
      message: `log_ttl ${runtime.log_ttl} is shorter than allowed_lateness ` +
        `${runtime.allowed_lateness}: records would leave the log table while their window still ` +
        `takes records; set log_ttl to at least ${runtime.allowed_lateness}, or leave it out to ` +
        "keep every record",
    });
  } else if (ttl > MAX_CASSANDRA_TTL_MS) {
    context.addIssue({
      code: "custom",
      path: ["log_ttl"],
      message: `log_ttl ${runtime.log_ttl} is longer than Cassandra allows (20 years, 7300d); ` +
        "leave it out to keep every record",
    });
  }
});

/** Cassandra's longest TTL: 20 years of seconds. */
const MAX_CASSANDRA_TTL_MS = 630_720_000 * 1000;

/** `plugin:` values: a bare plugin name or a path. */
const pluginRef = z.string().min(1);

/** `options:` values: a mapping; an empty value means no options. */
const options = z.record(z.string(), z.unknown()).nullish();

/** One item of `sources:` or `sinks:`. */
export const entrySchema = z.strictObject({ name: entryName, plugin: pluginRef, options });

/**
 * An aggregation's `window:` size (`5m`, `1h`, `1d`, `1w`, `none`, ...); `1d` when left out,
 * the window every aggregation had before sizes were configurable.
 */
export const windowSize = z.unknown().optional().transform((value, context) => {
  const parsed = parseWindowSize(value ?? "1d");
  if (parsed.ok) return parsed.spec;
  context.addIssue({ code: "custom", message: parsed.message });
  return z.NEVER;
});

/** One item of `aggregations:`. */
export const aggregationSchema = z.strictObject({
  name: entryName,
  plugin: pluginRef,
  source: entryName,
  window: windowSize,
  sinks: z.array(entryName).default([]),
  where: conditionSchema().optional(),
  options,
});

/** One item of `schedules:`. */
export const scheduleSchema = z.strictObject({
  name: entryName,
  cron: z.string().superRefine((expression, context) => {
    const problem = cronProblem(expression);
    if (problem) context.addIssue({ code: "custom", message: problem });
  }),
  aggregations: z.array(entryName).min(1),
  windows: z.unknown().transform((value, context) => {
    const parsed = parseWindows(value);
    if (parsed.ok) return parsed.windows;
    context.addIssue({ code: "custom", message: parsed.message, path: parsed.path });
    return z.NEVER;
  }),
});

/** Converts the validated `kafka:` section. */
export function toKafkaSettings(kafka: z.output<ReturnType<typeof kafkaSchema>>): KafkaSettings {
  return {
    brokers: kafka.brokers,
    clientId: kafka.client_id,
    ...(kafka.topic_replication_factor === undefined
      ? {}
      : { topicReplicationFactor: kafka.topic_replication_factor }),
  };
}

/** Converts the validated `cassandra:` section. */
export function toCassandraSettings(
  cassandra: z.output<ReturnType<typeof cassandraSchema>>,
): CassandraSettings {
  return {
    contactPoints: cassandra.contact_points,
    localDataCenter: cassandra.local_data_center,
    keyspace: cassandra.keyspace,
    replication: cassandra.replication,
    consistency: cassandra.consistency,
  };
}

/** Converts the validated `runtime:` section. */
export function toRuntimeSettings(runtime: z.output<typeof runtimeSchema>): RuntimeSettings {
  return {
    timeZone: runtime.time_zone,
    flushIntervalMs: runtime.flush_interval_ms,
    // Validated by the schema's pattern, so it parses.
    allowedLatenessMs: parseDuration(runtime.allowed_lateness)!,
    maxPendingKeys: runtime.max_pending_keys,
    ...(runtime.state_memory_keys === undefined
      ? {}
      : { stateMemoryKeys: runtime.state_memory_keys }),
    ...(runtime.state_dir === undefined ? {} : { stateDir: runtime.state_dir }),
    consumerGroup: runtime.consumer_group,
    logTable: runtime.log_table,
    ...(runtime.log_ttl === undefined ? {} : { logTtlMs: parseDuration(runtime.log_ttl)! }),
  };
}

/** Whether `zone` is an IANA time zone this runtime knows. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
