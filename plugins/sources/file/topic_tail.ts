/**
 * Reading the `file` source's position back from the newest messages of its partition.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { lastCheckpoint, type MessageHeaders, type TrackedFile } from "./checkpoint.ts";

/** How many of the newest messages are read first; more (four times as many) when none fits. */
const FIRST_WINDOW = 2_000;
/** How long the partition's end must stay put before it is believed, ms. */
const SETTLE_MS = 500;
/** Most looks at the partition's end before it is believed moving or not. */
const SETTLE_TRIES = 10;
/** Longest wait for one range of messages, ms. */
const READ_TIMEOUT_MS = 60_000;

/** Oldest and next offsets of one partition. */
async function partitionRange(
  kafka: Kafka,
  topic: string,
  partition: number,
): Promise<{ low: number; high: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const found = offsets.find((entry) => entry.partition === partition);
    if (found === undefined) {
      throw new Error(`Kafka topic ${topic} has no partition ${partition}`);
    }
    return { low: Number(found.low), high: Number(found.high) };
  } finally {
    await admin.disconnect();
  }
}

/**
 * The partition's range once its end stopped moving: a write of a process killed a moment ago
 * may still be on its way to the replicas, and a position read before it lands would send its
 * lines again. Another writer of the partition (an `http` source on the same topic) may keep it
 * moving: after SETTLE_TRIES the range is taken as it is, since that write would have landed.
 */
async function settledRange(kafka: Kafka, topic: string, partition: number) {
  let range = await partitionRange(kafka, topic, partition);
  for (let tries = 0; tries < SETTLE_TRIES; tries++) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const again = await partitionRange(kafka, topic, partition);
    if (again.high === range.high) return again;
    range = again;
  }
  return range;
}

/** Headers of the messages of `partition` at offsets `from` (included) to `to` (excluded). */
export async function readHeaders(
  kafka: Kafka,
  topic: string,
  partition: number,
  from: number,
  to: number,
): Promise<MessageHeaders[]> {
  const found: Array<{ offset: number; headers: MessageHeaders }> = [];
  if (to <= from) return [];
  const groupId = `file-source-position-${crypto.randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
  let reached!: () => void;
  const done = new Promise<void>((resolve) => reached = resolve);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        if (batch.partition !== partition) return Promise.resolve();
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < from || offset >= to) continue;
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) {
            if (value !== undefined) headers[name] = value.toString();
          }
          found.push({ offset, headers });
          if (offset >= to - 1) reached();
        }
        return Promise.resolve();
      },
    });
    consumer.seek({ topic, partition, offset: String(from) });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `file source: could not read offsets ${from}..${to - 1} of ${topic}/${partition} ` +
                  `within ${READ_TIMEOUT_MS / 1000} s to find where it stopped`,
              ),
            ),
          READ_TIMEOUT_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
  found.sort((a, b) => a.offset - b.offset);
  return found.map((entry) => entry.headers);
}

/**
 * Where follower `id` stopped: the last checkpoint it wrote to `topic`/`partition`, read from
 * the newest messages back (a wider range each time none is found), or undefined when the
 * partition holds none of its messages (a first start).
 */
export async function recoverPosition(
  kafka: Kafka,
  topic: string,
  partition: number,
  id: string,
): Promise<Map<string, TrackedFile> | undefined> {
  const { low, high } = await settledRange(kafka, topic, partition);
  let to = high;
  let window = FIRST_WINDOW;
  while (to > low) {
    const from = Math.max(low, to - window);
    const checkpoint = lastCheckpoint(await readHeaders(kafka, topic, partition, from, to), id);
    if (checkpoint !== undefined) return checkpoint;
    to = from;
    window *= 4;
  }
  return undefined;
}
