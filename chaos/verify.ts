/**
 * The chaos run's final checks, against its own counts: the result tables and `log` (the
 * bench's check), the dead-letter topic (exactly the malformed messages, one per key), and a
 * reconciliation of the batch recomputation from `log` with the real-time results.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type { Pipeline } from "../lib/config/pipeline.ts";
import { reconcile } from "../lib/batch/reconcile.ts";
import { openPipeline } from "../lib/runtime/start.ts";
import { generateTraffic, type TrafficOptions } from "../lib/traffic/simulate.ts";
import type { Expected } from "../bench/expected.ts";
import { verifyStored } from "../bench/verify.ts";
import { endOffsets } from "./offsets.ts";

/** What the final checks found. */
export interface FinalCheck {
  /** Valid records sent (rows `log` must hold). */
  validSent: number;
  /** Malformed records sent. */
  malformedSent: number;
  /** Dead-letter messages read. */
  deadLetters: number;
  /** Distinct dead-letter keys (`<topic>/<partition>/<offset>`). */
  deadLetterKeys: number;
  /** Windows reconcile compared. */
  reconciledWindows: number;
  /** Every difference (empty: everything equal). */
  problems: string[];
}

/**
 * Runs every final check.
 *
 * @param kafka Client of the private broker.
 * @param pipeline The chaos pipeline.
 * @param inputTopic Its input topic.
 * @param deadLetterTopic Its dead-letter topic.
 * @param traffic The stream that was sent.
 * @param expected Its counts.
 * @returns The findings.
 */
export async function finalCheck(
  kafka: Kafka,
  pipeline: Pipeline,
  inputTopic: string,
  deadLetterTopic: string,
  traffic: TrafficOptions,
  expected: Expected,
): Promise<FinalCheck> {
  const resources = await openPipeline(pipeline, { log: () => {} });
  try {
    const problems: string[] = [];
    // Input duplicated by the producer (a re-sent request) would be counted "correctly" twice.
    const admin = kafka.admin();
    await admin.connect();
    const input = await endOffsets(admin, inputTopic).finally(() => admin.disconnect());
    const inTopic = [...input.values()].reduce((sum, offset) => sum + offset, 0);
    if (inTopic !== expected.events) {
      problems.push(`input topic holds ${inTopic} messages, ${expected.events} were sent`);
    }
    problems.push(...await verifyStored(resources.context.cassandra, pipeline, expected));
    const letters = await deadLetterCheck(kafka, deadLetterTopic, traffic);
    problems.push(...letters.problems);
    const days = expected.days;
    const outcome = days.length === 0
      ? { windows: 0, differences: [] }
      : await reconcile(resources, pipeline.aggregations, {
        from: days[0]!,
        to: days[days.length - 1]!,
      });
    problems.push(
      ...outcome.differences.slice(0, 5).map((d) =>
        `reconcile ${d.aggregation} ${d.window}: ${d.detail}`
      ),
    );
    if (outcome.differences.length > 5) {
      problems.push(`reconcile: … and ${outcome.differences.length - 5} more differences`);
    }
    return {
      validSent: expected.valid,
      malformedSent: expected.malformed,
      deadLetters: letters.messages,
      deadLetterKeys: letters.keys,
      reconciledWindows: outcome.windows,
      problems,
    };
  } finally {
    await resources.close();
  }
}

/** Reads the whole dead-letter topic and compares it with the malformed messages sent. */
async function deadLetterCheck(
  kafka: Kafka,
  topic: string,
  traffic: TrafficOptions,
): Promise<{ messages: number; keys: number; problems: string[] }> {
  const decoder = new TextDecoder();
  const sent = new Map<string, number>();
  for (const event of generateTraffic(traffic)) {
    if (event.record !== undefined) continue;
    const text = decoder.decode(event.value);
    sent.set(text, (sent.get(text) ?? 0) + 1);
  }
  const admin = kafka.admin();
  await admin.connect();
  const end = await endOffsets(admin, topic).finally(() => admin.disconnect());
  const total = [...end.values()].reduce((sum, offset) => sum + offset, 0);
  const byKey = new Map<string, string>();
  let messages = 0;
  let missingReason = 0;
  const consumer = kafka.consumer({ groupId: `chaos-dlq-check-${crypto.randomUUID()}` });
  await consumer.connect();
  let finished!: () => void;
  const all = new Promise<void>((resolve) => finished = resolve);
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        messages++;
        if ((message.headers?.reason?.toString() ?? "") === "") missingReason++;
        byKey.set(message.key?.toString() ?? "", message.value?.toString() ?? "");
        if (messages >= total) finished();
        return Promise.resolve();
      },
    });
    if (total > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        all,
        new Promise((_, reject) =>
          timer = setTimeout(
            () => reject(new Error(`read ${messages} of ${total} dead letters in 120 s`)),
            120_000,
          )
        ),
      ]).finally(() => clearTimeout(timer));
    }
  } finally {
    await consumer.disconnect();
  }
  const problems: string[] = [];
  const got = new Map<string, number>();
  for (const value of byKey.values()) got.set(value, (got.get(value) ?? 0) + 1);
  const sentCount = [...sent.values()].reduce((sum, count) => sum + count, 0);
  if (byKey.size !== sentCount) {
    problems.push(`dead letters: ${byKey.size} distinct keys, expected ${sentCount}`);
  }
  const wrong = [...new Set([...sent.keys(), ...got.keys()])]
    .filter((value) => sent.get(value) !== got.get(value));
  if (wrong.length > 0) {
    problems.push(
      `dead letters: ${wrong.length} malformed message(s) missing or extra, e.g. ` +
        JSON.stringify(wrong[0]!.slice(0, 80)),
    );
  }
  if (missingReason > 0) problems.push(`dead letters: ${missingReason} without a reason header`);
  return { messages, keys: byKey.size, problems };
}
