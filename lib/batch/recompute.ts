/**
 * Batch recomputation: reads `log` for a range of days and runs the very aggregation plugins
 * the real-time loop runs, so a closed window's batch result equals its real-time result.
 *
 * Which windows a range covers: every window of each aggregation's size that overlaps the
 * range's days, read in full, so a weekly window is complete even when the range holds only
 * some of its days (the log is read from the first such window's start to the last one's end).
 * A `window: none` aggregation's one window is computed from the range's records only: give
 * the whole history as the range to recompute an all-time total.
 *
 * @module
 */
import type { Aggregation, ResultRow, WindowResult } from "../contracts.ts";
import { WHOLE_STATE_KEY } from "../realtime/keyed_form.ts";
import type { AggregationEntry } from "../config/pipeline.ts";
import type { PipelineResources } from "../runtime/start.ts";
import { holdsOnlyItsInstants, type WindowCutter, windowCutter } from "../windows.ts";
import { keyText } from "../result_keys.ts";
import { windowSize } from "../window_size.ts";
import { bucketsBetween, readLog } from "../log_read.ts";
import { type DayRange, daysOf } from "./window_selection.ts";
import { type Progress, silentProgress } from "./progress.ts";

/** What a read of `log` produced. */
export interface ComputedResults {
  /** One result per aggregation and window that had records, sorted. */
  results: WindowResult[];
  /** Rows read from `log`. */
  rowsRead: number;
  /** Milliseconds spent. */
  elapsedMs: number;
}

