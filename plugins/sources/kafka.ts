/**
 * `kafka` source: a consumer group on a topic of web logs or events (JSON objects or
 * combined-format lines). Offsets are committed only when the runtime says the records they cover are durable;
 * rejected messages go to a dead-letter topic with the reason and the original bytes.
 *
 * @module
 */
import type { Consumer, Producer } from "kafkajs";
import {
  acknowledgedSender,
  deadLetterTopicOf,
  deadLetterTopicOption,
  partitionsOption,
  type SourcePlugin,
  type SourceRunner,
  topicOption,
  z,
} from "../../lib/sdk/mod.ts";
import { finalCrash, groupConsumer } from "./kafka/consumer.ts";
import { deliverBatch } from "./kafka/deliver_batch.ts";
import { deadLetterMessages } from "./kafka/dead_letters.ts";

const options = z.strictObject({
  topic: topicOption("RAWLOG", "Topic to read web logs or events from."),
  partitions: partitionsOption(6),
  dead_letter_topic: deadLetterTopicOption(
    "messages that cannot be parsed or fail validation",
    "RAWLOG.dlq",
  ),
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
    { topic: deadLetterTopicOf(settings), partitions: settings.partitions },
  ],
  open(settings, context) {
    let onFailure: (error: unknown) => boolean = () => true;
    const consumer: Consumer = groupConsumer(
      context.kafka,
      context.consumerGroup,
      settings,
      (error) => onFailure(error),
    );
    const deadLetters: Producer = context.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    const dlqTopic = deadLetterTopicOf(settings);
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
        const crashed = finalCrash(consumer);
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
              await deliverBatch(batch, heartbeat, {
                onBatch: handlers.onBatch,
                signal,
                messageTimeFallback: settings.message_time_fallback,
                rejoined: () => generation !== startedIn,
                log: context.log,
              });
              if (generation === startedIn) resolveOffset(batch.lastOffset());
            } finally {
              if (--inFlight === 0) drained?.();
            }
          },
        });
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
        await deadLetterSender.send(deadLetterMessages(batch, rejections));
      },
      async close() {
        await Promise.allSettled([consumer.disconnect(), deadLetters.disconnect()]);
      },
    };
    return Promise.resolve(runner);
  },
};

export default kafkaSource;
