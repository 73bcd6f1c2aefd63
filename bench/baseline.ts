/**
 * The naive baseline: a plain consumer (kafkajs eachMessage, default auto-commit) that parses
 * each message and awaits one INSERT per record into a log-shaped table. Capped by time and
 * count, because it is slow.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import { applyCoreSchema } from "../lib/runtime/cassandra.ts";
import type { CassandraSettings } from "../lib/config/pipeline.ts";
import { LOG_COLUMNS, logRowValues } from "../lib/log_store.ts";
import { parseLogMessage } from "../lib/parse/mod.ts";
import type { BenchNames } from "./names.ts";

/** Figures of the baseline. */
export interface BaselineResult {
  /** Messages handled before the cap. */
  events: number;
  /** Seconds from the first message to the last handled. */
  seconds: number;
  /** events / seconds. */
  eventsPerSecond: number;
  /** Which cap ended it. */
  cappedBy: "time" | "count" | "end of topic";
}

/**
 * Runs the naive consumer over `topic` until `maxEvents` messages, `maxSeconds`, or the end.
 *
 * @param kafka Client.
 * @param client Connected Cassandra client.
 * @param settings Settings whose (bench-owned) keyspace receives the `log_naive` table.
 * @param names Registry of the run's names (for the consumer group).
 * @param topic The loaded topic.
 * @param total Messages in the topic.
 * @param maxEvents Count cap.
 * @param maxSeconds Time cap.
 * @returns The rate.
 */
export async function measureBaseline(
  kafka: Kafka,
  client: cassandra.Client,
  settings: CassandraSettings,
  names: BenchNames,
  topic: string,
  total: number,
  maxEvents: number,
  maxSeconds: number,
): Promise<BaselineResult> {
  await applyCoreSchema(client, settings, "log_naive");
  const insert = `INSERT INTO ${settings.keyspace}.log_naive (${LOG_COLUMNS.join(", ")}) ` +
    `VALUES (${LOG_COLUMNS.map(() => "?").join(", ")})`;
  const consumer = kafka.consumer({ groupId: names.group("naive") });
  const limit = Math.min(maxEvents, total);
  let events = 0;
  let firstAt = 0;
  let lastAt = 0;
  let cappedBy: BaselineResult["cappedBy"] = "end of topic";
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (reason: BaselineResult["cappedBy"]) => {
        if (done) return;
        done = true;
        cappedBy = reason;
        resolve();
      };
      consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          if (done) return;
          firstAt ||= performance.now();
          if (message.value !== null) {
            const parsed = parseLogMessage(message.value);
            if (parsed.ok) {
              const id = `${topic}/${partition}/${message.offset}`;
              await client.execute(insert, logRowValues(id, parsed.record), { prepare: true });
            }
          }
          events++;
          lastAt = performance.now();
          if (events >= limit) finish(limit < total ? "count" : "end of topic");
          else if (lastAt - firstAt >= maxSeconds * 1000) finish("time");
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  const seconds = (lastAt - firstAt) / 1000;
  return { events, seconds, eventsPerSecond: events / seconds, cappedBy };
}
