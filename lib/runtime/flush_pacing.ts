/**
 * When the real-time loop may start its next flush.
 *
 * A flush that took long (a backlog touching many windows) is followed by a pause of three times
 * its duration, so flushing never takes over the loop; but the pause is capped, because a flush
 * that took long while Cassandra was frozen or restarting says nothing about the next one, and
 * results must be fresh again within seconds once the service answers (an uncapped pause after a
 * 29 s flush kept every result stale for 90 s).
 *
 * @module
 */

/** Longest pause between the end of one flush and the start of the next, ms. */
export const MAX_FLUSH_PAUSE_MS = 2_000;

/**
 * Whether the next flush may start now.
 *
 * @param now Current time, ms.
 * @param lastFlushEnd When the last flush ended (succeeded or failed), ms; 0 = never.
 * @param lastFlushMs How long the last flush took, ms.
 * @returns True when the pause after the last flush is over.
 *
 * @example
 * ```ts
 * import { flushDue } from "./flush_pacing.ts";
 * console.assert(!flushDue(1_000, 900, 100)); // 3 × 100 ms not over yet
 * console.assert(flushDue(32_000, 30_000, 29_000)); // capped at 2 s, not 87 s
 * ```
 */
export function flushDue(now: number, lastFlushEnd: number, lastFlushMs: number): boolean {
  return now - lastFlushEnd >= Math.min(3 * lastFlushMs, MAX_FLUSH_PAUSE_MS);
}
