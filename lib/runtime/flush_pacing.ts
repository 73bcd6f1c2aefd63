/**
 * When the real-time loop starts its next flush.
 *
 * Flushes start every interval, counted from the start of the last one. A flush that took long
 * while input backed up (more messages waited unread than were read over the last flush cycle)
 * is followed by a pause of three times its duration, so flushing never takes over the loop from
 * catching up. While the consumer keeps up, a long flush gets no pause: the loop has time to
 * spare, and a pause only makes results staler (at 5,000 events/s on 2 cores, the pause after
 * each ~0.8 s flush put the freshness p99 at 2.4 s; without it, at 1.5 s).
 *
 * The pause is capped, because a flush that took long while Cassandra was frozen or restarting
 * says nothing about the next one, and results must be fresh again within seconds once the
 * service answers (an uncapped pause after a 29 s flush kept every result stale for 90 s). For
 * the same reason the first flush that succeeds after failing ones (it wrote everything the
 * failing ones could not) is followed by no pause at all.
 *
 * The delay is computed, not polled: a timer ticking every interval added up to one more
 * interval to every pause.
 *
 * @module
 */

/** Longest pause between the end of one flush and the start of the next, ms. */
export const MAX_FLUSH_PAUSE_MS = 1_000;

/** The last flush, as pacing sees it. */
export interface LastFlush {
  /** When it started, ms. */
  startedAt: number;
  /** When it ended (succeeded or failed), ms. */
  endedAt: number;
  /** Whether it succeeded after one or more failed flushes (or failed itself). */
  afterFailure: boolean;
  /**
   * Whether input backed up when it ended: more messages waited unread than were read since
   * the flush before it started. Absent: false.
   */
  backlogged?: boolean;
}

/**
 * How long to wait before the next flush starts.
 *
 * @param now Current time, ms.
 * @param intervalMs The runtime's `flush_interval_ms`.
 * @param last The last flush; undefined before the first.
 * @returns Milliseconds to wait (0: start now).
 *
 * @example
 * ```ts
 * import { nextFlushDelay } from "./flush_pacing.ts";
 * // A 100 ms flush: the next starts one interval after it started.
 * console.assert(nextFlushDelay(1_100, 1_000, { startedAt: 1_000, endedAt: 1_100,
 *   afterFailure: false }) === 900);
 * // A 29 s flush (Cassandra frozen) with input backed up: the pause is capped at 1 s, not 87 s.
 * console.assert(nextFlushDelay(30_000, 1_000, { startedAt: 1_000, endedAt: 30_000,
 *   afterFailure: false, backlogged: true }) === 1_000);
 * ```
 */
export function nextFlushDelay(now: number, intervalMs: number, last?: LastFlush): number {
  if (last === undefined) return 0;
  const tookMs = last.endedAt - last.startedAt;
  const pause = last.afterFailure || !last.backlogged
    ? 0
    : Math.min(3 * tookMs, MAX_FLUSH_PAUSE_MS);
  const startAt = Math.max(last.startedAt + intervalMs, last.endedAt + pause);
  return Math.max(0, startAt - now);
}
