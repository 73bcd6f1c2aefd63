import assert from "assert";
import { MAX_FLUSH_PAUSE_MS, nextFlushDelay } from "./flush_pacing.ts";

const INTERVAL = 1_000;

Deno.test("flush pacing: the first flush starts at once", () => {
  assert.equal(nextFlushDelay(5_000, INTERVAL), 0);
});

Deno.test("flush pacing: short flushes start one interval apart, counted from their start", () => {
  const last = { startedAt: 10_000, endedAt: 10_100, afterFailure: false };
  assert.equal(nextFlushDelay(10_100, INTERVAL, last), 900);
  // A late timer starts the flush at once rather than waiting another interval.
  assert.equal(nextFlushDelay(11_300, INTERVAL, last), 0);
});

Deno.test("flush pacing: a long flush while input backs up is followed by three times its duration, capped", () => {
  const last = { startedAt: 10_000, endedAt: 10_300, afterFailure: false, backlogged: true };
  // 3 × 300 ms = 900 ms after its end, later than one interval after its start.
  assert.equal(nextFlushDelay(10_300, INTERVAL, last), 900);
  const slow = { startedAt: 10_000, endedAt: 16_000, afterFailure: false, backlogged: true };
  assert.equal(nextFlushDelay(16_000, INTERVAL, slow), MAX_FLUSH_PAUSE_MS);
});

Deno.test("flush pacing: while the consumer keeps up, a long flush gets no pause", () => {
  // The pause would only make results staler: nothing waits for the loop's time.
  const last = { startedAt: 10_000, endedAt: 10_800, afterFailure: false, backlogged: false };
  assert.equal(nextFlushDelay(10_800, INTERVAL, last), 200);
  const longer = { startedAt: 10_000, endedAt: 11_500, afterFailure: false };
  assert.equal(nextFlushDelay(11_500, INTERVAL, longer), 0);
});

Deno.test("flush pacing: after a 29 s flush (Cassandra frozen) the next starts within the cap", () => {
  // Reproduces issue 15: the pause after the flush spanning a 30 s freeze was 87 s.
  const last = { startedAt: 71_000, endedAt: 100_000, afterFailure: false, backlogged: true };
  assert.equal(nextFlushDelay(100_000, INTERVAL, last), MAX_FLUSH_PAUSE_MS);
  assert.ok(MAX_FLUSH_PAUSE_MS <= 1_000, "leaves room for catching up within 5 s");
});

Deno.test("flush pacing: the first success after failures is followed by no pause", () => {
  // It wrote everything the failing flushes could not, so it was slow for a passing reason.
  const last = { startedAt: 20_000, endedAt: 21_500, afterFailure: true, backlogged: true };
  assert.equal(nextFlushDelay(21_500, INTERVAL, last), 0);
  const quick = { startedAt: 20_000, endedAt: 20_200, afterFailure: true };
  assert.equal(nextFlushDelay(20_200, INTERVAL, quick), 800);
});
