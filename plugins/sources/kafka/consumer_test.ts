import assert from "assert";
import { CONSUMER_RETRY } from "./consumer.ts";

Deno.test("kafka source: after a failed batch the consumer tries again at least every second", () => {
  // A Cassandra restart of 10 s was followed by 20 s of stale results with kafkajs' default
  // cap of 30 s between attempts (the chaos run's cassandra-restart fault).
  assert.ok(CONSUMER_RETRY.maxRetryTime <= 1_000);
  // Waits double from initialRetryTime up to the cap; the attempts of one crash add up to
  // roughly as long as with the defaults, so the runtime's crash limits keep their meaning.
  let total = 0;
  let wait = CONSUMER_RETRY.initialRetryTime;
  for (let attempt = 0; attempt < CONSUMER_RETRY.retries; attempt++) {
    total += wait;
    wait = Math.min(wait * 2, CONSUMER_RETRY.maxRetryTime);
  }
  assert.ok(total >= 20_000, `${total} ms of retries per crash`);
});
