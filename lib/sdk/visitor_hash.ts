/**
 * A visitor key that cannot be turned back into who the visitor is: an HMAC-SHA-256 of the
 * visitor under a key derived from a secret salt and the record's UTC day, so the same
 * visitor has one key within a day and an unrelated one the next.
 *
 * @module
 */
import { createHmac } from "node:crypto";

const DAY_MS = 86_400_000;

/**
 * The day's key of a visitor: 32 hex digits (128 bits of an HMAC-SHA-256).
 *
 * @param visitor The visitor as the pipeline knows it (a user id, an address with its agent).
 * @param salt The secret salt (keep it out of the repository; without it keys cannot be
 *   recomputed from a guessed visitor).
 * @param timestamp The record's time, ms since epoch: its UTC day picks the day's key, so a
 *   replay gives the same keys.
 * @returns The visitor's key for that day.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { dailyVisitorHash } from "./visitor_hash.ts";
 * const monday = Date.UTC(2026, 10, 23, 9);
 * const a = dailyVisitorHash("u-1", "secret", monday);
 * assert.equal(a, dailyVisitorHash("u-1", "secret", monday + 3_600_000));
 * assert.notEqual(a, dailyVisitorHash("u-1", "secret", monday + 86_400_000));
 * assert.match(a, /^[0-9a-f]{32}$/);
 * ```
 */
export function dailyVisitorHash(visitor: string, salt: string, timestamp: number): string {
  const day = new Date(Math.floor(timestamp / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  const dayKey = createHmac("sha256", salt).update(day).digest();
  return createHmac("sha256", dayKey).update(visitor).digest("hex").slice(0, 32);
}
