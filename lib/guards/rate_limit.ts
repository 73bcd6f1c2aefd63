/**
 * Per-key rate limiting with token buckets.
 *
 * @module
 */

/** Outcome of {@linkcode RateLimiter.take}. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Token buckets, one per key. */
export interface RateLimiter {
  /**
   * Takes `cost` tokens from `key`'s bucket when it holds that many; otherwise takes nothing
   * and says how many whole seconds until it will.
   */
  take(key: string, cost: number): RateDecision;
}

/** Settings of {@linkcode tokenBuckets}. */
export interface TokenBucketSettings {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: the most a key may spend at once after being idle. */
  burst: number;
  /** Clock in ms (default `performance.now`); tests inject their own. */
  now?: () => number;
}

/**
 * Token buckets that refill continuously at `ratePerSecond` up to `burst`; a new key starts full.
 *
 * Invariants: a bucket never holds more than `burst` nor less than 0 tokens; a refused `take`
 * changes nothing, so refused requests cost a client nothing; a cost above `burst` is charged as
 * `burst` (a request larger than the bucket needs a full bucket, not an impossible one). Memory
 * is one entry per key, and keys come from the configured key store, so it stays bounded.
 *
 * @param settings Rate, burst and clock.
 * @returns The limiter.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { tokenBuckets } from "./rate_limit.ts";
 * let now = 0;
 * const limiter = tokenBuckets({ ratePerSecond: 10, burst: 20, now: () => now });
 * assert.deepEqual(limiter.take("shop", 20), { ok: true });
 * assert.deepEqual(limiter.take("shop", 5), { ok: false, retryAfterSeconds: 1 });
 * now += 500;
 * assert.deepEqual(limiter.take("shop", 5), { ok: true });
 * ```
 */
export function tokenBuckets(settings: TokenBucketSettings): RateLimiter {
  const { ratePerSecond, burst } = settings;
  if (!(ratePerSecond > 0) || !(burst >= 1)) {
    throw new RangeError(
      `rate limit: expected a rate > 0 and a burst >= 1, found ${ratePerSecond} and ${burst}`,
    );
  }
  const now = settings.now ?? (() => performance.now());
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, cost) {
      const at = now();
      let bucket = buckets.get(key);
      if (bucket === undefined) buckets.set(key, bucket = { tokens: burst, at });
      bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) / 1000) * ratePerSecond);
      bucket.at = at;
      const charge = Math.min(Math.max(cost, 0), burst);
      if (bucket.tokens >= charge) {
        bucket.tokens -= charge;
        return { ok: true };
      }
      const waitSeconds = (charge - bucket.tokens) / ratePerSecond;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
    },
  };
}
