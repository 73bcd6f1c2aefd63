import assert from "assert";
import { rejoinUnderLastMemberId } from "./kafka_rejoin.ts";

/** A consumer group as kafkajs has it: a new one per (re)start, the cluster shared. */
class FakeGroup {
  memberId: string | null = null;
  joinedAs: string[] = [];
  static next = 0;
  static known = new Set<string>();
  constructor(public cluster: object) {}
  joinAndSync(): Promise<void> {
    // The broker: an id it knows is the same member; none (or an unknown one) a new member.
    if (this.memberId === null || !FakeGroup.known.has(this.memberId)) {
      this.memberId = `member-${++FakeGroup.next}`;
      FakeGroup.known.add(this.memberId);
    }
    this.joinedAs.push(this.memberId);
    return Promise.resolve();
  }
  leave(): Promise<void> {
    if (this.memberId !== null) FakeGroup.known.delete(this.memberId);
    this.memberId = null;
    return Promise.resolve();
  }
}
rejoinUnderLastMemberId(FakeGroup.prototype);
rejoinUnderLastMemberId(FakeGroup.prototype); // twice: wrapped once

Deno.test("kafka rejoin: a consumer restarted after a crash rejoins under its member id", async () => {
  const cluster = {};
  const first = new FakeGroup(cluster);
  await first.joinAndSync();
  // The crash: no leave reached the broker; kafkajs starts a new group object.
  const restarted = new FakeGroup(cluster);
  await restarted.joinAndSync();
  assert.equal(restarted.memberId, first.memberId);
  // Another consumer (another cluster object) never gets that id.
  const other = new FakeGroup({});
  await other.joinAndSync();
  assert.notEqual(other.memberId, first.memberId);
});

Deno.test("kafka rejoin: after leaving, a consumer joins as a new member", async () => {
  const cluster = {};
  const first = new FakeGroup(cluster);
  await first.joinAndSync();
  const left = first.memberId;
  await first.leave();
  const again = new FakeGroup(cluster);
  await again.joinAndSync();
  assert.notEqual(again.memberId, left);
});
