/**
 * Pacing helpers shared by the traffic producer and the generator source.
 *
 * @module
 */

/**
 * Resolves after `ms`, or at once when `signal` aborts (never rejects).
 *
 * @param ms Milliseconds to wait; ≤ 0 resolves at once.
 * @param signal Cuts the wait short.
 *
 * @example
 * ```ts
 * import { sleep } from "./pacing.ts";
 * await sleep(1, AbortSignal.abort());
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * How long to wait before sending more, so that `sent` events since `startedAt` keep to
 * `rate` on average. Measured against the start, so late wake-ups do not add up to drift.
 *
 * @param startedAt `performance.now()` when sending began.
 * @param sent Events sent so far.
 * @param rate Events per second (> 0).
 * @param now The current `performance.now()` (tests pass their own).
 * @returns Milliseconds to wait (≤ 0 means go now).
 *
 * @example
 * ```ts
 * import { pacingDelay } from "./pacing.ts";
 * console.assert(pacingDelay(performance.now(), 100, 100) > 900);
 * ```
 */
export function pacingDelay(
  startedAt: number,
  sent: number,
  rate: number,
  now: number = performance.now(),
): number {
  return startedAt + (sent * 1000) / rate - now;
}
