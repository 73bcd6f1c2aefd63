/**
 * Freshness: how long after a record is produced its effect is visible in the results table,
 * with a runner already running and a steady input rate.
 *
 * Records are stamped with the current time, so they all count in today's daily window, whose
 * `window_records` static column grows with every flush. The bench notes the time at which each
 * batch was handed to the producer together with the cumulative record count, polls
 * `window_records` every 50 ms, and takes for each batch the first poll that shows at least its
 * cumulative count.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type cassandra from "cassandra-driver";
import { CompressionTypes, type Kafka } from "kafkajs";
import { generateTraffic } from "../lib/traffic/simulate.ts";
import { createTopic, waitForStableGroup } from "./kafka_group.ts";
import type { BenchNames } from "./names.ts";
import { writeBenchPipeline } from "./pipeline_file.ts";
import type { Progress } from "./progress.ts";
import { spawnRunner } from "./runner_process.ts";

/** Produce requests per second at the steady rate. */
const REQUESTS_PER_SECOND = 20;
/** How often `window_records` is read. */
const POLL_MS = 50;
/** How long to wait, after the last batch, for every batch to become visible. */
const DRAIN_TIMEOUT_MS = 30_000;

/** Figures of the freshness measurement. */
export interface FreshnessResult {
  /** Requested rate, events/s. */
  rate: number;
  /** Rate actually produced, events/s. */
  producedRate: number;
  /** Records produced. */
  records: number;
  /** Batches (markers) produced. */
  batches: number;
  /** Batches never seen in the results table within the drain timeout. */
  unseen: number;
  /** Median visible − produced, ms. */
  p50Ms: number;
  /** 99th percentile visible − produced, ms (Infinity when more than 1% were never seen). */
  p99Ms: number;
  /** Largest latency seen, ms. */
  maxMs: number;
  /** Table polled. */
  table: string;
}

/**
 * Runs the freshness measurement on a fresh topic and keyspace.
 *
 * @param kafka Kafka client.
 * @param client Connected Cassandra client.
 * @param names Registry of the run's names.
 * @param shippedFile The shipped pipeline.yaml.
 * @param rate Events per second.
 * @param seconds How long to produce.
 * @param progress Progress reporter.
 * @returns The latency figures.
 * @throws {Error} When the pipeline has no daily aggregation with a cassandra sink, or the
 *   runner dies.
 */
export async function measureFreshness(
  kafka: Kafka,
  client: cassandra.Client,
  names: BenchNames,
  shippedFile: string,
  rate: number,
  seconds: number,
  progress: Progress,
): Promise<FreshnessResult> {
  const bench = await writeBenchPipeline(shippedFile, names.pipeline("fresh"));
  const { pipeline } = bench;
  const daily = pipeline.aggregations.find((entry) => entry.window.size === "1d");
  const sink = pipeline.sinks.find((entry) =>
    daily?.sinks.includes(entry.name) && entry.plugin.name === "cassandra"
  );
  if (daily === undefined || sink === undefined) {
    throw new Error("freshness needs a daily aggregation writing to a cassandra sink");
  }
  const table = `${pipeline.cassandra.keyspace}.${(sink.options as { table: string }).table}`;
  await createTopic(kafka, bench.names.topic, 6);

  const runner = spawnRunner(bench.file, (line) => progress.line(`  runner: ${line}`));
  let exitCode: number | undefined;
  runner.exited.then((code) => exitCode = code);
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.connect();
    await waitForStableGroup(
      admin,
      bench.names.group,
      120_000,
      () =>
        exitCode === undefined ? undefined : `the runner exited with code ${exitCode}:\n` +
          runner.lines.slice(-15).join("\n"),
    );
    await admin.disconnect();
    await producer.connect();

    // Every record counts in the day the measurement started in, even across midnight.
    const startedWall = Date.now();
    const date = new Date(startedWall).toISOString().slice(0, 10);
    const lastMoment = Date.parse(`${date}T23:59:59Z`);
    const events = generateTraffic({
      seed: 7,
      count: Infinity,
      start: 0,
      spanMs: 0,
      malformedShare: 0,
      lateShare: 0,
      combinedShare: 0.2,
      clock: () => Math.min(Date.now(), lastMoment),
    });
    const select = `SELECT window_records FROM ${table} WHERE date = ? LIMIT 1`;
    const batchSize = Math.max(1, Math.round(rate / REQUESTS_PER_SECOND));
    const total = Math.round(rate * seconds);
    const markers: Array<{ count: number; sentAt: number; visibleAt?: number }> = [];
    let seenUpTo = 0;
    let producing = true;

    const poller = (async () => {
      let drainStarted = 0;
      // The drain clock starts when production stops, not before.
      const deadline = () =>
        producing ? Infinity : (drainStarted ||= performance.now()) + DRAIN_TIMEOUT_MS;
      while (performance.now() < deadline()) {
        const found = await client.execute(select, [date], { prepare: true });
        const at = performance.now();
        const visible = Number(found.first()?.get("window_records") ?? 0);
        while (seenUpTo < markers.length && markers[seenUpTo]!.count <= visible) {
          markers[seenUpTo++]!.visibleAt = at;
        }
        if (!producing && seenUpTo === markers.length) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })();

    const started = performance.now();
    let sent = 0;
    let lastReport = started;
    while (sent < total) {
      const wait = started + (sent * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const size = Math.min(batchSize, total - sent);
      const messages = [];
      for (let i = 0; i < size; i++) {
        const event = events.next().value!;
        messages.push({
          key: event.key,
          value: Buffer.from(event.value.buffer, event.value.byteOffset, event.value.byteLength),
        });
      }
      const sentAt = performance.now();
      await producer.send({
        topic: bench.names.topic,
        messages,
        acks: -1,
        compression: CompressionTypes.None,
      });
      sent += size;
      markers.push({ count: sent, sentAt });
      if (sentAt - lastReport >= 5000) {
        lastReport = sentAt;
        progress.line(
          `freshness: ${sent}/${total} sent, ${seenUpTo}/${markers.length} batches visible`,
        );
      }
      if (exitCode !== undefined) throw new Error(`the runner exited with code ${exitCode}`);
    }
    const producedRate = sent / ((performance.now() - started) / 1000);
    producing = false;
    await poller;

    const latencies = markers.filter((marker) => marker.visibleAt !== undefined)
      .map((marker) => marker.visibleAt! - marker.sentAt).sort((a, b) => a - b);
    const unseen = markers.length - latencies.length;
    const ranked = [...latencies, ...Array<number>(unseen).fill(Infinity)];
    return {
      rate,
      producedRate,
      records: sent,
      batches: markers.length,
      unseen,
      p50Ms: percentile(ranked, 0.5),
      p99Ms: percentile(ranked, 0.99),
      maxMs: latencies[latencies.length - 1] ?? Infinity,
      table,
    };
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    await runner.stop(20_000);
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Infinity;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
