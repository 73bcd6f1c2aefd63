/**
 * `latency`: request-time percentiles (p50, p90, p99) per window, overall and per page.
 *
 * @module
 */
import {
  type AggregationPlugin,
  DEFAULT_QUANTILE_ACCURACY,
  finishFromSummary,
  keyedAggregation,
  type KeyedSummary,
  type KeyedValues,
  type LogRecord,
  type MergeableResult,
  pageOf,
  type QuantileSketch,
  quantileSketch,
  quantileSketchAdd,
  quantileSketchMerge,
  quantileSketchQuantiles,
  type RangeAnswer,
  type ResultRow,
  type RunningTop,
  runningTop,
  runningTopOffer,
  withoutQuery,
  z,
} from "../../lib/sdk/mod.ts";

/** The key of the row over every request of the window. */
export const ALL_PAGES = "*";

const options = z.strictObject({
  per_page: z.boolean().default(true)
    .describe("Also report the pages with the most requests, each with its own percentiles.")
    .meta({ examples: [true] }),
  n: z.number().int().min(1).max(1000).default(10)
    .describe("With per_page, how many pages to report.")
    .meta({ examples: [10] }),
  accuracy: z.number().min(0.001).max(0.1).default(DEFAULT_QUANTILE_ACCURACY)
    .describe("Relative accuracy of every percentile (0.01: within 1% of the exact value).")
    .meta({ examples: [0.01] }),
});

/** Validated `latency` options. */
export type LatencyOptions = z.output<typeof options>;

/**
 * One quantile sketch of request times (seconds) per page, and one under `*` of every request
 * (the total key: each request adds to its page's sketch and to `*`'s).
 */
export type LatencyState = KeyedValues<QuantileSketch>;

/** A row's values but its rank. */
export interface LatencyFigures {
  /** Requests. */
  requests: number;
  /** Median request time, ms. */
  p50_ms: number;
  /** 90th percentile, ms. */
  p90_ms: number;
  /** 99th percentile, ms. */
  p99_ms: number;
}

/**
 * What real time keeps of a window to finish it from the pages that changed only, instead of
 * merging every page's sketch and sorting every page at every result.
 */
export interface LatencySummary {
  /**
   * A copy of the sketch of every request (the `*` key's value as last lent); undefined until
   * it is. The total is a key of its own so that no page's previous sketch has to be taken out
   * of it: without `usesPrevious`, real time may drop pages from memory.
   */
  all: QuantileSketch | undefined;
  /** With per_page, the pages with the most requests (which only grow). */
  top: RunningTop<LatencyFigures>;
}

/** The `latency` aggregation plugin. */
const latency: AggregationPlugin<LatencyOptions, LatencyState> = {
  kind: "aggregation",
  name: "latency",
  summary: "Request-time percentiles (p50, p90, p99, ms) per window, overall and per page.",
  description: "Reads request_time (seconds) of web-server records into a DDSketch-style " +
    "quantile sketch: every percentile is within `accuracy` (1%) of the exact value at its " +
    "rank, guaranteed, and merges add integer bin counts, so real time and batch agree " +
    "exactly. Row `*` covers every request; with per_page, the N pages (without query) " +
    "with the most requests follow, ranked 1..N. Values in milliseconds.",
  options,
  example: { per_page: true, n: 10 },
  chart: "bar",
  card: () => ({ card: "latency", column: "p90_ms" }),
  create(settings) {
    const keyOf = (record: LogRecord): string | undefined => {
      if (record.request_time === undefined) return undefined;
      if (!settings.per_page) return ALL_PAGES;
      const page = pageOf(record);
      if (page === undefined) return "";
      const path = withoutQuery(page);
      // `*` (as in `OPTIONS *`) is the total key: such a request counts in the total only.
      return path === ALL_PAGES ? "" : path;
    };
    const figures = (sketch: QuantileSketch): LatencyFigures => {
      const [p50, p90, p99] = quantileSketchQuantiles(sketch, [0.5, 0.9, 0.99])
        .map((seconds) => Math.round((seconds ?? 0) * 1_000_000) / 1000);
      return { requests: sketch.count, p50_ms: p50!, p90_ms: p90!, p99_ms: p99! };
    };
    const summary: KeyedSummary<QuantileSketch, LatencySummary> = {
      start: () => ({ all: undefined, top: runningTop(settings.n) }),
      update(window, page, sketch) {
        if (page === ALL_PAGES) {
          // A copy: a lent value is not to be kept.
          window.all = quantileSketchMerge(quantileSketch(settings.accuracy), sketch);
        } else if (page !== "") {
          runningTopOffer(window.top, page, sketch.count, () => figures(sketch));
        }
        return window;
      },
      finish(window) {
        if (window.all === undefined) return [];
        const rows: ResultRow[] = [{ key: ALL_PAGES, values: { ...figures(window.all), rank: 0 } }];
        window.top.entries.forEach((entry, index) =>
          rows.push({ key: entry.key, values: { ...entry.row, rank: index + 1 } })
        );
        return rows;
      },
    };
    // A range keeps the sketch of every request only: bins add, so its percentiles are those of
    // one window over the range; a sketch per page would make every summary many times larger.
    const inRange: MergeableResult<QuantileSketch | null, LatencySummary> = {
      emptySummary: () => null,
      toSummary(values) {
        const all = values.get(ALL_PAGES) as QuantileSketch | undefined;
        return all === undefined
          ? null
          : quantileSketchMerge(quantileSketch(settings.accuracy), all);
      },
      // The keyed summary keeps a copy of the sketch of every request: a copy of that.
      fromKeyed: (window: LatencySummary) =>
        window.all === undefined
          ? null
          : quantileSketchMerge(quantileSketch(settings.accuracy), window.all),
      mergeSummaries: (into, other) =>
        other === null
          ? into
          : quantileSketchMerge(into ?? quantileSketch(settings.accuracy), other),
      finishRange(all): RangeAnswer {
        if (all === null) return { rows: [], exact: true, totals: {} };
        const { requests, p50_ms, p90_ms, p99_ms } = figures(all);
        return {
          rows: [{ key: ALL_PAGES, values: { requests, p50_ms, p90_ms, p99_ms, rank: 0 } }],
          exact: false,
          relativeError: settings.accuracy,
          totals: { p50_ms, p90_ms, p99_ms },
        };
      },
    };
    const sketches = keyedAggregation<QuantileSketch, LatencySummary>({
      shape: {
        key: { name: "page", type: "text" },
        values: [
          { name: "requests", type: "bigint" },
          { name: "p50_ms", type: "double" },
          { name: "p90_ms", type: "double" },
          { name: "p99_ms", type: "double" },
          { name: "rank", type: "int" },
        ],
      },
      keyOf,
      // Per page, every request also adds to `*`; else `*` is the only key.
      totalKey: settings.per_page ? ALL_PAGES : undefined,
      start: () => quantileSketch(settings.accuracy),
      add: (sketch, record) => quantileSketchAdd(sketch, record.request_time!),
      merge: quantileSketchMerge,
      finish: finishFromSummary(summary),
      summary,
    });
    return { ...sketches, mergeable: inRange };
  },
};

export default latency;
