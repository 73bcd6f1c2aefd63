/**
 * The pipeline figures metric rules watch (`lag`, `flush_failures`, `dead_letter_rate`,
 * `silent_s`), derived per source from each processor's counters. Pure but for the samples it
 * keeps: the caller passes the clock.
 *
 * @example
 * ```ts ignore
 * const metrics = pipelineMetrics(0);
 * const values = metrics.observe(running.stats(), Date.now());
 * values.get("rawlog")?.lag;
 * ```
 *
 * @module
 */
import type { PipelineMetric } from "../config/alerts.ts";
import type { ProcessorStats } from "../realtime/processor.ts";

/** The counters a metric reads (a part of ProcessorStats). */
export type MetricStats = Pick<ProcessorStats, "lag" | "read" | "rejected" | "failingFlush">;

/** How far back the dead-letter rate looks, ms. */
export const DEAD_LETTER_SPAN_MS = 60_000;

/** Derives metric values from successive observations of the processors' counters. */
export interface PipelineMetrics {
  /** Every metric of every source, from counters observed at `now`. */
  observe(
    stats: ReadonlyMap<string, MetricStats>,
    now: number,
  ): Map<string, Record<PipelineMetric, number>>;
}

/**
 * Creates the tracker.
 *
 * @param startedAt When the runner started: a source that never read is silent since then.
 */
export function pipelineMetrics(startedAt: number): PipelineMetrics {
  const lastRead = new Map<string, { read: number; at: number }>();
  const rejections = new Map<string, { at: number; rejected: number }[]>();
  return {
    observe(stats, now) {
      const values = new Map<string, Record<PipelineMetric, number>>();
      for (const [source, counters] of stats) {
        const seen = lastRead.get(source);
        if (seen === undefined || counters.read !== seen.read) {
          lastRead.set(
            source,
            {
              read: counters.read,
              at: seen === undefined && counters.read === 0 ? startedAt : now,
            },
          );
        }
        const samples = rejections.get(source) ?? [];
        samples.push({ at: now, rejected: counters.rejected });
        while (samples.length > 1 && samples[1]!.at <= now - DEAD_LETTER_SPAN_MS) samples.shift();
        rejections.set(source, samples);
        const oldest = samples[0]!;
        const seconds = (now - oldest.at) / 1000;
        values.set(source, {
          lag: counters.lag,
          flush_failures: counters.failingFlush?.failures ?? 0,
          dead_letter_rate: seconds >= 1 ? (counters.rejected - oldest.rejected) / seconds : 0,
          silent_s: (now - lastRead.get(source)!.at) / 1000,
        });
      }
      return values;
    },
  };
}
