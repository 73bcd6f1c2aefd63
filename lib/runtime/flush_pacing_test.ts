import assert from "assert";
import { flushDue, MAX_FLUSH_PAUSE_MS } from "./flush_pacing.ts";

Deno.test("flush pacing: a short flush is followed by three times its duration", () => {
  assert.equal(flushDue(10_000 + 299, 10_000, 100), false);
  assert.equal(flushDue(10_000 + 300, 10_000, 100), true);
});

Deno.test("flush pacing: after a 29 s flush (Cassandra frozen) the next starts within the cap", () => {
  // Reproduces issue 15: the pause after the flush spanning a 30 s freeze was 87 s.
  const end = 100_000;
  assert.equal(flushDue(end + MAX_FLUSH_PAUSE_MS - 1, end, 29_000), false);
  assert.equal(flushDue(end + MAX_FLUSH_PAUSE_MS, end, 29_000), true);
  assert.ok(MAX_FLUSH_PAUSE_MS <= 2_000, "leaves room for the flush itself within 5 s");
});

Deno.test("flush pacing: the first flush is due at once", () => {
  assert.equal(flushDue(5_000, 0, 0), true);
});
