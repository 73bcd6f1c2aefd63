/**
 * `file` source: follows log files (glob patterns) and writes each line, parsed by the
 * configured log format, to a Kafka topic that a `kafka` source reads, exactly once.
 *
 * The topic is the checkpoint: the last message of every write carries where each file had
 * been read to (`file/checkpoint.ts`), every write of one follower goes to one partition, and on
 * start (or after a failed write) the follower reads the newest messages of that partition and
 * goes on after the last line that reached Kafka. So a restart or a SIGKILL at any moment
 * neither loses nor repeats a line. Rotation by rename, by copytruncate and compression of the
 * rotated file are followed by content fingerprint (`file/follower.ts`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Kafka, Producer } from "kafkajs";
import {
  deadLetterTopicOf,
  deadLetterTopicOption,
  errorText,
  partitionsOption,
  sendAcknowledged,
  type SourcePlugin,
  type SourceRunner,
  topicOption,
  z,
} from "../../lib/sdk/mod.ts";
import { clientAddressOption, lineParser, logFormatOption } from "./log_lines/format_options.ts";
import { createFollower, type FileWrite, type Follower } from "./file/follower.ts";
import { recoverPosition } from "./file/topic_tail.ts";

const options = z.strictObject({
  paths: z.array(z.string().min(1)).min(1)
    .describe(
      "Files to follow: paths or glob patterns (relative to the working folder). Include the " +
        "rotated names (access.log*) so that lines a rotation moved away are still read after a " +
        "restart; .gz files are read through gzip.",
    )
    .meta({ examples: [["/var/log/nginx/access.log*"]] }),
  format: logFormatOption().meta({ examples: ["combined", "nginx_timed"] }),
  client_address: clientAddressOption().meta({ examples: ["x_forwarded_for"] }),
  start_at: z.enum(["beginning", "end"]).default("beginning")
    .describe(
      "Where the files found at the very first start are read from (files that appear later " +
        "are always read from their beginning; after that, the source goes on where it stopped).",
    )
    .meta({ examples: ["end"] }),
  topic: topicOption(
    "RAWLOG",
    "Topic the lines are written to, as JSON records; a `kafka` source reads it.",
  ),
  partitions: partitionsOption(6),
  dead_letter_topic: deadLetterTopicOption(
    "lines that do not match the format (headers: reason with the column, file.path, " +
      "file.fingerprint, file.offset)",
    "RAWLOG.dlq",
  ),
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, {
    error: "expected 1-64 characters from A-Z a-z 0-9 . _ -",
  }).default("file")
    .describe(
      "Names this source's messages and position in the topic; two file sources writing to " +
        "one topic need different ids, and changing it starts the files over.",
    )
    .meta({ examples: ["nginx-web1"] }),
  poll_interval_ms: z.number().int().min(10).max(60_000).default(250)
    .describe("How often the files are looked at when nothing new was found, ms.")
    .meta({ examples: [250] }),
});

/** Validated `file` source options. */
export type FileSourceOptions = z.output<typeof options>;

/**
 * One write: about this many bytes of messages (JSON values and headers), so that its record
 * batch stays under the broker's default message.max.bytes (1 MiB) with its per-record overhead.
 */
const MAX_WRITE_BYTES = 512 * 1024;
/** One write: at most this many lines. */
const MAX_WRITE_LINES = 5_000;
/** Longest pause between attempts after a failure, ms. */
const MAX_BACKOFF_MS = 5_000;

