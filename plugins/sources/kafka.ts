/**
 * `kafka` source: a consumer group on a topic of web logs or events (JSON objects or
 * combined-format lines). Offsets are committed only when the runtime says the records they cover are durable;
 * rejected messages go to a dead-letter topic with the reason and the original bytes.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Batch, Consumer, Producer } from "kafkajs";
import {
  acknowledgedSender,
  errorText,
  type RawMessage,
  type SourcePlugin,
  type SourceRunner,
  topicName,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  topic: topicName().default("RAWLOG")
    .describe("Topic to read web logs or events from.")
    .meta({ examples: ["RAWLOG"] }),
  partitions: z.number().int().min(1).max(1000).default(6)
    .describe("Partition count used when the runner creates the topic.")
    .meta({ examples: [6] }),
  dead_letter_topic: topicName().optional()
    .describe(
      "Topic receiving messages that cannot be parsed or fail validation; default <topic>.dlq.",
    )
    .meta({ examples: ["RAWLOG.dlq"] }),
  from_beginning: z.boolean().default(true)
    .describe("Where a new consumer group starts: the oldest retained message, or only new ones.")
    .meta({ examples: [true] }),
  partitions_in_parallel: z.number().int().min(1).max(64).default(6)
    .describe("How many partitions this process works on at the same time.")
    .meta({ examples: [3] }),
  session_timeout_ms: z.number().int().min(6000).max(300_000).default(10_000)
    .describe("How long a silent runner keeps its partitions before the group reassigns them.")
    .meta({ examples: [10_000] }),
  max_bytes_per_partition: z.number().int().min(1024).default(1_048_576)
    .describe("Largest fetch per partition, in bytes; bigger batches mean fewer round trips.")
    .meta({ examples: [1_048_576] }),
  message_time_fallback: z.boolean().default(false)
    .describe(
      "Give a JSON record without timestamp or event_time the Kafka message's timestamp " +
        "instead of rejecting it.",
    )
    .meta({ examples: [false] }),
});

/** Validated `kafka` source options. */
export type KafkaSourceOptions = z.output<typeof options>;

/**
 * How the consumer retries after a failed batch (Cassandra or Kafka not answering) before it
 * counts as a crash: kafkajs doubles the wait from 300 ms up to `maxRetryTime`, 30 s by default,
 * so after a 10 s Cassandra restart the next attempt came up to 20 s after it answered again.
 * Capped at 1 s, results are fresh within seconds of the service's return; 30 attempts keep a
 * crash about as far apart as before (the runtime stops after 10 crashes or 5 minutes).
 */
export const CONSUMER_RETRY = { retries: 30, initialRetryTime: 300, maxRetryTime: 1_000 };

/**
 * How often a member tells the group it is alive, ms. A member learns that the group is
 * rebalancing (a runner died or joined) only at its next heartbeat: at kafkajs' default of 3 s
 * that wait came on top of the session timeout after a runner was killed, and a recovery took
 * 15.1 s against its bound of session + 5 s. A heartbeat is one small request.
 */
const HEARTBEAT_MS = 1_000;
/** How long a failed batch is tried again in place before kafkajs sees the failure, ms. */
export const BATCH_RETRY_MS = 20_000;
/**
 * How often a failed batch is tried again in place, ms: a batch waiting on a restarting
 * Cassandra goes through at most this long after it answers (it was a second, a fifth of the
 * 5 s within which results must be fresh again).
 */
const BATCH_RETRY_EVERY_MS = 250;

function deadLetterTopic(settings: KafkaSourceOptions): string {
  return settings.dead_letter_topic ?? `${settings.topic}.dlq`;
}

