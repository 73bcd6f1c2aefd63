/**
 * The live status line of `deno task run`: events/s, lag, rejected, last flush.
 *
 * @module
 */
import type { ProcessorStats } from "../realtime/processor.ts";

/** Renders one status line from the counters now and at the previous tick. */
export function statusLine(
  now: Map<string, ProcessorStats>,
  before: Map<string, ProcessorStats>,
  elapsedMs: number,
): string {
  const parts: string[] = [];
  for (const [source, stats] of now) {
    const previous = before.get(source);
    const rate = previous === undefined ? 0 : (stats.read - previous.read) / (elapsedMs / 1000);
    const flush = stats.lastFlush === undefined
      ? "no flush yet"
      : `last flush ${ago(stats.lastFlush.at)} (${stats.lastFlush.windows} windows, ` +
        `${stats.lastFlush.ms} ms)`;
    parts.push(
      `${source}: ${Math.round(rate)} events/s, lag ${stats.lag}, ${stats.accepted} logged, ` +
        `${stats.rejected} rejected, ${
          stats.filtered > 0 ? `${stats.filtered} filtered, ` : ""
        }${stats.duplicates} duplicates skipped, ${flush}` +
        problems(stats),
    );
  }
  return parts.join(" | ");
}

/** Failures worth an operator's attention; empty while everything is healthy. */
function problems(stats: ProcessorStats): string {
  const parts: string[] = [];
  if (stats.tooLate > 0) parts.push(`${stats.tooLate} too late for real time (left to batch)`);
  if (stats.sourceRestarts > 0) {
    parts.push(
      `${stats.sourceRestarts} source restarts (last cause: ${stats.lastSourceFailure ?? "?"})`,
    );
  }
  if (stats.failingFlush !== undefined) {
    parts.push(
      `flush failing since ${ago(stats.failingFlush.since)} (${stats.failingFlush.failures} ` +
        `attempts, nothing acknowledged meanwhile): ${stats.failingFlush.lastError}`,
    );
  }
  if (stats.reassignments > 1) parts.push(`${stats.reassignments} partition reassignments`);
  if (stats.commitFailures > 0) parts.push(`${stats.commitFailures} failed commits`);
  for (const sink of stats.failingSinks) {
    parts.push(
      `sink ${sink.sink} failing since ${ago(sink.failingSince)} ` +
        `(${sink.pendingWindows} windows pending, ${sink.failures} attempts): ${sink.lastError}`,
    );
  }
  return parts.length === 0 ? "" : `, ${parts.join(", ")}`;
}

function ago(at: number): string {
  const seconds = (Date.now() - at) / 1000;
  return seconds < 1 ? "just now" : `${seconds.toFixed(0)} s ago`;
}
