/**
 * When a failure that keeps coming back stops being worth retrying.
 *
 * A consumer crash, a flush that cannot reach Cassandra: each is retried, because most outages
 * are short. A failure that persists (too many restarts without progress in between, or failing
 * for too long) is reported instead, and the runner exits non-zero rather than retrying
 * forever behind a frozen status line.
 *
 * @module
 */

/** Limits of a {@linkcode FailurePolicy}. */
export interface FailureLimits {
  /** Give up at this many failures in a row without progress (default 10). */
  maxFailures?: number;
  /** Give up once failing without progress for this long, in ms (default 5 minutes). */
  maxFailingMs?: number;
  /** Clock, ms since epoch (default `Date.now`); tests inject their own. */
  now?: () => number;
}

/** The verdict on one failure. */
export interface FailureVerdict {
  /** True to retry or restart; false once the failure counts as persistent. */
  retry: boolean;
  /** Failures in a row so far, this one included. */
  failures: number;
  /** How long it has been failing without progress, in ms. */
  failingMs: number;
}

/** Counts failures in a row and decides when they are persistent. */
export interface FailurePolicy {
  /** Records one failure and says whether to retry. */
  failed(): FailureVerdict;
  /** Records progress (a processed batch, a successful flush): the streak ends. */
  succeeded(): void;
  /** Failures in the current streak (0 when healthy). */
  streak(): number;
}

/**
 * Creates a failure policy.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { failurePolicy } from "./failure_policy.ts";
 * let now = 0;
 * const policy = failurePolicy({ maxFailures: 3, maxFailingMs: 60_000, now: () => now });
 * assert.equal(policy.failed().retry, true);
 * now = 61_000;
 * assert.equal(policy.failed().retry, false);
 * ```
 */
export function failurePolicy(limits: FailureLimits = {}): FailurePolicy {
  const maxFailures = limits.maxFailures ?? 10;
  const maxFailingMs = limits.maxFailingMs ?? 300_000;
  const now = limits.now ?? Date.now;
  let failures = 0;
  let since = 0;
  return {
    failed() {
      if (failures === 0) since = now();
      failures++;
      const failingMs = now() - since;
      return { retry: failures < maxFailures && failingMs < maxFailingMs, failures, failingMs };
    },
    succeeded() {
      failures = 0;
    },
    streak: () => failures,
  };
}