/** The `kafka` source plugin. */
const kafkaSource: SourcePlugin<KafkaSourceOptions> = {
  kind: "source",
  name: "kafka",
  summary: "Reads web logs and events from a Kafka topic in a consumer group, exactly once.",
  description: "Accepts JSON objects (web logs or events, see Records) and Apache/nginx " +
    "combined-format lines. Offsets are " +
    "committed only after the log rows and aggregate state they cover are durable in Cassandra; " +
    "re-delivered messages are recognised by their offset and never counted twice. Messages " +
    "that cannot be parsed go to the dead-letter topic, keyed <topic>/<partition>/<offset>, " +
    "with headers reason, source_topic, source_partition and source_offset.",
  options,
  example: { topic: "RAWLOG", partitions: 6, dead_letter_topic: "RAWLOG.dlq" },
  topics: (settings) => [
    { topic: settings.topic, partitions: settings.partitions },
    { topic: deadLetterTopic(settings), partitions: settings.partitions },
  ],
  open(settings, context) {
    const consumer: Consumer = context.kafka.consumer({
      groupId: context.consumerGroup,
      maxBytesPerPartition: settings.max_bytes_per_partition,
      maxBytes: settings.max_bytes_per_partition * 10,
      sessionTimeout: settings.session_timeout_ms,
      heartbeatInterval: HEARTBEAT_MS,
      retry: {
        ...CONSUMER_RETRY,
        // kafkajs restarts a crashed consumer forever; the runtime counts each crash, logs it
        // and says when the failure has persisted long enough to stop instead.
        restartOnFailure: (error) => Promise.resolve(onFailure(error)),
      },
    });
    let onFailure: (error: unknown) => boolean = () => true;
    const deadLetters: Producer = context.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    const dlqTopic = deadLetterTopic(settings);
    // Every partition's answer is checked: a kafkajs send can resolve without some.
    const deadLetterSender = acknowledgedSender(context.kafka, deadLetters, dlqTopic);
    let connected: Promise<void> | undefined;
    const connect = () =>
      connected ??= Promise.all([consumer.connect(), deadLetters.connect()]).then(() => {});

    let assigned: number | undefined;
    const runner: SourceRunner = {
      assignment: () => assigned,
      async run(handlers, signal) {
        await connect();
        await consumer.subscribe({ topic: settings.topic, fromBeginning: settings.from_beginning });
        if (handlers.onFailure !== undefined) onFailure = handlers.onFailure;
        const crashed = new Promise<never>((_, reject) => {
          consumer.on(consumer.events.CRASH, (event) => {
            if (!event.payload.restart) reject(event.payload.error);
          });
        });
        // A batch fetched before a rebalance must not move the fetch position of the new
        // assignment: it is resolved only when no group join happened while it ran, otherwise
        // its messages are fetched again from the committed offsets.
        let generation = 0;
        consumer.on(consumer.events.GROUP_JOIN, (event) => {
          generation++;
          assigned = Object.values(event.payload.memberAssignment)
            .reduce((sum, partitions) => sum + partitions.length, 0);
          handlers.onReassigned();
        });
        let inFlight = 0;
        let drained: (() => void) | undefined;
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: settings.partitions_in_parallel,
          eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
            if (signal.aborted) return;
            const startedIn = generation;
            inFlight++;
            try {
              await handleBatch(batch, heartbeat);
              if (generation === startedIn) resolveOffset(batch.lastOffset());
            } finally {
              if (--inFlight === 0) drained?.();
            }
          },
        });
        async function handleBatch(batch: Batch, heartbeat: () => Promise<void>): Promise<void> {
          const messages: RawMessage[] = batch.messages.map((message) => ({
            offset: Number(message.offset),
            value: message.value,
            producedAt: Number(message.timestamp),
            // The message timestamp is stored with the message: the same on every delivery.
            fallbackTime: settings.message_time_fallback ? Number(message.timestamp) : undefined,
          }));
          // A batch can wait on Cassandra (a node restarting or frozen) for longer than the
          // session, or fail while it is down: heartbeats go on meanwhile and a failed batch is
          // tried again in place (re-delivery is recognised, so that is safe) for up to
          // BATCH_RETRY_MS, so the group does not evict a member that is only waiting (an
          // eviction re-delivers everything read since the last commit and costs a rebalance).
          // Past that, the failure goes to kafkajs, which counts it as a crash. When the group
          // asks its members to rejoin (a heartbeat fails: rebalance, or a restarted
          // coordinator), or partitions move, retrying in place would only hold the group up,
          // so the failure goes to kafkajs at once and the batch is re-delivered after the join.
          const joinedIn = generation;
          let groupWaits = false;
          const keepAlive = setInterval(() =>
            heartbeat().catch(() => {
              groupWaits = true;
            }), HEARTBEAT_MS);
          const started = Date.now();
          try {
            for (let attempt = 1;; attempt++) {
              try {
                await handlers.onBatch({
                  stream: batch.topic,
                  partition: batch.partition,
                  messages,
                  lag: Number(batch.offsetLag()),
                  endOffset: Number(batch.highWatermark),
                });
                if (attempt > 1) {
                  context.log(
                    `${batch.topic}/${batch.partition}: batch went through at attempt ${attempt}`,
                  );
                }
                break;
              } catch (error) {
                const givingUp = signal.aborted || groupWaits || generation !== joinedIn ||
                  Date.now() - started >= BATCH_RETRY_MS;
                if (givingUp) throw error;
                if (attempt === 1) {
                  context.log(
                    `${batch.topic}/${batch.partition}: batch failed, trying again every ` +
                      `${BATCH_RETRY_EVERY_MS} ms for up to ${BATCH_RETRY_MS / 1000} s: ${
                        errorText(error, { firstLine: true })
                      }`,
                  );
                }
                await new Promise((resolve) => setTimeout(resolve, BATCH_RETRY_EVERY_MS));
              }
            }
          } finally {
            clearInterval(keepAlive);
          }
          await heartbeat();
        }
        const aborted = new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        await Promise.race([aborted, crashed]);
        // Stop fetching but stay in the group, so the runtime can still commit what it flushes.
        consumer.pause([{ topic: settings.topic }]);
        if (inFlight > 0) await new Promise<void>((resolve) => drained = resolve);
      },
      async commit(positions) {
        if (positions.length === 0) return;
        await consumer.commitOffsets(positions.map((position) => ({
          topic: position.stream,
          partition: position.partition,
          offset: String(position.nextOffset),
        })));
      },
      async reject(batch, rejections) {
        await deadLetterSender.send(rejections.map(({ message, reason }) => ({
          key: `${batch.stream}/${batch.partition}/${message.offset}`,
          value: message.value === null ? null : Buffer.from(
            message.value.buffer,
            message.value.byteOffset,
            message.value.byteLength,
          ),
          headers: {
            reason,
            source_topic: batch.stream,
            source_partition: String(batch.partition),
            source_offset: String(message.offset),
          },
        })));
      },
      async close() {
        await Promise.allSettled([consumer.disconnect(), deadLetters.disconnect()]);
      },
    };
    return Promise.resolve(runner);
  },
};

export default kafkaSource;
