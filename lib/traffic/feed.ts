/**
 * Simulated traffic as source batches: the loop behind the `generator` source when it feeds the
 * pipeline directly, paced or at full speed, spread over partitions like a Kafka topic.
 *
 * @module
 */
import type { RawMessage, SourceBatch } from "../contracts.ts";
import { generateTraffic, type TrafficMode, type TrafficOptions } from "./simulate.ts";
import type { ShopModelOptions } from "./sessions.ts";
import { pacingDelay, sleep } from "./pacing.ts";

/** What a feed needs to know beyond the traffic itself. */
export interface FeedSettings {
  /** Web-server logs, e-commerce or clickstream events (default weblog). */
  mode?: TrafficMode;
  /** Products in the catalogue (event modes). */
  products?: number;
  /** Distinct visitors (event modes). */
  users?: number;
  /** Rates and shares of the shop model (event modes). */
  model?: Partial<ShopModelOptions>;
  /** Events per second; 0 = as fast as possible. */
  rate: number;
  /** Total events, when set. */
  count?: number;
  /** How long to run, ms, when set. */
  durationMs?: number;
  /** First timestamp, ms; when unset every event carries the current time. */
  start?: number;
  /** Span the timestamps cover when `start` is set, ms. */
  spanMs: number;
  /** Random seed. */
  seed: number;
  /** Whether the caller chose the seed (reproducible ids need seed and start). */
  seeded: boolean;
  /** Share of malformed messages. */
  malformedShare: number;
  /** Share of late events. */
  lateShare: number;
  /** Share of combined-format lines. */
  combinedShare: number;
  /** Distinct URIs on the site. */
  pages: number;
}

/** A run's resolved plan: traffic options plus when to stop. */
export interface FeedPlan {
  /** Options of the traffic model. */
  traffic: TrafficOptions;
  /** Wall-time limit, ms, when `duration` is not already expressed by the count. */
  limitMs?: number;
  /** First per-partition offset (see {@linkcode planFeed}). */
  offsetBase: number;
}

/**
 * Turns settings into a plan. A reproducible stream (seed and start given) numbers its offsets
 * from 0, so a rerun yields the same ids and the runtime recognises replays. Any other stream
 * numbers them from `now × 1000`, so a later run never reuses an earlier run's ids for
 * different events (which the runtime would skip as duplicates).
 *
 * @param settings Validated generator settings.
 * @param now Current time, ms.
 * @returns The plan.
 */
export function planFeed(settings: FeedSettings, now: number): FeedPlan {
  const { durationMs } = settings;
  const fromDuration = settings.rate > 0 && durationMs !== undefined
    ? Math.max(1, Math.round((settings.rate * durationMs) / 1000))
    : undefined;
  return {
    traffic: {
      mode: settings.mode,
      products: settings.products,
      users: settings.users,
      model: settings.model,
      seed: settings.seed,
      count: settings.count ?? fromDuration ?? Infinity,
      start: settings.start ?? now,
      spanMs: settings.spanMs,
      malformedShare: settings.malformedShare,
      lateShare: settings.lateShare,
      combinedShare: settings.combinedShare,
      pages: settings.pages,
      clock: settings.start === undefined ? Date.now : undefined,
    },
    limitMs: settings.count === undefined && fromDuration !== undefined ? undefined : durationMs,
    offsetBase: settings.seeded && settings.start !== undefined ? 0 : now * 1000,
  };
}

/**
 * Combines a stop signal with a plan's own time limit.
 *
 * @param signal The caller's stop signal.
 * @param limitMs Time limit, ms, if any.
 * @returns A signal that aborts on either.
 */
export function stopSignal(signal: AbortSignal, limitMs: number | undefined): AbortSignal {
  return limitMs === undefined ? signal : AbortSignal.any([signal, AbortSignal.timeout(limitMs)]);
}

/** Events per batch when unpaced: about 1000 per partition at the default six. */
const UNPACED_CHUNK = 6000;
/** Batches per second when paced. */
const PACED_CHUNKS_PER_SECOND = 10;

/**
 * Hands generated events to `onBatch` as per-partition batches until the plan's count or time
 * is used up or `signal` aborts. Event `seq` goes to partition `seq % partitions` at offset
 * `offsetBase + floor(seq / partitions)`.
 *
 * @param plan The plan from {@linkcode planFeed}.
 * @param feed Stream name, partitions and rate.
 * @param onBatch Called for each batch, awaited before the next.
 * @param signal Stops the feed.
 */
export async function feedBatches(
  plan: FeedPlan,
  feed: { stream: string; partitions: number; rate: number },
  onBatch: (batch: SourceBatch) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const stop = stopSignal(signal, plan.limitMs);
  const { partitions, rate } = feed;
  const chunkSize = rate > 0 ? Math.ceil(rate / PACED_CHUNKS_PER_SECOND) : UNPACED_CHUNK;
  const events = generateTraffic(plan.traffic);
  const started = performance.now();
  let taken = 0;
  while (!stop.aborted) {
    if (rate > 0) await sleep(pacingDelay(started, taken, rate), stop);
    if (stop.aborted) break;
    const byPartition: RawMessage[][] = Array.from({ length: partitions }, () => []);
    const producedAt = Date.now();
    let inChunk = 0;
    for (; inChunk < chunkSize; inChunk++) {
      const next = events.next();
      if (next.done) break;
      const { seq, value, dropped } = next.value;
      if (dropped) continue;
      byPartition[seq % partitions]!.push({
        offset: plan.offsetBase + Math.floor(seq / partitions),
        value,
        producedAt,
      });
    }
    if (inChunk === 0) break;
    taken += inChunk;
    const remaining = plan.traffic.count - taken;
    for (let partition = 0; partition < partitions; partition++) {
      const messages = byPartition[partition]!;
      if (messages.length === 0) continue;
      const batch: SourceBatch = { stream: feed.stream, partition, messages };
      if (Number.isFinite(remaining)) batch.lag = Math.ceil(remaining / partitions);
      await onBatch(batch);
    }
  }
}
