/**
 * Live results for `deno task serve`, where no flush happens in this process: while a dashboard
 * is connected, today's stored windows of each aggregation are read back every few seconds and
 * the ones whose result changed are sent on the live feed.
 *
 * Cost: one read of today per aggregation and poll, and nothing while no client listens.
 *
 * @module
 */
import { errorText } from "../errors.ts";
import type { LiveFeed } from "./live.ts";
import type { ReadableView } from "./views.ts";

/** A running poller. */
export interface ResultPoller {
  /** Stops polling. */
  stop(): void;
}

/** What {@linkcode pollResults} needs. */
export interface PollOptions {
  /** Aggregations to watch (those without a readable sink are skipped). */
  views: ReadableView[];
  /** Where changes go; polling pauses while it has no client. */
  feed: LiveFeed;
  /** Today's local date. */
  today: () => string;
  /** Time between polls, ms. */
  intervalMs: number;
  /** Operator-facing log line (a failed read is said once until reads work again). */
  log: (line: string) => void;
}

/**
 * Starts polling. A window counts as changed when the records it covers or the time it was
 * computed differ from what was sent before; the first poll (when the first client connects)
 * sends every window of today.
 */
export function pollResults(options: PollOptions): ResultPoller {
  const seen = new Map<string, string>();
  let failing = false;
  let polling = false;

  async function poll(): Promise<void> {
    if (polling || options.feed.clients() === 0) return;
    polling = true;
    try {
      const today = options.today();
      for (const view of options.views) {
        if (view.read === undefined) continue;
        for (const stored of await view.read(today, today)) {
          const id = `${view.name}\u0000${stored.window}`;
          const version = `${stored.records}/${stored.computedAt ?? ""}`;
          if (seen.get(id) === version) continue;
          seen.set(id, version);
          options.feed.publishStored(view.name, stored);
        }
      }
      failing = false;
    } catch (error) {
      if (!failing) options.log(`could not read results for live views: ${errorText(error)}`);
      failing = true;
    } finally {
      polling = false;
    }
  }

  const timer = setInterval(poll, options.intervalMs);
  return { stop: () => clearInterval(timer) };
}
