/**
 * The `file` source's rate: N nginx_timed lines written to a temporary file, read by the
 * plugin (opened as the runner opens it) into a fresh bench topic; lines per second from the
 * source starting to every line being in the topic.
 *
 * The source runs in the bench's own process, on its default write sizes (one partition, one
 * idempotent request at a time), so the figure is the source's own pace, comparable with the
 * batched producer's load rate of the main throughput run.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { Admin, Kafka } from "kafkajs";
import fileSource, { type FileSourceOptions } from "../plugins/sources/file.ts";
import { ensureTopics } from "../lib/runtime/kafka.ts";
import { formatCombinedLine } from "../lib/parse/format_combined_log.ts";
import type { RequestRecord } from "../lib/records.ts";
import { generateTraffic } from "../lib/traffic/simulate.ts";
import { benchTraffic } from "./expected.ts";
import type { BenchNames } from "./names.ts";
import type { Progress } from "./progress.ts";
import { processCpuSeconds } from "./cpu.ts";

/** What the file-source part measured. */
export interface FileSourceResult {
  /** Lines written to the file (and expected in the topic). */
  lines: number;
  /** Size of the file, bytes. */
  bytes: number;
  /** The log format the lines were written in and read with. */
  format: string;
  /** Seconds from the source starting to every line being in the topic. */
  seconds: number;
  /** `lines / seconds`. */
  linesPerSecond: number;
  /** Seconds from the source starting to its first line in the topic (position recovery). */
  firstLineSeconds: number;
  /** The bench process's CPU while the source ran, percent of one core (the source's share). */
  cpuPercent?: number;
  /** What was wrong: lines missing, repeated or dead-lettered (empty = correct). */
  problems: string[];
}

const FORMAT = "nginx_timed";
/** Longest time the topic may stand still before the part gives up, ms. */
const STALL_MS = 60_000;

/**
 * Writes `lines` nginx_timed lines from the seeded bench traffic to `path`.
 *
 * @returns The file's size in bytes.
 */
export async function writeLogFile(path: string, lines: number): Promise<number> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let bytes = 0;
  try {
    let written = 0;
    let chunk: string[] = [];
    const flush = async () => {
      const data = encoder.encode(chunk.join(""));
      chunk = [];
      for (let at = 0; at < data.length;) at += await file.write(data.subarray(at));
      bytes += data.length;
    };
    // Twice the count: the stream's malformed events are skipped, and it must not run dry.
    const traffic = { ...benchTraffic(lines * 2), malformedShare: 0, lateShare: 0 };
    for (const event of generateTraffic(traffic)) {
      if (event.record === undefined) continue;
      const record = { remote_addr: "127.0.0.1", method: "GET", ...event.record } as RequestRecord;
      chunk.push(formatCombinedLine(record) + "\n");
      if (++written === lines) break;
      if (chunk.length === 10_000) await flush();
    }
    await flush();
    if (written < lines) throw new Error(`the traffic gave ${written} lines, not ${lines}`);
  } finally {
    file.close();
  }
  return bytes;
}

async function topicSize(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
}

/**
 * Measures the `file` source on `lines` lines, on its own topics (registered in `names` and
 * dropped before returning) and a temporary folder (removed).
 *
 * @param kafka Kafka client.
 * @param client Connected Cassandra client (the runtime context a source is opened with).
 * @param names Registry of the run's names.
 * @param lines How many lines.
 * @param progress Progress reporter.
 * @param replicationFactor Replicas of the topics (default: the broker's).
 * @returns The figures.
 * @throws {Error} When the topic stands still for a minute before holding every line.
 */
export async function measureFileSource(
  kafka: Kafka,
  client: cassandra.Client,
  names: BenchNames,
  lines: number,
  progress: Progress,
  replicationFactor?: number,
): Promise<FileSourceResult> {
  const benchNames = names.pipeline(`file${lines}`);
  const dir = await Deno.makeTempDir({ prefix: "bench-file-source-" });
  const admin = kafka.admin();
  try {
    const path = `${dir}/access.log`;
    const bytes = await writeLogFile(path, lines);
    progress.line(
      `file source: ${lines} ${FORMAT} lines (${(bytes / 1048576).toFixed(1)} MiB) in ${path}`,
    );
    const settings: FileSourceOptions = fileSource.options.parse({
      paths: [path],
      format: FORMAT,
      topic: benchNames.topic,
      dead_letter_topic: benchNames.deadLetterTopic,
      id: "bench",
    });
    await ensureTopics(kafka, fileSource.topics!(settings), replicationFactor);
    await admin.connect();
    const source = await fileSource.open(settings, {
      kafka,
      cassandra: client,
      keyspace: benchNames.keyspace,
      timeZone: "UTC",
      consumerGroup: benchNames.group,
      log: (line) => progress.line(`  ${line}`),
    });
    const controller = new AbortController();
    const cpuBefore = await processCpuSeconds(Deno.pid);
    const startedAt = performance.now();
    let failed: unknown;
    const running = source.run(
      { onBatch: () => Promise.resolve(), onReassigned: () => {} },
      controller.signal,
    ).catch((error) => failed = error);
    let inTopic = 0;
    let firstLineAt: number | undefined;
    let lastChange = startedAt;
    let lastReport = startedAt;
    try {
      while (inTopic < lines) {
        if (failed !== undefined) throw failed;
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = await topicSize(admin, settings.topic);
        const at = performance.now();
        if (now > inTopic) {
          lastChange = at;
          firstLineAt ??= at;
        } else if (at - lastChange > STALL_MS) {
          throw new Error(`the file source wrote nothing for 60 s (at ${inTopic}/${lines})`);
        }
        inTopic = now;
        if (at - lastReport >= 5000) {
          lastReport = at;
          progress.line(
            `file source: ${inTopic}/${lines} lines in the topic ` +
              `(${Math.round(inTopic / ((at - startedAt) / 1000))} lines/s)`,
          );
        }
      }
    } finally {
      controller.abort();
      await running;
      await source.close();
    }
    const doneAt = performance.now();
    const cpuAfter = await processCpuSeconds(Deno.pid);
    const seconds = (doneAt - startedAt) / 1000;
    const problems: string[] = [];
    const stored = await topicSize(admin, settings.topic);
    if (stored !== lines) problems.push(`${stored} messages in the topic for ${lines} lines`);
    const deadLetters = await topicSize(admin, benchNames.deadLetterTopic);
    if (deadLetters > 0) problems.push(`${deadLetters} lines dead-lettered`);
    return {
      lines,
      bytes,
      format: FORMAT,
      seconds,
      linesPerSecond: lines / seconds,
      firstLineSeconds: ((firstLineAt ?? doneAt) - startedAt) / 1000,
      cpuPercent: cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) / seconds) * 100,
      problems,
    };
  } finally {
    await admin.disconnect().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    const problems = await names.drop(kafka, client, benchNames);
    for (const problem of problems) progress.line(`could not drop ${problem}`);
  }
}
