/**
 * Kafka client construction and topic creation shared by sources, sinks and jobs.
 *
 * @module
 */
import { Kafka, logLevel } from "kafkajs";
import type { TopicSpec } from "../contracts.ts";
import type { KafkaSettings } from "../config/pipeline.ts";
import process from "node:process";

let warningFilterInstalled = false;

/**
 * kafkajs 2.2.4 schedules timers with negative delays, which newer Node-compatible runtimes
 * report as `TimeoutNegativeWarning` on every connect. The warning is harmless; hide only it.
 */
export function hideTimeoutNegativeWarning(): void {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name = typeof warning === "string" ? rest[0] : warning.name;
    if (name === "TimeoutNegativeWarning") return;
    // deno-lint-ignore no-explicit-any
    (emitWarning as any)(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * Builds a Kafka client. kafkajs logs every retried request as an error; its logging is off
 * unless `KAFKAJS_LOG_LEVEL` (error, warn, info, debug) asks for it, and failures that matter
 * surface as rejected calls instead.
 */
export function createKafka(settings: KafkaSettings): Kafka {
  hideTimeoutNegativeWarning();
  return new Kafka({
    brokers: settings.brokers,
    clientId: settings.clientId,
    logLevel: kafkaLogLevel(),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 5 },
  });
}

/**
 * Creates each topic that does not exist yet, with `replicationFactor` replicas (default: the
 * broker's `default.replication.factor`); existing topics are left as they are.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: TopicSpec[],
  replicationFactor?: number,
): Promise<string[]> {
  if (topics.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = uniqueByTopic(topics).filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          // -1: the broker's default.replication.factor.
          replicationFactor: replicationFactor ?? -1,
        })),
      });
    }
    return missing.map((spec) => spec.topic);
  } finally {
    await admin.disconnect();
  }
}

function uniqueByTopic(topics: TopicSpec[]): TopicSpec[] {
  const byTopic = new Map<string, TopicSpec>();
  for (const spec of topics) if (!byTopic.has(spec.topic)) byTopic.set(spec.topic, spec);
  return [...byTopic.values()];
}

function kafkaLogLevel(): logLevel {
  switch (Deno.env.get("KAFKAJS_LOG_LEVEL")?.toLowerCase()) {
    case "error":
      return logLevel.ERROR;
    case "warn":
      return logLevel.WARN;
    case "info":
      return logLevel.INFO;
    case "debug":
      return logLevel.DEBUG;
    default:
      return logLevel.NOTHING;
  }
}
