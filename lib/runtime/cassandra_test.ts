import assert from "assert";
import cassandra from "cassandra-driver";
import { consistencyOf, MAX_RECONNECT_DELAY_MS, reconnectionPolicy } from "./cassandra.ts";

Deno.test("cassandra client: a node that went down is retried at least every second", () => {
  const schedule = reconnectionPolicy().newSchedule() as Iterator<number>;
  const delays = Array.from({ length: 40 }, () => schedule.next().value);
  // The driver's default grows to 600 s; after a 10 s restart its next attempt came 9 s late.
  assert.ok(delays.every((delay) => delay <= MAX_RECONNECT_DELAY_MS), delays.join(", "));
  assert.equal(delays[0], 0, "the first attempt is immediate");
});

Deno.test("cassandra client: consistency for reads and writes, local_quorum unless set", () => {
  const settings = {
    contactPoints: ["127.0.0.1:9042"],
    localDataCenter: "datacenter1",
    keyspace: "web_analytics",
    replication: { class: "SimpleStrategy" as const, replication_factor: 3 },
  };
  const levels = cassandra.types.consistencies;
  assert.equal(consistencyOf(settings), levels.localQuorum);
  assert.equal(consistencyOf({ ...settings, consistency: "one" }), levels.one);
  assert.equal(consistencyOf({ ...settings, consistency: "all" }), levels.all);
});
