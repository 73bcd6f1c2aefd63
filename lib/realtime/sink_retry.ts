/**
 * Results a sink could not take, kept and retried with back-off, so one failing sink neither
 * blocks state commits nor loses its results while it is down.
 *
 * A pending result is kept by window, not by value: a retry recomputes the window's result from
 * state, so the sink receives the latest one, never a stale copy.
 *
 * @module
 */

/** How one sink is doing, for the status line. */
export interface SinkHealth {
  /** Sink name from pipeline.yaml. */
  sink: string;
  /** Failed writes in a row. */
  failures: number;
  /** When the current streak of failures began, ms since epoch. */
  failingSince: number;
  /** Windows whose latest result the sink has not taken yet. */
  pendingWindows: number;
  /** The last error, one line. */
  lastError: string;
  /** Earliest next attempt, ms since epoch. */
  nextAttemptAt: number;
}

/** Back-off settings of {@linkcode sinkRetries}. */
export interface RetrySettings {
  /** Delay after the first failure, ms (default 1000); doubles with every failure in a row. */
  baseDelayMs?: number;
  /** Longest delay, ms (default 60,000). */
  maxDelayMs?: number;
  /** Clock, ms since epoch (default `Date.now`). */
  now?: () => number;
}

/** Per-sink pending windows and back-off. `W` is whatever identifies a window to recompute. */
export interface SinkRetries<W> {
  /**
   * The windows to write to `sink` now: the `changed` ones plus its pending ones, or none while
   * its back-off lasts (the changed ones then join the pending ones).
   */
  due(sink: string, changed: ReadonlyMap<string, W>): Map<string, W>;
  /** The sink took `windows`. */
  succeeded(sink: string, windows: ReadonlyMap<string, W>): void;
  /** The sink failed to take `windows`: keep them and back off. */
  failed(sink: string, windows: ReadonlyMap<string, W>, error: string): void;
  /** Sinks currently failing. */
  health(): SinkHealth[];
  /** Whether some failing sink still owes the window with this id its latest result. */
  owes(id: string): boolean;
}

interface Retrying<W> {
  pending: Map<string, W>;
  failures: number;
  failingSince: number;
  lastError: string;
  nextAttemptAt: number;
}

/**
 * Creates the retry bookkeeping of a processor's sinks.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { sinkRetries } from "./sink_retry.ts";
 * let now = 0;
 * const retries = sinkRetries<string>({ now: () => now });
 * retries.failed("results", new Map([["w1", "w1"]]), "timeout");
 * assert.equal(retries.due("results", new Map([["w2", "w2"]])).size, 0);
 * now = 1_000;
 * assert.deepEqual([...retries.due("results", new Map()).keys()], ["w1", "w2"]);
 * ```
 */
export function sinkRetries<W>(settings: RetrySettings = {}): SinkRetries<W> {
  const baseDelayMs = settings.baseDelayMs ?? 1_000;
  const maxDelayMs = settings.maxDelayMs ?? 60_000;
  const now = settings.now ?? Date.now;
  const failing = new Map<string, Retrying<W>>();
  return {
    due(sink, changed) {
      const retrying = failing.get(sink);
      if (retrying === undefined) return new Map(changed);
      for (const [key, window] of changed) retrying.pending.set(key, window);
      return now() >= retrying.nextAttemptAt ? new Map(retrying.pending) : new Map();
    },
    succeeded(sink, windows) {
      const retrying = failing.get(sink);
      if (retrying === undefined) return;
      for (const key of windows.keys()) retrying.pending.delete(key);
      // Windows that changed while the write was in flight stay pending, due at once.
      if (retrying.pending.size === 0) failing.delete(sink);
      else retrying.nextAttemptAt = 0;
    },
    failed(sink, windows, error) {
      let retrying = failing.get(sink);
      if (retrying === undefined) {
        failing.set(
          sink,
          retrying = {
            pending: new Map(),
            failures: 0,
            failingSince: now(),
            lastError: error,
            nextAttemptAt: 0,
          },
        );
      }
      for (const [key, window] of windows) retrying.pending.set(key, window);
      retrying.failures++;
      retrying.lastError = error;
      retrying.nextAttemptAt = now() +
        Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, retrying.failures - 1));
    },
    owes: (id) => [...failing.values()].some((retrying) => retrying.pending.has(id)),
    health: () =>
      [...failing].map(([sink, retrying]) => ({
        sink,
        failures: retrying.failures,
        failingSince: retrying.failingSince,
        pendingWindows: retrying.pending.size,
        lastError: retrying.lastError,
        nextAttemptAt: retrying.nextAttemptAt,
      })),
  };
}
