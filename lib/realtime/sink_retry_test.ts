import assert from "assert";
import { sinkRetries } from "./sink_retry.ts";

const windows = (...keys: string[]) => new Map(keys.map((key) => [key, key]));

Deno.test("sink retries: a healthy sink gets exactly the changed windows", () => {
  const retries = sinkRetries<string>({ now: () => 0 });
  assert.deepEqual([...retries.due("results", windows("a", "b")).keys()], ["a", "b"]);
  assert.deepEqual(retries.health(), []);
});

Deno.test("sink retries: a failed sink keeps its windows and backs off, doubling up to the cap", () => {
  let now = 0;
  const retries = sinkRetries<string>({ baseDelayMs: 1_000, maxDelayMs: 4_000, now: () => now });
  retries.failed("results", windows("a"), "timeout");
  assert.equal(retries.due("results", windows("b")).size, 0, "nothing while backing off");
  now = 999;
  assert.equal(retries.due("results", windows()).size, 0);
  now = 1_000;
  const due = retries.due("results", windows());
  assert.deepEqual([...due.keys()], ["a", "b"], "changed windows joined the pending ones");
  retries.failed("results", due, "timeout again");
  now = 2_999;
  assert.equal(retries.due("results", windows()).size, 0, "second delay is 2 s");
  now = 3_000;
  retries.failed("results", retries.due("results", windows()), "still down");
  retries.failed("results", windows(), "still down");
  assert.deepEqual(retries.health(), [{
    sink: "results",
    failures: 4,
    failingSince: 0,
    pendingWindows: 2,
    lastError: "still down",
    nextAttemptAt: 7_000,
  }], "delays capped at 4 s");
});

Deno.test("sink retries: success clears the sink; windows changed meanwhile stay due", () => {
  let now = 0;
  const retries = sinkRetries<string>({ now: () => now });
  retries.failed("results", windows("a"), "down");
  now = 5_000;
  const due = retries.due("results", windows());
  retries.due("results", windows("c")); // changed while the retry was in flight
  retries.succeeded("results", due);
  assert.deepEqual([...retries.due("results", windows()).keys()], ["c"]);
  retries.succeeded("results", windows("c"));
  assert.deepEqual(retries.health(), []);
});

Deno.test("sink retries: one failing sink does not hold back another", () => {
  const retries = sinkRetries<string>({ now: () => 0 });
  retries.failed("results", windows("a"), "down");
  assert.deepEqual([...retries.due("topic", windows("a")).keys()], ["a"]);
  assert.equal(retries.health().length, 1);
});
