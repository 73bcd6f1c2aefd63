/**
 * Watching a consumer group from the outside: when it has its partitions, and how far its
 * committed offsets have got.
 *
 * @module
 */
import type { Admin, Kafka } from "kafkajs";

/**
 * Sum over partitions of the group's committed offsets on `topic` (messages acknowledged).
 *
 * @param admin A connected admin client.
 * @param group Consumer group.
 * @param topic Topic.
 */
export async function committedCount(admin: Admin, group: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (offsets?.partitions ?? []).reduce(
    (sum, partition) => sum + Math.max(0, Number(partition.offset)),
    0,
  );
}

/**
 * Polls until the group is `Stable` with at least one member (its partitions are assigned and
 * it is fetching).
 *
 * @param admin A connected admin client.
 * @param group Consumer group.
 * @param timeoutMs Give up after this long.
 * @param alive Polled too: when it returns a reason, waiting stops with that error.
 * @returns `performance.now()` when the group was first seen stable.
 * @throws {Error} On timeout, or when `alive` reports a reason.
 */
export async function waitForStableGroup(
  admin: Admin,
  group: string,
  timeoutMs: number,
  alive: () => string | undefined = () => undefined,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = alive();
    if (dead !== undefined) throw new Error(dead);
    const { groups } = await admin.describeGroups([group]);
    const description = groups[0];
    if (description?.state === "Stable" && description.members.length > 0) {
      return performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`consumer group ${group} did not get its partitions within ${timeoutMs} ms`);
}

/**
 * Creates a topic with `partitions` partitions (waiting for leaders) unless it exists.
 *
 * @param kafka Client.
 * @param topic Name.
 * @param partitions Partition count.
 */
export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}