/** Picks aggregations by name; throws naming the unknown ones and the valid names. */
export function selectAggregations(
  all: readonly AggregationEntry[],
  names: readonly string[] | undefined,
): AggregationEntry[] {
  if (names === undefined || names.length === 0) return [...all];
  const unknown = names.filter((name) => !all.some((entry) => entry.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown aggregation ${unknown.map((n) => `'${n}'`).join(", ")}; the pipeline has: ` +
        all.map((entry) => entry.name).join(", "),
    );
  }
  return all.filter((entry) => names.includes(entry.name));
}

/** Computes the results of `aggregations` for every window of the days in `range` from `log`. */
export async function computeFromLog(
  resources: PipelineResources,
  aggregations: readonly AggregationEntry[],
  range: DayRange,
  progress: Progress = silentProgress,
): Promise<ComputedResults> {
  const started = Date.now();
  const { pipeline, context } = resources;
  const cutter = windowCutter(pipeline.runtime.timeZone);
  const span = rangeSpan(cutter, range);
  let readStart = span.start;
  let readEnd = span.end;
  for (const entry of aggregations) {
    if (entry.window.unit === "none") continue;
    readStart = Math.min(readStart, cutter.windowOf(span.start, entry.window).start);
    readEnd = Math.max(readEnd, cutter.windowOf(span.end - 1, entry.window).end);
  }
  const buckets = bucketsBetween(readStart, readEnd);
  type Partial = { entry: AggregationEntry; windowKey: string; state: unknown; records: number };
  const partialsByAggregation = aggregations.map(() => new Map<string, Partial>());
  // Each aggregation's window of the last record, and its partial (undefined when that window
  // is outside the range): rows of an hour partition come in time order, so most records fall
  // in it again and skip the cutter and the map. Only a window that holds nothing but its own
  // instants is reused (not one a clock change runs through): see holdsOnlyItsInstants.
  const current = aggregations.map(() => ({
    start: 0,
    end: 0,
    partial: undefined as Partial | undefined,
  }));
  const partialOf = (a: number, timestamp: number): Partial | undefined => {
    const entry = aggregations[a]!;
    const window = cutter.windowOf(timestamp, entry.window);
    const slot = current[a]!;
    const reusable = holdsOnlyItsInstants(window, entry.window);
    slot.start = reusable ? window.start : 0;
    slot.end = reusable ? window.end : 0;
    if (entry.window.unit === "none") {
      // The one window counts the range's records only: cache it over the range, and nothing
      // for a record outside it.
      const inside = timestamp >= span.start && timestamp < span.end;
      slot.start = inside ? span.start : 0;
      slot.end = inside ? span.end : 0;
      if (!inside) return slot.partial = undefined;
    } else if (window.end <= span.start || window.start >= span.end) {
      return slot.partial = undefined;
    }
    const partials = partialsByAggregation[a]!;
    let partial = partials.get(window.key);
    if (partial === undefined) {
      partial = { entry, windowKey: window.key, state: entry.aggregation.start(), records: 0 };
      partials.set(window.key, partial);
    }
    return slot.partial = partial;
  };

  progress.start(buckets.length);
  let bucketsDone = 0;
  let rowsRead = 0;
  await readLog(
    context.cassandra,
    pipeline.cassandra.keyspace,
    pipeline.runtime.logTable,
    buckets,
    (record) => {
      rowsRead++;
      const timestamp = record.timestamp;
      for (let a = 0; a < aggregations.length; a++) {
        const slot = current[a]!;
        const partial = timestamp >= slot.start && timestamp < slot.end
          ? slot.partial
          : partialOf(a, timestamp);
        if (partial === undefined) continue;
        partial.state = partial.entry.aggregation.add(partial.state, record);
        partial.records++;
      }
    },
    { onBucketDone: () => progress.update(++bucketsDone, rowsRead) },
  );
  progress.stop();

  const computedAt = Date.now();
  const results = partialsByAggregation.flatMap((partials) => [...partials.values()]).map((
    { entry, windowKey, state, records },
  ) => ({
    aggregation: entry.name,
    window: cutter.windowFromKey(windowKey, entry.window),
    shape: entry.aggregation.shape,
    rows: entry.aggregation.finish(state),
    records,
    computedAt,
    ...summaryOf(entry.aggregation, state),
  })).sort((a, b) =>
    a.aggregation.localeCompare(b.aggregation) || a.window.key.localeCompare(b.window.key)
  );
  return { results, rowsRead, elapsedMs: Date.now() - started };
}

/** The window's mergeable summary from its whole state, as real time makes it from its keys. */
function summaryOf(aggregation: Aggregation, state: unknown): { summary?: unknown } {
  if (aggregation.mergeable === undefined) return {};
  const values = aggregation.keyed === undefined
    ? new Map([[WHOLE_STATE_KEY, state]])
    : new Map(Object.entries(state as Record<string, unknown>));
  return { summary: aggregation.mergeable.toSummary(values) };
}

/** The instants a range of local days covers: [first day's start, last day's end). */
export function rangeSpan(cutter: WindowCutter, range: DayRange): { start: number; end: number } {
  const days = daysOf(range);
  const day = windowSize("1d");
  return {
    start: cutter.windowFromKey(days[0] ?? range.from, day).start,
    end: cutter.windowFromKey(days[days.length - 1] ?? range.to, day).end,
  };
}

/**
 * The windows of one size that overlap a range, in order (the one window for `none`).
 *
 * @param cutter The pipeline's cutter.
 * @param spec The window size.
 * @param range The days.
 */
export function windowsOverlapping(
  cutter: WindowCutter,
  spec: AggregationEntry["window"],
  range: DayRange,
): string[] {
  const span = rangeSpan(cutter, range);
  if (spec.unit === "none") return [cutter.windowOf(span.start, spec).key];
  const keys: string[] = [];
  for (
    let window = cutter.windowOf(span.start, spec);
    window.start < span.end;
    window = cutter.next(window, spec)
  ) keys.push(window.key);
  return keys;
}

/** Writes results to the sinks of their aggregations. */
export async function writeResults(
  resources: PipelineResources,
  results: readonly WindowResult[],
): Promise<void> {
  for (const entry of resources.pipeline.aggregations) {
    const mine = results.filter((result) => result.aggregation === entry.name);
    if (mine.length === 0) continue;
    for (const sinkName of entry.sinks) {
      const sink = resources.sinks.get(sinkName);
      if (sink === undefined) throw new Error(`sink ${sinkName} is not open`);
      for (let i = 0; i < mine.length; i += 50) await sink.write(mine.slice(i, i + 50));
    }
  }
}

/** How a stored result differs from a computed one. */
export interface ResultDifference {
  /** Aggregation name. */
  aggregation: string;
  /** Window key. */
  window: string;
  /** Human-readable description of the difference. */
  detail: string;
}

/** Lists how two result-row lists differ, as readable lines (empty when equal, in any order). */
export function diffRows(expected: readonly ResultRow[], actual: readonly ResultRow[]): string[] {
  const render = (row: ResultRow) =>
    `${keyText(row)} ${
      Object.keys(row.values).sort().map((name) => `${name}=${row.values[name]}`).join(" ")
    }`;
  const want = new Map(expected.map((row) => [keyText(row), render(row)]));
  const got = new Map(actual.map((row) => [keyText(row), render(row)]));
  const lines: string[] = [];
  for (const [key, line] of want) {
    const other = got.get(key);
    if (other === undefined) lines.push(`missing ${line}`);
    else if (other !== line) lines.push(`${other} should be ${line}`);
  }
  for (const [key, line] of got) if (!want.has(key)) lines.push(`unexpected ${line}`);
  return lines;
}
