import assert from "assert";
import { failurePolicy } from "./failure_policy.ts";

Deno.test("failure policy: retries until the tenth failure in a row", () => {
  const policy = failurePolicy({ now: () => 0 });
  for (let i = 1; i < 10; i++) {
    assert.deepEqual(policy.failed(), { retry: true, failures: i, failingMs: 0 });
  }
  assert.deepEqual(policy.failed(), { retry: false, failures: 10, failingMs: 0 });
});

Deno.test("failure policy: gives up after failing for five minutes, however few failures", () => {
  let now = 1_000;
  const policy = failurePolicy({ now: () => now });
  assert.equal(policy.failed().retry, true);
  now += 299_999;
  assert.equal(policy.failed().retry, true);
  now += 1;
  assert.deepEqual(policy.failed(), { retry: false, failures: 3, failingMs: 300_000 });
});

Deno.test("failure policy: progress ends the streak and restarts the clock", () => {
  let now = 0;
  const policy = failurePolicy({ maxFailures: 3, now: () => now });
  policy.failed();
  policy.failed();
  assert.equal(policy.streak(), 2);
  policy.succeeded();
  assert.equal(policy.streak(), 0);
  now = 10 * 60_000;
  assert.deepEqual(policy.failed(), { retry: true, failures: 1, failingMs: 0 });
  assert.equal(policy.failed().retry, true);
  assert.equal(policy.failed().retry, false);
});
