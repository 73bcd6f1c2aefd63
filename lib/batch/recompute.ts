/**
 * Batch recomputation: reads `log` for a range of days and runs the very aggregation plugins
 * the real-time loop runs, so a closed window's batch result equals its real-time result.
 *
 * @module
 */
import type { ResultRow, WindowResult } from "../contracts.ts";
import type { AggregationEntry } from "../config/pipeline.ts";
import type { PipelineResources } from "../runtime/start.ts";
import { windowCutter } from "../windows.ts";
import { bucketsBetween, readLog } from "./read_log.ts";
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
  const days = daysOf(range);
  const daySet = new Set(days);
  const first = cutter.windowFromKey(days[0] ?? range.from);
  const last = cutter.windowFromKey(days[days.length - 1] ?? range.to);
  const buckets = bucketsBetween(first.start, last.end);
  type Partial = { entry: AggregationEntry; windowKey: string; state: unknown; records: number };
  const partialsByAggregation = aggregations.map(() => new Map<string, Partial>());

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
      for (let a = 0; a < aggregations.length; a++) {
        const entry = aggregations[a]!;
        const window = cutter.windowOf(record.timestamp, entry.aggregation.granularity);
        if (!daySet.has(window.date)) continue;
        const partials = partialsByAggregation[a]!;
        let partial = partials.get(window.key);
        if (partial === undefined) {
          partial = { entry, windowKey: window.key, state: entry.aggregation.start(), records: 0 };
          partials.set(window.key, partial);
        }
        partial.state = entry.aggregation.add(partial.state, record);
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
    granularity: entry.aggregation.granularity,
    window: cutter.windowFromKey(windowKey),
    shape: entry.aggregation.shape,
    rows: entry.aggregation.finish(state),
    records,
    computedAt,
  })).sort((a, b) =>
    a.aggregation.localeCompare(b.aggregation) || a.window.key.localeCompare(b.window.key)
  );
  return { results, rowsRead, elapsedMs: Date.now() - started };
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
    `${row.key} ${
      Object.keys(row.values).sort().map((name) => `${name}=${row.values[name]}`).join(" ")
    }`;
  const want = new Map(expected.map((row) => [String(row.key), render(row)]));
  const got = new Map(actual.map((row) => [String(row.key), render(row)]));
  const lines: string[] = [];
  for (const [key, line] of want) {
    const other = got.get(key);
    if (other === undefined) lines.push(`missing ${line}`);
    else if (other !== line) lines.push(`${other} should be ${line}`);
  }
  for (const [key, line] of got) if (!want.has(key)) lines.push(`unexpected ${line}`);
  return lines;
}
