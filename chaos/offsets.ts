/**
 * The input topic seen from outside the runners: end offsets, the group's committed offsets, and
 * waiting until the committed offsets cover a snapshot of the end offsets (a flush has made
 * everything read up to then durable, since offsets are committed only after that).
 *
 * @module
 */
import type { Admin } from "kafkajs";

/** Offset per partition. */
export type Offsets = Map<number, number>;

/**
 * The end offset (high watermark) of every partition of `topic`.
 *
 * @param admin Connected admin client.
 * @param topic Topic.
 */
export async function endOffsets(admin: Admin, topic: string): Promise<Offsets> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((entry) => [entry.partition, Number(entry.high)]));
}

/**
 * The committed offset of `group` on every partition of `topic` (0 where none is committed).
 *
 * @param admin Connected admin client.
 * @param group Consumer group.
 * @param topic Topic.
 */
export async function committedOffsets(
  admin: Admin,
  group: string,
  topic: string,
): Promise<Offsets> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map(
    (offsets?.partitions ?? []).map((
      entry,
    ) => [entry.partition, Math.max(0, Number(entry.offset))]),
  );
}

/**
 * Messages not yet committed: the sum over partitions of end minus committed offset.
 *
 * @param end End offsets.
 * @param committed Committed offsets.
 * @returns The backlog.
 *
 * @example
 * ```ts
 * import { backlog } from "./offsets.ts";
 * console.assert(backlog(new Map([[0, 10], [1, 5]]), new Map([[0, 4]])) === 11);
 * ```
 */
export function backlog(end: Offsets, committed: Offsets): number {
  let total = 0;
  for (const [partition, offset] of end) {
    total += Math.max(0, offset - (committed.get(partition) ?? 0));
  }
  return total;
}

/**
 * Polls until the group's committed offsets reach `target` on every partition. Failed polls
 * (the broker restarting) are retried.
 *
 * @param admin Connected admin client.
 * @param group Consumer group.
 * @param topic Topic.
 * @param target End offsets to cover.
 * @param timeoutMs Give up after this long.
 * @param alive Polled too: a reason stops the wait with that error.
 * @returns `performance.now()` when covered.
 * @throws {Error} On timeout (with the backlog left), or when `alive` reports a reason.
 */
export async function waitCovered(
  admin: Admin,
  group: string,
  topic: string,
  target: Offsets,
  timeoutMs: number,
  alive: () => string | undefined = () => undefined,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let left = backlog(target, new Map());
  for (;;) {
    const dead = alive();
    if (dead !== undefined) throw new Error(dead);
    try {
      left = backlog(target, await committedOffsets(admin, group, topic));
      if (left === 0) return performance.now();
    } catch {
      // The broker is restarting; ask again.
    }
    if (performance.now() > deadline) {
      throw new Error(
        `the group ${group} did not commit up to the end offsets within ${timeoutMs / 1000} s ` +
          `(${left} messages still not committed)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