/** The partition a follower writes to: a hash of its id over the topic's partitions. */
async function partitionFor(kafka: Kafka, topic: string, id: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new Error(`Kafka topic ${topic} has no partitions`);
    let hash = 0;
    for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
    return hash % count;
  } finally {
    await admin.disconnect();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The `file` source plugin. */
const fileSource: SourcePlugin<FileSourceOptions> = {
  kind: "source",
  name: "file",
  summary: "Follows log files (globs, rotation, gzip) and writes their lines to a Kafka topic, " +
    "exactly once.",
  description: "Each line is parsed by `format` (a named format, or an nginx log_format or " +
    "Apache LogFormat string) and written as a JSON record to `topic`, which a kafka source " +
    "reads; lines that do not match go to the dead-letter topic with the column where they " +
    "failed. Files are known by a fingerprint of their first line, so rotation by rename or " +
    "copytruncate and a rotated file compressed with gzip are read on without loss or " +
    "duplicate. The position is kept in the topic itself (a header of the last message of " +
    "each write): a restart, or a SIGKILL at any moment, goes on after the last line that " +
    "reached Kafka. See docs/sources.md.",
  options,
  example: {
    paths: ["/var/log/nginx/access.log*"],
    format: "nginx_timed",
    topic: "RAWLOG",
    start_at: "beginning",
  },
  feedsTopic: (settings) => settings.topic,
  topics: (settings) => [
    { topic: settings.topic, partitions: settings.partitions },
    { topic: deadLetterTopicOf(settings), partitions: settings.partitions },
  ],
  open(settings, context): Promise<SourceRunner> {
    const format = lineParser(settings);
    const dlqTopic = deadLetterTopicOf(settings);
    const newProducer = () =>
      context.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
      });
    let producer: Producer | undefined;
    let stopped = false;

    /** Writes dead letters, then the lines (one request to `partition`). */
    const writeTo = (partition: number) => async (write: FileWrite) => {
      if (producer === undefined) {
        const fresh = newProducer();
        await fresh.connect();
        producer = fresh;
      }
      if (write.deadLetters.length > 0) {
        await sendAcknowledged(
          producer,
          dlqTopic,
          write.deadLetters.map((line) => ({
            value: Buffer.from(line.value),
            headers: line.headers,
            partition,
          })),
        );
      }
      if (write.lines.length > 0) {
        await sendAcknowledged(
          producer,
          settings.topic,
          write.lines.map((line) => ({ value: line.value, headers: line.headers, partition })),
        );
      }
    };

    const runner: SourceRunner = {
      async run(_handlers, signal) {
        let follower: Follower | undefined;
        let partition = 0;
        let failures = 0;
        let lastError = "";
        while (!signal.aborted && !stopped) {
          try {
            if (follower === undefined) {
              partition = await partitionFor(context.kafka, settings.topic, settings.id);
              const resume = await recoverPosition(
                context.kafka,
                settings.topic,
                partition,
                settings.id,
              );
              follower = createFollower({
                patterns: settings.paths,
                startAtEnd: settings.start_at === "end",
                id: settings.id,
                format,
                maxWriteBytes: MAX_WRITE_BYTES,
                maxWriteLines: MAX_WRITE_LINES,
                log: context.log,
              }, resume);
              context.log(
                `file source ${settings.id}: ${
                  resume === undefined
                    ? `first start (from the ${settings.start_at})`
                    : `resuming ${resume.size} file position(s)`
                } into ${settings.topic}/${partition}`,
              );
            }
            const handled = await follower.poll(writeTo(partition));
            failures = 0;
            lastError = "";
            if (handled === 0) await pause(settings.poll_interval_ms, signal);
          } catch (error) {
            // The position in memory may be ahead of or behind the topic (a write may have landed
            // without its answer): forget it and read it back from the topic.
            follower = undefined;
            const old = producer;
            producer = undefined;
            await old?.disconnect().catch(() => {});
            const text = errorText(error);
            if (text !== lastError) context.log(`file source ${settings.id}: ${text}; retrying`);
            lastError = text;
            failures++;
            await pause(Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures), signal);
          }
        }
      },
      commit: () => Promise.resolve(),
      reject: () => Promise.resolve(),
      async close() {
        stopped = true;
        await producer?.disconnect();
      },
    };
    return Promise.resolve(runner);
  },
};

export default fileSource;
