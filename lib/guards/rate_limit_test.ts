import assert from "assert";
import { tokenBuckets } from "./rate_limit.ts";

function clock() {
  const state = { now: 1_000 };
  return { state, now: () => state.now };
}

Deno.test("rate limit: a new key starts with a full bucket, then waits for refills", () => {
  const { state, now } = clock();
  const limiter = tokenBuckets({ ratePerSecond: 2, burst: 4, now });
  for (let i = 0; i < 4; i++) assert.deepEqual(limiter.take("a", 1), { ok: true });
  assert.deepEqual(limiter.take("a", 1), { ok: false, retryAfterSeconds: 1 });
  state.now += 499;
  assert.equal(limiter.take("a", 1).ok, false);
  state.now += 1;
  assert.deepEqual(limiter.take("a", 1), { ok: true });
});

Deno.test("rate limit: keys do not share buckets", () => {
  const { now } = clock();
  const limiter = tokenBuckets({ ratePerSecond: 1, burst: 3, now });
  assert.ok(limiter.take("a", 3).ok);
  assert.equal(limiter.take("a", 1).ok, false);
  assert.ok(limiter.take("b", 3).ok);
});

Deno.test("rate limit: a refused take costs nothing, and Retry-After covers the shortfall", () => {
  const { state, now } = clock();
  const limiter = tokenBuckets({ ratePerSecond: 10, burst: 100, now });
  assert.ok(limiter.take("a", 90).ok);
  assert.deepEqual(limiter.take("a", 50), { ok: false, retryAfterSeconds: 4 });
  state.now += 3_000;
  assert.deepEqual(limiter.take("a", 50), { ok: false, retryAfterSeconds: 1 }, "40 of 50 refilled");
  state.now += 1_000;
  assert.ok(limiter.take("a", 50).ok, "the refused takes did not drain the bucket");
});

Deno.test("rate limit: the bucket never holds more than the burst", () => {
  const { state, now } = clock();
  const limiter = tokenBuckets({ ratePerSecond: 100, burst: 10, now });
  assert.ok(limiter.take("a", 1).ok);
  state.now += 3_600_000;
  assert.ok(limiter.take("a", 10).ok);
  assert.equal(limiter.take("a", 1).ok, false);
});

Deno.test("rate limit: a cost above the burst needs a full bucket", () => {
  const { state, now } = clock();
  const limiter = tokenBuckets({ ratePerSecond: 5, burst: 10, now });
  assert.ok(limiter.take("a", 25).ok, "a full bucket pays for it");
  assert.deepEqual(limiter.take("a", 25), { ok: false, retryAfterSeconds: 2 });
  state.now += 2_000;
  assert.ok(limiter.take("a", 25).ok);
});

Deno.test("rate limit: nonsense settings are refused with the values found", () => {
  assert.throws(() => tokenBuckets({ ratePerSecond: 0, burst: 5 }), /found 0 and 5/);
});
