/**
 * A consumer that kafkajs restarts after a crash rejoins its group under the member id it had.
 *
 * Why: when the only broker of a cluster shuts down (a restart), kafkajs 2.2.4 finds no broker
 * left in its pool and abandons the consumer (`KafkaJSNoBrokerAvailableError`); its restart
 * joins as a new member. The restarted broker, though, loads the group with its old members,
 * and a rebalance waits for every member it knows: the group stood still until the old members'
 * sessions expired (10 s), so results were stale 15 s after a 4 s broker restart. Rejoining
 * under the old id, each restarted consumer is one of the members the rebalance waits for, and
 * it completes as soon as they are all back.
 *
 * kafkajs has no option for it, so this wraps two methods of its `ConsumerGroup` (pinned
 * version): `joinAndSync` starts from the id the consumer last had when it has none, and
 * `leave` forgets it. A consumer's restarts share its cluster object, so that is the key. An id
 * the broker no longer knows is answered UNKNOWN_MEMBER_ID, on which kafkajs itself joins
 * again as a new member: reusing an id can delay a join by one round trip, never break it.
 *
 * @module
 */

/** The part of a kafkajs `ConsumerGroup` this touches. */
export interface RejoiningGroup {
  /** The consumer's cluster, the same object across its restarts. */
  cluster: object;
  /** The member id (null or empty before joining). */
  memberId: string | null;
  /** Joins the group and gets the assignment. */
  joinAndSync(): Promise<unknown>;
  /** Leaves the group. */
  leave(): Promise<unknown>;
}

const patched = new WeakSet<object>();

/**
 * Wraps `joinAndSync` and `leave` of a consumer group prototype (once per prototype).
 *
 * @param prototype kafkajs' `ConsumerGroup.prototype`, or a test double.
 *
 * @example
 * ```ts
 * import { rejoinUnderLastMemberId } from "./kafka_rejoin.ts";
 * class Group {
 *   memberId: string | null = null;
 *   constructor(public cluster: object) {}
 *   joinAndSync() { this.memberId ??= "m-1"; return Promise.resolve(); }
 *   leave() { this.memberId = null; return Promise.resolve(); }
 * }
 * rejoinUnderLastMemberId(Group.prototype);
 * ```
 */
export function rejoinUnderLastMemberId(prototype: RejoiningGroup): void {
  if (patched.has(prototype)) return;
  patched.add(prototype);
  const lastMemberId = new WeakMap<object, string>();
  const joinAndSync = prototype.joinAndSync;
  const leave = prototype.leave;
  prototype.joinAndSync = async function (this: RejoiningGroup) {
    if (!this.memberId) {
      const last = lastMemberId.get(this.cluster);
      if (last !== undefined) this.memberId = last;
    }
    const result = await joinAndSync.call(this);
    if (this.memberId) lastMemberId.set(this.cluster, this.memberId);
    return result;
  };
  prototype.leave = async function (this: RejoiningGroup) {
    const result = await leave.call(this);
    lastMemberId.delete(this.cluster);
    return result;
  };
}
