/**
 * Kafka client construction and topic creation shared by sources, sinks and jobs.
 *
 * @module
 */
import { Kafka, logLevel } from "kafkajs";
import type { TopicSpec } from "../contracts.ts";
import type { KafkaSettings } from "../config/pipeline.ts";
import process from "node:process";
import { brokerTroubleLogger } from "./kafka_trouble.ts";
import ConsumerGroup from "kafkajs/consumer-group";
import { rejoinUnderLastMemberId } from "./kafka_rejoin.ts";

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
 * How the client retries a request that failed (a broker restarting, a leader moving): kafkajs
 * doubles the wait from 300 ms up to `maxRetryTime`, 30 s by default, so after a 3 s broker
 * restart its next attempt came 2.4 s after the broker answered again. Capped at 1 s, ten
 * attempts still ride out about 8 s of outage, as the default five did.
 */
export const CLIENT_RETRY = { retries: 10, initialRetryTime: 300, maxRetryTime: 1_000 };

/**
 * Builds a Kafka client. kafkajs logs every retried request as an error; its own logging is off
 * unless `KAFKAJS_LOG_LEVEL` (error, warn, info, debug) asks for it, and failures that matter
 * surface as rejected calls instead. Given `log`, a broker that cannot be reached is said there
 * (once per broker every 30 s while it lasts), even when the client rides it out.
 */
export function createKafka(settings: KafkaSettings, log?: (line: string) => void): Kafka {
  hideTimeoutNegativeWarning();
  // A consumer restarted after a crash rejoins under its member id (see kafka_rejoin.ts).
  rejoinUnderLastMemberId(ConsumerGroup.prototype);
  const level = kafkaLogLevel();
  const trouble = log !== undefined && level === logLevel.NOTHING;
  return new Kafka({
    brokers: settings.brokers,
    clientId: settings.clientId,
    logLevel: trouble ? logLevel.ERROR : level,
    ...(trouble ? { logCreator: brokerTroubleLogger(log) } : {}),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: CLIENT_RETRY,
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
